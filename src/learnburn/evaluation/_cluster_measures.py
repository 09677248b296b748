"""Where each quality measure points, and the runner-up k when they disagree.

Three measures can each name a number of clusters: the choice's metric (silhouette by default:
it favours round, equal, well separated groups, so elongated or unequal groups can make it prefer
too few), the BIC of the Gaussian mixtures (a likelihood with a penalty for parameters: it fits
elongated and unequal groups, and may prefer too many on data that is not Gaussian), and
stability (the mean adjusted Rand index of bootstrap refits). Each points at the k of its best
clustering, over the clusterings with two or more clusters, none tiny. Values practically equal
to the best count as ties, which go to the chosen k when it is among them (else the fewest
clusters): 0.01 for silhouette, Davies-Bouldin and stability, 1% for Calinski-Harabasz, and 2 for
BIC (a difference under 2 is "not worth more than a bare mention", Kass & Raftery 1995).

When a measure points at a k other than the chosen clustering's, the runner-up is that k (the one
most measures point at; on a tie the metric's, then BIC's, then stability's), with the sentence
that says what prefers it and why it was not chosen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from learnburn.evaluation._cluster_records import ClusterScore

GREATER_IS_BETTER = {"silhouette": True, "calinski_harabasz": True, "davies_bouldin": False}
# differences smaller than these are practically nil: absolute for silhouette and
# Davies-Bouldin, relative to the best for Calinski-Harabasz (which has no fixed scale)
EQUIVALENT = {"silhouette": 0.01, "davies_bouldin": 0.01, "calinski_harabasz": 0.01}
BIC_TIE = 2.0
STABILITY_TIE = 0.01
_NAMES = {
    "silhouette": "silhouette",
    "calinski_harabasz": "Calinski-Harabasz index",
    "davies_bouldin": "Davies-Bouldin index",
    "bic": "BIC of the mixtures",
    "stability": "stability",
}


def point_measures(scores: Sequence[ClusterScore], chosen: ClusterScore, metric: str) -> list[dict]:
    """One entry per measure with values: the measure, the k it points at, the clustering that
    has it and its value (``measure`` is ``metric``, ``bic`` or ``stability``)."""
    entries = [
        _point(scores, chosen, metric, lambda s: s.quality(metric), GREATER_IS_BETTER[metric],
               lambda top: band(metric, top)),
        _point(scores, chosen, "bic", lambda s: s.bic, False, lambda _top: BIC_TIE),
        _point(scores, chosen, "stability", lambda s: s.stability, True,
               lambda _top: STABILITY_TIE),
    ]  # fmt: skip
    return [entry for entry in entries if entry is not None]


def band(metric: str, top: float) -> float:
    """How far from the best value ``top`` a value is still practically as good."""
    return EQUIVALENT[metric] * (abs(top) if metric == "calinski_harabasz" else 1.0)


def runner_up(
    measures: list[dict], chosen: ClusterScore, scores: Sequence[ClusterScore], metric: str
) -> dict | None:
    """The k other measures prefer to the chosen one, with why it was not chosen; None when
    every measure points at the chosen k."""
    others = [m for m in measures if m["k"] != chosen.n_clusters]
    if not others:
        return None
    order = list(dict.fromkeys(m["k"] for m in others))  # the metric's, BIC's, stability's
    k = max(order, key=lambda key: (sum(m["k"] == key for m in others), -order.index(key)))
    backing = [m for m in others if m["k"] == k]
    named = {s.name: s for s in scores}
    pointed = named[backing[0]["clustering"]]
    prefer = "; ".join(_preference(m, chosen.n_clusters, scores, metric) for m in backing)
    return {
        "k": k,
        "clustering": pointed.name,
        "measures": [m["measure"] for m in backing],
        "why": f"{prefer}; not chosen: {_not_chosen(pointed, chosen, metric)}.",
    }


def _point(scores, chosen, measure: str, value: Callable, greater: bool, tie: Callable):
    valued = [s for s in scores if value(s) is not None]
    if not valued:
        return None
    sign = 1 if greater else -1
    top = max(sign * value(s) for s in valued) * sign
    tied = [s for s in valued if abs(value(s) - top) <= tie(top)]
    at_chosen = [s for s in tied if s.n_clusters == chosen.n_clusters]
    pool = at_chosen or [s for s in tied if s.n_clusters == min(t.n_clusters for t in tied)]
    best = max(pool, key=lambda s: sign * value(s))
    return {"measure": measure, "k": best.n_clusters, "clustering": best.name,
            "value": float(value(best))}  # fmt: skip


def _preference(measure: dict, chosen_k: int, scores, metric: str) -> str:
    """``BIC of the mixtures points at k = 3 (2648.1, against 3319.1 at k = 2)``."""
    key = measure["measure"]
    name = _NAMES[metric if key == metric else key]
    value = (lambda s: s.quality(metric)) if key == metric else (lambda s: getattr(s, key))
    greater = GREATER_IS_BETTER[metric] if key == metric else key == "stability"
    at_chosen = [value(s) for s in scores if s.n_clusters == chosen_k and value(s) is not None]
    text = f"{name} points at k = {measure['k']} ({_format(key, measure['value'])}"
    if at_chosen:
        best = max(at_chosen) if greater else min(at_chosen)
        text += f", against {_format(key, best)} at k = {chosen_k}"
    return text + ")"


def _not_chosen(pointed: ClusterScore, chosen: ClusterScore, metric: str) -> str:
    label = _NAMES[metric]
    if pointed.verdict and pointed.verdict not in ("stable", "chosen"):
        return f"{pointed.name} is {pointed.verdict}"
    value = pointed.quality(metric)
    if value is None:
        return f"{pointed.name} has no {label}"
    sign = 1 if GREATER_IS_BETTER[metric] else -1
    if sign * value >= sign * chosen.quality(metric):  # within the band: a tie-break chose
        return (
            f"its {label} {value:.3g} is practically as good as {chosen.quality(metric):.3g}, "
            f"and of practically equal clusterings the rule takes the fewest clusters"
        )
    return (
        f"the choice ranks stable clusterings by {label}, and {pointed.name} scores "
        f"{value:.3g} against {chosen.quality(metric):.3g}"
    )


def _format(measure: str, value: float) -> str:
    if measure in ("bic", "calinski_harabasz"):
        return f"{value:,.1f}"
    return f"{value:.3g}" if measure != "stability" else f"adjusted Rand index {value:.2f}"
