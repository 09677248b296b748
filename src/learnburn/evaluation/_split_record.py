"""The splits as the run record keeps them: enough to rebuild every fold without learnburn.

``record_splits`` adds two keys to ``Splits.summary_dict()``:

- ``assignment``: which rows went where, as compact arrays.
  - ``rows``: rows of the table the run read (0-based positions in file order, counting only the
    rows kept: rows with a missing target are dropped first, ``data.dropped_rows`` of them).
  - ``holdout``: one value per row, 1 for a holdout row, 0 for a development row.
  - ``folds``: one array per repeat, one value per development row (in ascending position): the
    fold whose test set holds the row, or -1 for a row no fold tests (walk-forward's first block).
  - ``train``: which development rows each fold trains on: ``"every other development row"``
    (shuffled k-fold) or ``"development rows with a lower label"`` (walk-forward, -1 included).
  - ``dtype`` and ``encoding``: every array is the little-endian ``dtype`` (int8 up to 126 folds),
    compressed with zlib and written as base64 text. In Python, with numpy and the standard
    library only: ``np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype="<i1")``.
- ``procedure``: how the splits were drawn, in words (the scikit-learn calls and their arguments).

The format number (``assignment.format``) changes when the layout does.
"""

from __future__ import annotations

import base64
import zlib
from typing import Any

import numpy as np
import pandas as pd

from learnburn.evaluation._splits import Splits
from learnburn.spec import EvaluationSpec

FORMAT = 1
_ENCODING = "base64 of the zlib-compressed little-endian array"
_EVERY_OTHER = "every other development row"
_LOWER_LABEL = "development rows with a lower label"


def record_splits(
    splits: Splits, evaluation: EvaluationSpec, *, n_rows: int, dropped_rows: int = 0
) -> dict[str, Any]:
    """``splits.summary_dict()`` plus the row assignment and the procedure in words."""
    repeats = sorted({f.repeat for f in splits.folds})
    labels = np.full((len(repeats), len(splits.development)), -1, dtype=np.int64)
    for fold in splits.folds:
        labels[repeats.index(fold.repeat), fold.test] = fold.fold
    dtype = _dtype(int(labels.max(initial=0)))
    holdout = np.zeros(n_rows, dtype=dtype)
    holdout[splits.holdout] = 1
    walk = splits.method == "walk-forward"
    assignment = {
        "format": FORMAT,
        "rows": n_rows,
        "dtype": dtype,
        "encoding": _ENCODING,
        "holdout": _encode(holdout, dtype),
        "folds": [_encode(row, dtype) for row in labels],
        "train": _LOWER_LABEL if walk else _EVERY_OTHER,
    }
    return splits.summary_dict() | {
        "assignment": assignment,
        "procedure": _procedure(splits, evaluation, dropped_rows),
    }


def splits_table(recorded: dict[str, Any]) -> pd.DataFrame:
    """One row per table row: ``row``, ``holdout`` (bool) and ``repeat_R``, the fold that tests the
    row in repeat R (-1: no fold tests it; empty for holdout rows)."""
    assignment = recorded["assignment"]
    dtype = assignment["dtype"]
    holdout = _decode(assignment["holdout"], dtype).astype(bool)
    table = pd.DataFrame({"row": np.arange(assignment["rows"], dtype=np.int64), "holdout": holdout})
    development = np.flatnonzero(~holdout)
    for repeat, text in enumerate(assignment["folds"]):
        column = pd.array(np.full(len(holdout), pd.NA), dtype="Int32")
        column[development] = _decode(text, dtype)
        table[f"repeat_{repeat}"] = column
    return table


def _dtype(largest: int) -> str:
    for dtype in ("<i1", "<i2", "<i4"):
        if largest < np.iinfo(dtype).max:
            return dtype
    return "<i8"


def _encode(values: np.ndarray, dtype: str) -> str:
    raw = np.ascontiguousarray(values, dtype=dtype).tobytes()
    return base64.b64encode(zlib.compress(raw, 9)).decode("ascii")


def _decode(text: str, dtype: str) -> np.ndarray:
    return np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype=dtype)


def _procedure(splits: Splits, evaluation: EvaluationSpec, dropped_rows: int) -> str:
    rows = (
        "Rows are 0-based positions in the table as read, in file order"
        + (f", after dropping the {dropped_rows} rows whose target is missing. " if dropped_rows
           else ". ")
    )  # fmt: skip
    if splits.method == "walk-forward":
        return rows + _walk_forward_words(evaluation)
    return rows + _shuffled_words(splits.method, evaluation)


def _shuffled_words(method: str, evaluation: EvaluationSpec) -> str:
    stratified = method == "stratified-kfold"
    holdout = (
        f"The holdout is sklearn.model_selection.train_test_split(positions, "
        f"test_size={evaluation.holdout}, random_state={evaluation.seed}, "
        f"stratify={'target' if stratified else 'None'})[1]; the development rows are the others, "
        "in ascending position. "
        if evaluation.holdout > 0
        else "There is no holdout: every row is a development row. "
    )
    splitter = "RepeatedStratifiedKFold" if stratified else "RepeatedKFold"
    return holdout + (
        f"The folds are sklearn.model_selection.{splitter}(n_splits={evaluation.folds}, "
        f"n_repeats={evaluation.repeats}, random_state={evaluation.seed}).split(development"
        + (", target[development])" if stratified else ")")
        + f"; the i-th split is repeat i // {evaluation.folds}, fold i % {evaluation.folds}, and "
        "its positions index the development rows. In repeat R, fold k tests on the development "
        "rows labelled k and trains on every other development row."
    )


def _walk_forward_words(evaluation: EvaluationSpec) -> str:
    return (
        "Rows are ordered by the time column (a stable sort). The holdout is the latest "
        f"{evaluation.holdout:g} of the rows, its first row moved back to the first row of its "
        "time so that no time straddles two sets. The development rows are cut the same way into "
        f"{evaluation.folds + 1} consecutive blocks of time; fold k tests on one block and trains "
        "on every earlier row, never shuffled and not repeated. In the labels, fold k tests on "
        "the development rows labelled k and trains on every development row with a lower label "
        "(-1: rows that are only ever trained on)."
    )
