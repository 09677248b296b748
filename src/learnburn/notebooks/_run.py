"""``learnburn nb run``: a notebook executed headless as a recorded run.

The notebook's code must be committed (unless ``allow_dirty``), as for ``learnburn run``. The
run is recorded as it starts, with the notebook's path, code hash and parameters in its
provenance; the kernel is told the run's id, so that experiments run inside the notebook are
recorded as runs attached to it (``provenance["parent_run"]``). When the kernel is done, the
executed notebook is stored with the run (``executed.ipynb``), and what the notebook reported
(metrics, the ids of its experiment runs) in ``notebook.json``, which ``learnburn runs``, ``show``
and the UI read back (``workflows.notebook_results``). A failed cell fails the run with
the cell's source and traceback; the notebook as executed up to there is still stored.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from learnburn.errors import NotebookError
from learnburn.notebooks._cells import code_script, notebook_text, read_notebook
from learnburn.notebooks._context import NOTEBOOK_VARIABLE, RUN_VARIABLE, STORE_VARIABLE
from learnburn.notebooks._display import METRIC_MIME, RUN_MIME
from learnburn.notebooks._execute import Execution, execute_notebook
from learnburn.notebooks._parameters import inject_parameters
from learnburn.notebooks._state import NotebookState, notebook_state
from learnburn.runs import RunStore, capture_diff, describe_environment
from learnburn.workflows import NOTEBOOK_SUMMARY, check_provenance, recording

EXECUTED_ARTIFACT = "executed.ipynb"
SUMMARY_ARTIFACT = NOTEBOOK_SUMMARY

CellCallback = Callable[[int, int], None]  # (cells done, cells in all)


@dataclass(frozen=True)
class NotebookRun:
    """A notebook executed as a recorded run, and what it reported."""

    run_id: str
    notebook: str  # repository-relative where possible
    parameters: dict[str, Any]
    metrics: dict[str, float]
    runs: tuple[str, ...]  # the experiment runs recorded inside it
    dirty: bool
    seconds: float
    store: str
    executed: dict[str, Any] = field(repr=False, compare=False)  # the executed notebook


def run_notebook(
    path: str | os.PathLike,
    *,
    store: RunStore,
    parameters: Mapping[str, Any] | None = None,
    allow_dirty: bool = False,
    store_url: str | None = None,
    kernel: str | None = None,
    timeout: float | None = None,
    on_cell: CellCallback | None = None,
) -> NotebookRun:
    """Execute the notebook at ``path`` with ``parameters`` and record it in ``store``.

    ``store_url`` is how the kernel opens the same store (None: the default store of the
    notebook's repository); ``timeout`` is in seconds per cell (None: no limit)."""
    path = Path(path).resolve()
    parameters = dict(parameters or {})
    notebook = read_notebook(path)
    prepared = inject_parameters(notebook, parameters, where=path.name)
    state = notebook_state(path, notebook)
    run_id, dirty = _start(store, path, state, prepared, parameters, allow_dirty=allow_dirty)
    env = {**os.environ, NOTEBOOK_VARIABLE: str(path), RUN_VARIABLE: run_id}
    if store_url:
        env[STORE_VARIABLE] = store_url
    with recording(store, run_id):
        execution = execute_notebook(
            prepared, cwd=path.parent, env=env, kernel=kernel, timeout=timeout,
            where=path.name, on_cell=_heartbeat(store, run_id, on_cell),
        )  # fmt: skip
    reported = _store_outputs(store, run_id, state, parameters, execution)
    if execution.failure is not None:
        message = execution.failure.message(path.name)
        store.fail_run(run_id, status="failed", error=message)
        raise NotebookError(
            message,
            hint=f"fix the cell and run again; the notebook as executed up to the failure is "
            f"stored with run {run_id} ({EXECUTED_ARTIFACT})",
        )
    store.finish_run(run_id, None)
    return NotebookRun(
        run_id=run_id, notebook=reported["notebook"], parameters=parameters,
        metrics=reported["metrics"], runs=tuple(reported["runs"]), dirty=dirty,
        seconds=execution.seconds, store=store.url, executed=execution.notebook,
    )  # fmt: skip


def _start(store, path, state: NotebookState, prepared, parameters, *, allow_dirty):
    """Check the notebook and the repository, and record the run as running."""
    if state.repository_path is not None and not state.committed and not allow_dirty:
        raise NotebookError(
            f"the code of {state.repository_path} is not committed",
            hint="commit the notebook (strip its outputs first: learnburn nb strip), or pass "
            "--allow-dirty to run it anyway: its code is stored with the run, marked dirty",
        )
    provenance = check_provenance(
        path.parent, read_files=[path], ignored=state.ignored(), allow_dirty=allow_dirty,
        what=str(path),
    )  # fmt: skip
    dirty = provenance.dirty or not state.committed
    notebook = state.provenance_entry(parameters)
    recorded = provenance.to_dict() | {"notebook": notebook, "dirty": dirty}
    script = code_script(prepared)  # the code as run, parameters included
    run_id = store.start_run(
        experiment=experiment_name(path), spec_text=script,
        spec_hash=hashlib.sha256(script.encode()).hexdigest(), seed=None,
        provenance=recorded, environment=describe_environment(), source=str(path),
    )  # fmt: skip
    if provenance.dirty:
        _put(store, run_id, "diff.patch", capture_diff(provenance), "diff")
    for name, content, kind in state.code_artifacts():
        _put(store, run_id, name, content, kind)
    return run_id, dirty


def _store_outputs(store, run_id, state, parameters, execution: Execution) -> dict[str, Any]:
    _put(store, run_id, EXECUTED_ARTIFACT, notebook_text(execution.notebook).encode(), "notebook")
    metrics, runs = read_reports(execution.notebook)
    reported = {
        "notebook": state.provenance_entry()["path"],
        "parameters": parameters,
        "metrics": metrics,
        "runs": runs,
        "seconds": execution.seconds,
        "failed_cell": execution.failure.index if execution.failure else None,
    }
    _put(store, run_id, SUMMARY_ARTIFACT, json.dumps(reported, indent=2).encode(), "record")
    return reported


def read_reports(executed: dict[str, Any]) -> tuple[dict[str, float], list[str]]:
    """The metrics (the last value of each name) and experiment run ids a notebook reported."""
    metrics: dict[str, float] = {}
    runs: list[str] = []
    for cell in executed["cells"]:
        for output in cell.get("outputs") or ():
            data = output.get("data") or {}
            if isinstance(data.get(METRIC_MIME), dict):
                metrics[str(data[METRIC_MIME]["name"])] = float(data[METRIC_MIME]["value"])
            if isinstance(data.get(RUN_MIME), dict):
                runs.append(str(data[RUN_MIME]["run_id"]))
    return metrics, runs


def experiment_name(path: Path) -> str:
    """The notebook's file name as a run's experiment name (a safe label)."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", path.stem).replace("..", ".").strip("-._")
    return name[:128] or "notebook"


def _put(store: RunStore, run_id: str, name: str, content: bytes, kind: str) -> None:
    sha, size = store.artifacts.put_bytes(content)
    store.add_artifact(run_id, name, sha, size, kind)


def _heartbeat(store: RunStore, run_id: str, on_cell: CellCallback | None) -> CellCallback:
    def after_cell(done: int, total: int) -> None:
        store.heartbeat(run_id)
        if on_cell is not None:
            on_cell(done, total)

    return after_cell
