"""The model archive SageMaker downloads: ``model.tar.gz`` holding the bundle at its top level.

SageMaker unpacks ``ModelDataUrl`` into ``/opt/ml/model`` before the container starts; the
entrypoint written by ``learnburn package`` serves an unpacked bundle found there
(``manifest.json`` at the top) or exactly one ``NAME.lbm``. So a bundle folder's verified files
go at the top of the archive, and a bundle file goes in as ``NAME.lbm``.

The archive is reproducible: members sorted, times, owners and modes fixed, and the gzip
header's time zeroed, so the same bundle always gives the same bytes and the same sha256 (the
S3 key carries it, and an unchanged bundle does not change the stack).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from learnburn.bundles import load_bundle
from learnburn.errors import BundleError

ARCHIVE_SUFFIX = ".model.tar.gz"


@dataclass(frozen=True)
class ModelArchive:
    """What the archive holds and its digest; ``path`` is None when it was only measured."""

    members: tuple[str, ...]
    size: int
    sha256: str
    path: Path | None = None


def archive_members(bundle_path: Path, trusted: Sequence[str] = ()) -> dict[str, Path]:
    """Name in the archive -> file, for the bundle at ``bundle_path`` (verified and loaded
    first, so that a bundle the server would refuse is never deployed)."""
    bundle = load_bundle(bundle_path, trusted=trusted, lazy=True)
    if bundle_path.is_file():
        name = bundle_path.name if bundle_path.name.endswith(".lbm") else f"{bundle_path.name}.lbm"
        return {name: bundle_path}
    names = list(bundle.file_names)
    return {name: bundle_path / name for name in sorted(names)}


def write_model_archive(
    bundle_path: Path, target: Path | None, trusted: Sequence[str] = ()
) -> ModelArchive:
    """Write the archive of the bundle to ``target`` (replaced whole, never left half-written),
    or with ``target`` None only measure it: its members, size and sha256."""
    members = archive_members(bundle_path, trusted)
    partial = None if target is None else target.with_name(f".{target.name}.partial")
    try:
        with _Sink(partial) as sink:
            _write_tar(members, sink)
        if partial is not None and target is not None:
            partial.replace(target)
    except OSError as exc:
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise BundleError(
            f"cannot write the model archive '{target}': {exc}",
            hint="check that the output folder is writable and the disk has room",
        ) from exc
    return ModelArchive(tuple(members), sink.size, sink.digest.hexdigest(), target)


def _write_tar(members: dict[str, Path], sink: BinaryIO) -> None:
    with (
        gzip.GzipFile(filename="", mode="wb", fileobj=sink, mtime=0) as zipped,
        tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for name, path in members.items():
            info = tarfile.TarInfo(name)
            info.size = path.stat().st_size
            info.mode = 0o644  # the image's non-root user reads it
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            with path.open("rb") as handle:
                tar.addfile(info, handle)


class _Sink(io.RawIOBase):
    """A write-only stream that hashes and counts what it is given, and writes it to a file
    when it has one."""

    def __init__(self, path: Path | None) -> None:
        super().__init__()
        self.digest = hashlib.sha256()
        self.size = 0
        self._file = None if path is None else path.open("wb")

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        view = memoryview(data)
        self.digest.update(view)
        self.size += len(view)
        if self._file is not None:
            self._file.write(view)
        return len(view)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        super().close()
