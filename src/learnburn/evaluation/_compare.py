"""Compare candidates scored on the same folds, and choose one by the spec's policy.

Every candidate is compared with the best one (highest mean, or lowest for a loss) on the paired
per-fold differences: the Nadeau-Bengio corrected t-test (two-sided, Holm-adjusted across the
candidates), and the Bayesian correlated t-test with a region of practical equivalence (ROPE),
giving P(better), P(equivalent) and P(worse). Each candidate's interval uses the corrected
variance too, clipped to the metric's range (its ``interval`` note says when). With fewer than
``MIN_FOLD_SCORES`` fold scores an ``EvaluationWarning`` says the intervals and tests mean
little, and the comparison records it. Mean ± std is never offered as a significance statement.

``simplest-equivalent`` then picks, among the best and the candidates not practically worse than
it, the simplest by model size (``_simplicity.py`` states the rule): a deterministic cost, so the
same commit and data always make the same choice; measured times never decide.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from learnburn.errors import EvaluationWarning
from learnburn.evaluation._metrics import get_metric
from learnburn.evaluation._records import CandidateSummary, FoldScore
from learnburn.evaluation._simplicity import COST_MEASURE, describe_size, simplicity, size_words
from learnburn.evaluation._stats import (
    bayesian_correlated_ttest,
    clip_interval,
    corrected_interval,
    corrected_ttest,
    holm,
    too_few_scores,
)

DECISIVE = 0.95  # a probability above this is stated as a finding
NOT_WORSE = 0.05  # simplest-equivalent: P(worse than the best) must stay below this


@dataclass(frozen=True)
class Comparison:
    """The comparison against the best candidate, the pairwise matrix, and the choice."""

    best: str | None
    chosen: str | None
    reason: str
    policy: str
    rope: float
    method: str
    p_better: dict[str, dict[str, float]]  # p_better[a][b] = P(a practically better than b)
    cost: str = COST_MEASURE  # what simplest-equivalent ranks by
    costs: dict[str, int | None] = field(default_factory=dict)  # each candidate's model size
    warnings: tuple[str, ...] = ()  # e.g. too few fold scores for the intervals to mean much


def compare_candidates(
    summaries: Sequence[CandidateSummary],
    folds: Sequence[FoldScore],
    *,
    metric: str,
    rope: float,
    policy: str = "simplest-equivalent",
) -> tuple[tuple[CandidateSummary, ...], Comparison]:
    """Intervals, probabilities, Holm p-values and a verdict per candidate, then the choice."""
    greater, bounds = get_metric(metric).greater_is_better, get_metric(metric).bounds
    notes = _check_fold_count(folds)
    ok = sorted((s for s in summaries if s.status == "ok"), key=lambda s: s.rank or 0)
    scores = {s.name: _paired_scores(s.name, folds) for s in ok}
    n_train, n_test = _mean_sizes(folds)
    best = ok[0] if ok else None
    updated = {s.name: s for s in summaries}
    for s in ok:
        low, high, note = _interval(scores[s.name], n_train, n_test, s.mean, bounds)
        updated[s.name] = replace(s, ci_low=low, ci_high=high, interval=s.interval + note)
    if best is not None:
        _against_best(updated, ok, best, scores, n_train, n_test, rope, greater)
    matrix = _pairwise(ok, scores, n_train, n_test, rope, greater)
    result = tuple(updated[s.name] for s in summaries)
    chosen, reason = choose_candidate(result, policy=policy)
    method = (
        "corrected repeated k-fold t-test (Nadeau & Bengio; Bouckaert & Frank), two-sided, "
        "Holm-adjusted against the best; Bayesian correlated t-test (Benavoli et al. 2017) "
        f"with ROPE ±{rope:g}"
    )
    costs = {s.name: s.model_bytes for s in ok}
    comparison = Comparison(
        best.name if best else None,
        chosen,
        reason,
        policy,
        rope,
        method,
        matrix,
        costs=costs,
        warnings=notes,
    )
    return result, comparison


def _paired_scores(name: str, folds: Sequence[FoldScore]) -> dict[tuple[int, int], float]:
    return {(f.repeat, f.fold): f.score for f in folds if f.candidate == name and not f.error}


def _mean_sizes(folds: Sequence[FoldScore]) -> tuple[float, float]:
    done = [f for f in folds if not f.error] or list(folds)
    if not done:
        return 1.0, 1.0
    return float(np.mean([f.n_train for f in done])), float(np.mean([f.n_test for f in done]))


def _differences(a: dict, b: dict) -> np.ndarray:
    keys = sorted(set(a) & set(b))
    diff = np.array([a[k] - b[k] for k in keys], dtype=float)
    return diff[np.isfinite(diff)]


def _check_fold_count(folds: Sequence[FoldScore]) -> tuple[str, ...]:
    """Warn (and return the sentence to record) when there are too few fold scores."""
    keys = {(f.repeat, f.fold) for f in folds}
    repeats = len({repeat for repeat, _ in keys})
    message = too_few_scores(len(keys), len(keys) // max(repeats, 1), repeats)
    if message is None or not keys:
        return ()
    warnings.warn(EvaluationWarning(message), stacklevel=3)
    return (message,)


def _interval(scores: dict, n_train, n_test, mean, bounds) -> tuple[float, float, str]:
    """The corrected interval clipped to the metric's range, and a note when it was."""
    values = np.array([v for v in scores.values() if np.isfinite(v)], dtype=float)
    if len(values) < 2:
        return mean, mean, ""
    raw = corrected_interval(values, n_train, n_test)
    low, high, clipped = clip_interval(*raw, bounds)
    if not clipped:
        return low, high, ""
    note = f", clipped to the metric's range [{bounds[0]:g}, {bounds[1]:g}]"
    return low, high, note + f" (the t interval was [{raw[0]:.4f}, {raw[1]:.4f}])"


