"""Comparing learning procedures from repeated cross-validation scores.

Fold scores of two candidates evaluated on the same folds are paired, and successive folds share
most of their training rows, so the plain paired t-test underestimates the variance of the mean
difference. Nadeau & Bengio (2003) add back the term ``n_test / n_train``; Bouckaert & Frank
(2004) apply it to repeated k-fold. Every function here uses that corrected variance::

    var(mean difference) = (1/J + n_test/n_train) * s²      (J scores, s² with ddof = 1)

- ``corrected_ttest``: the corrected t-test, df = J - 1, with an explicit ``alternative``.
- ``bayesian_correlated_ttest``: Benavoli et al. (2017), the Student-t posterior of the mean
  difference with the same scale, and the probabilities of better / equivalent (inside the ROPE) /
  worse. It reproduces baycomp 1.0.3's ``CorrelatedTTest``.
- ``corrected_interval``: an interval for one candidate's mean score with the corrected variance;
  ``clip_interval`` keeps it inside the metric's range (a t interval is symmetric and can leave
  [0, 1] near a bound: AUC [0.9875, 1.0033]).
- ``too_few_scores``: the rule for when J scores are too few for these to mean much:
  J < ``MIN_FOLD_SCORES`` (5). The t quantile then has J - 1 < 4 degrees of freedom, so it is
  above 2.78 (4.30 at J = 3, 12.7 at J = 2, against 1.96 for a normal), and the variance it
  multiplies is estimated from fewer than 4 degrees of freedom: the interval's width reflects the
  few folds more than the data (2 folds x 1 repeat gave an AUC interval of [0.0750, 1.6368]).
- ``holm``: Holm step-down adjusted p-values for many pairwise tests.

Tests on one held-out set (McNemar, DeLong, the bootstrap) are in ``_holdout_stats``. Formulas
and worked values: ``reference/statistics.md`` Part 1.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
from scipy import stats

ALTERNATIVES = ("two-sided", "greater", "less")
MIN_FOLD_SCORES = 5  # fewer fold scores: intervals and tests too wide or too unstable to use


@dataclass(frozen=True)
class TTestResult:
    """A paired t-test on per-fold differences A - B."""

    statistic: float
    df: int
    p_value: float
    alternative: str
    mean: float
    std_error: float  # corrected: sqrt((1/J + n_test/n_train) * var); naive: sqrt(var / J)


@dataclass(frozen=True)
class BayesianComparison:
    """Posterior probabilities that A is better than, equivalent to, or worse than B."""

    p_better: float
    p_equivalent: float
    p_worse: float
    rope: float
    mean: float
    scale: float
    df: int
    credible_interval: tuple[float, float]  # 95% of the posterior of the mean difference A - B


@dataclass(frozen=True)
class _Summary:
    n: int
    mean: float
    var: float  # sample variance, ddof = 1; exactly 0 when every value is equal


def corrected_ttest(
    differences, n_train: float, n_test: float, *, alternative: str = "two-sided"
) -> TTestResult:
    """Nadeau-Bengio / Bouckaert-Frank corrected repeated k-fold t-test on differences A - B.

    ``n_train`` and ``n_test`` are the mean training and test rows per fold. ``alternative`` is
    "two-sided", "greater" (A > B) or "less" (A < B).
    """
    _check_alternative(alternative, "corrected_ttest")
    summary = _summarise(differences, "corrected_ttest")
    factor = 1 / summary.n + _test_train_ratio(n_train, n_test, "corrected_ttest")
    return _ttest(summary, factor, alternative)


def naive_ttest(differences, *, alternative: str = "two-sided") -> TTestResult:
    """The plain paired t-test on differences A - B (ignores the overlap of training sets)."""
    _check_alternative(alternative, "naive_ttest")
    summary = _summarise(differences, "naive_ttest")
    return _ttest(summary, 1 / summary.n, alternative)


def bayesian_correlated_ttest(
    differences, n_train: float, n_test: float, *, rope: float, greater_is_better: bool = True
) -> BayesianComparison:
    """Benavoli et al. (2017) correlated t posterior of the mean difference A - B, with a ROPE.

    The posterior is Student-t(df = J - 1, loc = mean, scale = sqrt((1/J + n_test/n_train) var)).
    With ``greater_is_better`` A is better when the difference exceeds ``rope``; for losses
    (``greater_is_better=False``) when it is below ``-rope``. With zero variance the posterior is
    a point mass at the mean; a point mass at 0 with ``rope = 0`` splits evenly between better and
    worse, as the one-sided t-test's p-value of 0.5 does.
    """
    name = "bayesian_correlated_ttest"
    if not (_is_real(rope) and math.isfinite(rope) and rope >= 0):
        raise ValueError(
            f"The 'rope' parameter of {name} must be a finite number >= 0. Got {rope!r} instead."
        )
    summary = _summarise(differences, name)
    factor = 1 / summary.n + _test_train_ratio(n_train, n_test, name)
    scale = math.sqrt(factor * summary.var)
    df = summary.n - 1
    mean = summary.mean
    if scale > 0:
        posterior = stats.t(df, loc=mean, scale=scale)
        above = float(posterior.sf(rope))
        below = float(posterior.cdf(-rope))
        interval = tuple(float(v) for v in posterior.interval(0.95))
    else:
        above, below = _point_mass(mean, rope)
        interval = (mean, mean)
    equivalent = max(0.0, 1.0 - above - below) if rope > 0 else 0.0
    better, worse = (above, below) if greater_is_better else (below, above)
    return BayesianComparison(
        p_better=better,
        p_equivalent=equivalent,
        p_worse=worse,
        rope=float(rope),
        mean=mean,
        scale=scale,
        df=df,
        credible_interval=interval,
    )


def holm(p_values) -> np.ndarray:
    """Holm step-down adjusted p-values, in the input order; NaN entries stay NaN, uncounted."""
    p = np.asarray(p_values, dtype=float)
    if p.ndim != 1:
        raise ValueError(f"The p-values given to holm must be 1-D. Got shape {p.shape} instead.")
    valid = ~np.isnan(p)
    if np.any((p[valid] < 0) | (p[valid] > 1)):
        raise ValueError("The p-values given to holm must lie in [0, 1]. Got values outside it.")
    adjusted = np.full_like(p, np.nan)
    index = np.flatnonzero(valid)
    order = index[np.argsort(p[index], kind="stable")]
    m = order.size
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
    adjusted[order] = np.maximum.accumulate(scaled)
    return adjusted


def corrected_interval(
    scores, n_train: float, n_test: float, *, confidence: float = 0.95
) -> tuple[float, float]:
    """Student-t interval (J - 1 df) for a mean CV score, variance (1/J + n_test/n_train) var."""
    name = "corrected_interval"
    if not (_is_real(confidence) and 0 < confidence < 1):
        raise ValueError(
            f"The 'confidence' parameter of {name} must be in (0, 1). Got {confidence!r} instead."
        )
    summary = _summarise(scores, name, what="scores")
    factor = 1 / summary.n + _test_train_ratio(n_train, n_test, name)
    half = stats.t.ppf(0.5 + confidence / 2, summary.n - 1) * math.sqrt(factor * summary.var)
    return (summary.mean - float(half), summary.mean + float(half))


def clip_interval(
    low: float, high: float, bounds: tuple[float, float]
) -> tuple[float, float, bool]:
    """(low, high) limited to ``bounds``, and whether either end moved."""
    clipped = (max(low, bounds[0]), min(high, bounds[1]))
    return clipped[0], clipped[1], clipped != (low, high)


def too_few_scores(n_scores: int, folds: int, repeats: int) -> str | None:
    """A sentence saying why J = ``n_scores`` fold scores are too few, or None if enough."""
    if n_scores >= MIN_FOLD_SCORES:
        return None
    quantile = float(stats.t.ppf(0.975, n_scores - 1)) if n_scores > 1 else math.inf
    return (
        f"Only {n_scores} fold scores per candidate ({folds} folds x {repeats} repeats): the "
        f"corrected intervals and tests rest on {max(n_scores - 1, 0)} degrees of freedom "
        f"(95% t quantile {quantile:.2f}, against 1.96 for a normal), too few for them to mean "
        f"much; they need at least {MIN_FOLD_SCORES} scores. Set evaluation.folds x "
        "evaluation.repeats to 5 or more (5 x 5, or 10 x 10, is better)."
    )


def _ttest(summary: _Summary, factor: float, alternative: str) -> TTestResult:
    df = summary.n - 1
    std_error = math.sqrt(factor * summary.var)
    if std_error > 0:
        statistic = summary.mean / std_error
    else:  # every difference equal: no evidence if they are 0, certainty otherwise
        statistic = 0.0 if summary.mean == 0 else math.copysign(math.inf, summary.mean)
    if alternative == "two-sided":
        p_value = min(1.0, 2 * float(stats.t.sf(abs(statistic), df)))
    elif alternative == "greater":
        p_value = float(stats.t.sf(statistic, df))
    else:
        p_value = float(stats.t.cdf(statistic, df))
    return TTestResult(
        statistic=float(statistic),
        df=df,
        p_value=p_value,
        alternative=alternative,
        mean=summary.mean,
        std_error=std_error,
    )


def _point_mass(mean: float, rope: float) -> tuple[float, float]:
    """(P(mu > rope), P(mu < -rope)) for a posterior concentrated at ``mean``."""
    if rope == 0 and mean == 0:
        return 0.5, 0.5
    return float(mean > rope), float(mean < -rope)


def _summarise(values, name: str, *, what: str = "differences") -> _Summary:
    x = np.asarray(values, dtype=float)
    if x.ndim != 1 or x.size < 2:
        raise ValueError(
            f"The {what} given to {name} must be a 1-D sequence of at least 2 values. "
            f"Got shape {x.shape} instead."
        )
    if not np.all(np.isfinite(x)):
        raise ValueError(
            f"The {what} given to {name} must be finite. Got {int(np.sum(~np.isfinite(x)))} "
            "NaN or infinite values; drop the folds where a score is undefined first."
        )
    constant = bool(np.all(x == x[0]))
    mean = float(x[0]) if constant else float(np.mean(x))
    var = 0.0 if constant else float(np.var(x, ddof=1))
    return _Summary(n=int(x.size), mean=mean, var=var)


def _test_train_ratio(n_train: float, n_test: float, name: str) -> float:
    for label, value in (("n_train", n_train), ("n_test", n_test)):
        if not (_is_real(value) and math.isfinite(value) and value > 0):
            raise ValueError(
                f"The '{label}' parameter of {name} must be a positive number of rows. "
                f"Got {value!r} instead."
            )
    return float(n_test) / float(n_train)


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_alternative(alternative: str, name: str) -> None:
    if alternative not in ALTERNATIVES:
        choices = ", ".join(repr(a) for a in ALTERNATIVES)
        raise ValueError(
            f"The 'alternative' parameter of {name} must be one of {choices}. "
            f"Got {alternative!r} instead."
        )
