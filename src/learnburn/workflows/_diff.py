"""Compare two recorded runs: spec, code, data, environment, metrics, the decisions (the choice,
the threshold and calibration, the holdout score), and, when both used the same folds, the
corrected and Bayesian comparison of each candidate they share."""

from __future__ import annotations

import difflib

import numpy as np

from learnburn._report_records import RunDiff
from learnburn.evaluation import (
    bayesian_correlated_ttest,
    corrected_ttest,
)
from learnburn.runs import (
    RunDetail,
    RunStore,
    compare_environments,
)
from learnburn.workflows._decided import decision_differences


def diff_runs(store: RunStore, a: str, b: str) -> RunDiff:
    """Spec, code, data, environment and metrics of run ``a`` against run ``b``; when both used
    the same folds, the corrected and Bayesian comparison of each common candidate."""
    first, second = store.get_run(a), store.get_run(b)
    spec = tuple(
        difflib.unified_diff(
            first.spec_text.splitlines(), second.spec_text.splitlines(),
            f"run {first.summary.id}", f"run {second.summary.id}", lineterm="",
        )
    )  # fmt: skip
    same_folds = _same_folds(first, second)
    return RunDiff(
        a=first.summary.id,
        b=second.summary.id,
        spec=spec,
        code=_code_of(first, second),
        data=_data_of(first, second),
        environment=tuple(compare_environments(first.environment, second.environment)),
        metrics=_metrics_of(first, second),
        decisions=decision_differences(first.record, second.record),
        same_folds=same_folds,
        comparisons=_compare_runs(first, second) if same_folds else (),
        chosen=_compare_chosen(first, second) if same_folds else None,
    )


def _code_of(a: RunDetail, b: RunDetail) -> dict:
    left, right = _code_side(a), _code_side(b)
    return {"a": left, "b": right, "same": left == right and not a.summary.dirty}


def _code_side(detail: RunDetail) -> dict:
    return {"commit": detail.provenance.get("commit"), "dirty": detail.summary.dirty}


def _data_of(a: RunDetail, b: RunDetail) -> dict:
    def side(detail: RunDetail) -> dict:
        data = (detail.record or {}).get("data", {})
        return {**data.get("fingerprint", {}), "features": data.get("features", [])}

    left, right = side(a), side(b)
    return {
        "a": {k: v for k, v in left.items() if k != "features"},
        "b": {k: v for k, v in right.items() if k != "features"},
        "same_content": left.get("content_hash") == right.get("content_hash"),
        "same_schema": left.get("schema_hash") == right.get("schema_hash"),
        "features_added": sorted(set(right["features"]) - set(left["features"])),
        "features_removed": sorted(set(left["features"]) - set(right["features"])),
    }


def _metrics_of(a: RunDetail, b: RunDetail) -> tuple[dict, ...]:
    def means(detail: RunDetail) -> dict:
        record = detail.record or {}
        return {c["name"]: c["mean"] for c in record.get("candidates", [])}

    left, right = means(a), means(b)
    names = list(dict.fromkeys([*left, *right]))
    return tuple({"candidate": n, "a": left.get(n), "b": right.get(n)} for n in names)


def _same_folds(a: RunDetail, b: RunDetail) -> bool:
    if a.record is None or b.record is None:
        return False
    keys = ("seed", "splits")
    same_data = a.record["data"]["fingerprint"] == b.record["data"]["fingerprint"]
    return same_data and all(a.record[k] == b.record[k] for k in keys)


def _compare_runs(a: RunDetail, b: RunDetail) -> tuple[dict, ...]:
    left, right = _fold_rows(a), _fold_rows(b)
    comparisons = []
    for name in dict.fromkeys(k[0] for k in right):
        found = _paired(a, b, left, right, name, name)
        if found is not None:
            comparisons.append(found)
    return tuple(comparisons)


def _compare_chosen(a: RunDetail, b: RunDetail) -> dict | None:
    """Run b's chosen candidate against run a's, fold by fold (they may differ)."""
    first, second = a.record.get("winner"), b.record.get("winner")
    if not first or not second:
        return None
    return _paired(a, b, _fold_rows(a), _fold_rows(b), first, second)


def _paired(a, b, left: dict, right: dict, name_a: str, name_b: str) -> dict | None:
    """The corrected and Bayesian tests of b's ``name_b`` minus a's ``name_a`` on the folds
    both scored; None with fewer than two."""
    rope = (b.record.get("comparison") or {}).get("rope") or 0.01
    greater = b.record["greater_is_better"]
    keys = sorted(k[1:] for k in right if k[0] == name_b and (name_a, *k[1:]) in left)
    diffs = np.array(
        [right[(name_b, *k)]["score"] - left[(name_a, *k)]["score"] for k in keys], dtype=float
    )
    diffs = diffs[np.isfinite(diffs)]
    if len(diffs) < 2:
        return None
    n_train = float(np.mean([right[(name_b, *k)]["n_train"] for k in keys]))
    n_test = float(np.mean([right[(name_b, *k)]["n_test"] for k in keys]))
    test = corrected_ttest(diffs, n_train, n_test)
    bayes = bayesian_correlated_ttest(diffs, n_train, n_test, rope=rope, greater_is_better=greater)
    return {
        "candidate": name_b if name_a == name_b else f"{name_b} (b) - {name_a} (a)",
        "candidate_a": name_a, "candidate_b": name_b, "folds": len(diffs),
        "mean_difference": float(diffs.mean()), "std_error": test.std_error,
        "statistic": test.statistic, "df": test.df, "p_value": test.p_value,
        "p_better": bayes.p_better, "p_equivalent": bayes.p_equivalent,
        "p_worse": bayes.p_worse, "rope": rope,
    }  # fmt: skip


def _fold_rows(detail: RunDetail) -> dict[tuple, dict]:
    """The run's fold rows that have a score, by (candidate, repeat, fold)."""
    folds = detail.record["folds"]
    return {(f["candidate"], f["repeat"], f["fold"]): f for f in folds if not f["error"]}
