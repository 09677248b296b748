"""``learnburn.Experiment``: the notebook front end, with the same workflow as the CLI.

An experiment built in Python is validated exactly like a TOML file (it is written to TOML and
read back), so ``to_toml`` always writes a spec that ``learnburn run`` accepts and that gives
the same per-fold scores.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from learnburn.evaluation import ExperimentResult
from learnburn.notebooks import current_notebook, notebook_state, show_recorded, warn_untracked
from learnburn.runs import RunStore
from learnburn.spec import (
    CandidateSpec,
    DataSpec,
    DecisionSpec,
    EvaluationSpec,
    ExperimentSpec,
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


class Experiment:
    """An experiment spec you can build, save as TOML, and run from Python.

    >>> exp = Experiment("loans", data="loans.csv", target="approve",
    ...                  candidates=["logistic_regression", "lightgbm"])
    >>> result = exp.run(jobs=2)          # doctest: +SKIP
    >>> exp.to_toml("experiments/loans.toml")  # doctest: +SKIP

    ``candidates`` is a list of registered names, or a mapping of name to a table with
    ``model``, ``params``, ``grid`` and ``preprocessing``, as in the TOML format. The other
    keywords are the spec's keys of the same names (``categorical``, ``encoding``,
    ``delimiter`` and ``missing_values`` are those of ``[data]``).
    """

    def __init__(
        self,
        name: str,
        *,
        data: str | os.PathLike,
        target: str | None = None,
        candidates: Iterable[str] | Mapping[str, Mapping[str, Any]] = DEFAULT_CANDIDATES,
        task: str = "classification",
        metric: str = "roc_auc",
        folds: int = 5,
        repeats: int = 5,
        seed: int = 0,
        holdout: float = 0.2,
        splitter: str = "auto",
        time_column: str | None = None,
        id_column: str | None = None,
        drop: Iterable[str] = (),
        costs: Mapping[str, float] | None = None,
        categorical: Iterable[str] = (),
        encoding: str = "utf-8",
        delimiter: str | None = None,
        missing_values: Iterable[str] = (),
    ) -> None:
        data_spec = DataSpec(
            str(data), target, time_column, id_column, tuple(drop),
            categorical=tuple(categorical), encoding=encoding, delimiter=delimiter,
            missing_values=tuple(missing_values),
        )  # fmt: skip
        draft = ExperimentSpec(
            name=name,
            task=task,
            data=data_spec,
            evaluation=EvaluationSpec(splitter, folds, repeats, metric, seed, holdout),
            decision=DecisionSpec(dict(costs)) if costs else None,
            candidates=_candidate_specs(candidates),
        )
        self._spec = parse_spec(spec_to_toml(draft))
        self.last_run_id: str | None = None  # set by run(record=True)

    @classmethod
    def from_toml(cls, path: str | os.PathLike) -> Experiment:
        """Load a checked-in spec."""
        return cls.from_spec(load_spec(path))

    @classmethod
    def from_spec(cls, spec: ExperimentSpec) -> Experiment:
        experiment = cls.__new__(cls)
        experiment._spec = spec
        experiment.last_run_id = None
        return experiment

    @property
    def spec(self) -> ExperimentSpec:
        return self._spec

    def to_toml(self, path: str | os.PathLike | None = None) -> str:
        """The spec as TOML; with ``path``, also write it there (data paths stay correct)."""
        spec = self._spec
        if path is not None:
            spec = spec.relocated(path)
        text = spec_to_toml(spec)
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(text)
        return text

    def validate(self) -> dict:
        """Read the data and make the splits without fitting anything (``learnburn validate``)."""
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
    ) -> ExperimentResult:
        """Run the experiment; the same result as ``learnburn run``.

        With ``record=True`` (or a ``store``), the run is recorded with its provenance, as the
        CLI does; the run id is then ``last_run_id`` on this experiment. Uncommitted changes
        stop a recorded run unless ``allow_dirty=True``.

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
        context = current_notebook(notebook)
        if record is None:
            record = context is not None
            if context is None and store is None:
                warn_untracked(stacklevel=2)
        if not record and store is None:
            return run_experiment(self._spec, jobs=jobs, progress=progress)
        if context is None:
            return self._record(store, jobs, progress, bool(allow_dirty), None).result
        state = notebook_state(context.path)
        origin = state.origin(parent_run=context.parent_run)
        recorded = self._record(
            store or context.store, jobs, progress, allow_dirty is not False, origin
        )
        show_recorded(recorded, state)
        return recorded.result

    def _record(self, store, jobs, progress, allow_dirty, origin) -> RecordedRun:
        opened = store if isinstance(store, RunStore) else open_store(store, start=self._start())
        try:
            recorded = run_and_record(
                self._spec, store=opened, jobs=jobs, progress=progress,
                allow_dirty=allow_dirty, origin=origin,
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
        return f"Experiment({spec.name!r}, data={spec.data.path!r}, candidates=[{names}])"


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
            )
        )
    return tuple(specs)
