"""The frozen experiment spec: what a TOML file says once it has been validated.

These are plain, inspectable values. Validation happens once, at the edge (``_load.py``);
everything downstream trusts these types.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from learnburn._records import Record

TASKS = ("classification", "clustering")
SPLITTERS = ("auto", "stratified-kfold", "kfold", "walk-forward")
METRICS = (
    "roc_auc",
    "average_precision",
    "log_loss",
    "brier",
    "accuracy",
    "balanced_accuracy",
    "f1",
)
PREPROCESSING = ("auto", "linear", "tree", "native", "none")
COST_KEYS = ("true_positive", "false_positive", "true_negative", "false_negative")
CHOOSE = ("simplest-equivalent", "best")
CLUSTER_METRICS = ("silhouette", "calinski_harabasz", "davies_bouldin")
CALIBRATION = ("auto", "none", "sigmoid", "isotonic")
WHEN_EQUIVALENT = ("newer", "cheaper", "keep")
# The region of practical equivalence per metric when the spec sets none: differences smaller than
# this are "practically nil". 0.01 for AUC-like and accuracy-like scores in [0, 1].
DEFAULT_ROPE = {
    "roc_auc": 0.01,
    "average_precision": 0.01,
    "accuracy": 0.01,
    "balanced_accuracy": 0.01,
    "f1": 0.01,
    "brier": 0.005,
    "log_loss": 0.02,
}


@dataclass(frozen=True)
class DataSpec:
    """Where the table is, how its text is read, and which columns play which role.

    The table comes from ``path`` (a file, ``pkg://``, ``s3://bucket/key`` or an ``s3://``
    prefix of partitioned Parquet, filtered by ``partitions``) or from a query, ``sql`` or
    ``sql_file``, run on the database at ``url`` (a URL or ``env:NAME``). ``since`` and ``until``
    (ISO dates or times) keep the rows with ``since <= time_column < until``, or are the
    ``{since}``/``{until}`` parameters of the query.

    ``categorical``: columns learnt from as categories whatever they hold (codes such as zip
    codes); ``encoding``, ``delimiter`` (None: sniffed from the header) and ``missing_values``
    (texts read as missing, besides the usual ones) apply to CSV and TSV files.
    """

    path: str = ""
    target: str | None = None
    time_column: str | None = None
    id_column: str | None = None
    drop: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    encoding: str = "utf-8"
    delimiter: str | None = None
    missing_values: tuple[str, ...] = ()
    sql: str | None = None
    sql_file: str | None = None
    url: str | None = None
    since: str | None = None
    until: str | None = None
    partitions: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def is_query(self) -> bool:
        """Whether the table is a query's result rather than a file or an object."""
        return self.sql is not None or self.sql_file is not None

    def read_options(self) -> dict[str, Any]:
        """How to read the table's text: keywords of ``read_table`` and ``load_dataset``."""
        return {
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "missing_values": self.missing_values,
        }


# DataSpec keys added after specs were first recorded: at their defaults they stay out of the
# content hash, so a spec that does not use them hashes as it always did.
_LATER_DATA_KEYS = {
    "categorical": (),
    "encoding": "utf-8",
    "delimiter": None,
    "missing_values": (),
    "sql": None,
    "sql_file": None,
    "url": None,
    "since": None,
    "until": None,
    "partitions": {},
}


@dataclass(frozen=True)
class EvaluationSpec:
    """How candidates are evaluated: splits, metric, seed and the untouched holdout."""

    splitter: str = "auto"
    folds: int = 5
    repeats: int = 5
    metric: str = "roc_auc"
    seed: int = 0
    holdout: float = 0.2
    rope: float | None = None  # None: DEFAULT_ROPE of the metric
    choose: str = "simplest-equivalent"

    @property
    def effective_rope(self) -> float:
        """The ROPE used: the spec's, or the metric's documented default."""
        return self.rope if self.rope is not None else DEFAULT_ROPE[self.metric]


@dataclass(frozen=True)
class ClusteringSpec:
    """How clusterings are compared (``task = "clustering"``, the ``[clustering]`` table).

    ``k``: the inclusive range of cluster counts tried by candidates that take one;
    ``resamples``: bootstrap refits per candidate and k for the stability interval;
    ``silhouette_sample``: at most this many rows enter the silhouette (all when fewer);
    ``stability_floor``: the least lower bound of the stability interval a choice may have;
    ``min_share``: the least share of the rows every cluster of a choice must hold (a clustering
    that splits off a handful of outliers is not a segmentation);
    ``metric``: the quality that ranks stable clusterings.
    """

    k: tuple[int, int] = (2, 8)
    resamples: int = 20
    silhouette_sample: int = 2000
    stability_floor: float = 0.6
    min_share: float = 0.02
    metric: str = "silhouette"

    @property
    def k_values(self) -> tuple[int, ...]:
        """Every k tried, smallest first."""
        return tuple(range(self.k[0], self.k[1] + 1))


@dataclass(frozen=True)
class DecisionSpec:
    """What each outcome of a decision costs (negative: a benefit); chooses the threshold.

    Binary targets use ``costs`` (keys from COST_KEYS; the positive class is the larger label).
    Multiclass targets use ``matrix``: ``matrix[i][j]`` is the cost of deciding class j when the
    truth is class i, classes in sorted order.
    """

    costs: dict[str, float] = field(default_factory=dict)
    matrix: tuple[tuple[float, ...], ...] | None = None
    calibration: str = "auto"


