"""Drift rules: ours (the default) and presets reproducing Evidently's and NannyML's defaults,
plus the fixed PSI > 0.1 rule, kept to show how often it fires on small samples.

``learnburn`` (default). A column drifts when its chi-square homogeneity p-value, adjusted
across the feature columns (Holm by default, or Benjamini-Hochberg, or none), is below
``alpha`` **and** the change is big enough to matter: normalised Wasserstein >= 0.1 (numeric;
a 0.1 sigma mean shift), Jensen-Shannon distance >= 0.05 (categorical; about a 7-point move of
a 50/50 share, comparable to a 0.14 sigma shift), or a change of 0.02 or more in the share of
missing values. The test keeps false alarms at ``alpha`` whatever the sample size; the floor
keeps trivial shifts on huge samples from alarming. The predicted scores are judged alone (their
own family of one) with the numeric rule. The dataset drifts when any feature, the scores or the
multivariate check drifts.

``evidently`` (evidently 0.7.21 ``_get_default_stattest``, statistics.md 2.2). With at most 1000
reference rows: numeric with more than 5 distinct values (reference and current together), the
two-sample KS p <= 0.05; otherwise chi-square goodness of fit against the reference shares
(more than 2 values) or the two-proportion Z test, p < 0.05. Above 1000 rows: normalised
Wasserstein >= 0.1, or Jensen-Shannon distance (natural log) >= 0.1 on the shares. The dataset
drifts when at least half the feature columns drift. KS uses the reference sample when it holds
the whole reference, otherwise D from the profile and the asymptotic distribution
(``scipy.stats.kstwo``, as ``ks_2samp(method="asymp")``).

``nannyml`` (NannyML's ``UnivariateDriftCalculator``: default method ``jensen_shannon`` for both
kinds, ``ConstantThreshold(upper=0.1)``). Jensen-Shannon distance in base 2, numeric columns on
the reference's Doane histogram with one more bucket for current values outside it, categorical
columns on the reference categories with one bucket for the rest; alert when > 0.1. The whole
current table is one chunk. The dataset drifts when any column or the scores alert.

``psi``: a column drifts when PSI > 0.1 on the reference deciles, whatever the sample size.
The dataset drifts when any column or the scores drift.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from learnburn.monitoring._compare import Cells, Core, present_counts, share_distance

WASSERSTEIN_FLOOR = 0.1
JS_FLOOR = 0.05
MISSING_FLOOR = 0.02
EVIDENTLY_SMALL = 1000
EVIDENTLY_FEW = 5
THRESHOLD = 0.1
SHARE = 0.5


@dataclass(frozen=True)
class Column:
    """What a rule sees of one column."""

    kind: str
    profile: dict
    values: np.ndarray | None  # floats (NaN missing) or category codes (-1 missing); None
    # when the rule does not read them (``Preset.reads_values``)
    cells: Cells
    core: Core
    p_adjusted: float | None
    alpha: float
    rows_reference: int
    sample: np.ndarray | None  # present reference-sample values of a numeric column
    rows_current: int = 0  # current rows, missing included


@dataclass(frozen=True)
class Verdict:
    """A rule's decision on one column: the statistic it used against its threshold."""

    test: str
    statistic: float | None
    threshold: float
    drifted: bool


@dataclass(frozen=True)
class Preset:
    """A named drift rule: the column rule and how columns add up to a dataset verdict."""

    name: str
    judge: Callable[[Column], Verdict]
    drift_share: float | None  # dataset drifts at this share of drifted features; None: any
    counts_scores: bool
    counts_multivariate: bool
    description: str
    reads_values: bool = True  # the rule reads Column.values (else they are not kept)


def judge_learnburn(column: Column) -> Verdict:
    core = column.core
    floor = WASSERSTEIN_FLOOR if column.kind == "numeric" else JS_FLOOR
    missing_change = abs(core.missing_current - core.missing_reference)
    relevant = (core.effect is not None and core.effect >= floor) or missing_change >= MISSING_FLOOR
    p = core.p_value if column.p_adjusted is None else column.p_adjusted
    return Verdict("chi-square homogeneity", p, column.alpha, bool(p < column.alpha and relevant))


def judge_psi(column: Column) -> Verdict:
    return Verdict("psi", column.core.psi, THRESHOLD, column.core.psi > THRESHOLD)


def judge_nannyml(column: Column) -> Verdict:
    if column.kind == "numeric":
        hist = column.profile["histogram"]
        present = column.values[~np.isnan(column.values)]
        reference = np.asarray(hist["counts"], dtype=float)
        current = np.histogram(present, np.asarray(hist["edges"], dtype=float))[0]
        if reference.size:
            reference = np.append(reference, 0.0)
            current = np.append(current, present.size - current.sum()).astype(float)
    else:
        reference, current = present_counts(column.cells)
    distance = share_distance(reference, current, base=2) if reference.size else None
    drifted = distance is not None and distance > THRESHOLD
    return Verdict("jensen-shannon (base 2)", distance, THRESHOLD, drifted)


