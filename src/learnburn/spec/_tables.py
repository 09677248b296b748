"""The spec file's tables as pydantic models: strict types, no unknown keys.

These models exist only at the edge (``_load.py``). Each field's ``description`` completes the
sentence "must be ..." and its ``examples`` feed the hint, so the translation of pydantic's
errors into ``SpecProblem`` records (``_problems.py``) needs no table of its own.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from learnburn.candidates import default_space
from learnburn.spec._model import (
    CALIBRATION,
    CHOOSE,
    CLUSTER_METRICS,
    METRICS,
    PREPROCESSING,
    SPLITTERS,
    TASKS,
    WHEN_EQUIVALENT,
    CandidateSpec,
    ChallengeSpec,
    ClusteringSpec,
    DataSpec,
    DecisionSpec,
    EvaluationSpec,
    SearchSpec,
)


def _one_of(options: tuple[str, ...]) -> str:
    return "one of " + ", ".join(f"'{option}'" for option in options)


Name = Annotated[str, Field(min_length=1)]
PartitionValue = Annotated[str, Field(min_length=1)] | int
Moment = dt.datetime | dt.date | Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}")] | None
Column = Annotated[str, Field(min_length=1)]
Cost = Annotated[
    float | None,
    Field(
        None,
        allow_inf_nan=False,
        description="a finite number (negative for a benefit)",
        examples=[1.0],
    ),
]


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ExperimentTable(_Table):
    """``[experiment]``: what the experiment is called and what it learns."""

    name: Name = Field(description="a non-empty string", examples=["loans"])
    task: Literal[TASKS] = Field("classification", description=_one_of(TASKS))


class DataTable(_Table):
    """``[data]``: where the table is and which columns play which role."""

    path: Name | None = Field(
        None,
        description="a non-empty string (a CSV/Parquet path, pkg://PACKAGE/path or s3://...)",
        examples=["data/loans.csv"],
    )
    sql: Name | None = Field(None, description="a SQL query", examples=["SELECT * FROM loans"])
    sql_file: Name | None = Field(
        None, description="the path of a .sql file", examples=["queries/loans.sql"]
    )
    url: Name | None = Field(
        None,
        description="a database URL or env:VARIABLE",
        examples=["env:LOANS_DB"],
    )
    since: Moment = Field(None, description="a date or date-time", examples=["2024-01-01"])
    until: Moment = Field(None, description="a date or date-time", examples=["2025-01-01"])
    partitions: dict[str, PartitionValue | list[PartitionValue]] = Field(
        default_factory=dict,
        description="a table of partition values",
        examples=[{"region": "north", "year": [2024, 2025]}],
    )
    target: Column | None = Field(None, description="a column name", examples=["approve"])
    time_column: Column | None = Field(None, description="a column name", examples=["date"])
    id_column: Column | None = Field(None, description="a column name", examples=["id"])
    drop: list[Column] = Field(
        default_factory=list,
        description="an array of column names",
        examples=[["name", "zip_code"]],
        json_schema_extra={"item": "a column name"},
    )
    categorical: list[Column] = Field(
        default_factory=list,
        description="an array of column names",
        examples=[["zip_code"]],
        json_schema_extra={"item": "a column name"},
    )
    encoding: Name = Field("utf-8", description="a text encoding name", examples=["cp1252"])
    delimiter: str | None = Field(
        None,
        min_length=1,
        max_length=1,
        description="one character",
        examples=[";"],
    )
    missing_values: list[str] = Field(
        default_factory=list,
        description="an array of strings",
        examples=[["?", "-"]],
        json_schema_extra={"item": "a string"},
    )

    def to_spec(self) -> DataSpec:
        arrays = ("drop", "categorical", "missing_values")
        tuples = {key: tuple(getattr(self, key)) for key in arrays}
        moments = {key: as_moment(getattr(self, key)) for key in ("since", "until")}
        partitions = {
            key: tuple(str(v) for v in (values if isinstance(values, list) else [values]))
            for key, values in self.partitions.items()
        }
        content = {**self.model_dump(), **tuples, **moments, "partitions": partitions}
        return DataSpec(**{**content, "path": self.path or ""})


def as_moment(value: dt.date | dt.datetime | str | None) -> str | None:
    """A since/until value as the ISO text a DataSpec keeps (None stays None)."""
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


class EvaluationTable(_Table):
    """``[evaluation]``: splits, metric, seed and the holdout fraction."""

    splitter: Literal[SPLITTERS] = Field("auto", description=_one_of(SPLITTERS))
    folds: int = Field(5, ge=2, description="an integer >= 2", examples=[5])
    repeats: int = Field(5, ge=1, description="an integer >= 1", examples=[5])
    metric: Literal[METRICS] = Field("roc_auc", description=_one_of(METRICS))
    seed: int = Field(
        0, ge=0, le=2**31 - 1, description="an integer in [0, 2**31 - 1]", examples=[0]
    )
    holdout: float = Field(
        0.2, ge=0, lt=0.9, allow_inf_nan=False, description="a number in [0, 0.9)", examples=[0.2]
    )
    rope: float | None = Field(
        None,
        ge=0,
        lt=1,
        allow_inf_nan=False,
        description="a number in [0, 1) (the region of practical equivalence)",
        examples=[0.01],
    )
    choose: Literal[CHOOSE] = Field("simplest-equivalent", description=_one_of(CHOOSE))

    def to_spec(self) -> EvaluationSpec:
        return EvaluationSpec(**self.model_dump())


class ClusteringTable(_Table):
    """``[clustering]``: the range of k, the bootstrap refits and how clusterings are chosen."""

    k: Annotated[list[Annotated[int, Field(ge=2)]], Field(min_length=2, max_length=2)] = Field(
        default_factory=lambda: [2, 8],
        description="an array of two integers >= 2, [smallest, largest]",
        examples=[[2, 8]],
        json_schema_extra={"item": "an integer >= 2"},
    )
    resamples: int = Field(20, ge=2, le=1000, description="an integer in [2, 1000]", examples=[20])
    silhouette_sample: int = Field(
        2000, ge=100, description="an integer >= 100 (rows)", examples=[2000]
    )
    stability_floor: float = Field(
        0.6, ge=0, le=1, allow_inf_nan=False, description="a number in [0, 1]", examples=[0.6]
    )
    min_share: float = Field(
        0.02, ge=0, lt=0.5, allow_inf_nan=False, description="a number in [0, 0.5)",
        examples=[0.02],
    )  # fmt: skip
    metric: Literal[CLUSTER_METRICS] = Field("silhouette", description=_one_of(CLUSTER_METRICS))

    def to_spec(self) -> ClusteringSpec:
        return ClusteringSpec(**{**self.model_dump(), "k": (self.k[0], self.k[1])})


class ChallengeTable(_Table):
    """``[challenge]``: how a retrained model is judged against the live one."""

    margin: float | None = Field(
        None, ge=0, allow_inf_nan=False, description="a number >= 0 (metric units)",
        examples=[0.01],
    )  # fmt: skip
    cost_margin: float = Field(
        0.05, ge=0, allow_inf_nan=False,
        description="a number >= 0 (a share of the champion's expected cost)", examples=[0.05],
    )  # fmt: skip
    when_equivalent: Literal[WHEN_EQUIVALENT] = Field("newer", description=_one_of(WHEN_EQUIVALENT))
    confidence: float = Field(
        0.95, gt=0, lt=1, allow_inf_nan=False, description="a number in (0, 1)", examples=[0.95]
    )

    def to_spec(self) -> ChallengeSpec:
        return ChallengeSpec(**self.model_dump())


class CostsTable(_Table):
    """``[decision.costs]``: the cost of each outcome; keys left out cost nothing."""

    true_positive: Cost
    false_positive: Cost
    true_negative: Cost
    false_negative: Cost


class DecisionTable(_Table):
    """``[decision]``: what decisions cost, as a binary cost table or a multiclass matrix."""

    costs: CostsTable | None = Field(
        None,
        description="a table of costs",
        examples=[{"false_positive": 1.0, "false_negative": 5.0}],
    )
    matrix: list[Annotated[list[float], Field(min_length=2)]] | None = Field(
        None,
        min_length=2,
        description="a square array of arrays of numbers (truth x decision)",
        examples=[[[0, 1, 2], [1, 0, 1], [4, 2, 0]]],
        json_schema_extra={"item": "an array of numbers"},
    )
    calibration: Literal[CALIBRATION] = Field("auto", description=_one_of(CALIBRATION))

    def to_spec(self) -> DecisionSpec:
        costs = self.costs.model_dump(exclude_none=True) if self.costs is not None else {}
        matrix = tuple(tuple(row) for row in self.matrix) if self.matrix is not None else None
        return DecisionSpec(costs=costs, matrix=matrix, calibration=self.calibration)


class SearchTable(_Table):
    """``search = {...}`` in a candidate's table: the trials, the space and the inner folds."""

    n_trials: int = Field(
        20, ge=1, le=10_000, description="an integer in [1, 10000]", examples=[40]
    )
    space: Literal["default"] | dict[str, str] = Field(
        "default",
        description="'default' or a table of distributions",
        examples=[{"learning_rate": "log-uniform(0.01, 0.3)", "num_leaves": "int(7, 127)"}],
        json_schema_extra={"item": 'a distribution string such as "int(7, 127)"'},
    )
    inner_folds: int = Field(3, ge=2, le=20, description="an integer in [2, 20]", examples=[3])

    def to_spec(self, default: dict[str, str]) -> SearchSpec:
        space = default if self.space == "default" else dict(self.space)
        return SearchSpec(space=space, n_trials=self.n_trials, inner_folds=self.inner_folds)


