"""Charts as inline SVG, drawn by matplotlib offline (no browser-side code, no network).

Each function returns a ``Chart``: the SVG text with its title and a one-line description for
screen readers (``role="img"``, ``aria-labelledby`` pointing at the SVG's ``<title>`` and
``<desc>``). Text stays text in the SVG (``svg.fonttype = "none"``), so it is searchable, small
and readable by assistive technology. Figures are built with ``matplotlib.figure.Figure``
directly: no pyplot, no global backend, safe in a server thread.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

WIDE = (7.2, 3.6)
SQUARE = (4.6, 4.0)
COLOURS = ("#1f5a96", "#d1495b", "#2e8b57", "#edae49", "#6a4c93", "#00798c")
OUTCOME_COLOURS = ("#1a7f37", "#8c959f", "#b42318")  # better, equivalent, worse
OUTCOME_WORDS = ("better", "equivalent", "worse")
SPELLED_OUT = 8  # up to this many candidates, each cell also shows all three probabilities


@dataclass(frozen=True)
class Chart:
    """One chart: its SVG markup (with title and description inside) and its identifier."""

    id: str
    title: str
    description: str
    svg: str


def leaderboard(names: Sequence[str], means, lows, highs, chosen: str | None, metric: str):
    """Each candidate's mean score with its 95% interval, best at the top."""
    fig, ax = _figure((WIDE[0], 0.45 * len(names) + 1.2))
    y = np.arange(len(names))[::-1]
    means, lows, highs = (np.asarray(v, dtype=float) for v in (means, lows, highs))
    err = np.vstack([means - lows, highs - means])
    colours = [COLOURS[1] if name == chosen else COLOURS[0] for name in names]
    ax.errorbar(means, y, xerr=err, fmt="none", ecolor="#555555", capsize=3, linewidth=1)
    ax.scatter(means, y, color=colours, zorder=3)
    ax.set_yticks(y, labels=list(names))
    ax.set_xlabel(f"mean {metric} across folds (95% interval)")
    ax.set_ylabel("candidate")
    return _chart(
        fig, ax, "leaderboard", f"Cross-validated {metric} by candidate",
        f"Mean {metric} with 95% corrected intervals; the chosen candidate is in red.",
    )  # fmt: skip


def fold_scores(scores: dict[str, np.ndarray], metric: str) -> Chart:
    """The distribution of each candidate's fold scores (box plot with the folds as dots)."""
    names = list(scores)
    fig, ax = _figure((WIDE[0], 0.45 * len(names) + 1.2))
    data = [np.asarray(scores[name], dtype=float) for name in names][::-1]
    ax.boxplot(data, orientation="horizontal", widths=0.5, showfliers=False)
    for index, values in enumerate(data, start=1):
        jitter = np.linspace(-0.12, 0.12, len(values)) if len(values) > 1 else np.zeros(1)
        ax.scatter(values, index + jitter, s=8, color=COLOURS[0], alpha=0.6, zorder=3)
    ax.set_yticks(range(1, len(names) + 1), labels=names[::-1])
    ax.set_xlabel(f"{metric} on one fold")
    ax.set_ylabel("candidate")
    return _chart(
        fig, ax, "folds", f"Per-fold {metric}",
        f"Box plots of each candidate's {metric} on every fold of every repeat.",
    )  # fmt: skip


def probability_matrix(names: Sequence[str], p_better: dict[str, dict[str, float]]) -> Chart:
    """Each pair's most probable outcome: row better (green), practically equivalent (grey) or
    row worse (red), its shade the probability, with all three probabilities written in the
    cell. P(row worse than column) is P(column better than row); the rest is equivalence."""
    n = len(names)
    outcomes = pairwise_outcomes(names, p_better)
    fig, ax = _figure((min(1.5 * n + 2.2, 11.0), min(0.9 * n + 1.9, 9.0)))
    ax.grid(False)
    image = np.ones((n, n, 3))
    for (i, j), (better, equivalent, worse) in outcomes.items():
        probabilities = (better, equivalent, worse)
        kind = int(np.argmax(probabilities))
        image[i, j] = _shade(OUTCOME_COLOURS[kind], probabilities[kind])
        dark = probabilities[kind] > 0.75 and kind != 1
        spelled = n <= SPELLED_OUT
        head = f"{OUTCOME_WORDS[kind]} {probabilities[kind]:.2f}"
        ax.text(j, i - 0.12 if spelled else i, head, ha="center", va="center", fontsize=8,
                fontweight="bold", color="white" if dark else "black")  # fmt: skip
        if spelled:
            ax.text(j, i + 0.22, f"{better:.2f} / {equivalent:.2f} / {worse:.2f}", ha="center",
                    va="center", fontsize=6.5, color="white" if dark else "#333333")  # fmt: skip
    ax.imshow(image, aspect="auto")
    ax.set_xticks(range(n), labels=list(names), rotation=30, ha="right")
    ax.set_yticks(range(n), labels=list(names))
    ax.set_xlabel("compared with (column)")
    ax.set_ylabel("candidate (row)")
    _outcome_legend(ax)
    return _chart(
        fig, ax, "pairwise", "Is one candidate better than another?",
        "Bayesian correlated t-test with a region of practical equivalence. Each cell shows the "
        "most probable outcome for the row against the column, shaded by its probability, and "
        "P(better) / P(equivalent) / P(worse) below it.",
    )  # fmt: skip


