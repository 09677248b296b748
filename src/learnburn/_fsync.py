"""Durable names: fsync a directory so that a file renamed into it survives a crash."""

from __future__ import annotations

import os
from pathlib import Path


def sync_dir(path: str | os.PathLike) -> None:
    """fsync a directory, so that the names in it survive a crash (POSIX only)."""
    if os.name != "posix":
        return
    descriptor = os.open(Path(path), os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