def judge_evidently(column: Column) -> Verdict:
    reference, current = _evidently_counts(column)
    few = reference is not None
    if column.kind == "numeric" and not few:
        if column.rows_reference <= EVIDENTLY_SMALL:
            p = _ks_p(column)
            return Verdict("ks", p, 0.05, p is not None and p <= 0.05)
        effect = column.core.effect
        drifted = effect is not None and effect >= THRESHOLD
        return Verdict("wasserstein (normed)", effect, THRESHOLD, drifted)
    if column.rows_reference <= EVIDENTLY_SMALL:
        if np.count_nonzero(reference + current) > 2:
            p = _chisquare_p(reference, current)
            return Verdict("chi-square", p, 0.05, p is not None and p < 0.05)
        p = _z_p(reference, current)
        return Verdict("z", p, 0.05, p is not None and p < 0.05)
    distance = share_distance(reference, current)
    return Verdict("jensen-shannon", distance, THRESHOLD, distance is not None and distance >= 0.1)


def _evidently_counts(column: Column) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Counts over the union of values when Evidently would treat the column as categorical."""
    if column.kind == "categorical":
        return present_counts(column.cells)
    few = column.profile["values"]
    if few is None:
        return None, None
    present = column.values[~np.isnan(column.values)]
    cur_values, cur_counts = np.unique(present, return_counts=True)
    union = np.union1d(np.asarray(few["values"], dtype=float), cur_values)
    if union.size > EVIDENTLY_FEW:
        return None, None
    reference = np.zeros(union.size)
    reference[np.searchsorted(union, few["values"])] = few["counts"]
    current = np.zeros(union.size)
    current[np.searchsorted(union, cur_values)] = cur_counts
    return reference, current


def _ks_p(column: Column) -> float | None:
    present = np.sort(column.values[~np.isnan(column.values)])
    if present.size == 0 or column.profile["count"] == 0:
        return None
    sample = column.sample
    if sample is not None and sample.size == column.profile["count"]:
        return float(stats.ks_2samp(sample, present).pvalue)
    n, m = column.profile["count"], present.size
    return float(stats.kstwo.sf(column.core.ks_d, round(n * m / (n + m))))


def _chisquare_p(reference: np.ndarray, current: np.ndarray) -> float | None:
    """scipy.stats.chisquare of current counts against reference shares scaled to current n."""
    if reference.sum() == 0 or current.sum() == 0:
        return None
    expected = reference / reference.sum() * current.sum()
    if np.any((expected == 0) & (current > 0)):
        return 0.0
    used = expected > 0
    statistic = np.sum((current[used] - expected[used]) ** 2 / expected[used])
    return float(stats.chi2.sf(statistic, np.count_nonzero(used) - 1))


def _z_p(reference: np.ndarray, current: np.ndarray) -> float | None:
    """Two-proportion Z test on the share of the first value, pooled variance."""
    n1, n2 = reference.sum(), current.sum()
    if n1 == 0 or n2 == 0:
        return None
    first = int(np.flatnonzero(reference + current)[0])
    p1, p2 = reference[first] / n1, current[first] / n2
    pooled = (reference[first] + current[first]) / (n1 + n2)
    if pooled in (0.0, 1.0):
        return 1.0
    z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return float(2 * stats.norm.sf(abs(z)))


PRESETS: dict[str, Preset] = {
    "learnburn": Preset(
        "learnburn", judge_learnburn, None, True, True,
        "adjusted chi-square p < alpha and a relevant change (normalised Wasserstein >= 0.1, "
        "Jensen-Shannon >= 0.05, or missing share moved >= 0.02); dataset: any feature, the "
        "scores or the multivariate check", reads_values=False,
    ),
    "evidently": Preset(
        "evidently", judge_evidently, SHARE, False, False,
        "Evidently's defaults: KS / chi-square / Z p-values with <= 1000 reference rows, "
        "normalised Wasserstein >= 0.1 / Jensen-Shannon >= 0.1 above; dataset: >= half the "
        "features",
    ),
    "nannyml": Preset(
        "nannyml", judge_nannyml, None, True, False,
        "NannyML's defaults: Jensen-Shannon distance (base 2) > 0.1; dataset: any column",
    ),
    "psi": Preset(
        "psi", judge_psi, None, True, False,
        "fixed rule PSI > 0.1 on reference deciles, whatever the sample size; dataset: any column",
        reads_values=False,
    ),
}  # fmt: skip