def _outcome_legend(ax) -> None:
    from matplotlib.patches import Patch

    patches = [Patch(color=c, label=f"row {w}") for c, w in zip(OUTCOME_COLOURS, OUTCOME_WORDS,
                                                                 strict=True)]  # fmt: skip
    title = (
        "most probable outcome\n(darker: surer)\n\nin each cell: P(better)\n"
        "/ P(equivalent) / P(worse)"
    )
    ax.legend(handles=patches, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7,
              frameon=False, title=title, title_fontsize=7)  # fmt: skip


def pairwise_outcomes(
    names: Sequence[str], p_better: dict[str, dict[str, float]]
) -> dict[tuple[int, int], tuple[float, float, float]]:
    """{(row, column): (P(row better), P(equivalent), P(row worse))} for the recorded pairs."""
    found = {}
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            better = (p_better.get(a) or {}).get(b)
            worse = (p_better.get(b) or {}).get(a)
            if better is None or worse is None:
                continue
            found[(i, j)] = (better, max(0.0, 1.0 - better - worse), worse)
    return found


def _shade(colour: str, probability: float) -> np.ndarray:
    """``colour`` mixed with white: faint near a three-way tie, full at certainty."""
    from matplotlib.colors import to_rgb

    weight = float(np.clip((probability - 1 / 3) / (2 / 3), 0.0, 1.0)) * 0.85 + 0.15
    return (1 - weight) * np.ones(3) + weight * np.asarray(to_rgb(colour))


def roc(curves: dict[str, tuple[np.ndarray, np.ndarray, float]]) -> Chart:
    """ROC curves: {label: (false positive rates, true positive rates, AUC)}."""
    fig, ax = _figure(SQUARE)
    for (label, (fpr, tpr, auc)), colour in zip(curves.items(), COLOURS, strict=False):
        ax.plot(fpr, tpr, color=colour, label=f"{label} (AUC {auc:.3f})")
    ax.plot([0, 1], [0, 1], color="#999999", linestyle=":", label="chance")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.legend(loc="lower right", fontsize=8)
    return _chart(fig, ax, "roc", "ROC curve of the chosen model",
                  "True against false positive rate, out of fold and on the holdout.")  # fmt: skip


def precision_recall(curves: dict[str, tuple[np.ndarray, np.ndarray, float]], base: float):
    """Precision-recall curves: {label: (recall, precision, average precision)}."""
    fig, ax = _figure(SQUARE)
    for (label, (recall, precision, ap)), colour in zip(curves.items(), COLOURS, strict=False):
        ax.plot(recall, precision, color=colour, label=f"{label} (AP {ap:.3f})")
    ax.axhline(base, color="#999999", linestyle=":", label=f"base rate {base:.2f}")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower left", fontsize=8)
    return _chart(fig, ax, "precision-recall", "Precision-recall curve of the chosen model",
                  "Precision against recall, out of fold and on the holdout.")  # fmt: skip


def calibration(curves: dict[str, tuple[np.ndarray, np.ndarray]]) -> Chart:
    """Reliability: {label: (mean predicted probability per bin, observed rate per bin)}."""
    fig, ax = _figure(SQUARE)
    ax.plot([0, 1], [0, 1], color="#999999", linestyle=":", label="perfectly calibrated")
    for (label, (predicted, observed)), colour in zip(curves.items(), COLOURS, strict=False):
        ax.plot(predicted, observed, marker="o", color=colour, label=label)
    ax.set_xlabel("mean predicted probability (10 quantile bins)")
    ax.set_ylabel("observed frequency")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left", fontsize=8)
    return _chart(
        fig,
        ax,
        "calibration",
        "Calibration of the chosen model",
        "Observed frequency of the positive class against the predicted probability.",
    )


