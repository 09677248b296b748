"""What a notebook run (``learnburn nb run``) reported, read back for ``runs``, ``show`` and the
UI: its notebook, parameters, metrics and the experiment runs made inside it.

The notebook front end stores this summary as the run's ``notebook.json`` artifact when the
kernel is done; a run that never got that far still has the notebook and its parameters in its
provenance.
"""

from __future__ import annotations

import json
from typing import Any

from learnburn.runs import RunDetail, RunStore

NOTEBOOK_SUMMARY = "notebook.json"


def notebook_results(store: RunStore, detail: RunDetail) -> dict[str, Any] | None:
    """The run's notebook, parameters, metrics (name: value) and experiment runs (ids); None
    when the run is not a notebook run (an experiment run, in a notebook or not)."""
    stored = next((a for a in detail.artifacts if a.name == NOTEBOOK_SUMMARY), None)
    notebook = detail.provenance.get("notebook")
    if stored is None and (detail.record is not None or not isinstance(notebook, dict)):
        return None
    described = notebook if isinstance(notebook, dict) else {}
    results: dict[str, Any] = {
        "run_id": detail.summary.id,
        "experiment": detail.summary.experiment,
        "status": detail.summary.status,
        "notebook": described.get("path"),
        "code_hash": described.get("code_hash"),
        "committed": described.get("committed"),
        "parameters": dict(described.get("parameters") or {}),
        "metrics": {},
        "runs": [],
    }
    if stored is not None:
        reported = json.loads(store.artifacts.read_bytes(stored.sha256))
        results |= {k: reported[k] for k in ("parameters", "metrics", "runs") if k in reported}
        results |= {k: reported.get(k) for k in ("seconds", "failed_cell")}
    return results


def notebook_results_of(store: RunStore, summaries) -> dict[str, dict[str, Any]]:
    """The results of the notebook runs among ``summaries`` (of ``list_runs``), by run id.
    Only runs without a result metric are read: notebook runs never have one."""
    found = {}
    for summary in summaries:
        if summary.metric is None:
            results = notebook_results(store, store.get_run(summary.id))
            if results is not None:
                found[summary.id] = results
    return found