class CandidateTable(_Table):
    """``[candidates.NAME]``: a model, its fixed params, a grid and the preprocessing."""

    model: Name | None = Field(
        None,
        description="a registered candidate name or 'module:Class'",
        examples=["random_forest"],
    )
    params: dict[str, Any] = Field(
        default_factory=dict, description="a table of parameters", examples=[{"max_depth": 3}]
    )
    grid: dict[str, Annotated[list[Any], Field(min_length=1)]] = Field(
        default_factory=dict,
        description="a table of arrays",
        examples=[{"max_depth": [3, 6]}],
        json_schema_extra={"item": "a non-empty array of values"},
    )
    preprocessing: Literal[PREPROCESSING] = Field("auto", description=_one_of(PREPROCESSING))
    # "default" or a table checked as a SearchTable (``_candidate_checks.py``), with key paths.
    search: Any = Field(
        None, description="'default' or a table", examples=[{"n_trials": 40, "space": "default"}]
    )

    def to_spec(self, name: str) -> CandidateSpec:
        """The candidate called ``name``; without ``model`` the name is the registered model."""
        model = self.model or name
        return CandidateSpec(
            name=name,
            model=model,
            params=dict(self.params),
            grid={key: tuple(values) for key, values in self.grid.items()},
            preprocessing=self.preprocessing,
            search=self.search_spec(model),
        )

    def search_spec(self, model: str) -> SearchSpec | None:
        """The search, the family's default space filled in; None without one (or when invalid:
        the checks report it, and an invalid table never becomes a spec)."""
        raw = {} if self.search == "default" else self.search
        if not isinstance(raw, dict):
            return None
        try:
            table = SearchTable.model_validate(raw)
        except ValueError:
            return None
        return table.to_spec(default_space(model) or {})


class SpecFile(_Table):
    """The whole file, tables left loose: each table is validated on its own afterwards."""

    experiment: dict[str, Any] = Field(
        description="a table", examples=[{"name": "loans", "task": "classification"}]
    )
    data: dict[str, Any] = Field(
        description="a table", examples=[{"path": "data/loans.csv", "target": "approve"}]
    )
    evaluation: dict[str, Any] = Field(default_factory=dict, description="a table")
    decision: dict[str, Any] | None = Field(None, description="a table")
    clustering: dict[str, Any] | None = Field(None, description="a table", examples=[{"k": [2, 8]}])
    challenge: dict[str, Any] | None = Field(
        None, description="a table", examples=[{"when_equivalent": "newer"}]
    )
    candidates: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="a table of candidate tables",
        json_schema_extra={
            "item": "a table",
            "item_hint": 'each candidate is a table: [candidates.NAME], model = "..." in it',
        },
    )
