"""Durable, all-or-nothing writes: build beside the target, fsync, rename, fsync the folder.

A reader of the target sees the old bundle or the new one, never a mixture. Replacing a
directory takes two renames (old aside, new in place), so for an instant the path is absent;
the old bundle is deleted only once the new one is in place. Only a bundle is ever replaced:
an existing path that is not one is refused, so ``overwrite=True`` cannot delete other data.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
import zipfile
from pathlib import Path

from learnburn._fsync import sync_dir
from learnburn.bundles._format import FORMAT, MANIFEST
from learnburn.bundles._json import load_json
from learnburn.bundles._limits import MAX_DOCUMENT_SIZE
from learnburn.errors import BundleError


def check_target(target: Path, overwrite: bool) -> None:
    """Refuse an existing target unless ``overwrite`` and it is itself a bundle."""
    if not os.path.lexists(target):
        return
    if not overwrite:
        raise BundleError(
            f"'{target}' already exists",
            hint="choose another path, or pass overwrite=True to replace the bundle there",
        )
    if target.is_symlink() or not _is_bundle(target):
        raise BundleError(
            f"'{target}' exists and is not a learnburn bundle; refusing to replace it",
            hint="choose another path",
        )


def staging_dir(target: Path) -> Path:
    """A new empty directory beside ``target`` (same filesystem, so renames are atomic)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    )
    staging.chmod(0o755)
    return staging


def write_file(path: Path, data: bytes) -> None:
    """Write a new file (never through an existing one or a link) and fsync it."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(path, flags, 0o644)
    with open(descriptor, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())


def install(staging: Path, target: Path) -> None:
    """Move the finished ``staging`` file or directory to ``target``, replacing a bundle there."""
    if not staging.is_dir():
        os.replace(staging, target)
    elif not os.path.lexists(target):
        sync_dir(staging)
        os.rename(staging, target)
    else:
        sync_dir(staging)
        aside = target.with_name(f".{target.name}.{uuid.uuid4().hex}.old")
        os.rename(target, aside)
        try:
            os.rename(staging, target)
        except OSError:
            os.rename(aside, target)  # put the old bundle back
            raise
        _remove(aside)
    sync_dir(target.parent)


def discard(path: Path) -> None:
    """Remove a staging file or directory left by a failed write."""
    _remove(path)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.lexists(path):
        path.unlink(missing_ok=True)


def _is_bundle(path: Path) -> bool:
    try:
        if path.is_dir():
            data = (path / MANIFEST).read_bytes()
        else:
            with zipfile.ZipFile(path) as archive:
                info = archive.getinfo(MANIFEST)
                data = archive.read(info) if info.file_size <= MAX_DOCUMENT_SIZE else b""
        manifest = load_json(data, str(path))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, BundleError):
        return False
    return isinstance(manifest, dict) and manifest.get("format") == FORMAT
