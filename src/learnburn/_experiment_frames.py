"""A DataFrame given to ``Experiment(data=frame)``, kept as a Parquet file.

A spec names its data by path, and a run records the data's fingerprint after reading it back,
so a frame held in memory is written once, as Parquet, to ``.learnburn/frames/HASH.parquet``
(the folder of the default run store; ``HASH`` is the frame's content hash, so the same frame is
written once however often it is passed). The run then reads it, fingerprints it and records it
exactly as it would a file the user wrote. The folder is git-ignored, like the rest of
``.learnburn``: a frame is not checked in; ``Experiment.to_toml(path)`` writes a copy beside the
spec for that.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from learnburn.data import fingerprint_table
from learnburn.errors import DataError
from learnburn.workflows import default_store_folder

FRAMES = "frames"
_IGNORE = "# DataFrames given to learnburn.Experiment: never committed\n*\n"


def frame_file(frame: pd.DataFrame, start: str | os.PathLike | None = None) -> Path:
    """Where ``frame`` is stored: ``.learnburn/frames/HASH.parquet`` (not written yet)."""
    if frame.empty:
        raise DataError(
            "The DataFrame passed as data has no rows or no columns.",
            hint="pass the table to learn from, with its target column",
        )
    folder = default_store_folder(start) / FRAMES
    return folder / f"{fingerprint_table(frame).content_hash[:32]}.parquet"


def store_frame(frame: pd.DataFrame, target: Path) -> None:
    """Write ``frame`` to ``target`` as Parquet, unless an equal frame already was."""
    if target.exists():
        return
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text(_IGNORE)
    _write_parquet(frame, target)


def copy_frame(source: Path, target: Path) -> None:
    """Put the stored frame at ``target``; an existing different file there is refused."""
    if target.exists():
        if filecmp.cmp(source, target, shallow=False):
            return
        raise DataError(
            f"{target} already exists and holds other data than the experiment's DataFrame",
            hint="pass data_path= to write the frame elsewhere, or remove that file",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def _write_parquet(frame: pd.DataFrame, target: Path) -> None:
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    os.close(handle)
    try:
        frame.to_parquet(temporary, index=False)
        os.replace(temporary, target)
    except (ValueError, TypeError, OSError, NotImplementedError) as error:
        raise DataError(
            f"The DataFrame passed as data cannot be stored as Parquet: {error}",
            hint="give every column a string name (frame.columns = frame.columns.astype(str)) "
            "and one type per column; or write the table to a CSV file and pass its path",
        ) from error
    finally:
        Path(temporary).unlink(missing_ok=True)
