"""Render a clustering run: the leaderboard of quality and stability, the choice, the segments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from learnburn.cli._render import _number
from learnburn.cli._render_fit import print_table

if TYPE_CHECKING:
    from learnburn.evaluation import ClusteringResult


SHOWN = 15  # leaderboard rows shown; the rest are summed up in one line


def print_clustering(console: Console, result: ClusteringResult) -> None:
    """The leaderboard (quality and stability with its interval), the sentence explaining the
    choice, the agreement with known groups, and the segments of the chosen clustering."""
    data, splits = result.data, result.splits
    console.print(
        f"Data: {escape(data['source'])}: {data['rows']} rows, {len(data['features'])} features; "
        f"k from {splits['k'][0]} to {splits['k'][1]}, {splits['resamples']} bootstrap refits "
        f"each, silhouette on {splits['silhouette_sample']} rows."
    )
    ranked = result.leaderboard()
    shown = ranked[:SHOWN]
    print_table(console, clustering_table(shown), names=[s.name for s in shown])
    if len(ranked) > SHOWN:
        console.print(f"[dim]… and {len(ranked) - SHOWN} more clusterings (--output has all).[/]")
    for score in ranked:
        if score.error:
            console.print(f"[red]Failed:[/] {escape(score.name)}: {escape(score.error[:300])}")
    if result.winner is None:
        console.print(f"[bold red]{escape(result.explanation)}[/]")
        return
    console.print(escape(result.explanation))
    print_measures(console, result.comparison)
    known = result.known_groups
    if known is not None:
        verdict = "beats" if known["beats_chance"] else "[yellow]does not beat[/]"
        console.print(
            f"Known groups ({escape(known['column'])}, {known['groups']} groups): adjusted Rand "
            f"index {known['adjusted_rand']:.3f}, which {verdict} chance (shuffled labels: mean "
            f"{known['shuffled_mean']:.3f}, 95th percentile {known['shuffled_high']:.3f})."
        )
    console.print(segments_table(result))


def print_measures(console: Console, comparison: dict) -> None:
    """Where silhouette (or the metric), BIC and stability point; the runner-up k and why
    when they disagree."""
    measures = comparison.get("measures") or []
    if len(measures) < 2:
        return
    names = {"bic": "BIC", "stability": "stability"}
    pointing = ", ".join(f"{names.get(m['measure'], m['measure'])} k = {m['k']}" for m in measures)
    runner_up = comparison.get("runner_up")
    if runner_up is None:
        console.print(f"[dim]The measures agree: {escape(pointing)}.[/]", highlight=False)
        return
    console.print(
        f"[yellow]The measures disagree[/] ({escape(pointing)}). Runner-up: "
        f"[bold]k = {runner_up['k']}[/] ({escape(runner_up['clustering'])}): "
        f"{escape(runner_up['why'])}",
        highlight=False,
    )


def clustering_table(scores) -> Table:
    table = Table(box=box.SIMPLE_HEAD, title="Clusterings", title_justify="left")
    for column in ("#", "clustering", "k", "silhouette", "CH", "DB", "BIC", "stability (ARI)"):
        table.add_column(
            column, justify="left" if column == "clustering" else "right", no_wrap=True
        )
    table.add_column("verdict")
    for s in scores:
        stability = "—"
        if s.stability is not None:
            stability = f"{s.stability:.2f} [{s.stability_low:.2f}, {s.stability_high:.2f}]"
        table.add_row(
            str(s.rank or "—"),
            escape(s.name),
            str(s.n_clusters) if s.status == "ok" else "—",
            _number(s.silhouette, 3),
            _number(s.calinski_harabasz, 1),
            _number(s.davies_bouldin, 3),
            _number(s.bic, 1),
            stability,
            escape(s.verdict),
        )
    return table


def segments_table(result: ClusteringResult) -> Table:
    table = Table(box=box.SIMPLE_HEAD, title="Segments", title_justify="left")
    for column in ("cluster", "rows", "share", "what sets it apart"):
        table.add_column(column, justify="left" if column == "what sets it apart" else "right")
    for segment in result.segments:
        name = "noise" if segment.cluster == -1 else str(segment.cluster)
        traits = "; ".join(t["text"] for t in segment.traits) or "close to the whole table"
        table.add_row(name, str(segment.size), f"{segment.share:.0%}", escape(traits))
    return table
