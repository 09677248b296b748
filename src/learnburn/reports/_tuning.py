"""The tuning section of a run's report, rendered from the result record's ``tuning`` part:
each tuned candidate's trials, best inner score and the parameters its refit chose, the
hyperparameters' importances, every trial of the refit's search, and the inner score by trial."""

from __future__ import annotations

import math

from learnburn.reports import _charts as charts
from learnburn.reports._page import Section, number, significant


def tuning_section(record: dict) -> Section | None:
    """The "Tuning" section, or None when the run tuned no candidate."""
    tuning = record.get("tuning")
    if not tuning or not tuning.get("candidates"):
        return None
    metric = record["metric"]
    section = Section("tuning", "Tuning")
    section.text(
        f"Sampler {tuning.get('sampler', '–')}; {tuning.get('nested', 'nested searches')}; the "
        "refit's search uses every development row, never the holdout.",
        css="note",
    )
    if tuning.get("time_budget_s") is not None:
        section.text(
            f"A {tuning['time_budget_s']:g} s time budget stopped searches by the clock: a "
            "reproduction may run other trials.",
            css="bad",
        )
    found, refits = tuning["candidates"], tuning.get("refit") or {}
    section.table(
        ["candidate", "outer trials", "outer searches", f"best inner {metric}", "chosen params",
         "search s"],
        [_candidate_row(name, tuned, refits.get(name)) for name, tuned in found.items()],
        caption="Tuned candidates: the best inner score and parameters are the refit's search "
        "(on every development row)", numeric=(1, 2, 3, 5),
    )  # fmt: skip
    _importances(section, found)
    for name, search in refits.items():
        section.table(
            ["trial", "state", f"inner {metric}", "seconds", "params"],
            [_trial_row(trial) for trial in search.get("trials", [])],
            caption=f"Every trial of {name}'s refit search ({search.get('inner', '')})",
            numeric=(0, 2, 3),
        )
    series = _series(found, refits)
    if series:
        section.charts(charts.tuning_trials(series, metric, maximize=_maximized(found, refits)))
    return section


def _candidate_row(name: str, tuned: dict, refit: dict | None) -> tuple:
    searches = tuned.get("searches", [])
    seconds = sum(s.get("seconds") or 0.0 for s in [*searches, *([refit] if refit else [])])
    if refit is None:
        return (name, tuned.get("trials_run"), len(searches), "–", "not refit (not chosen)",
                significant(seconds))  # fmt: skip
    return (name, tuned.get("trials_run"), len(searches), number(refit.get("best_score")),
            params_text(refit.get("best_params") or {}), significant(seconds))  # fmt: skip


def _importances(section: Section, found: dict) -> None:
    rows = [
        (name, parameter, number(value, 3))
        for name, tuned in found.items()
        for parameter, value in (tuned.get("importances") or {}).items()
    ]
    if rows:
        section.table(
            ["candidate", "hyperparameter", "importance"], rows, numeric=(2,),
            caption="Hyperparameter importance (fANOVA), averaged over the outer folds' searches",
        )  # fmt: skip
        return
    notes = {
        s.get("importance_note")
        for tuned in found.values()
        for s in tuned.get("searches", [])
        if s.get("importance_note")
    }
    section.text(
        "No hyperparameter importances" + (f": {sorted(notes)[0]}" if notes else "."), css="note"
    )


def _trial_row(trial: dict) -> tuple:
    return (
        trial.get("number"),
        trial.get("state"),
        number(trial.get("score")),
        significant(trial.get("seconds")),
        params_text(trial.get("params") or {}),
    )


def _series(found: dict, refits: dict) -> dict[str, tuple[list[int], list[float]]]:
    """Each candidate's finite trial scores: its refit's search, else its first outer search."""
    series = {}
    for name, tuned in found.items():
        search = refits.get(name) or next(iter(tuned.get("searches", [])), None)
        if search is None:
            continue
        points = [
            (t["number"], t["score"]) for t in search.get("trials", []) if _finite(t.get("score"))
        ]
        if points:
            which = "refit" if name in refits else "first outer fold"
            series[f"{name} ({which})"] = ([p[0] for p in points], [p[1] for p in points])
    return series


def _maximized(found: dict, refits: dict) -> bool:
    """Whether the searches maximized their score: a search's best is its highest score unless
    the metric is minimized (a loss), when it is the lowest."""
    for search in [*refits.values(), *(s for t in found.values() for s in t.get("searches", []))]:
        scores = [t["score"] for t in search.get("trials", []) if _finite(t.get("score"))]
        best = search.get("best_score")
        if _finite(best) and scores and min(scores) < max(scores):
            return best != min(scores)
    return True


def _finite(value) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def params_text(params: dict) -> str:
    """``C=0.1234, penalty=l2``: floats with four significant digits."""
    return ", ".join(
        f"{key}={value:.4g}" if isinstance(value, float) else f"{key}={value}"
        for key, value in params.items()
    )
