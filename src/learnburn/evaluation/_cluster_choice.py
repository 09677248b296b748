"""Choose a clustering by stability and quality, and say why in one sentence.

The rule, in order:

1. A clustering is *eligible* when it found at least two clusters, its smallest cluster holds at
   least ``min_share`` of the rows (splitting off a few outliers is not a segmentation), and the
   lower end of its stability interval (the 95% t interval of the mean adjusted Rand index over
   bootstrap refits) reaches ``floor``.
2. Among eligible clusterings, the best quality on the metric wins; clusterings within
   ``EQUIVALENT`` of the best count as equally good, and of those the one with the fewest
   clusters wins (then the more stable one): a simpler segmentation that is as good.
3. When none is eligible, the most stable clustering is chosen (among those whose clusters all
   hold ``min_share``, when there are any), and the sentence says so.
"""

from __future__ import annotations

from dataclasses import replace

from learnburn.evaluation._cluster_records import ClusterScore

GREATER_IS_BETTER = {"silhouette": True, "calinski_harabasz": True, "davies_bouldin": False}
# differences smaller than these are practically nil: absolute for silhouette and
# Davies-Bouldin, relative to the best for Calinski-Harabasz (which has no fixed scale)
EQUIVALENT = {"silhouette": 0.01, "davies_bouldin": 0.01, "calinski_harabasz": 0.01}
_LABEL = {
    "silhouette": "silhouette",
    "calinski_harabasz": "Calinski-Harabasz index",
    "davies_bouldin": "Davies-Bouldin index",
}


def choose_clustering(
    scores: tuple[ClusterScore, ...], *, metric: str, floor: float, min_share: float = 0.0
) -> tuple[tuple[ClusterScore, ...], dict]:
    """The scores with rank and verdict set, and the comparison: chosen, best and the reason."""
    usable = [s for s in scores if s.status == "ok" and s.n_clusters >= 2]
    usable = [s for s in usable if s.quality(metric) is not None]
    sizeable = [s for s in usable if s.smallest_share >= min_share]
    stable = [s for s in sizeable if _value(s.stability_low) >= floor]
    best = _best(usable, metric)
    if stable:
        chosen, equivalent = _simplest_of_best(stable, metric)
        reason = _reason(chosen, metric, floor, len(stable), equivalent, _best(stable, metric))
    elif usable:
        chosen = max(sizeable or usable, key=lambda s: (_value(s.stability), -s.n_clusters))
        reason = _unstable_reason(chosen, metric, floor)
    else:
        chosen, reason = None, "No clustering found two or more clusters, so none was chosen."
    ranked = _ranked(scores, stable, usable, chosen, metric, (floor, min_share))
    comparison = {
        "chosen": chosen.name if chosen else None,
        "best": best.name if best else None,
        "metric": metric,
        "stability_floor": floor,
        "min_share": min_share,
        "stable": len(stable),
        "policy": "best quality among stable clusterings; fewest clusters among equivalent",
        "reason": reason,
    }
    return ranked, comparison


def _value(number: float | None) -> float:
    return -1.0 if number is None else number


def _best(scores: list[ClusterScore], metric: str) -> ClusterScore | None:
    if not scores:
        return None
    sign = 1 if GREATER_IS_BETTER[metric] else -1
    return max(scores, key=lambda s: sign * s.quality(metric))


def _simplest_of_best(stable: list[ClusterScore], metric: str) -> tuple[ClusterScore, bool]:
    """The clustering with the fewest clusters among those practically as good as the best
    (then the more stable, then the first in spec order), and whether it has fewer clusters
    than the best."""
    best = _best(stable, metric)
    top = best.quality(metric)
    band = EQUIVALENT[metric] * (abs(top) if metric == "calinski_harabasz" else 1.0)
    close = [s for s in stable if abs(s.quality(metric) - top) <= band]
    chosen = min(close, key=lambda s: (s.n_clusters, -_value(s.stability), stable.index(s)))
    return chosen, chosen.n_clusters < best.n_clusters


def _ranked(scores, stable, usable, chosen, metric, limits) -> tuple[ClusterScore, ...]:
    sign = 1 if GREATER_IS_BETTER[metric] else -1
    stable_names = {s.name for s in stable}
    order = sorted(
        usable,
        key=lambda s: (s is not chosen, s.name not in stable_names, -sign * s.quality(metric)),
    )
    ranks = {s.name: number for number, s in enumerate(order, start=1)}
    ranked = []
    for score in scores:
        rank = ranks.get(score.name)
        verdict = _verdict(score, chosen, stable_names, *limits)
        ranked.append(replace(score, rank=rank, verdict=verdict))
    return tuple(ranked)


def _verdict(score: ClusterScore, chosen, stable_names, floor: float, min_share: float) -> str:
    if score.status != "ok":
        return "failed"
    if chosen is not None and score.name == chosen.name:
        return "chosen"
    if score.n_clusters < 2:
        return "one cluster"
    if score.name in stable_names:
        return "stable"
    if score.smallest_share < min_share:
        return f"tiny cluster ({score.smallest_share:.1%} of rows < {min_share:.0%})"
    return f"unstable (ARI low {score.stability_low:.2f} < {floor:g})"


def describe_clustering(score: ClusterScore) -> str:
    """``kmeans with k = 4``; ``hdbscan, which found 3 clusters`` when it finds k itself."""
    if score.k is None:
        return f"{score.name}, which found {score.n_clusters} clusters"
    if score.name == f"{score.model}[k={score.k}]":
        return f"{score.model} with k = {score.k}"
    return score.name


def _stability_text(score: ClusterScore) -> str:
    return (
        f"adjusted Rand index {score.stability:.2f} [{score.stability_low:.2f}, "
        f"{score.stability_high:.2f}] over {score.resamples} bootstrap refits"
    )


def _reason(chosen, metric, floor, n_stable, equivalent, best) -> str:
    label = _LABEL[metric]
    value = chosen.quality(metric)
    head = f"Chose {describe_clustering(chosen)}: "
    if equivalent:
        middle = (
            f"its {label} {value:.3g} is practically as good as the best "
            f"({best.quality(metric):.3g}, {describe_clustering(best)}) with fewer clusters, "
        )
    else:
        middle = f"the best {label} ({value:.3g}) "
    return (
        f"{head}{middle}among the {n_stable} clustering{'s' if n_stable != 1 else ''} whose "
        f"stability interval stays above {floor:g} and whose clusters are not tiny "
        f"({_stability_text(chosen)})."
    )


def _unstable_reason(chosen, metric, floor) -> str:
    return (
        f"No clustering without tiny clusters kept its stability interval above {floor:g}; "
        "chose the most stable, "
        f"{describe_clustering(chosen)} ({_stability_text(chosen)}, {_LABEL[metric]} "
        f"{chosen.quality(metric):.3g}): read its segments with caution."
    )
