"""Disk space: how much a folder's device has left, and the error for a write that ran out."""

from __future__ import annotations

import errno
import shutil
import sqlite3
from pathlib import Path

from learnburn.errors import RunStoreError

_NO_SPACE = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_SQLITE_FULL = (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR)  # a full disk fails a WAL write as I/O
_POSTGRES_DISK_FULL = "53100"  # SQLSTATE disk_full


def is_out_of_space(error: BaseException) -> bool:
    """The error says the device (or the user's quota) is full."""
    return isinstance(error, OSError) and error.errno in _NO_SPACE


def free_bytes(folder: Path) -> int | None:
    """Bytes free on the device holding ``folder`` (or its nearest existing parent)."""
    for candidate in (Path(folder), *Path(folder).parents):
        try:
            return shutil.disk_usage(candidate).free
        except OSError:
            continue
    return None


def size_text(size: int) -> str:
    """``size`` bytes for people: 812 bytes, 3.4 MB, 1.2 GB."""
    if size < 1000:
        return f"{size} bytes"
    value, units = size / 1000, ["kB", "MB", "GB", "TB"]
    while value >= 1000 and len(units) > 1:
        value, units = value / 1000, units[1:]
    return f"{value:.1f} {units[0]}"


def write_failed(root: Path, error: OSError, needed: int) -> RunStoreError:
    """The RunStoreError for an artifact of ``needed`` bytes that could not be written."""
    if is_out_of_space(error):
        free = free_bytes(root)
        left = "" if free is None else f", {size_text(free)} free"
        return RunStoreError(
            f"no space left on the device holding the artifact folder {root}: storing an "
            f"artifact needs {size_text(needed)}{left}",
            hint=f"free at least {size_text(needed)} on that device (`df -h {root}`), or keep "
            "the store on a larger disk (--store PATH puts the artifacts beside the store file)",
        )
    reason = error.strerror or str(error)
    return RunStoreError(
        f"cannot write an artifact of {size_text(needed)} into {root}: {reason}",
        hint=f"check that {root} is writable by this user and its disk is mounted read-write",
    )


def database_full_hint(database: Path, error: BaseException) -> str:
    """The hint for a database error caused by a full disk (or one that may be); else "".
    ``database`` is the SQLite file (or the store's folder)."""
    cause = getattr(error, "orig", None) or error
    if getattr(cause, "sqlstate", None) == _POSTGRES_DISK_FULL:
        return (
            "the PostgreSQL server's disk is full: free space there (or ask its administrator "
            "to), then run the command again; the store keeps every run committed so far"
        )
    code = getattr(cause, "sqlite_errorcode", None)
    if not isinstance(cause, sqlite3.Error) or (
        code is not None and code & 0xFF not in _SQLITE_FULL
    ):
        return ""
    if code is None and "full" not in str(cause) and "I/O" not in str(cause):
        return ""
    free = free_bytes(database.parent)
    left = "" if free is None else f" ({size_text(free)} free now)"
    return (
        f"the disk holding {database} may be full{left}: free disk space there (`df -h "
        f"{database.parent}`), or move the store file to a larger disk and name it with "
        "--store; the store keeps every run committed so far"
    )