def confusion(matrix: np.ndarray, classes: Sequence[str], where: str) -> Chart:
    """Counts of (truth, decision) at the chosen decision rule."""
    fig, ax = _figure((min(1.0 * len(classes) + 2.8, 8.0), min(0.9 * len(classes) + 2.0, 7.0)))
    ax.grid(False)
    ax.imshow(matrix, cmap="Blues")
    top = matrix.max() if matrix.size else 0
    for (i, j), value in np.ndenumerate(matrix):
        colour = "white" if top and value > top / 2 else "black"
        ax.text(j, i, f"{value:,}", ha="center", va="center", color=colour)
    ax.set_xticks(range(len(classes)), labels=list(classes))
    ax.set_yticks(range(len(classes)), labels=list(classes))
    ax.set_xlabel("decision")
    ax.set_ylabel("truth")
    return _chart(fig, ax, "confusion", f"Confusion matrix at the chosen decision ({where})",
                  f"Counts of each true class against the decision taken, {where}.")  # fmt: skip


def cost_curve(thresholds: np.ndarray, costs: np.ndarray, chosen: float | None) -> Chart:
    """Expected cost per 1,000 decisions against the threshold, the cost axis clipped to a
    readable range around the minimum (a spike at the ends would flatten the curve)."""
    fig, ax = _figure(WIDE)
    thresholds, costs = np.asarray(thresholds, dtype=float), np.asarray(costs, dtype=float)
    low, high = readable_range(costs)
    ax.plot(thresholds, np.clip(costs, None, high), color=COLOURS[0])
    above = costs > high
    note = ""
    if above.any():
        ax.scatter(thresholds[above], np.full(above.sum(), high), marker="^", s=14,
                   color=COLOURS[0], label="off the scale (higher)", zorder=3)  # fmt: skip
        note = f" The cost axis stops at {high:,.1f}; triangles mark thresholds that cost more."
    if chosen is not None:
        ax.axvline(chosen, color=COLOURS[1], linestyle="--", label=f"chosen threshold {chosen:.3f}")
    ax.set_ylim(low, high + 0.04 * (high - low))
    if chosen is not None or above.any():
        ax.legend(fontsize=8)
    ax.set_xlabel("threshold on the probability of the positive class")
    ax.set_ylabel("expected cost per 1,000 decisions")
    description = "Out-of-fold expected cost per 1,000 decisions at each threshold." + note
    return _chart(fig, ax, "cost", "Expected cost against the decision threshold", description)


