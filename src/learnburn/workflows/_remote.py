"""Inputs and outputs in object storage for the commands that work on files (predict, drift):
an ``s3://`` input is fetched to a temporary file first, an ``s3://`` output is written to a
temporary file and put there once complete, so a failed command leaves no partial object."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from learnburn.data import fetched_object, is_object_url, object_exists, upload_file
from learnburn.errors import DataError


@contextmanager
def local_input(location: str) -> Iterator[Path]:
    """A local path holding the input at ``location`` (itself when it is local)."""
    if not is_object_url(location):
        yield Path(location)
        return
    with fetched_object(location) as file:
        yield file


@contextmanager
def local_output(location: str, *, force: bool = False) -> Iterator[Path]:
    """A local path to write the output for ``location`` to; an ``s3://`` one is uploaded
    when the block ends without an error. An existing output is refused unless ``force``."""
    if not is_object_url(location):
        path = Path(location)
        _refuse_existing(path.exists(), location, force)
        yield path
        return
    _refuse_existing(object_exists(location), location, force)
    with tempfile.TemporaryDirectory(prefix="learnburn-out-") as folder:
        path = Path(folder) / PurePosixPath(location).name
        yield path
        upload_file(path, location)


def _refuse_existing(exists: bool, location: str, force: bool) -> None:
    if exists and not force:
        raise DataError(f"'{location}' already exists", hint="choose another path, or pass --force")
