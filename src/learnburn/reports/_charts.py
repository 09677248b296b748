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
    """P(row candidate is better than column candidate), from the Bayesian correlated t-test."""
    n = len(names)
    matrix = np.full((n, n), np.nan)
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            value = (p_better.get(a) or {}).get(b)
            if value is not None:
                matrix[i, j] = value
    fig, ax = _figure((min(1.1 * n + 2.6, 9.0), min(0.8 * n + 1.8, 8.0)))
    ax.grid(False)
    image = ax.imshow(matrix, vmin=0, vmax=1, cmap="RdBu")
    for i in range(n):
        for j in range(n):
            if np.isfinite(matrix[i, j]):
                colour = "white" if abs(matrix[i, j] - 0.5) > 0.3 else "black"
                ax.text(j, i, f"{matrix[i, j]:.2f}", ha="center", va="center", color=colour,
                        fontsize=8)  # fmt: skip
    ax.set_xticks(range(n), labels=list(names), rotation=30, ha="right")
    ax.set_yticks(range(n), labels=list(names))
    ax.set_xlabel("compared with (column)")
    ax.set_ylabel("candidate (row)")
    fig.colorbar(image, ax=ax, label="P(row better than column)")
    return _chart(
        fig, ax, "pairwise", "Probability that one candidate is better than another",
        "Bayesian correlated t-test with a region of practical equivalence; each cell is "
        "P(row better than column).",
    )  # fmt: skip


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
    """Expected cost per 1,000 decisions against the threshold."""
    fig, ax = _figure(WIDE)
    ax.plot(thresholds, costs, color=COLOURS[0])
    if chosen is not None:
        ax.axvline(chosen, color=COLOURS[1], linestyle="--", label=f"chosen threshold {chosen:.3f}")
        ax.legend(fontsize=8)
    ax.set_xlabel("threshold on the probability of the positive class")
    ax.set_ylabel("expected cost per 1,000 decisions")
    return _chart(fig, ax, "cost", "Expected cost against the decision threshold",
                  "Out-of-fold expected cost per 1,000 decisions at each threshold.")  # fmt: skip


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
