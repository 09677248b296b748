"""A bundle as a directory: read and verify it, or write it atomically.

Reading opens the manifest first and checks it; then the directory's entries against it (only
regular files, no links or folders, nothing unlisted, nothing missing); then each file's size
before reading it and its sha256 after. Every file is looked at (``lstat``) before it is opened,
and opened without following links or waiting (``O_NOFOLLOW | O_NONBLOCK``): a FIFO, a device,
a folder or a symlink in place of a file is refused, never opened. Only then are the files
handed on, as bytes, so what is parsed is exactly what was verified.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any, BinaryIO

from learnburn._atomic import install, staged
from learnburn.bundles._atomic import check_target, write_file
from learnburn.bundles._format import MANIFEST, SIGNATURE, Files
from learnburn.bundles._limits import MAX_DOCUMENT_SIZE, MAX_TOTAL_SIZE, check_size
from learnburn.bundles._manifest import check_listing, expected_size, read_manifest, verify_file
from learnburn.errors import BundleError


def read_directory(directory: Path) -> tuple[dict[str, Any], Files]:
    """The verified manifest and files (manifest included) of the bundle in ``directory``."""
    where = f"bundle '{directory}'"
    if not directory.is_dir():
        raise BundleError(f"{where} is not a directory", hint="give the bundle's path")
    raw = _read(directory, MANIFEST, MAX_DOCUMENT_SIZE, where)
    manifest = read_manifest(raw, where)
    entries = _entries(directory, where)
    check_listing(manifest, entries, where)
    total = sum(expected_size(manifest, name) for name in manifest["files"])
    check_size(total, where, MAX_TOTAL_SIZE)
    files = {MANIFEST: raw}
    for name in sorted(manifest["files"]):
        data = _read(directory, name, expected_size(manifest, name), where)
        verify_file(manifest, name, data, where)
        files[name] = data
    if SIGNATURE in entries:  # checked against trusted keys by whoever requires them
        files[SIGNATURE] = _read(directory, SIGNATURE, MAX_DOCUMENT_SIZE, where)
    return manifest, files


def write_directory(files: Files, target: Path, *, overwrite: bool) -> Path:
    """Write ``files`` (manifest included) as the bundle directory ``target``, atomically."""
    check_target(target, overwrite)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with staged(target.parent, f".{target.name}.", directory=True) as staging:
            for name, data in files.items():
                write_file(staging / name, data)
            install(staging, target, durable=True)
    except OSError as exc:
        raise BundleError(
            f"cannot write the bundle '{target}': {exc}",
            hint="check that the folder is writable and the disk has room",
        ) from exc
    return target


def _entries(directory: Path, where: str) -> list[str]:
    """The names in the directory; anything but a regular file is refused."""
    names = []
    with os.scandir(directory) as entries:
        for entry in entries:
            mode = entry.stat(follow_symlinks=False).st_mode
            if not stat.S_ISREG(mode):
                raise BundleError(
                    f"{where}: '{entry.name}' {_kind(mode)}; a bundle holds only regular files",
                    hint=_CHANGED,
                )
            names.append(entry.name)
    return names


def _read(directory: Path, name: str, size: int, where: str) -> bytes:
    """The file's bytes, at most ``size + 1`` of them: a longer file shows as one byte too many,
    which the manifest check then refuses."""
    try:
        stream = open_regular(directory / name, f"{where}: {name}", follow=False)
    except FileNotFoundError as exc:
        raise BundleError(
            f"{where} lacks {name}", hint="the bundle is incomplete; get it again from its source"
        ) from exc
    with stream:
        return stream.read(size + 1)


def open_regular(path: Path, where: str, *, follow: bool) -> BinaryIO:
    """``path`` opened for reading, when it is a regular file; anything else is refused before
    it is opened: a FIFO (whose open would wait forever for a writer), a device, a folder, or
    (unless ``follow``) a symlink. The open itself neither follows a link (unless ``follow``)
    nor waits, and what was opened is checked to be what was looked at. A missing file raises
    FileNotFoundError, for the caller to name."""
    try:
        seen = os.stat(path) if follow else os.lstat(path)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise BundleError(f"{where} cannot be read: {exc}", hint=_CHANGED) from exc
    if not stat.S_ISREG(seen.st_mode):
        raise BundleError(f"{where} {_kind(seen.st_mode)}", hint=_CHANGED)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_BINARY", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise BundleError(f"{where} cannot be opened: {exc}", hint=_CHANGED) from exc
    stream = open(descriptor, "rb")  # noqa: SIM115 (the caller closes it)
    opened = os.fstat(descriptor)
    if (opened.st_dev, opened.st_ino) != (seen.st_dev, seen.st_ino) or not stat.S_ISREG(
        opened.st_mode
    ):
        stream.close()
        raise BundleError(f"{where} changed while it was opened", hint=_CHANGED)
    return stream


def _kind(mode: int) -> str:
    """What a file that is not a regular one is, as "is a symlink" or "is not a regular file
    but a FIFO (named pipe)"."""
    if stat.S_ISLNK(mode):
        return "is a symlink"
    kinds = {
        stat.S_IFIFO: "a FIFO (named pipe)",
        stat.S_IFDIR: "a folder",
        stat.S_IFCHR: "a character device",
        stat.S_IFBLK: "a block device",
        stat.S_IFSOCK: "a socket",
    }
    kind = kinds.get(stat.S_IFMT(mode))
    return f"is not a regular file but {kind}" if kind else "is not a regular file"


_CHANGED = "the bundle was changed after it was saved; get it again from its source"
