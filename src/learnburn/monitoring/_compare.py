"""One column of current data against its reference profile: the counts both sides share, and
the statistics drawn from them.

- Cells: a numeric column's reference deciles; a categorical column's reference categories, plus
  ``other`` (the categories the profile left out, and any current category it does not list)
  or, when the profile lists every reference category, ``unknown`` (current categories the
  reference never saw); plus a ``missing`` cell when either side has missing values.
- Effect size, on present values only: numeric, the Wasserstein-1 distance between the
  reference quantile function (linear between its 215 points) and the current empirical one,
  divided by the reference std (floored at 0.001 as Evidently does); categorical, the
  Jensen-Shannon distance (natural log, scipy's default) between the category shares.
- KS D: the largest gap between the two CDFs at the reference quantile points (its error is at
  most 0.005, the widest spacing of the points).
- PSI = sum (a - e) ln(a / e) over the cells, zero shares replaced by 1e-4 (Evidently's rule),
  with its no-drift quantile (1/N + 1/M) chi2_{1-alpha, B-1}, B the non-empty cells
  (statistics.md 2.1).
- p-value: Pearson's chi-square test of homogeneity on the 2 x B table of cell counts, B - 1
  degrees of freedom; cells expected to hold fewer than 5 rows on either side are pooled first.
  Under no drift this is the same statistic PSI approximates, so the two agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial.distance import jensenshannon

from learnburn.monitoring._reference import PROBABILITIES
from learnburn.monitoring._values import category_key

STD_FLOOR = 0.001
ZERO_SHARE = 1e-4
MIN_EXPECTED = 5.0
GRID = 4000  # points of the quantile functions integrated for Wasserstein


@dataclass(frozen=True)
class Cells:
    """Reference and current counts over the same cells (the last is ``missing`` if present)."""

    labels: tuple[str, ...]
    reference: np.ndarray
    current: np.ndarray
    has_missing: bool


@dataclass(frozen=True)
class Core:
    """Statistics every preset reports for one column."""

    effect: float | None
    ks_d: float | None
    psi: float
    psi_null: float
    p_value: float
    missing_reference: float
    missing_current: float
    unknown: int
    new_categories: tuple[str, ...]


def numeric_cells(profile: dict, values: np.ndarray) -> Cells:
    """The decile cells of ``values``, sorted (NaN last, as ``numpy.sort`` leaves them)."""
    present = values[~np.isnan(values)]
    edges = np.asarray(profile["bins"]["edges"], dtype=float)
    reference = np.asarray(profile["bins"]["counts"], dtype=float)
    current = sorted_bin_counts(edges, present).astype(float)
    labels = tuple(f"bin {i + 1}" for i in range(reference.size))
    return _with_missing(labels, reference, current, profile["missing"], values.size - present.size)


def sorted_bin_counts(edges: np.ndarray, present: np.ndarray) -> np.ndarray:
    """``bin_counts`` of sorted values: a binary search per edge, not per value."""
    below = np.searchsorted(present, edges, side="left")  # values under each edge
    return np.diff(np.concatenate(([0], below, [present.size])))


def category_counts(series: pd.Series) -> tuple[np.ndarray, dict[str, int], int]:
    """A categorical column as (each row's code among its distinct values, -1 missing; the rows
    of each category key; the missing rows): counted on the codes, without a text per row."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    counts = np.bincount(codes + 1, minlength=len(uniques) + 1).tolist()
    per_key: dict[str, int] = {}
    for value, n in zip(uniques, counts[1:], strict=True):
        key = category_key(value)
        per_key[key] = per_key.get(key, 0) + n
    return codes, per_key, counts[0]


def categorical_cells(
    profile: dict, counts: dict[str, int], missing: int
) -> tuple[Cells, int, tuple[str, ...]]:
    """Cells, the number of current rows in unlisted categories, and up to 5 of those names;
    ``counts`` the current rows of each category key (``category_counts``)."""
    listed = list(profile["counts"])
    index = {key: i for i, key in enumerate(listed)}
    current = np.zeros(len(listed) + 1)
    unlisted = []
    for key, n in counts.items():
        position = index.get(key)
        current[len(listed) if position is None else position] += n
        if position is None:
            unlisted.append((n, key))
    reference = np.array([profile["counts"][k] for k in listed] + [profile["other"]], float)
    bucket = "other" if profile["other"] else "unknown"
    labels = (*listed, bucket)
    if not current[-1] and not reference[-1]:
        labels, reference, current = labels[:-1], reference[:-1], current[:-1]
    cells = _with_missing(labels, reference, current, profile["missing"], missing)
    names = tuple(key for _, key in sorted(unlisted, key=lambda item: (-item[0], item[1]))[:5])
    return cells, int(sum(n for n, _ in unlisted)), names


def core_statistics(profile: dict, values: np.ndarray, cells: Cells, alpha: float) -> Core:
    """Effect size, KS D, PSI with its null quantile, and the homogeneity p-value."""
    ref_total, cur_total = cells.reference.sum(), cells.current.sum()
    missing_ref = profile["missing"] / ref_total if ref_total else 0.0
    missing_cur = _missing_count(cells) / cur_total if cur_total else 0.0
    if profile["kind"] == "numeric":
        effect, ks_d = numeric_effect(profile, values)
    else:
        effect, ks_d = share_distance(*present_counts(cells)), None
    psi_value, psi_null = psi(cells, alpha)
    return Core(
        effect=effect,
        ks_d=ks_d,
        psi=psi_value,
        psi_null=psi_null,
        p_value=homogeneity_p(cells),
        missing_reference=float(missing_ref),
        missing_current=float(missing_cur),
        unknown=0,
        new_categories=(),
    )


