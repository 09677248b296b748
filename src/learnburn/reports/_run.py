"""The report of one recorded run, rendered from its ``RunReport`` record: the leaderboard, the
comparison, the tuned candidates' searches (``_tuning.py``), the chosen model's curves and
decision, and the provenance. Nothing here reads the store: ``workflows.gather_run_report``
gathers the record."""

from __future__ import annotations

import numpy as np

from learnburn._report_records import RunFacts, RunReport
from learnburn.reports import _charts as charts
from learnburn.reports._page import Section, number, page, significant, size
from learnburn.reports._tuning import tuning_section


def render_run_report(report: RunReport) -> str:
    """The HTML report of a run."""
    line = report.run.line
    title = f"{line.experiment}: run {line.id[:12]}"
    lead = (
        f"{line.status} · started {line.started_at} · metric {line.metric or '–'} · "
        f"chosen {line.winner or '–'}"
    )
    return page(title, lead, run_sections(report))


def run_sections(report: RunReport) -> list[Section]:
    """The run's sections, for the run report and the bundle report."""
    run = report.run
    if not report.classification:
        return [_summary_only(run), provenance(run)]
    record = run.record
    classes = [str(c) for c in record["data"]["classes"]]
    sections = [
        _summary(run, record),
        _leaderboard(record),
        _comparison(record),
        tuning_section(record),
        _curves(report),
        _decision(report, classes),
        provenance(run),
    ]
    return [section for section in sections if section is not None]


# -- sections -------------------------------------------------------------------------------------


def _summary_only(run: RunFacts) -> Section:
    section = Section("summary", "Summary")
    section.text(f"Run {run.line.id} is {run.line.status}.")
    if run.error:
        section.text(f"Error: {run.error}", css="bad")
    if run.record is None:
        section.text("The run has no result record (it did not finish, or is a notebook run).")
    return section


def _summary(run: RunFacts, record: dict) -> Section:
    section = Section("summary", "Summary")
    comparison = record.get("comparison") or {}
    data = record["data"]
    section.text(
        f"{data['rows']:,} rows of {data['source']}, target '{data['target']}' "
        f"({len(data['classes'])} classes); {record['splits']['method']} with "
        f"{record['splits']['folds']} folds x {record['splits']['repeats']} repeats; "
        f"{record['splits']['holdout_rows']:,} rows held out."
    )
    if comparison.get("reason"):
        section.text(comparison["reason"])
    holdout = record.get("holdout")
    if holdout:
        interval = holdout.get("interval") or {}
        band = (
            f" (95% interval {interval['low']:.4f} to {interval['high']:.4f})"
            if interval.get("low") is not None
            else ""
        )
        section.text(
            f"On the {holdout['rows']:,} holdout rows, {holdout['candidate']} scored "
            f"{record['metric']} {holdout['score']:.4f}{band}."
        )
    if run.line.dirty:
        section.text(
            "The run was recorded from uncommitted changes (dirty); its diff is stored with it.",
            css="bad",
        )
    return section


def _leaderboard(record: dict) -> Section:
    section = Section("leaderboard", "Leaderboard")
    ranked = sorted(record["candidates"], key=lambda c: (c["rank"] is None, c["rank"] or 0))
    comparison = record.get("comparison") or {}
    sizes = comparison.get("costs") or {}
    rows = [
        (
            c["rank"], c["name"], c["mean"], f"{number(c['ci_low'])} to {number(c['ci_high'])}",
            c.get("p_better"), c.get("p_equivalent"), c.get("p_worse"),
            c.get("verdict") or c.get("error") or "", significant(c["fit_time"]),
            significant(_milliseconds(c.get("predict_time"))),
            size(c.get("model_bytes") if c.get("model_bytes") is not None
                 else sizes.get(c["name"])),
        )
        for c in ranked
    ]  # fmt: skip
    chosen_by = comparison.get("cost")
    section.table(
        ["rank", "candidate", f"mean {record['metric']}", "95% interval", "P(better)",
         "P(equivalent)", "P(worse)", "verdict against the best", "fit s per fold",
         "predict ms per fold", "model size"],
        rows, numeric=(0, 2, 4, 5, 6, 8, 9, 10),
        caption=f"Candidates on the same folds; probabilities against the best "
        f"(ROPE ±{comparison.get('rope', 0)})",
    )  # fmt: skip
    if chosen_by and comparison.get("policy") == "simplest-equivalent":
        section.text(
            "Simplest-equivalent choice: among the candidates practically equivalent to the best, "
            f"the smallest model is chosen (model size column; {chosen_by}).",
            css="note",
        )
    ok = [c for c in ranked if c["status"] == "ok"]
    if ok:
        section.charts(
            charts.leaderboard(
                [c["name"] for c in ok], [c["mean"] for c in ok], [c["ci_low"] for c in ok],
                [c["ci_high"] for c in ok], record.get("winner"), record["metric"],
            )
        )  # fmt: skip
    return section


