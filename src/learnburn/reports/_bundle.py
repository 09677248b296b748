"""The report of a bundle, rendered from its ``BundleReport`` record: what it holds, the run it
came from (when that run is in the store), and, where they exist, its profile, cost estimate,
drift report and cadence backtest (the JSON files ``learnburn profile``, ``cost --json``,
``drift --json`` and ``cadence --json`` write). ``workflows.gather_bundle_report`` gathers the
record."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from learnburn._report_records import BundleFacts, BundleReport
from learnburn.costs._formula import money
from learnburn.reports import _charts as charts
from learnburn.reports._page import Section, page, significant, size
from learnburn.reports._run import run_sections


def render_bundle_report(report: BundleReport) -> str:
    """The HTML report of a bundle, with its run's sections when the record has them, and a
    section for each of the other records given."""
    bundle = report.bundle
    sections = [_bundle_section(bundle)]
    if bundle.importances:
        sections.append(_importance(bundle.importances))
    if report.run_missing_from is not None:
        sections.append(
            Section("run", "Run").text(
                f"Run {bundle.run_id} is not in the store {report.run_missing_from}; its "
                "sections are left out."
            )
        )
    elif report.run is not None:
        sections.extend(run_sections(report.run))
    if report.profile:
        sections.append(_profile(report.profile))
    if report.cost:
        sections.append(_cost(report.cost))
    if report.drift:
        sections.append(_drift(report.drift))
    if report.cadence:
        sections.append(_cadence(report.cadence))
    title = f"{bundle.experiment or 'bundle'}: {bundle.candidate or 'model'} bundle"
    lead = f"{bundle.file} · scored by {bundle.scoring_path} · run {bundle.run_id or '–'}"
    return page(title, lead, sections)


# -- sections -------------------------------------------------------------------------------------


def _bundle_section(bundle: BundleFacts) -> Section:
    section = Section("bundle", "Bundle")
    rows = [
        ("file", bundle.file),
        ("format version", bundle.version),
        ("size", f"{size(bundle.size_bytes)} ({bundle.size_bytes:,} bytes)"),
        ("classes", ", ".join(bundle.classes)),
        ("input columns", bundle.columns),
        ("scoring", bundle.scoring),
        ("decision", bundle.decision),
        ("drift reference", "yes" if bundle.reference else "no"),
        ("final fit", f"{bundle.fit_seconds:.2f} s" if bundle.fit_seconds else "–"),
        ("saved with", ", ".join(f"{k} {v}" for k, v in sorted(bundle.saved_with.items())) or "–"),
    ]
    return section.table(["", "value"], rows, caption="What the bundle holds")


def _profile(profile: Mapping[str, Any]) -> Section:
    section = Section("profile", "Profile")
    machine = profile.get("machine") or {}
    gpu = profile.get("gpu") or {}
    section.text(
        f"Measured on {machine.get('cpu_model', 'an unknown CPU')} "
        f"({machine.get('logical_cpus', '?')} logical CPUs); GPU: "
        f"{gpu.get('name') if gpu.get('present') else gpu.get('note', 'none')}."
    )
    batches = profile.get("in_process") or []
    if batches:
        section.table(
            ["rows per call", "p50 ms", "p99 ms", "rows/s"],
            [(b["batch_rows"], significant(b["p50_ms"]), significant(b["p99_ms"]),
              significant(b.get("rows_per_s"))) for b in batches],
            caption="In-process scoring, decisions included", numeric=(0, 1, 2, 3),
        )  # fmt: skip
        section.charts(
            charts.latency(
                [b["batch_rows"] for b in batches], [b["p50_ms"] for b in batches],
                [b["p99_ms"] for b in batches],
            )
        )  # fmt: skip
    http = profile.get("http") or {}
    if http.get("levels"):
        section.table(
            ["connections", "req/s", "p50 ms", "p90 ms", "p99 ms", "errors"],
            [(lv["concurrency"], significant(lv["rps"]), significant(lv["p50_ms"]),
              significant(lv["p90_ms"]), significant(lv["p99_ms"]), lv["errors"])
             for lv in http["levels"]],
            caption=f"learnburn serve, {http.get('workers', 1)} worker, on loopback",
            numeric=range(6),
        )  # fmt: skip
    cold = profile.get("cold_start") or {}
    memory = profile.get("memory") or {}
    section.text(
        f"Cold start {significant(cold.get('seconds'))} s to the first /ping; worker memory "
        f"{significant(memory.get('worker_rss_mb'))} MB."
    )
    return section


def _cost(cost: Mapping[str, Any]) -> Section:
    section = Section("cost", "Cost")
    for line in cost.get("verdict") or []:
        section.text(str(line))
    options = cost.get("options") or []
    target = (cost.get("traffic") or {}).get("p99_ms")
    if options:
        section.table(
            ["target", "configuration", "USD per month", "meets p99", "notes"],
            [(o.get("label") or o.get("target"), o.get("configuration"),
              _money(o.get("monthly_usd")), meets_p99(o, target), "; ".join(o.get("notes") or []))
             for o in options],
            caption="Every option priced at the given traffic, cheapest first", numeric=(2,),
        )  # fmt: skip
    return section


def meets_p99(option: Mapping[str, Any], target_ms: float | None = None) -> str:
    """Whether an option meets the p99 target, worded as ``learnburn cost`` words it: n/a where
    the target does not apply (offline scoring, retraining); a miss whose warm p99 is within the
    target is a cold start's."""
    met, p99 = option.get("meets_p99"), option.get("p99_ms")
    if option.get("online") is False or met is None:
        return "n/a (offline)"
    if not met and p99 is not None and target_ms is not None and p99 <= target_ms:
        return f"no (cold start; {significant(p99)} ms warm)"
    measured = f" ({significant(p99)} ms)" if p99 is not None else ""
    return f"{'yes' if met else 'no'}{measured}"