def readable_range(costs: np.ndarray) -> tuple[float, float]:
    """(low, high) of a cost axis that shows the minimum in detail. The whole curve when it
    fits; when the highest costs reach more than three times as far above the minimum as the
    80th percentile does (a spike at an extreme threshold), the axis stops at that percentile,
    so a few extreme thresholds do not squash the rest."""
    values = np.asarray(costs, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 0.0, 1.0
    least, most = float(values.min()), float(values.max())
    high = float(np.quantile(values, 0.8))
    if high <= least or most - least <= 3 * (high - least):
        high = most
    if high <= least:
        return least - 1.0, least + 1.0
    return least - 0.05 * (high - least), high


def metric_history(
    labels: Sequence[str],
    chosen: Sequence[str],
    means,
    lows,
    highs,
    holdouts,
    metric: str,
    experiment: str,
) -> Chart:
    """The chosen candidate's mean score in each run, oldest first, with its 95% interval, and
    the holdout score where there is one; the candidate's name where the choice changes."""
    fig, ax = _figure((WIDE[0] * 1.35, WIDE[1]))
    x = np.arange(len(labels))
    means, lows, highs = (np.asarray(v, dtype=float) for v in (means, lows, highs))
    err = np.vstack([np.clip(means - lows, 0, None), np.clip(highs - means, 0, None)])
    ax.errorbar(x, means, yerr=np.nan_to_num(err), fmt="o-", color=COLOURS[0], ecolor="#777777",
                capsize=3, linewidth=1, label="mean CV score (95% interval)")  # fmt: skip
    held = np.asarray([np.nan if h is None else h for h in holdouts], dtype=float)
    if np.isfinite(held).any():
        ax.scatter(x, held, marker="D", s=22, color=COLOURS[1], label="holdout", zorder=3)
    for index, name in enumerate(chosen):
        if index == 0 or name != chosen[index - 1]:
            ax.annotate(name, (index, means[index]), xytext=(6, 6), textcoords="offset points",
                        fontsize=7, color="#333333")  # fmt: skip
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.set_xticks(x, labels=list(labels), rotation=30, ha="right")
    ax.set_xlabel("run (oldest first)")
    ax.set_ylabel(metric)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _chart(
        fig, ax, "history", f"{experiment}: {metric} across runs",
        f"The chosen candidate's mean cross-validated {metric} in each run with its 95% corrected "
        "interval, and its holdout score; names mark where the chosen candidate changes.",
    )  # fmt: skip


def importance(names: Sequence[str], values: Sequence[float], what: str) -> Chart:
    """Each feature's importance, largest at the top."""
    fig, ax = _figure((WIDE[0], 0.3 * len(names) + 1.2))
    y = np.arange(len(names))[::-1]
    ax.barh(y, list(values), color=COLOURS[0])
    ax.set_yticks(y, labels=list(names))
    ax.set_xlabel(what)
    ax.set_ylabel("feature")
    return _chart(fig, ax, "importance", "Feature importance of the bundled model",
                  f"{what[:1].upper()}{what[1:]} for each feature, largest first.")  # fmt: skip


def tuning_trials(
    series: dict[str, tuple[Sequence[int], Sequence[float]]], metric: str, *, maximize: bool
) -> Chart:
    """Each tuned candidate's inner score by trial ({label: (trial numbers, scores)}), with the
    best score so far (the highest, or with ``maximize`` False the lowest) as a line."""
    fig, ax = _figure(WIDE)
    best = np.maximum if maximize else np.minimum
    for index, (label, (trials, scores)) in enumerate(series.items()):
        colour = COLOURS[index % len(COLOURS)]
        x, y = np.asarray(trials, dtype=float), np.asarray(scores, dtype=float)
        ax.scatter(x, y, s=16, color=colour, label=label, zorder=3)
        ax.step(x, best.accumulate(y), where="post", color=colour, linewidth=1, alpha=0.6)
    ax.set_xlabel("trial")
    ax.set_ylabel(f"inner {metric}")
    ax.legend(fontsize=8)
    return _chart(
        fig, ax, "tuning", f"Inner {metric} by trial",
        f"Each trial's mean {metric} over the inner folds of the search that chose the refit's "
        "parameters, and the best so far as a line.",
    )  # fmt: skip


def latency(rows: Sequence[int], p50: Sequence[float], p99: Sequence[float]) -> Chart:
    """In-process scoring latency by rows per call (log-log)."""
    fig, ax = _figure(WIDE)
    ax.plot(rows, p50, marker="o", color=COLOURS[0], label="p50")
    ax.plot(rows, p99, marker="o", color=COLOURS[1], label="p99")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("rows per call")
    ax.set_ylabel("milliseconds per call")
    ax.legend(fontsize=8)
    return _chart(
        fig,
        ax,
        "latency",
        "In-process scoring latency by batch size",
        "Median and 99th percentile time to score a batch, decisions included.",
    )


def drift_effects(names: Sequence[str], effects: Sequence[float], drifted: Sequence[bool]):
    """Each feature's drift effect size, drifted features in red."""
    fig, ax = _figure((WIDE[0], 0.32 * len(names) + 1.2))
    y = np.arange(len(names))[::-1]
    colours = [COLOURS[1] if flag else COLOURS[0] for flag in drifted]
    ax.barh(y, [0.0 if e is None else e for e in effects], color=colours)
    ax.set_yticks(y, labels=list(names))
    ax.set_xlabel("effect size (normalised Wasserstein or Jensen-Shannon distance)")
    ax.set_ylabel("feature")
    return _chart(fig, ax, "drift", "Drift of each feature against the training data",
                  "Effect size per feature; drifted features are red.")  # fmt: skip


def aging(ages: Sequence[float], median, low, high, unit: str, metric: str) -> Chart:
    """The cadence aging curve: the metric's loss against the model's age, with a band."""
    fig, ax = _figure(WIDE)
    ax.fill_between(ages, low, high, color=COLOURS[0], alpha=0.2, label="25th-75th percentile")
    ax.plot(ages, median, marker="o", color=COLOURS[0], label="median")
    ax.axhline(0, color="#999999", linestyle=":")
    ax.set_xlabel(f"model age ({unit}s since retraining)")
    ax.set_ylabel(f"{metric} loss against retraining every {unit}")
    ax.legend(fontsize=8)
    return _chart(fig, ax, "aging", "Aging curve: how the model degrades with age",
                  f"Loss of {metric} by model age, pooled over retraining cycles.")  # fmt: skip


def estimated_vs_realised(
    labels: Sequence[str], estimated, low, high, realised, realised_low, realised_high,
    reference: float | None, metric: str,
) -> Chart:  # fmt: skip
    """A metric per window: the estimate with its band, the realised value with its interval
    where labels arrived, and the reference as a dotted line."""
    fig, ax = _figure((WIDE[0] * 1.35, WIDE[1]))
    x = np.arange(len(labels))
    series = (estimated, low, high, realised, realised_low, realised_high)
    floats = [np.asarray([np.nan if v is None else v for v in s], dtype=float) for s in series]
    est, lo, hi, real, real_lo, real_hi = floats
    ax.fill_between(x, lo, hi, color=COLOURS[0], alpha=0.18, label="estimated (95% band)")
    ax.plot(x, est, marker="o", color=COLOURS[0], linewidth=1, markersize=3, label="estimated")
    known = np.isfinite(real)
    if known.any():
        err = np.vstack([np.clip(real - real_lo, 0, None), np.clip(real_hi - real, 0, None)])
        ax.errorbar(x[known], real[known], yerr=np.nan_to_num(err[:, known]), fmt="D",
                    color=COLOURS[1], ecolor=COLOURS[1], capsize=2, markersize=4,
                    label="realised (95% interval)")  # fmt: skip
    if reference is not None:
        ax.axhline(reference, color="#555555", linestyle=":", label="reference")
    _window_ticks(ax, x, labels)
    ax.set_ylabel(metric)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _chart(
        fig, ax, f"performance-{re.sub(r'[^a-z]+', '-', metric.lower())}",
        f"{metric}: estimated and realised per window",
        f"The {metric} estimated from the probabilities in each window with its 95% band, the "
        "realised value with its interval where labels arrived, and the reference.",
    )  # fmt: skip


def drift_over_time(labels: Sequence[str], features: Sequence[str], effects, drifted) -> Chart:
    """Each feature's drift effect per window as a heat map; drifted cells marked."""
    fig, ax = _figure((WIDE[0] * 1.35, 0.28 * len(features) + 1.6))
    values = np.asarray([[np.nan if e is None else e for e in row] for row in effects], float)
    image = ax.imshow(values, aspect="auto", cmap="Reds", vmin=0, interpolation="nearest")
    marks = np.argwhere(np.asarray(drifted, dtype=bool))
    if len(marks):
        ax.scatter(marks[:, 1], marks[:, 0], marker="x", s=14, color="#111111", label="drifted")
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.12, 1.0), frameon=False)
    ax.set_yticks(np.arange(len(features)), labels=list(features))
    _window_ticks(ax, np.arange(len(labels)), labels)
    ax.grid(False)
    fig.colorbar(image, ax=ax, label="effect size")
    return _chart(fig, ax, "drift-over-time", "Drift of each feature over time",
                  "Effect size of each feature's drift against the training data per window; "
                  "x marks a window where the feature drifted.")  # fmt: skip