def _against_best(updated, ok, best, scores, n_train, n_test, rope, greater) -> None:
    others = [s for s in ok if s.name != best.name]
    raw, bayes = [], []
    for s in others:
        diff = _differences(scores[s.name], scores[best.name])
        if len(diff) < 2:
            raw.append(float("nan"))
            bayes.append(None)
            continue
        raw.append(corrected_ttest(diff, n_train, n_test).p_value)
        bayes.append(
            bayesian_correlated_ttest(diff, n_train, n_test, rope=rope, greater_is_better=greater)
        )
    adjusted = holm(np.array(raw, dtype=float)) if raw else np.array([])
    for s, p_raw, p_adj, b in zip(others, raw, adjusted, bayes, strict=True):
        fields = {"p_value_raw": _opt(p_raw), "p_value": _opt(p_adj)}
        if b is not None:
            fields |= {"p_better": b.p_better, "p_equivalent": b.p_equivalent, "p_worse": b.p_worse}
        current = replace(updated[s.name], **fields)
        updated[s.name] = replace(current, verdict=_verdict(current, best))
    updated[best.name] = replace(updated[best.name], verdict="best mean")


def _pairwise(ok, scores, n_train, n_test, rope, greater) -> dict[str, dict[str, float]]:
    matrix: dict[str, dict[str, float]] = {}
    for a in ok:
        row = {}
        for b in ok:
            diff = _differences(scores[a.name], scores[b.name])
            if a.name == b.name or len(diff) < 2:
                continue
            comparison = bayesian_correlated_ttest(
                diff, n_train, n_test, rope=rope, greater_is_better=greater
            )
            row[b.name] = comparison.p_better
        matrix[a.name] = row
    return matrix


def _opt(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def _verdict(s: CandidateSummary, best: CandidateSummary) -> str:
    if s.p_worse is None:
        return "not compared: too few folds"
    if s.p_equivalent > DECISIVE:
        text = f"practically equivalent to {best.name} (P = {s.p_equivalent:.2f})"
    elif s.p_worse > DECISIVE:
        text = f"worse than {best.name} (P = {s.p_worse:.2f})"
    elif s.p_better > DECISIVE:
        text = f"better than {best.name} (P = {s.p_better:.2f})"
    elif s.p_worse < NOT_WORSE:
        text = f"not practically worse than {best.name} (P(worse) = {s.p_worse:.2f})"
    else:
        text = (
            f"unclear against {best.name}: P(worse) = {s.p_worse:.2f}, "
            f"P(equivalent) = {s.p_equivalent:.2f}"
        )
    size = size_words(s, best)  # deterministic, unlike measured times
    return f"{text}; {size}" if size else text


def choose_candidate(
    summaries: Sequence[CandidateSummary], *, policy: str = "simplest-equivalent"
) -> tuple[str | None, str]:
    """The candidate the policy picks, and why, in a sentence that names what it ranked by."""
    ok = sorted((s for s in summaries if s.status == "ok"), key=lambda s: s.rank or 0)
    if not ok:
        return None, "No candidate finished, so none was chosen."
    best = ok[0]
    if policy == "best":
        return best.name, f'Chose {best.name}: the best mean score (choose = "best").'
    eligible = [best] + [s for s in ok[1:] if s.p_worse is not None and s.p_worse < NOT_WORSE]
    chosen = min(eligible, key=simplicity)
    size = describe_size(chosen.model_bytes)
    if chosen.name == best.name:
        if len(eligible) == 1:
            return best.name, (
                f"Chose {best.name}: the best mean score; no other candidate is safely not "
                f"worse (each has P(practically worse) >= {NOT_WORSE}), so none simpler by model "
                "size could take its place."
            )
        return best.name, (
            f"Chose {best.name}: the best mean score, and the simplest by model size ({size}) "
            "of the candidates not practically worse."
        )
    return chosen.name, (
        f"Chose {chosen.name}: not practically worse than the best, {best.name} "
        f"(P(worse) = {chosen.p_worse:.3f} < {NOT_WORSE}), and the simplest such candidate by "
        f"model size ({size} against {describe_size(best.model_bytes)})."
    )
