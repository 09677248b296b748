"""A bundle packed as one file (``.lbm``): a flat zip archive of the bundle directory.

Reading refuses, before anything is extracted or decompressed: a file that is not a zip, too
many members or members too large or too compressed (zip bombs), names that are absolute,
climb with ``..``, sit in folders or hold control characters, symlinks and other non-regular
members, encrypted members, duplicate names, and members the manifest does not list. Members
are read into memory and checked against the manifest; unpacking writes only those verified
bytes, under plain names, into a new directory. Nothing is ever written outside it.
"""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any, BinaryIO

from learnburn._atomic import install, staged
from learnburn.bundles._atomic import check_target, write_file
from learnburn.bundles._directory import open_regular, read_directory, write_directory
from learnburn.bundles._format import MANIFEST, MODEL, REFERENCE_SAMPLE, SIGNATURE, Files
from learnburn.bundles._limits import (
    MAX_DOCUMENT_SIZE,
    MAX_MEMBERS,
    MAX_TOTAL_SIZE,
    check_size,
    check_sizes,
    read_member,
)
from learnburn.bundles._manifest import check_listing, read_manifest, verify_file
from learnburn.errors import BundleError

_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed member times: the same bundle packs to the same bytes
_UNIX = 3
_ABSOLUTE = re.compile(r"^([/\\]|[A-Za-z]:)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# members compressed already (skops deflates its zip, Parquet its pages): deflating them again
# costs seconds on a big forest and saves almost nothing, so they are stored as they are
_PACKED = frozenset({MODEL, REFERENCE_SAMPLE})
# the other members are deflated at level 3, not zlib's default 6: on a big forest's fast.onnx
# (12 MB) that is 0.36 s instead of 0.97 s for a member 3% bigger (3.80 MB, not 3.69 MB)
_LEVEL = 3
_REFUSED = "the archive is damaged or was not written by learnburn; do not use it"


def pack_bundle(directory: str | Path, file: str | Path, *, overwrite: bool = False) -> Path:
    """Pack the bundle ``directory`` (verified first) into the one file ``file``."""
    _, files = read_directory(Path(directory))
    return write_archive(files, Path(file), overwrite=overwrite)


def unpack_bundle(file: str | Path, directory: str | Path, *, overwrite: bool = False) -> Path:
    """Unpack the bundle file ``file`` (verified first) into the new directory ``directory``."""
    _, files = read_archive(Path(file))
    return write_directory(files, Path(directory), overwrite=overwrite)


def read_archive(file: Path) -> tuple[dict[str, Any], Files]:
    """The verified manifest and files (manifest included) of the bundle file ``file``."""
    where = f"bundle file '{file}'"
    try:
        stream = open_regular(file, where, follow=True)  # the path named may be a link
    except FileNotFoundError:
        raise BundleError(f"{where} does not exist", hint="give the bundle's path") from None
    with stream:
        check_size(os.fstat(stream.fileno()).st_size, where, MAX_TOTAL_SIZE)
        return _read_zip(stream, where)


def _read_zip(stream: BinaryIO, where: str) -> tuple[dict[str, Any], Files]:
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise BundleError(
            f"{where} is not a bundle: it is not a zip archive ({exc})",
            hint="a bundle file is a .lbm written by save_bundle or pack_bundle",
        ) from exc
    with archive:
        infos = archive.infolist()
        check_sizes(infos, where, max_members=MAX_MEMBERS, ratio=True)
        members = {_check_member(info, where): info for info in infos}
        _check_unique([info.filename for info in infos], where)
        if MANIFEST not in members:
            raise BundleError(f"{where} holds no {MANIFEST}", hint=_REFUSED)
        raw = read_member(archive, members[MANIFEST], where)
        manifest = read_manifest(raw, where)
        check_listing(manifest, members, where)
        files = {MANIFEST: raw}
        for name in sorted(manifest["files"]):
            files[name] = read_member(archive, members[name], where)
            verify_file(manifest, name, files[name], where)
        if SIGNATURE in members:  # checked against trusted keys by whoever requires them
            check_size(members[SIGNATURE].file_size, f"{where}: {SIGNATURE}", MAX_DOCUMENT_SIZE)
            files[SIGNATURE] = read_member(archive, members[SIGNATURE], where)
    return manifest, files


def write_archive(files: Files, target: Path, *, overwrite: bool) -> Path:
    """Write ``files`` (manifest first) as the bundle file ``target``, atomically."""
    check_target(target, overwrite)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with staged(target.parent, f".{target.name}.") as staging:
            write_file(staging, _zip_bytes(files))
            install(staging, target, durable=True)
    except OSError as exc:
        raise BundleError(
            f"cannot write the bundle file '{target}': {exc}",
            hint="check that the folder is writable and the disk has room",
        ) from exc
    return target


def _zip_bytes(files: Files) -> bytes:
    buffer = io.BytesIO()
    names = [MANIFEST, *sorted(set(files) - {MANIFEST})]
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_STORED if name in _PACKED else zipfile.ZIP_DEFLATED
            info.create_system = _UNIX
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            archive.writestr(info, files[name], compresslevel=_LEVEL)
    return buffer.getvalue()


def _check_member(info: zipfile.ZipInfo, where: str) -> str:
    """The member's name, when it is a plain regular file at the top of the archive."""
    name = info.filename
    problem = None
    if not name or _CONTROL.search(name):
        problem = "has an empty name or control characters in it"
    elif _ABSOLUTE.match(name):
        problem = "is an absolute path"
    elif ".." in re.split(r"[/\\]", name):
        problem = "climbs out of the bundle with '..'"
    elif "/" in name or "\\" in name:
        problem = "sits in a folder; a bundle archive is flat"
    elif info.flag_bits & 0x1:
        problem = "is encrypted"
    else:
        problem = _file_type_problem(info)
    if problem:
        raise BundleError(f"{where}: the member {name!r} {problem}", hint=_REFUSED)
    return name


def _file_type_problem(info: zipfile.ZipInfo) -> str | None:
    kind = stat.S_IFMT(info.external_attr >> 16)  # 0: not recorded, as Python's zipfile writes
    if info.create_system == _UNIX and kind:
        if kind == stat.S_IFLNK:
            return "is a symlink"
        if kind != stat.S_IFREG:
            return "is not a regular file"
    if info.external_attr & 0x10:  # the MS-DOS directory flag
        return "is a directory"
    return None


def _check_unique(names: list[str], where: str) -> None:
    twice = sorted(name for name, count in Counter(names).items() if count > 1)
    if twice:
        raise BundleError(f"{where}: the members {twice} appear more than once", hint=_REFUSED)
