"""What the notebook front end shows in a cell's output, and the machine-readable outputs that
``learnburn nb run`` reads back from the executed notebook: a metric, or the id of an
experiment run recorded inside it.

Each output is a display bundle: a learnburn MIME type for the reader, and text (and HTML for
warnings) for people. Outside a Jupyter kernel nothing is displayed.
"""

from __future__ import annotations

import math
import numbers
from html import escape
from typing import Any

from learnburn.errors import NotebookError
from learnburn.notebooks._context import in_kernel
from learnburn.notebooks._state import CODE_ARTIFACT, NotebookState
from learnburn.workflows import RecordedRun

METRIC_MIME = "application/vnd.learnburn.metric+json"
RUN_MIME = "application/vnd.learnburn.run+json"
_WARNING_STYLE = (
    "background:#fff3cd;color:#664d03;border-left:4px solid #ffc107;padding:6px 10px;margin:4px 0"
)


def record_metric(name: str, value: float) -> None:
    """Record a metric of this notebook: under ``learnburn nb run`` it is stored with the
    notebook's run; in Jupyter it is shown. Outside a kernel it has no effect."""
    if not isinstance(name, str) or not name.strip() or len(name) > 128:
        raise NotebookError(
            f"A metric's name must be a non-empty string of at most 128 characters. "
            f"Got {name!r} instead.",
            hint='e.g. record_metric("holdout_auc", 0.91)',
        )
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise NotebookError(
            f"The value of metric {name!r} must be a real number. Got {value!r} instead.",
            hint="pass a float, e.g. float(score)",
        )
    if not math.isfinite(value):
        raise NotebookError(
            f"The value of metric {name!r} must be finite. Got {value!r} instead.",
            hint="record only defined numbers",
        )
    _display(
        {METRIC_MIME: {"name": name, "value": float(value)}, "text/plain": f"{name} = {value:g}"}
    )


def show_recorded(recorded: RecordedRun, state: NotebookState) -> None:
    """The run's id (which ``nb run`` attaches to the notebook's run), and a warning when the
    run is dirty."""
    provenance = recorded.provenance
    dirty = bool(provenance.get("dirty")) or not state.committed
    _display({
        RUN_MIME: {"run_id": recorded.run_id, "store": recorded.store, "dirty": dirty},
        "text/plain": f"Recorded as run {recorded.run_id} in {recorded.store}"
        + (" (dirty)." if dirty else "."),
    })  # fmt: skip
    warning = dirty_warning(recorded, state)
    if warning:
        _display({
            "text/html": f"<div style='{_WARNING_STYLE}'>&#9888; {escape(warning)}</div>",
            "text/plain": f"Warning: {warning}",
        })  # fmt: skip


def dirty_warning(recorded: RecordedRun, state: NotebookState) -> str:
    """Why the run cannot be rebuilt from a commit as it is; empty when it can."""
    provenance = recorded.provenance
    parts = []
    if not state.committed:
        parts.append(
            f"{state.path.name}'s code is not committed: run {recorded.run_id} is marked dirty "
            f"and the notebook's current code is stored with it ({CODE_ARTIFACT})."
        )
    others = [
        p
        for p in (*provenance.get("changed", ()), *provenance.get("untracked_read", ()))
        if p != state.repository_path
    ]
    if others:
        shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        parts.append(f"Other uncommitted changes are stored with it as diff.patch: {shown}.")
    if not provenance.get("in_git"):
        parts.append("The notebook is not in a git repository: the run cannot be rebuilt from git.")
    elif parts:
        parts.append(
            "Commit the notebook (strip its outputs first: learnburn nb strip) to make "
            "its runs reproducible."
        )
    return " ".join(parts)


def _display(bundle: dict[str, Any]) -> None:
    if not in_kernel():
        return
    from IPython.display import display

    display(bundle, raw=True)
