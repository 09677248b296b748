"""The artifact store: files addressed by the sha256 of their content, ``root/ab/cdef...``.

Paths come only from validated digests (64 lowercase hex characters), never from names, and every
path is checked to resolve inside the root. A write never leaves a half-written artifact in
place: the bytes go to a temporary file (``.tmp-*``), are flushed and fsynced, renamed over the
final name (atomic), and the folder is fsynced so the rename survives a crash. A killed writer
leaves only a stray temporary file, which :meth:`ArtifactStore.verify` reports.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from learnburn._fsync import sync_dir
from learnburn.errors import RunStoreError

_DIGEST = re.compile(r"[0-9a-f]{64}")
_TEMP_PREFIX = ".tmp-"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class ArtifactCheck:
    """The outcome of checking one file of the artifact store."""

    sha256: str
    path: Path
    ok: bool
    problem: str = ""


class ArtifactStore:
    """Content-addressed files under ``root``; writes are atomic and idempotent."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        """Store ``data``; return its (sha256, size). Storing the same bytes again is a no-op."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path_of(digest)
        if not _complete(target, len(data)):
            target.parent.mkdir(parents=True, exist_ok=True)
            self._write_atomically(target.parent, target, [data])
        return digest, len(data)

    def put_file(self, path: Path) -> tuple[str, int]:
        """Store the file at ``path`` (read in chunks: any size); return its (sha256, size)."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        handle, temp = tempfile.mkstemp(dir=self.root, prefix=_TEMP_PREFIX)
        try:
            with os.fdopen(handle, "wb") as out, open(path, "rb") as source:
                while chunk := source.read(_CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                _seal(out)
            target = self.path_of(digest.hexdigest())
            if _complete(target, size):
                os.unlink(temp)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(temp, target)
                sync_dir(target.parent)
        except BaseException:
            _remove(temp)
            raise
        return digest.hexdigest(), size

    def path_of(self, sha256: str) -> Path:
        """Where the artifact with this sha256 lives; refuses anything but a sha256 hex digest."""
        if not isinstance(sha256, str) or _DIGEST.fullmatch(sha256) is None:
            raise RunStoreError(
                f"{sha256!r} is not a sha256 digest (64 lowercase hexadecimal characters)",
                hint="artifacts are found by the sha256 recorded with the run (`learnburn show`)",
            )
        path = self.root / sha256[:2] / sha256[2:]
        root = os.path.realpath(self.root)
        if os.path.commonpath([root, os.path.realpath(path)]) != root:
            raise RunStoreError(
                f"artifact {sha256} resolves outside the artifact store {self.root}",
                hint="a link inside the artifact folder points elsewhere: remove it",
            )
        return path

    def read_bytes(self, sha256: str) -> bytes:
        """The artifact's bytes, checked against its sha256."""
        path = self.path_of(sha256)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise RunStoreError(
                f"artifact {sha256} is missing from {self.root}",
                hint="`learnburn runs --verify` checks the artifact store",
            ) from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise RunStoreError(
                f"artifact {sha256} at {path} is corrupt: its content has another sha256",
                hint="restore it from a backup; `learnburn runs --verify` lists every bad file",
            )
        return data

    def verify(self) -> list[ArtifactCheck]:
        """Check every file under the root: intact, corrupt, stray temporary or unexpected."""
        if not self.root.is_dir():
            return []
        return [_check(self.root, p) for p in sorted(self.root.rglob("*")) if not p.is_dir()]

    def _write_atomically(self, folder: Path, target: Path, chunks: list[bytes]) -> None:
        handle, temp = tempfile.mkstemp(dir=folder, prefix=_TEMP_PREFIX)
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
                _seal(out)
            os.replace(temp, target)
        except BaseException:
            _remove(temp)
            raise
        sync_dir(folder)


def _check(root: Path, path: Path) -> ArtifactCheck:
    if path.name.startswith(_TEMP_PREFIX):
        return ArtifactCheck("", path, False, "stray temporary file left by an interrupted write")
    name = path.parent.name + path.name
    if path.is_symlink() or path.parent.parent != root or _DIGEST.fullmatch(name) is None:
        return ArtifactCheck("", path, False, "unexpected file: not named by a sha256")
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    if digest.hexdigest() != name:
        return ArtifactCheck(name, path, False, f"corrupt: content has sha256 {digest.hexdigest()}")
    return ArtifactCheck(name, path, True)


def _complete(target: Path, size: int) -> bool:
    """Already stored (a file of the right size under its digest: written atomically)."""
    try:
        return target.stat().st_size == size
    except FileNotFoundError:
        return False


def _seal(out) -> None:
    out.flush()
    if hasattr(os, "fchmod"):
        os.fchmod(out.fileno(), 0o644)
    os.fsync(out.fileno())


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