def numeric_effect(profile: dict, values: np.ndarray) -> tuple[float | None, float | None]:
    """(Wasserstein-1 / reference std, KS D) of the present values, None when a side is empty;
    ``values`` sorted (NaN last)."""
    present = values[~np.isnan(values)]
    if profile["count"] == 0 or present.size == 0:
        return None, None
    quantiles = np.asarray(profile["quantiles"], dtype=float)
    probs = PROBABILITIES
    grid = (np.arange(GRID) + 0.5) / GRID
    ref_q = np.interp(grid, probs, quantiles)
    cur_q = present[np.minimum((grid * present.size).astype(int), present.size - 1)]
    wasserstein = float(np.mean(np.abs(ref_q - cur_q)))
    return wasserstein / max(profile["std"], STD_FLOOR), ks_distance(probs, quantiles, present)


def ks_distance(probs: np.ndarray, quantiles: np.ndarray, present: np.ndarray) -> float:
    """Largest CDF gap at the reference quantile points, both one-sided limits compared."""
    points, first, counts = np.unique(quantiles, return_index=True, return_counts=True)
    ref_below, ref_at = probs[first], probs[first + counts - 1]
    cur_below = np.searchsorted(present, points, side="left") / present.size
    cur_at = np.searchsorted(present, points, side="right") / present.size
    return float(max(np.max(np.abs(cur_below - ref_below)), np.max(np.abs(cur_at - ref_at))))


def share_distance(reference: np.ndarray, current: np.ndarray, base: float | None = None):
    """Jensen-Shannon distance between two count vectors; None when a side is empty."""
    if reference.sum() <= 0 or current.sum() <= 0:
        return None
    return float(jensenshannon(reference / reference.sum(), current / current.sum(), base=base))


def psi(cells: Cells, alpha: float) -> tuple[float, float]:
    """(PSI, its 1 - alpha quantile under no drift)."""
    n, m = cells.reference.sum(), cells.current.sum()
    if n == 0 or m == 0:
        return 0.0, 0.0
    expected = np.maximum(cells.reference / n, ZERO_SHARE)
    actual = np.maximum(cells.current / m, ZERO_SHARE)
    value = float(np.sum((actual - expected) * np.log(actual / expected)))
    nonempty = int(np.count_nonzero(cells.reference + cells.current))
    if nonempty < 2:
        return value, 0.0
    return value, float((1 / n + 1 / m) * stats.chi2.ppf(1 - alpha, nonempty - 1))


def homogeneity_p(cells: Cells) -> float:
    """Pearson chi-square homogeneity p-value of the 2 x B table, small cells pooled."""
    reference, current = pool_small(cells.reference, cells.current)
    n, m = reference.sum(), current.sum()
    if reference.size < 2 or n == 0 or m == 0:
        return 1.0
    totals = reference + current
    expected_ref, expected_cur = totals * n / (n + m), totals * m / (n + m)
    statistic = np.sum((reference - expected_ref) ** 2 / expected_ref) + np.sum(
        (current - expected_cur) ** 2 / expected_cur
    )
    return float(stats.chi2.sf(statistic, reference.size - 1))


def pool_small(reference: np.ndarray, current: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Merge cells expected to hold fewer than 5 rows on the smaller side (empty cells drop)."""
    totals = reference + current
    keep = totals > 0
    reference, current, totals = reference[keep], current[keep], totals[keep]
    side = min(reference.sum(), current.sum()) / max(totals.sum(), 1)
    small = totals * side < MIN_EXPECTED
    if not small.any():
        return reference, current
    big_ref, big_cur = reference[~small], current[~small]
    pooled_ref, pooled_cur = reference[small].sum(), current[small].sum()
    if (pooled_ref + pooled_cur) * side < MIN_EXPECTED and big_ref.size:
        smallest = int(np.argmin(big_ref + big_cur))  # still small: join the smallest cell
        big_ref, big_cur = big_ref.copy(), big_cur.copy()
        big_ref[smallest] += pooled_ref
        big_cur[smallest] += pooled_cur
        return big_ref, big_cur
    return np.append(big_ref, pooled_ref), np.append(big_cur, pooled_cur)


def _with_missing(labels, reference, current, missing_ref: int, missing_cur: int) -> Cells:
    has_missing = bool(missing_ref or missing_cur)
    if has_missing:
        labels = (*labels, "missing")
        reference = np.append(reference, float(missing_ref))
        current = np.append(current, float(missing_cur))
    return Cells(tuple(labels), reference, current, has_missing)


def _missing_count(cells: Cells) -> float:
    return float(cells.current[-1]) if cells.has_missing else 0.0


def present_counts(cells: Cells) -> tuple[np.ndarray, np.ndarray]:
    """Reference and current counts without the missing cell."""
    if cells.has_missing:
        return cells.reference[:-1], cells.current[:-1]
    return cells.reference, cells.current


def finite_or_none(value: float | None) -> float | None:
    """JSON-safe number: NaN and infinities become None."""
    return None if value is None or not math.isfinite(value) else float(value)