@dataclass(frozen=True)
class SearchSpec:
    """A candidate's hyperparameter search (``search = {...}`` in its table).

    ``space``: parameter -> distribution text (``"log-uniform(0.01, 0.3)"``, see
    ``candidates/_spaces.py``); ``n_trials``: trials per search (at most that many when a time
    budget stops it earlier); ``inner_folds``: the k of the inner k-fold that scores each trial on
    the training rows of the search (an outer fold's training rows, or all development rows).
    """

    space: dict[str, str]
    n_trials: int = 20
    inner_folds: int = 3


@dataclass(frozen=True)
class CandidateSpec:
    """One candidate: a registered short name or ``module:Class``, fixed params and a grid, or a
    search space tuned inside each fold (``search``)."""

    name: str
    model: str
    params: dict[str, Any] = field(default_factory=dict)
    grid: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    preprocessing: str = "auto"
    search: SearchSpec | None = None

    def expand(self) -> tuple[CandidateSpec, ...]:
        """Expand the grid into named candidates with fixed params (itself when no grid)."""
        if not self.grid:
            return (self,)
        keys = sorted(self.grid)
        expanded = []
        for values in itertools.product(*(self.grid[k] for k in keys)):
            point = dict(zip(keys, values, strict=True))
            label = ",".join(f"{k}={_format_value(v)}" for k, v in point.items())
            params = {**self.params, **point}
            expanded.append(replace(self, name=f"{self.name}[{label}]", params=params, grid={}))
        return tuple(expanded)


@dataclass(frozen=True)
class ChallengeSpec:
    """How a retrained model (the challenger) is judged against the live one (the champion) on
    the same recent rows (the ``[challenge]`` table; ``learnburn challenge`` and ``retrain``).

    ``margin``: differences of the metric within ±margin are equivalent (None: the evaluation's
    ROPE). ``cost_margin``: with decision costs, differences of the expected cost per decision
    within ±cost_margin x the champion's are equivalent. ``when_equivalent``: "newer" promotes
    an equivalent challenger when it learned from other (newer) data than the champion,
    "cheaper" when its bundle is smaller (less memory, faster to load and serve), "keep"
    never."""

    margin: float | None = None
    cost_margin: float = 0.05
    when_equivalent: str = "newer"
    confidence: float = 0.95


@dataclass(frozen=True)
class ExperimentSpec(Record):
    """A validated experiment: the single input of ``workflows.run_experiment``."""

    name: str
    data: DataSpec
    candidates: tuple[CandidateSpec, ...]
    task: str = "classification"
    evaluation: EvaluationSpec = field(default_factory=EvaluationSpec)
    decision: DecisionSpec | None = None
    clustering: ClusteringSpec | None = None  # set for task "clustering" only
    challenge: ChallengeSpec | None = None  # the [challenge] table, when the spec has one
    source: str = ""  # the file it was read from; "" when built in Python
    text: str = ""  # the TOML text it was read from; "" when built in Python

    def expanded_candidates(self) -> tuple[CandidateSpec, ...]:
        """Every candidate with its grid expanded, in spec order."""
        return tuple(c for cand in self.candidates for c in cand.expand())

    def resolve_data_path(self) -> str:
        """The data path, relative paths taken from the spec file's folder (or the cwd); "" for
        a query."""
        path = self.data.path
        if not path or "://" in path or Path(path).is_absolute() or not self.source:
            return path
        return str(Path(self.source).parent / path)

    def resolve_sql_file(self) -> str | None:
        """The query file, relative paths taken from the spec file's folder (or the cwd)."""
        path = self.data.sql_file
        if path is None or Path(path).is_absolute() or not self.source:
            return path
        return str(Path(self.source).parent / path)

    def relocated(self, spec_file: str | os.PathLike) -> ExperimentSpec:
        """The same spec with relative data and query paths rewritten for a file written at
        ``spec_file``."""
        data = self.data
        if data.path:
            data = replace(data, path=relative_data_path(self.resolve_data_path(), spec_file))
        if data.sql_file is not None:
            sql_file = relative_data_path(self.resolve_sql_file() or "", spec_file)
            data = replace(data, sql_file=sql_file)
        return replace(self, data=data)

    def to_dict(self) -> dict[str, Any]:
        """The spec's content as plain data (no source, no text)."""
        content = asdict(self)
        content.pop("source")
        content.pop("text")
        if content["clustering"] is None:  # classification specs hash as they always did
            content.pop("clustering")
        for candidate in content["candidates"]:  # so do candidates without a search
            if candidate["search"] is None:
                candidate.pop("search")
        if content["challenge"] is None:  # so do specs without a [challenge] table
            content.pop("challenge")
        for key, default in _LATER_DATA_KEYS.items():
            if content["data"][key] == default:
                content["data"].pop(key)
        return content

    def content_hash(self) -> str:
        """sha256 of the spec's canonical content: formatting and comments do not change it."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()


def relative_data_path(data_path: str, spec_file: str | os.PathLike) -> str:
    """A data path as a spec written at ``spec_file`` must say it (relative to its folder).

    ``pkg://`` and absolute paths are kept as they are; relative ones are taken from the cwd.
    """
    if "://" in data_path or Path(data_path).is_absolute():
        return data_path
    folder = Path(spec_file).resolve().parent
    return Path(os.path.relpath(Path(data_path).resolve(), folder)).as_posix()


def _format_value(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)
