"""``learnburn init``: read a data file and write the text of a commented starter spec for it.

It reads data (``data``) to write a spec (``spec``); the spec is the first stage and never
reads data, so this flow lives here, above both."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from learnburn.data import ColumnSchema, Schema, infer_schema, read_table
from learnburn.errors import DataError
from learnburn.spec import METRICS, relative_data_path, toml_value

_TARGET_NAMES = ("target", "label", "y", "class", "outcome")
_MAX_LISTED = 20
_FEW_CLASSES = 20


def init_spec(
    data_path: str,
    *,
    target: str | None = None,
    name: str | None = None,
    spec_file: str | os.PathLike | None = None,
    encoding: str = "utf-8",
    delimiter: str | None = None,
) -> str:
    """The text of a commented starter spec for a data file (``learnburn init``).

    With ``spec_file``, a relative data path is written relative to that file's folder;
    ``encoding`` and ``delimiter`` read the file and are written into the spec."""
    frame = read_table(data_path, encoding=encoding, delimiter=delimiter)
    if target is not None and target not in frame.columns:
        raise DataError(
            f"target column {target!r} is not in {data_path}",
            hint=f"choose one of: {', '.join(map(str, frame.columns))}",
        )
    target = target or _guess_target(frame.columns)
    schema = infer_schema(frame)
    written_path = data_path if spec_file is None else relative_data_path(data_path, spec_file)
    name = name or default_experiment_name(data_path)
    return starter_spec(
        written_path, schema, target=target, name=name, encoding=encoding, delimiter=delimiter
    )


def _guess_target(columns) -> str | None:
    lowered = {str(c).lower(): str(c) for c in columns}
    return next((lowered[n] for n in _TARGET_NAMES if n in lowered), None)


def default_experiment_name(data_path: str) -> str:
    """The experiment name ``init`` proposes for a data file: its stem."""
    stem = Path(data_path.split("://")[-1]).name.split(".")[0]
    return stem or "experiment"


def starter_spec(
    data_path: str,
    schema: Schema,
    *,
    target: str | None,
    name: str,
    encoding: str = "utf-8",
    delimiter: str | None = None,
) -> str:
    """A commented spec for the table at ``data_path``; it parses as is when ``target`` is set.

    ``data_path`` is written as given: make it relative to the folder the spec is saved in.
    ``encoding`` and ``delimiter`` are written when they are not the defaults (UTF-8, sniffed).
    """
    text = {"encoding": encoding if encoding != "utf-8" else None, "delimiter": delimiter}
    sections = [
        _header(data_path),
        _experiment(name),
        _data(data_path, schema, target, text),
        _EVALUATION.format(metrics=" | ".join(METRICS)),
        _DECISION,
        _CANDIDATES,
    ]
    return "\n".join(sections)


def _header(data_path: str) -> str:
    return (
        f"# learnburn experiment spec for {data_path}\n"
        "# Written by `learnburn init`: read the comments, adjust, and check this file in.\n"
        "# A run records this text and its hash, so the experiment can be reproduced.\n"
    )


def _experiment(name: str) -> str:
    return (
        "[experiment]\n"
        f"name = {toml_value(name)}\n"
        'task = "classification"  # or "clustering": segments, no target (see [clustering])\n'
    )


def _data(data_path: str, schema: Schema, target: str | None, text: dict) -> str:
    lines = [
        "[data]",
        "# A CSV/Parquet path, relative to this file's folder, or pkg://PACKAGE/path.",
        f"path = {toml_value(data_path)}",
    ]
    lines += [f"{key} = {toml_value(value)}" for key, value in text.items() if value is not None]
    if target is not None:
        lines.append(f"target = {toml_value(target)}  # the column to predict")
    else:
        lines += [
            "# target: the column to predict (required). Uncomment the next line and name it.",
            f"# Likely targets (few distinct values): {_listing(_likely_targets(schema))}",
            '# target = "..."',
        ]
    columns = [c for c in schema.columns if c.name != target]
    return "\n".join(lines + _roles(columns) + _drop(columns)) + "\n"


def _roles(columns: Sequence[ColumnSchema]) -> list[str]:
    times = [c.name for c in columns if c.kind == "datetime"]
    ids = [c.name for c in columns if c.identifier_like]
    time = toml_value(times[0]) if times else '"..."'
    ident = toml_value(ids[0]) if ids else '"..."'
    lines = ["", "# time_column: set it when rows are ordered in time; splits then walk forward."]
    if times:
        lines.append(f"# Date/time columns: {_listing(times)}")
    lines += [
        f"# time_column = {time}",
        "",
        "# id_column: the column that identifies a row; it is not used as a feature.",
        f"# id_column = {ident}",
    ]
    return lines


def _drop(columns: Sequence[ColumnSchema]) -> list[str]:
    ids = [c.name for c in columns if c.identifier_like]
    constants = [c.name for c in columns if c.constant and not c.identifier_like]
    lines = ["", "# drop: columns to leave out of the features (identifiers, leaks, protected)."]
    if ids:
        lines.append(f"# Identifier-like: {_listing(ids)}")
    if constants:
        lines.append(f"# Constant: {_listing(constants)}")
    lines.append(f"# drop = {toml_value(ids + constants)}")
    return lines


def _likely_targets(schema: Schema) -> list[str]:
    usable = [c for c in schema.columns if not (c.identifier_like or c.constant)]
    likely = [c.name for c in usable if _few_values(c)]
    return likely or [c.name for c in usable]


def _few_values(column: ColumnSchema) -> bool:
    if column.kind == "boolean":
        return True
    if column.kind == "categorical":
        return column.unique <= _FEW_CLASSES
    return column.kind == "numeric" and 2 <= column.unique <= 10


def _listing(names: Sequence[str]) -> str:
    if not names:
        return "(none found)"
    shown = ", ".join(names[:_MAX_LISTED])
    more = len(names) - _MAX_LISTED
    return f"{shown} and {more} more" if more > 0 else shown


_EVALUATION = """\
[evaluation]
# auto: walk-forward when data.time_column is set, else stratified k-fold.
# Or: stratified-kfold | kfold | walk-forward (needs data.time_column).
splitter = "auto"
folds = 5  # folds per repetition (>= 2)
repeats = 5  # k-fold repetitions, freshly shuffled (>= 1); more give tighter intervals
# The score candidates are compared on, one of:
# {metrics}
metric = "roc_auc"
seed = 0  # one seed drives splits and estimators: same seed, same per-fold scores
holdout = 0.2  # fraction held out, untouched, to check the chosen model; in [0, 0.9)
"""

_DECISION = """\
# What each outcome of a decision costs (kept with the experiment for threshold choice).
# Keys: true_positive, false_positive, true_negative, false_negative: any numbers in one
# unit (an outcome left out costs 0); a negative cost is a benefit (true_positive = -200: each
# caught case earns 200).
# [decision.costs]
# false_positive = 1.0
# false_negative = 5.0
"""

_CANDIDATES = """\
# Candidates. [candidates.NAME] uses the registered model NAME; any other NAME needs
# model = "registered_name" or "module:Class" (a scikit-learn estimator).
# params are fixed; grid = { param = [values, ...] } expands into one candidate per combination
# (a parameter goes in params or in grid, not both).
# preprocessing = "auto" | "linear" | "tree" | "native" | "none"

[candidates.logistic_regression]
# A linear baseline: numbers scaled, categories one-hot encoded.
params = { max_iter = 1000 }
# grid = { C = [0.1, 1.0, 10.0] }

[candidates.random_forest]
params = { n_estimators = 200 }
# grid = { min_samples_leaf = [1, 5, 20] }

[candidates.hist_gradient_boosting]
# Gradient-boosted trees; missing values and categories handled natively.
params = { max_iter = 200 }
# grid = { learning_rate = [0.05, 0.1], max_leaf_nodes = [15, 31] }
"""
