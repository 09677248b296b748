"""The monitor report: a capture's windows as one self-contained HTML page (a pure renderer of
``MonitorReport``): the verdict, estimated against realised performance, drift of each feature
over time, the decision rate, and every window's alerts."""

from __future__ import annotations

from learnburn.monitoring._monitor_report import MonitorReport  # the record alone, not the checks
from learnburn.reports import _charts as charts
from learnburn.reports._page import Section, page

NAMES = {"roc_auc": "ROC AUC", "accuracy": "accuracy", "cost": "decision cost per row"}
DRIFT_FEATURES = 30  # the features the drift chart shows, most drifted first


def monitor_report(report: MonitorReport, *, title: str = "Monitor") -> str:
    """The HTML page of ``report``."""
    return page(
        title,
        report.summary(),
        [_verdict(report), _performance(report), _drift(report), _decisions(report),
         _windows(report)],
    )  # fmt: skip


def _labels(report: MonitorReport) -> list[str]:
    short = 10 if report.window.endswith(("d", "D", "w", "W")) else 16
    return [window.start[:short].replace("T", " ") for window in report.windows]


def _verdict(report: MonitorReport) -> Section:
    section = Section("verdict", "Retrain now?")
    section.text(report.reason, css="verdict")
    reference = [(NAMES[m], v) for m, v in report.reference.items() if v is not None]
    if reference:
        section.table(
            ["metric", "reference (expected on the bundle's holdout scores)"],
            reference,
            numeric=(1,),
        )
    section.text(
        f"Tolerance: {report.tolerance:g} in the metric's units (for the decision cost, times "
        "the largest cost). Labels were "
        + ("joined by event id." if report.labels_given else "not given: realised values absent.")
    )
    return section


def _performance(report: MonitorReport) -> Section:
    section = Section("performance", "Estimated and realised performance")
    if not report.windows or not any(w.estimated["accuracy"].known for w in report.windows):
        return section.text(
            "No performance estimate: it needs a binary classifier whose bundle profiled its "
            "holdout scores."
        )
    labels = _labels(report)
    for metric, name in NAMES.items():
        est = [w.estimated[metric] for w in report.windows]
        real = [w.realised[metric] for w in report.windows]
        if not any(e.known for e in est):
            continue
        section.charts(
            charts.estimated_vs_realised(
                labels, [e.value for e in est], [e.low for e in est], [e.high for e in est],
                [r.value for r in real], [r.low for r in real], [r.high for r in real],
                report.reference.get(metric), name,
            )
        )  # fmt: skip
    return section


def _drift(report: MonitorReport) -> Section:
    section = Section("drift", "Drift over time")
    windows = [w for w in report.windows if w.drift is not None]
    if not windows:
        return section.text("No drift check: the bundle carries no reference profile.")
    names = [column.name for column in windows[0].drift.columns]
    effects = {name: [] for name in names}
    flags = {name: [] for name in names}
    for window in report.windows:
        columns = {} if window.drift is None else {c.name: c for c in window.drift.columns}
        for name in names:
            column = columns.get(name)
            effects[name].append(None if column is None else column.effect)
            flags[name].append(bool(column is not None and column.drifted))
    order = sorted(names, key=lambda n: (-sum(flags[n]), -max((e or 0) for e in effects[n])))
    shown = order[:DRIFT_FEATURES]
    section.charts(
        charts.drift_over_time(
            _labels(report), shown, [effects[n] for n in shown], [flags[n] for n in shown]
        )
    )
    if len(order) > len(shown):
        section.text(f"{len(order) - len(shown)} more features left off the chart: see the JSON.")
    return section


def _decisions(report: MonitorReport) -> Section:
    section = Section("decisions", "Decision rate")
    if not report.windows:
        return section.text("No captured rows.")
    shares = {c: [w.decision_shares.get(c, 0.0) for w in report.windows] for c in report.classes}
    return section.charts(charts.decision_rate(_labels(report), shares))


def _windows(report: MonitorReport) -> Section:
    section = Section("windows", "Windows")
    rows = []
    for window, label in zip(report.windows, _labels(report), strict=True):
        est, real = window.estimated["accuracy"], window.realised["accuracy"]
        rows.append((
            label, window.rows, window.labelled_rows,
            ", ".join(window.drifted_features[:5]) or "none",
            None if not est.known else f"{est.value:.3f} [{est.low:.3f}, {est.high:.3f}]",
            None if not real.known else f"{real.value:.3f} [{real.low:.3f}, {real.high:.3f}]",
            " ".join(window.alerts) or "none",
        ))  # fmt: skip
    return section.table(
        ["window", "rows", "labelled", "drifted features", "estimated accuracy",
         "realised accuracy", "alerts"],
        rows,
        numeric=(1, 2),
    )  # fmt: skip
