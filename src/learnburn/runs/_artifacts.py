"""The artifact store: files addressed by the sha256 of their content, ``root/ab/cdef...``.

Paths come only from validated digests (64 lowercase hex characters), never from names, and every
path is checked to resolve inside the root. A write never leaves a half-written artifact in
place: the bytes go to a temporary file (``.tmp-*``), are flushed and fsynced, renamed over the
final name (atomic), and the folder is fsynced so the rename survives a crash. A killed writer
leaves only a stray temporary file, which :meth:`ArtifactStore.verify` reports. A write that
fails (a full disk, a read-only folder) leaves the store as it was and is a RunStoreError naming
the folder and the space the artifact needs.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from learnburn._atomic import install, open_new, staged
from learnburn.errors import RunStoreError
from learnburn.runs._space import write_failed

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
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                self._write_atomically(target.parent, target, [data])
            except OSError as error:
                raise write_failed(self.root, error, len(data)) from error
        return digest, len(data)

    def put_file(self, path: Path) -> tuple[str, int]:
        """Store the file at ``path`` (read in chunks: any size); return its (sha256, size)."""
        with open(path, "rb") as source:
            try:
                return self._put_stream(source)
            except OSError as error:
                if isinstance(error, _ReadFailed):
                    raise error.__cause__ from None
                raise write_failed(self.root, error, os.fstat(source.fileno()).st_size) from error

    def _put_stream(self, source) -> tuple[str, int]:
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        with staged(self.root, _TEMP_PREFIX, suffix="") as temp:
            with os.fdopen(open_new(temp, 0o600), "wb") as out:
                while chunk := _read(source):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                _seal(out)
            target = self.path_of(digest.hexdigest())
            if not _complete(target, size):  # else the staged copy is dropped
                target.parent.mkdir(parents=True, exist_ok=True)
                install(temp, target, durable=True)
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

    def verify(self, referenced: Mapping[str, str] | None = None) -> list[ArtifactCheck]:
        """Check every file under the root: intact, corrupt, stray temporary or unexpected; and
        that every digest in ``referenced`` (sha256 -> who refers to it) has its file: a missing
        one is a failed check that names who refers to it."""
        found = []
        if self.root.is_dir():
            found = [_check(self.root, p) for p in sorted(self.root.rglob("*")) if not p.is_dir()]
        present = {check.sha256 for check in found if check.sha256}
        missing = [
            ArtifactCheck(sha256, self.path_of(sha256), False, f"missing: {referrer}")
            for sha256, referrer in sorted((referenced or {}).items())
            if sha256 not in present
        ]
        return found + missing

    def _write_atomically(self, folder: Path, target: Path, chunks: list[bytes]) -> None:
        with staged(folder, _TEMP_PREFIX, suffix="") as temp:
            with os.fdopen(open_new(temp, 0o600), "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
                _seal(out)
            install(temp, target, durable=True)


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


class _ReadFailed(OSError):
    """Reading the source file failed (not writing the store): raised as the original error."""


def _read(source) -> bytes:
    try:
        return source.read(_CHUNK)
    except OSError as error:
        raise _ReadFailed(error.errno, error.strerror) from error


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