def _comparison(record: dict) -> Section:
    section = Section("comparison", "Comparison")
    comparison = record.get("comparison") or {}
    if comparison.get("method"):
        section.text(f"Method: {comparison['method']}.", css="note")
    ranked = sorted(
        (c for c in record["candidates"] if c["status"] == "ok"), key=lambda c: c["rank"] or 0
    )
    names = [c["name"] for c in ranked]
    matrix = comparison.get("p_better") or {}
    scores: dict[str, list[float]] = {name: [] for name in names}
    for fold in record.get("folds", []):
        if fold["candidate"] in scores and fold.get("error") is None:
            scores[fold["candidate"]].append(fold["score"])
    section.charts(
        charts.probability_matrix(names, matrix) if len(names) > 1 and matrix else None,
        charts.fold_scores({n: np.asarray(v) for n, v in scores.items() if v}, record["metric"])
        if any(scores.values())
        else None,
    )
    return section


def _curves(report: RunReport) -> Section:
    section = Section("curves", "The chosen model's curves")
    curves = report.curves
    if not report.predictions or curves is None:
        return section.text("This run has no stored predictions (recorded by an older learnburn).")
    if not curves.roc:
        return section.text("The stored predictions hold a single class: no curves to draw.")
    if curves.pooled:
        section.text(
            "More than two classes: the curves pool every class one-vs-rest (micro-average); "
            "calibration is that of the most probable class.",
            css="note",
        )
    section.charts(
        charts.roc(curves.roc),
        charts.precision_recall(curves.precision_recall, curves.base_rate),
        charts.calibration(curves.reliability),
    )
    return section


def _decision(report: RunReport, classes: list[str]) -> Section:
    section = Section("decision", "Decision")
    decision = report.run.record.get("decision")
    if decision is None:
        section.text("No costs were set: the decision is the most probable class.")
    else:
        expected = decision.get("expected_cost") or {}
        rule = (
            f"threshold {decision['threshold']:.4f} on P({classes[-1]})"
            if decision.get("kind") == "threshold"
            else "the least expected cost class"
        )
        section.text(
            f"Decision: {rule}, calibration {decision.get('calibration', 'none')}; expected cost "
            f"{number(expected.get('per_1000'), 1)} per 1,000 decisions out of fold "
            f"(95% interval {number(expected.get('low'), 1)} to {number(expected.get('high'), 1)})."
        )
        section.table(
            ["truth \\ decision", *classes],
            [(classes[i], *map(significant, row)) for i, row in enumerate(decision["cost"])],
            caption="Cost of each decision for each true class", numeric=range(1, len(classes) + 1),
        )  # fmt: skip
    confusion = report.confusion
    if confusion is None:
        return section
    where = f"{confusion.split}, {confusion.rows:,} rows"
    section.charts(charts.confusion(confusion.matrix, list(confusion.classes), where))
    if report.cost_curve is not None:
        curve = report.cost_curve
        section.charts(charts.cost_curve(curve.thresholds, curve.costs, curve.chosen))
    return section


def provenance(run: RunFacts) -> Section:
    """Where the run came from: commit, dirty mark, data fingerprint, spec, environment."""
    section = Section("provenance", "Provenance")
    p = run.provenance or {}
    record = run.record or {}
    fingerprint = (record.get("data") or {}).get("fingerprint") or {}
    libraries = (run.environment or {}).get("libraries") or {}
    rows = [
        ("run", run.line.id),
        ("commit", p.get("commit") or "not in git"),
        ("branch", p.get("branch") or "–"),
        ("dirty", "yes: uncommitted changes (diff stored)" if run.line.dirty else "no"),
        ("spec", p.get("spec_path") or "–"),
        ("spec hash", run.spec_hash),
        ("data", p.get("data_path") or (record.get("data") or {}).get("source") or "–"),
        ("data fingerprint", fingerprint.get("sha256") or run.line.data_hash or "–"),
        ("seed", run.seed),
        ("python", (run.environment or {}).get("python", "–")),
        ("platform", (run.environment or {}).get("platform", "–")),
        ("artifacts", ", ".join(run.artifacts) or "–"),
    ]
    section.table(["", "value"], rows, caption="How to reproduce this run")
    if libraries:
        section.table(["library", "version"], sorted(libraries.items()), caption="Library versions")
    return section


def _milliseconds(seconds: float | None) -> float | None:
    return None if seconds is None else 1000 * seconds
