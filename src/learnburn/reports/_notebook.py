"""A notebook run's section of its page: the notebook, its ``-p`` parameters, the metrics it
recorded, and links to the experiment runs made inside it."""

from __future__ import annotations

from typing import Any

from learnburn.reports._page import Section, link, number


def notebook_section(results: dict[str, Any], *, run_href: str = "/runs/{}") -> Section:
    """``results``: a notebook run's results (``workflows.notebook_results``); ``run_href``:
    the link to a run by its id."""
    section = Section("notebook", "Notebook")
    committed = {True: "its code committed", False: "its code not committed"}
    state = committed.get(results.get("committed"), "")
    section.text(
        f"Notebook {results.get('notebook') or '(unknown)'}" + (f", {state}." if state else ".")
    )
    if results.get("failed_cell"):
        section.text(f"Cell {results['failed_cell']} failed.", css="bad")
    parameters = results.get("parameters") or {}
    section.table(
        ["parameter", "value"],
        [(name, repr(value)) for name, value in parameters.items()],
        caption="Parameters (-p)" if parameters else "Parameters (-p): none passed",
    )
    metrics = results.get("metrics") or {}
    section.table(
        ["metric", "value"],
        [(name, number(value)) for name, value in metrics.items()],
        caption="Metrics (record_metric)" if metrics else "Metrics (record_metric): none recorded",
        numeric=(1,),
    )
    runs = results.get("runs") or []
    if runs:
        section.table(
            ["experiment run"],
            [(link(run_href.format(run_id), run_id[:12]),) for run_id in runs],
            caption="Experiment runs made inside the notebook",
        )
    return section
