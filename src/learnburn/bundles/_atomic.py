"""Durable, all-or-nothing bundle writes: staged beside the target, each file fsynced, renamed
into place, the folder fsynced (``learnburn._atomic``).

A reader of the target sees the old bundle or the new one, never a mixture. Replacing a
directory takes two renames (old aside, new in place), so for an instant the path is absent;
the old bundle is deleted only once the new one is in place. Only a bundle is ever replaced:
an existing path that is not one is refused, so ``overwrite=True`` cannot delete other data.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from learnburn._atomic import open_new
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


def write_file(path: Path, data: bytes) -> None:
    """Write a new file (never through an existing one or a link) and fsync it."""
    with open(open_new(path), "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())


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
