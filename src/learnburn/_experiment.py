"""``learnburn.Experiment``: the notebook front end, with the same workflow as the CLI.

An experiment built in Python is validated exactly like a TOML file (it is written to TOML and
read back), so ``to_toml`` always writes a spec that ``learnburn run`` accepts and that gives
the same per-fold scores.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from learnburn._experiment_frames import copy_frame, frame_file, store_frame
from learnburn._warnings import warnings_at_caller
from learnburn.candidates import default_space
from learnburn.errors import BundleError, DataError, SpecError, SpecProblem
from learnburn.evaluation import ExperimentResult
from learnburn.notebooks import current_notebook, notebook_state, show_recorded, warn_untracked
from learnburn.runs import RunStore
from learnburn.spec import (
    CandidateSpec,
    ClusteringSpec,
    DataSpec,
    DecisionSpec,
    EvaluationSpec,
    ExperimentSpec,
    SearchSpec,
    load_spec,
    parse_spec,
    spec_to_toml,
)
from learnburn.workflows import (
    ProgressCallback,
    RecordedRun,
    check_experiment,
    open_store,
    run_and_record,
    run_experiment,
)

DEFAULT_CANDIDATES = ("logistic_regression", "random_forest", "hist_gradient_boosting")
# Keywords of [evaluation] that only classification uses (clustering takes only the seed there).
_CLASSIFICATION_EVALUATION = ("splitter", "folds", "repeats", "holdout", "rope", "choose")


class Experiment:
    """An experiment spec you can build, save as TOML, and run from Python.

    >>> exp = Experiment("loans", data="loans.csv", target="approve",
    ...                  candidates=["logistic_regression", "lightgbm"], rope=0.02)
    >>> result = exp.run(jobs=2)          # doctest: +SKIP
    >>> result.leaderboard().to_frame()   # doctest: +SKIP
    >>> exp.to_toml("experiments/loans.toml")  # doctest: +SKIP

    ``data`` is a CSV or Parquet file, or a pandas DataFrame. A DataFrame is stored once as
    Parquet under ``.learnburn/frames/`` (named by its content hash, git-ignored) and the spec
    refers to that file, so a run records its fingerprint exactly as for a file; its index is
    not used (``reset_index()`` keeps it as a column). ``to_toml(path)`` then writes the frame
    beside the spec (or at ``data_path=``) so that the checked-in spec names a real file.

    Every key of the TOML format is a keyword: ``[data]`` ``target``, ``time_column``,
    ``id_column``, ``drop``; ``[evaluation]`` ``splitter``, ``folds``, ``repeats``, ``metric``,
    ``seed``, ``holdout``, ``rope``, ``choose``; ``[decision]`` ``costs`` (binary),
    ``cost_matrix`` (``matrix``, multiclass) and ``calibration``; ``[clustering]`` (with
    ``task="clustering"``) ``k``, ``resamples``, ``silhouette_sample``, ``stability_floor``,
    ``min_share`` and ``metric``. A keyword left at None takes the format's default.

    ``candidates`` is a list of registered names, or a mapping of name to a table with
    ``model``, ``params``, ``grid``, ``preprocessing`` and ``search``, as in the TOML format.
    The other keywords are the spec's keys of the same names (``categorical``, ``encoding``,
    ``delimiter`` and ``missing_values`` are those of ``[data]``).
    """

    def __init__(
        self,
        name: str,
        *,
        data: str | os.PathLike | pd.DataFrame,
        target: str | None = None,
        candidates: Iterable[str] | Mapping[str, Mapping[str, Any]] = DEFAULT_CANDIDATES,
        task: str = "classification",
        metric: str | None = None,
        folds: int | None = None,
        repeats: int | None = None,
        seed: int = 0,
        holdout: float | None = None,
        splitter: str | None = None,
        rope: float | None = None,
        choose: str | None = None,
        time_column: str | None = None,
        id_column: str | None = None,
        drop: Iterable[str] = (),
        costs: Mapping[str, float] | None = None,
        categorical: Iterable[str] = (),
        encoding: str = "utf-8",
        delimiter: str | None = None,
        missing_values: Iterable[str] = (),
        cost_matrix: Sequence[Sequence[float]] | None = None,
        calibration: str | None = None,
        k: int | Sequence[int] | None = None,
        resamples: int | None = None,
        silhouette_sample: int | None = None,
        stability_floor: float | None = None,
        min_share: float | None = None,
    ) -> None:
        with warnings_at_caller():
            self._frame_file = frame_file(data) if isinstance(data, pd.DataFrame) else None
            path = str(self._frame_file) if self._frame_file is not None else _data_path(data)
            evaluation = {
                "splitter": splitter, "folds": folds, "repeats": repeats, "holdout": holdout,
                "rope": rope, "choose": choose,
            }  # fmt: skip
            clustering = {
                "k": _k_range(k), "resamples": resamples, "silhouette_sample": silhouette_sample,
                "stability_floor": stability_floor, "min_share": min_share,
            }  # fmt: skip
            draft = ExperimentSpec(
                name=name,
                task=task,
                data=DataSpec(
                    path,
                    target,
                    time_column,
                    id_column,
                    tuple(drop),
                    categorical=tuple(categorical),
                    encoding=encoding,
                    delimiter=delimiter,
                    missing_values=tuple(missing_values),
                ),
                evaluation=_evaluation(task, evaluation, metric, seed),
                decision=_decision(costs, cost_matrix, calibration),
                clustering=_clustering(task, clustering, metric),
                candidates=_candidate_specs(candidates),
            )
            self._spec = parse_spec(spec_to_toml(draft))
            if self._frame_file is not None:  # written once the spec is known to be valid
                store_frame(data, self._frame_file)
        self.last_run_id: str | None = None  # set by run(record=True)

    @classmethod
    def from_toml(cls, path: str | os.PathLike) -> Experiment:
        """Load a checked-in spec."""
        return cls.from_spec(load_spec(path))

    @classmethod
    def from_spec(cls, spec: ExperimentSpec) -> Experiment:
        experiment = cls.__new__(cls)
        experiment._spec = spec
        experiment._frame_file = None
        experiment.last_run_id = None
        return experiment

    @property
    def spec(self) -> ExperimentSpec:
        return self._spec

    def to_toml(
        self, path: str | os.PathLike | None = None, *, data_path: str | os.PathLike | None = None
    ) -> str:
        """The spec as TOML; with ``path``, also write it there (data paths stay correct).

        An experiment on a DataFrame needs ``path``: the frame is written as Parquet beside the
        spec (``NAME.parquet`` for ``NAME.toml``) or at ``data_path``, and the spec names it.
        """
        spec = self._spec
        if self._frame_file is not None:
            spec = self._with_frame_written(path, data_path)
        elif data_path is not None:
            raise SpecError([
                SpecProblem(
                    "data.path",
                    "data_path= applies only to an experiment on a DataFrame",
                    "leave it out: the spec names the data file the experiment was given",
                )
            ])  # fmt: skip
        if path is not None:
            spec = spec.relocated(path)
        text = spec_to_toml(spec)
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(text)
        return text

    def _with_frame_written(self, path, data_path) -> ExperimentSpec:
        if path is None:
            raise SpecError([
                SpecProblem(
                    "data.path",
                    "the experiment's data is a DataFrame in memory, so the spec has no file to "
                    "name",
                    "pass a path: to_toml('experiments/NAME.toml') also writes the frame beside "
                    "it as NAME.parquet (or where data_path= says)",
                )
            ])  # fmt: skip
        if data_path is None:  # beside the spec, named relative to it like any data file
            data_path = os.path.relpath(Path(path).with_suffix(".parquet").resolve())
        copy_frame(self._frame_file, Path(data_path))
        return replace(self._spec, data=replace(self._spec.data, path=os.fspath(data_path)))

    def validate(self) -> dict:
        """Read the data and make the splits without fitting anything (``learnburn validate``)."""
        with warnings_at_caller():
            return check_experiment(self._spec)

    def run(
        self,
        *,
        jobs: int = 1,
        progress: ProgressCallback | None = None,
        record: bool | None = None,
        store: RunStore | str | None = None,
        allow_dirty: bool | None = None,
        notebook: str | os.PathLike | None = None,
        bundle: str | os.PathLike | None = None,
    ) -> ExperimentResult:
        """Run the experiment; the same result as ``learnburn run``.

        With ``record=True`` (or a ``store``, or a ``bundle``), the run is recorded with its
        provenance, as the CLI does; the run id is then ``last_run_id`` on this experiment.
        Uncommitted changes stop a recorded run unless ``allow_dirty=True``. With ``bundle``
        (a NAME.lbm file or a directory, replaced), the chosen model's bundle is written there,
        as ``learnburn run --bundle`` writes it (nothing is written when no candidate was
        chosen); a bundle comes from a recorded run, so ``record=False`` refuses it.

        In a notebook (a Jupyter kernel, or ``learnburn nb run``) the run is recorded unless
        ``record=False``, with the notebook's path, the hash of its code cells and whether that
        code is committed. Uncommitted changes do not stop it there (unless
        ``allow_dirty=False``): the run is marked dirty, the notebook's code (and the diff) is
        stored with it, and the cell shows a warning. Under ``learnburn nb run`` the run is
        attached to the notebook's run.

        A kernel started by papermill, nbclient or ``jupyter execute`` cannot tell which
        notebook it runs: pass ``notebook="train.ipynb"`` (its path) to record the run with
        it; without it the run is not recorded, with a warning saying so.
        """
        if bundle is not None:
            if record is False:
                raise BundleError(
                    "a bundle is written from a recorded run, and record=False was passed",
                    hint="leave record unset (or pass record=True) to write the bundle",
                )
            record = True
        with warnings_at_caller():
            return self._run(jobs, progress, record, store, allow_dirty, notebook, bundle)

    def _run(
        self, jobs, progress, record, store, allow_dirty, notebook, bundle=None
    ) -> ExperimentResult:
        context = current_notebook(notebook)
        if record is None:
            record = context is not None
            if context is None and store is None:
                warn_untracked(stacklevel=2)
        if not record and store is None:
            return run_experiment(self._spec, jobs=jobs, progress=progress)
        if context is None:
            return self._record(store, jobs, progress, bool(allow_dirty), None, bundle).result
        state = notebook_state(context.path)
        origin = state.origin(parent_run=context.parent_run)
        recorded = self._record(
            store or context.store, jobs, progress, allow_dirty is not False, origin, bundle
        )
        show_recorded(recorded, state)
        return recorded.result

    def _record(self, store, jobs, progress, allow_dirty, origin, bundle=None) -> RecordedRun:
        opened = store if isinstance(store, RunStore) else open_store(store, start=self._start())
        try:
            recorded = run_and_record(
                self._spec, store=opened, jobs=jobs, progress=progress,
                allow_dirty=allow_dirty, origin=origin, bundle=bundle,
            )  # fmt: skip
        finally:
            if opened is not store:
                opened.close()
        self.last_run_id = recorded.run_id
        return recorded

    def _start(self) -> Path:
        return Path(self._spec.source).parent if self._spec.source else Path.cwd()

    def __repr__(self) -> str:
        spec = self._spec
        names = ", ".join(c.name for c in spec.candidates)
        data = "<DataFrame>" if self._frame_file is not None else repr(spec.data.path)
        return f"Experiment({spec.name!r}, data={data}, candidates=[{names}])"


def _data_path(data: object) -> str:
    if isinstance(data, str | os.PathLike):
        return os.fspath(data)
    raise DataError(
        f"The 'data' parameter of Experiment must be a file path or a pandas DataFrame. "
        f"Got {type(data).__name__} instead.",
        hint='pass data="loans.csv" (CSV or Parquet) or data=frame',
    )


def _evaluation(task: str, given: dict, metric: str | None, seed: int) -> EvaluationSpec:
    if task != "clustering":
        chosen = {k: v for k, v in given.items() if v is not None}
        return EvaluationSpec(**chosen, metric=metric or "roc_auc", seed=seed)
    problems = [
        SpecProblem(f"evaluation.{key}", "does not apply to clustering", "leave it out")
        for key in _CLASSIFICATION_EVALUATION
        if given[key] is not None
    ]
    if problems:
        raise SpecError(problems)
    return EvaluationSpec(seed=seed)


def _decision(costs, matrix, calibration) -> DecisionSpec | None:
    if not costs and matrix is None and calibration is None:
        return None
    rows = tuple(tuple(row) for row in matrix) if matrix is not None else None
    return DecisionSpec(dict(costs or {}), rows, calibration or "auto")


def _clustering(task: str, given: dict, metric: str | None) -> ClusteringSpec | None:
    chosen = {k: v for k, v in given.items() if v is not None}
    if task == "clustering" and metric is not None:
        chosen["metric"] = metric
    if task != "clustering" and not chosen:
        return None
    return ClusteringSpec(**chosen)


def _k_range(k: int | Sequence[int] | None) -> tuple[int, ...] | None:
    if k is None:
        return None
    return (k, k) if isinstance(k, int) else tuple(k)


def _candidate_specs(candidates) -> tuple[CandidateSpec, ...]:
    if isinstance(candidates, str):
        candidates = [candidates]
    if not isinstance(candidates, Mapping):
        return tuple(CandidateSpec(name=str(n), model=str(n)) for n in candidates)
    specs = []
    for name, table in candidates.items():
        table = dict(table)
        grid = {k: tuple(v) for k, v in dict(table.get("grid", {})).items()}
        specs.append(
            CandidateSpec(
                name=name,
                model=table.get("model", name),
                params=dict(table.get("params", {})),
                grid=grid,
                preprocessing=table.get("preprocessing", "auto"),
                search=_search_spec(table.get("search"), table.get("model", name)),
            )
        )
    return tuple(specs)


def _search_spec(search, model: str) -> SearchSpec | None:
    """A candidate's ``search`` as in the TOML format ("default" or a table), the family's
    default space filled in; the spec's validation checks it when it is written and read."""
    if search is None:
        return None
    table = {} if search == "default" else dict(search)
    space = table.pop("space", "default")
    if space == "default":
        space = default_space(model) or {}
    return SearchSpec(space=dict(space), **table)
