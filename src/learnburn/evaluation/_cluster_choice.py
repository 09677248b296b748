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

The sentence names the best clustering by the metric, of all of them, and when another was chosen
it says which rule chose otherwise: the best was unstable or had a tiny cluster, or a clustering
practically as good won on fewer clusters, on stability, or on the spec's order
(``comparison["decided_by"]``). When the metric, BIC (mixtures) and stability point at different
k, ``comparison["runner_up"]`` names the other k and why it was not chosen
(``_cluster_measures.py``).
"""

from __future__ import annotations

from dataclasses import replace

from learnburn.evaluation._cluster_measures import (
    EQUIVALENT,
    GREATER_IS_BETTER,
    band,
    point_measures,
    runner_up,
)
from learnburn.evaluation._cluster_records import ClusterScore

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
    decided_by = None
    if stable:
        chosen, decided_by = _simplest_of_best(stable, metric)
        reason = _reason(chosen, best, _best(stable, metric), decided_by, metric, floor,
                         (len(stable), min_share))  # fmt: skip
    elif usable:
        chosen = max(sizeable or usable, key=lambda s: (_value(s.stability), -s.n_clusters))
        decided_by = "most stable (none stable)"
        reason = _unstable_reason(chosen, metric, floor)
    else:
        chosen, reason = None, "No clustering found two or more clusters, so none was chosen."
    ranked = _ranked(scores, stable, usable, chosen, metric, (floor, min_share))
    measures = point_measures(sizeable or usable, chosen, metric) if chosen else []
    comparison = {
        "chosen": chosen.name if chosen else None,
        "best": best.name if best else None,
        "metric": metric,
        "stability_floor": floor,
        "min_share": min_share,
        "stable": len(stable),
        "policy": "best quality among stable clusterings; fewest clusters among equivalent",
        "decided_by": decided_by,
        "reason": reason,
        "measures": measures,
        "runner_up": runner_up(measures, chosen, ranked, metric) if chosen else None,
    }
    return ranked, comparison


def _value(number: float | None) -> float:
    return -1.0 if number is None else number


def _best(scores: list[ClusterScore], metric: str) -> ClusterScore | None:
    if not scores:
        return None
    sign = 1 if GREATER_IS_BETTER[metric] else -1
    return max(scores, key=lambda s: sign * s.quality(metric))


def _simplest_of_best(stable: list[ClusterScore], metric: str) -> tuple[ClusterScore, str]:
    """The clustering with the fewest clusters among those practically as good as the best
    (then the more stable, then the first in spec order), and the rule that chose it: "best",
    "fewer clusters", "more stable" or "spec order"."""
    best = _best(stable, metric)
    top = best.quality(metric)
    close = [s for s in stable if abs(s.quality(metric) - top) <= band(metric, top)]
    chosen = min(close, key=lambda s: (s.n_clusters, -_value(s.stability), stable.index(s)))
    if chosen is best:
        return chosen, "best"
    if chosen.n_clusters < best.n_clusters:
        return chosen, "fewer clusters"
    if _value(chosen.stability) > _value(best.stability):
        return chosen, "more stable"
    return chosen, "spec order"


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


def _reason(chosen, best, best_stable, decided_by, metric, floor, counts) -> str:
    """Chose X; the best by the metric; and, when they differ, the rule that chose otherwise."""
    n_stable, min_share = counts
    label = _LABEL[metric]
    eligible = (
        f"the {n_stable} clustering{'s' if n_stable != 1 else ''} whose stability interval "
        f"stays above {floor:g} and whose clusters are not tiny"
    )
    if chosen is best:
        return (
            f"Chose {describe_clustering(chosen)}: the best {label} "
            f"({chosen.quality(metric):.3g}) of all, and among {eligible} "
            f"({_stability_text(chosen)})."
        )
    head = (
        f"Chose {describe_clustering(chosen)} ({label} {chosen.quality(metric):.3g}, "
        f"{_stability_text(chosen)}), although the best {label} is {best.quality(metric):.3g} "
        f"({describe_clustering(best)}): "
    )
    parts = []
    if best is not best_stable:
        parts.append(f"that one is {_passed_over(best, floor, min_share)}")
        if chosen is not best_stable:
            parts.append(
                f"the best among {eligible} is {best_stable.quality(metric):.3g} "
                f"({describe_clustering(best_stable)})"
            )
    if chosen is not best_stable:
        parts.append(_tie_break(chosen, best_stable, decided_by, metric))
    else:
        parts.append(f"this is the best among {eligible}")
    return head + "; ".join(parts) + "."


def _passed_over(score: ClusterScore, floor: float, min_share: float) -> str:
    if score.smallest_share < min_share:
        return (
            f"not a segmentation: its smallest cluster holds {score.smallest_share:.1%} of the "
            f"rows (< {min_share:.0%})"
        )
    low = score.stability_low
    return f"unstable (its adjusted Rand index interval falls to {low:.2f} < {floor:g})"


def _tie_break(chosen, best, decided_by, metric) -> str:
    within = (
        f"{EQUIVALENT[metric]:.0%}" if metric == "calinski_harabasz" else f"{EQUIVALENT[metric]:g}"
    )
    close = f"within {within} of it, which counts as practically as good"
    if decided_by == "fewer clusters":
        return (
            f"it is {close}, with fewer clusters ({chosen.n_clusters} against "
            f"{best.n_clusters}), and of practically equal clusterings the rule takes the fewest "
            "clusters"
        )
    if decided_by == "more stable":
        return (
            f"it is {close}, with as many clusters, and more stable (adjusted Rand index "
            f"{chosen.stability:.2f} against {best.stability:.2f}), which breaks the tie"
        )
    return (
        f"it is {close}, with as many clusters and the same stability, and comes first in the spec"
    )


def _unstable_reason(chosen, metric, floor) -> str:
    return (
        f"No clustering without tiny clusters kept its stability interval above {floor:g}; "
        "chose the most stable, "
        f"{describe_clustering(chosen)} ({_stability_text(chosen)}, {_LABEL[metric]} "
        f"{chosen.quality(metric):.3g}): read its segments with caution."
    )