def decision_rate(labels: Sequence[str], shares: dict[str, Sequence[float]]) -> Chart:
    """The share of rows given each decision, per window."""
    fig, ax = _figure(WIDE)
    x = np.arange(len(labels))
    for index, (name, values) in enumerate(shares.items()):
        ax.plot(x, list(values), marker="o", markersize=3, color=COLOURS[index % len(COLOURS)],
                label=name)  # fmt: skip
    ax.set_ylim(0, 1)
    _window_ticks(ax, x, labels)
    ax.set_ylabel("share of rows")
    ax.legend(fontsize=8, title="decision", title_fontsize=8)
    return _chart(fig, ax, "decision-rate", "Decision rate per window",
                  "The share of captured rows given each decision in each window.")  # fmt: skip


def _window_ticks(ax, x: np.ndarray, labels: Sequence[str]) -> None:
    step = max(1, len(labels) // 15)
    ax.set_xticks(x[::step], labels=list(labels)[::step], rotation=30, ha="right")
    ax.set_xlabel("window (UTC)")


# -- drawing ------------------------------------------------------------------------------------


def _figure(size: tuple[float, float]):
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    ax = fig.add_subplot()
    ax.grid(True, color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig, ax


def _chart(fig, ax, chart_id: str, title: str, description: str) -> Chart:
    import matplotlib

    ax.set_title(title, fontsize=10)
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": chart_id, "font.size": 8}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # no XML declaration or doctype inside HTML
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, count=1, flags=re.DOTALL)
    label = f"chart-{chart_id}"
    accessible = (
        f'<svg role="img" aria-labelledby="{label}-title {label}-desc" data-chart="{chart_id}" '
    )
    svg = svg.replace("<svg ", accessible, 1)
    head = (
        f'<title id="{label}-title">{html.escape(title)}</title>'
        f'<desc id="{label}-desc">{html.escape(description)}</desc>'
    )
    svg = re.sub(r"(<svg[^>]*>)", lambda m: m.group(1) + head, svg, count=1)
    return Chart(chart_id, title, description, svg)
