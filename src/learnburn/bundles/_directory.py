"""A bundle as a directory: read and verify it, or write it atomically.

Reading opens the manifest first and checks it; then the directory's entries against it (only
regular files, no links or folders, nothing unlisted, nothing missing); then each file's size
before reading it and its sha256 after. Only then are the files handed on, as bytes, so what is
parsed is exactly what was verified.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from learnburn.bundles._atomic import check_target, discard, install, staging_dir, write_file
from learnburn.bundles._format import MANIFEST, Files
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
    check_listing(manifest, _entries(directory, where), where)
    total = sum(expected_size(manifest, name) for name in manifest["files"])
    check_size(total, where, MAX_TOTAL_SIZE)
    files = {MANIFEST: raw}
    for name in sorted(manifest["files"]):
        data = _read(directory, name, expected_size(manifest, name), where)
        verify_file(manifest, name, data, where)
        files[name] = data
    return manifest, files


def write_directory(files: Files, target: Path, *, overwrite: bool) -> Path:
    """Write ``files`` (manifest included) as the bundle directory ``target``, atomically."""
    check_target(target, overwrite)
    staging = staging_dir(target)
    try:
        for name, data in files.items():
            write_file(staging / name, data)
        install(staging, target)
    except OSError as exc:
        discard(staging)
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
            if entry.is_symlink() or not entry.is_file(follow_symlinks=False):
                kind = "a symlink" if entry.is_symlink() else "not a regular file"
                raise BundleError(
                    f"{where}: '{entry.name}' is {kind}; a bundle holds only regular files",
                    hint="the bundle was changed after it was saved; get it again",
                )
            names.append(entry.name)
    return names


def _read(directory: Path, name: str, size: int, where: str) -> bytes:
    """The file's bytes, at most ``size + 1`` of them (never through a link): a longer file
    shows as one byte too many, which the manifest check then refuses."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(directory / name, flags)
    except FileNotFoundError as exc:
        raise BundleError(
            f"{where} lacks {name}", hint="the bundle is incomplete; get it again from its source"
        ) from exc
    except OSError as exc:
        raise BundleError(f"{where}: {name} cannot be opened: {exc}", hint=_CHANGED) from exc
    with open(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise BundleError(f"{where}: {name} is not a regular file", hint=_CHANGED)
        return stream.read(size + 1)


_CHANGED = "the bundle was changed after it was saved; get it again from its source"