def _money(value: float | None) -> str:
    return "not available" if value is None else money(value)


def _importance(importances: Mapping[str, float]) -> Section:
    section = Section("importance", "Feature importance")
    ranked = sorted(importances.items(), key=lambda item: -item[1])
    section.text(
        "Permutation importance measured when the bundle was built, on up to 1,000 holdout rows: "
        "each feature's share of the total rise in log-loss when its values are shuffled "
        "(0: no measurable effect).",
        css="note",
    )
    shown = ranked[:25]
    section.charts(
        charts.importance(
            [n for n, _ in shown], [v for _, v in shown], "share of the permutation importance"
        )
    )
    if len(ranked) > len(shown):
        section.text(f"The {len(ranked) - len(shown)} least important features are left out.")
    return section


def _drift(drift: Mapping[str, Any]) -> Section:
    section = Section("drift", "Drift")
    verdict = "Drift" if drift.get("drifted") else "No drift"
    section.text(
        f"{verdict} under the {drift.get('preset')} rule: {len(drift.get('drifted_columns') or [])}"
        f" of {len(drift.get('columns') or [])} features drifted "
        f"({drift.get('rows_current', '?')} current rows against "
        f"{drift.get('rows_reference', '?')} training rows).",
        css="bad" if drift.get("drifted") else "good",
    )
    columns = sorted(drift.get("columns") or [], key=lambda c: -(c.get("effect") or 0))
    if columns:
        section.table(
            ["feature", "kind", "effect", "PSI", "PSI null 95%", "p adj.", "drift"],
            [(c["name"], c["kind"], c.get("effect"), c.get("psi"), c.get("psi_null"),
              c.get("p_adjusted"), "yes" if c.get("drifted") else "no") for c in columns],
            caption="Each feature against the training profile", numeric=(2, 3, 4, 5),
        )  # fmt: skip
        shown = columns[:30]
        section.charts(
            charts.drift_effects(
                [c["name"] for c in shown], [c.get("effect") for c in shown],
                [bool(c.get("drifted")) for c in shown],
            )
        )  # fmt: skip
    return section


def _cadence(cadence: Mapping[str, Any]) -> Section:
    section = Section("cadence", "Retraining cadence")
    unit = cadence.get("unit", "period")
    intervals = cadence.get("intervals") or []
    if cadence.get("reason"):
        section.text(f"Recommended: {cadence['reason']}")
    elif cadence.get("recommended") is not None:
        section.text(f"Recommended: retrain every {cadence['recommended']} {unit}(s).")
    if intervals:
        section.table(
            ["every", "fits", f"mean {cadence.get('metric', 'metric')}", "mean loss",
             "upper 95%", "within tolerance"],
            [(i.get("every"), i.get("retrains"), i.get("mean_metric"), i.get("mean_degradation"),
              i.get("upper_bound"), "yes" if i.get("within_tolerance") else "no")
             for i in intervals],
            caption="Each interval against retraining every period", numeric=(0, 1, 2, 3, 4),
        )  # fmt: skip
    aging = cadence.get("aging") or []
    points = [a for a in aging if isinstance(a.get("degradation"), dict)]
    if points:
        band = [a["degradation"] for a in points]
        section.charts(
            charts.aging(
                [a["age"] for a in points], [b.get("0.5") for b in band],
                [b.get("0.25") for b in band], [b.get("0.75") for b in band],
                unit, cadence.get("metric", "metric"),
            )
        )  # fmt: skip
    return section
