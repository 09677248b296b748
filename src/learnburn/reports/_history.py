"""The experiment page of ``learnburn ui``: every run of one experiment, and a chart of the
chosen candidate's score across its runs with the recorded 95% intervals."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode

from learnburn._report_records import ExperimentRuns, RunFacts, RunLine
from learnburn.reports import _charts as charts
from learnburn.reports._page import Section, link, page

CHARTED = 60  # the newest runs with a result record that the chart shows


def experiment_href(name: str) -> str:
    return "/experiment?" + urlencode({"name": name})


def experiment_page(experiment: ExperimentRuns, nav: str) -> str:
    """The experiment's runs, and the chart of those with a result record."""
    name, runs = experiment.name, experiment.runs
    return page(
        f"Experiment {name}",
        f"{len(runs)} run(s); the chart shows the chosen candidate of each finished run.",
        [_chart(name, list(experiment.charted)), _runs(runs)],
        nav=nav,
    )


def _chart(name: str, details: list[RunFacts]) -> Section:
    section = Section("history", "Score across runs")
    metrics = Counter(d.record.get("metric") for d in details if d.record.get("metric"))
    if not metrics:
        return section.text("No finished run of this experiment has a score to chart yet.")
    metric = details[0].record.get("metric") or metrics.most_common(1)[0][0]
    points = [_point(d) for d in reversed(details) if d.record.get("metric") == metric]
    points = [p for p in points if p is not None][-CHARTED:]
    if not points:
        return section.text(f"No run scored {metric} with a chosen candidate yet.")
    column = {key: [p[key] for p in points] for key in points[0]}
    section.charts(
        charts.metric_history(
            column["label"],
            column["chosen"],
            column["mean"],
            column["low"],
            column["high"],
            column["holdout"],
            metric,
            name,
        )
    )
    left_out = sum(n for m, n in metrics.items() if m != metric)
    if left_out:
        section.text(f"{left_out} run(s) scored another metric and are not on this chart.")
    section.table(
        ["run", "started (UTC)", "chosen", f"mean {metric}", "95% low", "95% high", "holdout"],
        [(link(f"/runs/{p['id']}", p["id"][:12]), p["started"], p["chosen"], p["mean"], p["low"],
          p["high"], p["holdout"]) for p in reversed(points)],
        caption="The charted runs, newest first", numeric=(3, 4, 5, 6),
    )  # fmt: skip
    return section


def _point(detail: RunFacts) -> dict | None:
    record = detail.record
    chosen = record.get("winner")
    candidate = next((c for c in record.get("candidates") or [] if c["name"] == chosen), None)
    if candidate is None or candidate.get("mean") is None:
        return None
    holdout = record.get("holdout") or {}
    started = detail.line.started_at[:16].replace("T", " ")
    return {
        "id": detail.line.id,
        "label": f"{detail.line.id[:7]}\n{started[5:]}",
        "started": started,
        "chosen": chosen,
        "mean": candidate["mean"],
        "low": candidate.get("ci_low"),
        "high": candidate.get("ci_high"),
        "holdout": holdout.get("score"),
    }


def _runs(runs: tuple[RunLine, ...]) -> Section:
    section = Section("runs", "Runs")
    section.table(
        ["run", "status", "started (UTC)", "metric", "chosen", "mean score", "holdout", "commit"],
        [(link(f"/runs/{r.id}", r.id[:12]), r.status, r.started_at[:19].replace("T", " "),
          r.metric, r.winner, r.score, r.holdout, (r.commit or "")[:10]) for r in runs],
        caption=f"{len(runs)} run(s), newest first", numeric=(5, 6),
    )  # fmt: skip
    return section
