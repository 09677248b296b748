"""HTML tables of the records people look at in Jupyter (their ``_repr_html_``).

Rendering only: each function reads a record's fields and returns an HTML string. Every value is
escaped (``html.escape``), since names, errors and paths come from users and data. No learnburn
imports, so that any layer's records may use it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

_STYLE = "border-collapse:collapse;text-align:right"
_DASH = "\u2014"


def html_table(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], *, caption: str = "", notes: str = ""
) -> str:
    """A table with an optional caption above and a line of notes below; values escaped."""
    head = "".join(f"<th>{escape(str(c))}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell_text(v)}</td>" for v in row) + "</tr>" for row in rows
    )
    title = f"<caption style='text-align:left'>{escape(caption)}</caption>" if caption else ""
    footer = f"<p style='font-size:smaller'>{escape(notes)}</p>" if notes else ""
    return (
        f"<table class='learnburn' style='{_STYLE}'>{title}<thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>{footer}"
    )


def cell_text(value: Any, digits: int = 4) -> str:
    """One value as escaped text: numbers rounded, missing ones as a dash."""
    if value is None:
        return _DASH
    if isinstance(value, float):
        return _DASH if not math.isfinite(value) else f"{value:.{digits}f}"
    return escape(str(value))


def result_html(result) -> str:
    """The leaderboard of an ``ExperimentResult``, best first; * marks the chosen candidate."""
    direction = "higher is better" if result.greater_is_better else "lower is better"
    splits = result.splits or {}
    caption = (
        f"{result.experiment}: {result.metric}, {direction}; {splits.get('method', '')}, "
        f"{splits.get('folds', '?')} folds x {splits.get('repeats', '?')} repeats"
    )
    rows = [
        (
            c.rank or _DASH,
            c.name + ("*" if c.name == result.winner else ""),
            c.mean,
            f"[{cell_text(c.ci_low)}, {cell_text(c.ci_high)}]" if c.status == "ok" else _DASH,
            _probabilities(c),
            c.p_value,
            c.verdict or c.status,
        )
        for c in result.leaderboard()
    ]
    notes = "95% interval: corrected t (Nadeau-Bengio). P(b/e/w): probability of being better / "
    notes += "equivalent / worse than the best. * chosen."
    if result.holdout is not None:
        notes += f" Holdout {result.metric} of {result.holdout.candidate}: "
        notes += f"{cell_text(result.holdout.score)} on {result.holdout.rows} rows."
    columns = ("#", "candidate", result.metric, "95% interval", "P(b/e/w)", "p", "verdict")
    return html_table(columns, rows, caption=caption, notes=notes)


def runs_html(summaries: Sequence) -> str:
    """A list of ``RunSummary``, newest first; * marks a dirty run (its diff is stored)."""
    rows = [
        (
            s.id[:12],
            s.experiment,
            s.status,
            str(s.started_at)[:16].replace("T", " "),
            s.winner,
            s.score,
            (s.commit or _DASH)[:8] + ("*" if s.dirty else ""),
        )
        for s in summaries
    ]
    columns = ("run", "experiment", "status", "started (UTC)", "winner", "score", "commit")
    notes = "score: the chosen candidate's mean CV score; * dirty (its diff is stored)"
    caption = f"{len(rows)} run" + ("" if len(rows) == 1 else "s")
    return html_table(columns, rows, caption=caption, notes=notes)


def run_html(detail) -> str:
    """One ``RunDetail``: what it was, its leaderboard (when it finished) and its artifacts."""
    parts = [runs_html([detail.summary])]
    record = detail.record or {}
    if record.get("candidates"):
        ranked = sorted(record["candidates"], key=lambda c: (c.get("rank") is None, c.get("rank")))
        rows = [
            (c.get("rank") or _DASH, c["name"], c.get("mean"), c.get("ci_low"), c.get("ci_high"))
            for c in ranked
        ]
        parts.append(
            html_table(
                ("#", "candidate", record.get("metric", "score"), "95% low", "95% high"),
                rows,
                caption="candidates",
            )
        )
    if detail.error:
        parts.append(f"<p><b>error:</b> {escape(detail.error)}</p>")
    if detail.artifacts:
        rows = [(a.name, a.kind, a.size, a.sha256[:16]) for a in detail.artifacts]
        parts.append(html_table(("artifact", "kind", "bytes", "sha256"), rows))
    return "".join(parts)


def _probabilities(c) -> str:
    if c.p_worse is None:
        return _DASH
    return f"{c.p_better:.2f}/{c.p_equivalent:.2f}/{c.p_worse:.2f}"
