"""The manifest: what a bundle holds, with the sha256 and size of every file.

It is checked before any other file is read: its format and version first (a newer version is
refused before its layout is trusted), then its shape, then the files present against the files
listed (nothing missing, nothing extra), then each file's size and sha256.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any

from learnburn.bundles._format import (
    FORMAT,
    MANIFEST,
    SIGNATURE,
    SIGNED_FROM,
    VERSION,
    Files,
    check_version,
    files_of,
)
from learnburn.bundles._json import dump_json, load_document
from learnburn.errors import BundleError

_DAMAGED = "the bundle is damaged or was not written by learnburn; save it again"
_TAMPERED = "the bundle was changed after it was saved; get it again from its source"


def make_manifest(files: Files, created_at: str | None = None) -> bytes:
    """The manifest of ``files`` (the current format version), as JSON bytes."""
    return dump_json(
        {
            "format": FORMAT,
            "version": VERSION,
            "created_at": created_at or datetime.now(UTC).isoformat(timespec="seconds"),
            "files": {name: file_entry(data) for name, data in sorted(files.items())},
        },
        MANIFEST,
    )


def file_entry(data: bytes) -> dict[str, Any]:
    """The sha256 and size of one file."""
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def read_manifest(data: bytes, where: str) -> dict[str, Any]:
    """The manifest in ``data``, checked for format, version and shape (not yet the files)."""
    manifest = load_document(data, f"{where}: {MANIFEST}")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleError(
            f"{where}: {MANIFEST} does not describe a learnburn bundle", hint=_DAMAGED
        )
    version = check_version(manifest.get("version"), where)
    listed = manifest.get("files")
    if not isinstance(listed, dict) or not all(_entry_ok(e) for e in listed.values()):
        raise BundleError(
            f"{where}: {MANIFEST} lacks a valid 'files' table (name -> sha256 and size)",
            hint=_DAMAGED,
        )
    required, optional = files_of(version)
    unknown = sorted(set(listed) - required - optional)
    if unknown:
        raise BundleError(
            f"{where}: {MANIFEST} lists files a version {version} bundle cannot hold: {unknown}",
            hint=_DAMAGED,
        )
    if absent := sorted(required - set(listed)):
        raise BundleError(
            f"{where}: {MANIFEST} does not list the files a bundle needs: {absent}", hint=_DAMAGED
        )
    return manifest


def check_listing(manifest: Mapping[str, Any], present: Collection[str], where: str) -> None:
    """Refuse files present but not listed, and files listed but not present."""
    listed = set(manifest["files"])
    unlisted = {MANIFEST, SIGNATURE} if manifest["version"] >= SIGNED_FROM else {MANIFEST}
    extra = sorted(set(present) - listed - unlisted)
    missing = sorted(listed - set(present))
    if extra:
        raise BundleError(
            f"{where} holds files its manifest does not list: {', '.join(extra)}", hint=_TAMPERED
        )
    if missing:
        raise BundleError(
            f"{where} lacks files its manifest lists: {', '.join(missing)}",
            hint="the bundle is incomplete; get it again from its source",
        )


def expected_size(manifest: Mapping[str, Any], name: str) -> int:
    """The size the manifest records for ``name``."""
    return manifest["files"][name]["size"]


def verify_file(manifest: Mapping[str, Any], name: str, data: bytes, where: str) -> None:
    """Refuse a file whose size or sha256 differs from the manifest's."""
    entry = manifest["files"][name]
    if len(data) != entry["size"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise BundleError(
            f"{where}: {name} does not match its sha256 in the manifest (it was changed, "
            "truncated or replaced)",
            hint=_TAMPERED,
        )


def verify_files(manifest: Mapping[str, Any], files: Files, where: str) -> None:
    """Check the listing and every file against the manifest (the signature aside)."""
    check_listing(manifest, files, where)
    for name in sorted(manifest["files"]):
        verify_file(manifest, name, files[name], where)


def _entry_ok(entry: object) -> bool:
    if not isinstance(entry, dict) or set(entry) != {"sha256", "size"}:
        return False
    sha, size = entry["sha256"], entry["size"]
    hex_ok = isinstance(sha, str) and len(sha) == 64 and all(c in "0123456789abcdef" for c in sha)
    return hex_ok and isinstance(size, int) and not isinstance(size, bool) and size >= 0
