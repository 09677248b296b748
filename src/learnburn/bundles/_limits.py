"""Size limits on what a bundle may hold, checked before anything is read or decompressed.

They are far above what a tabular model needs and far below what would exhaust a machine: a zip
member declares its size before it is read, so a bomb is refused from its directory, and
``read_member`` stops at the declared size even when the declaration lies.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Sequence

from learnburn.errors import BundleError

MAX_MEMBERS = 16  # files in a bundle archive (a bundle has at most nine)
MAX_FILE_SIZE = 2 * 1024**3  # one file of a bundle, 2 GiB
MAX_TOTAL_SIZE = 4 * 1024**3  # all files of a bundle together, 4 GiB
MAX_DOCUMENT_SIZE = 64 * 1024**2  # one JSON document, 64 MiB
MAX_RATIO = 200  # uncompressed / compressed size of an archive member ...
RATIO_FROM = 1024**2  # ... once it is larger than 1 MiB
MAX_MODEL_MEMBERS = 1_000_000  # arrays inside model.skops
MAX_MODEL_SCHEMA_SIZE = 256 * 1024**2  # the JSON tree of objects inside model.skops

_HINT = "the file is damaged or was not written by learnburn; save the bundle again"


def check_sizes(
    infos: Sequence[zipfile.ZipInfo], where: str, *, max_members: int, ratio: bool
) -> None:
    """Refuse an archive with too many members, or members too large or too compressed."""
    if len(infos) > max_members:
        raise BundleError(
            f"{where} holds {len(infos)} members; at most {max_members} are allowed", hint=_HINT
        )
    total = 0
    for info in infos:
        check_size(info.file_size, f"{where}: {info.filename!r}")
        if ratio and info.file_size > max(RATIO_FROM, MAX_RATIO * max(info.compress_size, 1)):
            raise BundleError(
                f"{where}: {info.filename!r} expands {info.file_size:,} bytes from "
                f"{info.compress_size:,}, more than {MAX_RATIO} times (a zip bomb?)",
                hint=_HINT,
            )
        total += info.file_size
    if total > MAX_TOTAL_SIZE:
        raise BundleError(
            f"{where} expands to {total:,} bytes, more than the {MAX_TOTAL_SIZE:,} allowed",
            hint=_HINT,
        )


def check_size(size: int, where: str, limit: int = MAX_FILE_SIZE) -> None:
    """Refuse a file larger than ``limit`` bytes."""
    if size > limit:
        raise BundleError(f"{where} is {size:,} bytes, more than the {limit:,} allowed", hint=_HINT)


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> bytes:
    """The member's bytes, never more than it declared; damage is a BundleError."""
    try:
        with archive.open(info) as stream:
            data = stream.read(info.file_size + 1)
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
    ) as exc:
        raise BundleError(f"{where}: {info.filename!r} cannot be read: {exc}", hint=_HINT) from exc
    if len(data) != info.file_size:
        raise BundleError(
            f"{where}: {info.filename!r} holds {len(data):,} bytes, not the "
            f"{info.file_size:,} it declares",
            hint=_HINT,
        )
    return data
