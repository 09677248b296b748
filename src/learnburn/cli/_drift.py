"""``learnburn drift BUNDLE CURRENT``: has the data moved away from what the model learned on?

Exit codes, for schedulers: 0 no drift, 1 drift, 2 an error (a bad file, a bundle without a
drift reference, a usage error).
"""

from __future__ import annotations

from pathlib import Path

import orjson
import typer
from rich.console import Console
from rich.table import Table

from learnburn.cli._errors import handles_errors
from learnburn.cli._reference import REFERENCE_HELP, resolves_bundle
from learnburn.errors import DataError

EXIT_DRIFT = 1
EXIT_ERROR = 2
PRESETS = ("learnburn", "evidently", "nannyml", "psi")
CORRECTIONS = ("holm", "bh", "none")


@handles_errors(exit_code=EXIT_ERROR)
@resolves_bundle()
def drift(
    bundle_path: Path = typer.Argument(..., metavar="BUNDLE", help=REFERENCE_HELP),
    current: str = typer.Argument(
        ...,
        metavar="CURRENT",
        help="The new rows: CSV (also .gz...) or Parquet, a file, s3://BUCKET/KEY or an "
        "s3://BUCKET/PREFIX/ of Parquet files.",
    ),
    preset: str = typer.Option(
        "learnburn", "--preset", help=f"The drift rule: {', '.join(PRESETS)}."
    ),
    alpha: float = typer.Option(
        0.05, "--alpha", min=1e-6, max=0.5, help="Significance level of the tests."
    ),
    correction: str = typer.Option(
        "holm", "--correction", help="Across columns: holm, bh (Benjamini-Hochberg) or none."
    ),
    multivariate: bool = typer.Option(
        True,
        "--multivariate/--no-multivariate",
        help="Also train a classifier to tell the training sample from CURRENT.",
    ),
    score_rows: int = typer.Option(
        100_000,
        "--score-rows",
        min=0,
        help="Score at most this many CURRENT rows for the scores' drift (a seeded uniform "
        "sample when there are more); 0: every row.",
    ),
    json_path: Path | None = typer.Option(
        None, "--json", help="Also write the full report as JSON to this file."
    ),
    top: int = typer.Option(20, "--top", min=1, help="Show at most this many feature rows."),
    trust: list[str] = typer.Option(
        [], "--trust", help="Also load this type from the bundle's model (repeatable)."
    ),
    encoding: str = typer.Option("utf-8", "--encoding", help="CURRENT's text encoding (CSV)."),
    delimiter: str | None = typer.Option(
        None, "--delimiter", help="CURRENT's field separator [default: sniffed from the header]."
    ),
) -> None:
    """Compare CURRENT with the training data's profile the bundle carries: per feature an
    effect size (normalised Wasserstein, or Jensen-Shannon distance), PSI with the value no
    drift would exceed at this sample size, adjusted p-values and a verdict; drift of the
    model's scores; a domain classifier's AUC; drifted features ranked by importance.

    Exit code 0: no drift; 1: drift; 2: error."""
    from learnburn.data import read_table
    from learnburn.workflows import check_bundle_drift

    if preset not in PRESETS:
        raise typer.BadParameter(f"choose one of {', '.join(PRESETS)}", param_hint="--preset")
    if correction not in CORRECTIONS:
        raise typer.BadParameter(
            f"choose one of {', '.join(CORRECTIONS)}", param_hint="--correction"
        )
    if "://" not in current and not Path(current).exists():
        raise DataError(f"no data file at '{current}'", hint="check the path")
    console = Console()
    with Console(stderr=True).status("comparing with the reference"):
        report = check_bundle_drift(
            bundle_path, read_table(current, encoding=encoding, delimiter=delimiter),
            preset=preset, alpha=alpha,
            correction=None if correction == "none" else correction,
            multivariate=multivariate, trusted=tuple(trust), score_rows=score_rows or None,
        )  # fmt: skip
    render_drift(report, console, top=top)
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_bytes(orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2))
        console.print(f"Wrote {json_path}.", highlight=False)
    if report.drifted:
        raise typer.Exit(EXIT_DRIFT)


def render_drift(report, console: Console, *, top: int = 20) -> None:
    """The report as tables: features (drifted first, by importance-weighted effect), the
    scores, the multivariate check, and the verdict."""
    weighted = {feature.name: feature.weighted for feature in report.ranking}
    columns = sorted(
        report.columns,
        key=lambda c: (not c.drifted, -weighted.get(c.name, 0.0), -(c.effect or 0.0)),
    )
    table = Table(
        title=f"Drift of {report.rows_current:,} rows against {report.rows_reference:,} "
        f"training rows ({report.preset} rule)"
    )
    for name, justify in [
        ("feature", "left"), ("kind", "left"), ("effect", "right"), ("PSI", "right"),
        ("PSI null 95%", "right"), ("p adj.", "right"), ("missing ref→now", "right"),
        ("verdict", "left"),
    ]:  # fmt: skip
        table.add_column(name, justify=justify)
    shown = columns[:top]
    for column in shown:
        table.add_row(*_row(column, column.name))
    if report.scores is not None:
        table.add_row(*_row(report.scores, "[italic](scores)[/]"), end_section=True)
    if report.clusters is not None:
        table.add_row(*_row(report.clusters, "[italic](cluster shares)[/]"), end_section=True)
    console.print(table)
    if report.cluster_shares:
        moves = ", ".join(
            f"{c['cluster']}: {c['reference']:.0%} -> {c['current']:.0%}"
            for c in report.cluster_shares
        )
        console.print(f"Cluster shares (training -> current): {moves}", highlight=False)
    if len(columns) > top:
        console.print(f"({len(columns) - top} more features: see --json)", highlight=False)
    mv = report.multivariate
    if mv is not None and mv.get("auc") is not None:
        console.print(
            f"Domain classifier (training sample against current): AUC {mv['auc']:.3f} "
            f"[{mv['low']:.3f}, {mv['high']:.3f}]"
            + (" — drift" if mv.get("drifted") else " — cannot tell them apart"),
            highlight=False,
        )
    if report.ranking:
        ranked = ", ".join(
            f"{f.name} ({f.weighted:.3f})" for f in report.ranking[:5] if f.weighted is not None
        )
        if ranked:
            console.print(f"Most important drift (effect x importance): {ranked}", highlight=False)
    style = "bold red" if report.drifted else "bold green"
    console.print(f"[{style}]{report.summary()}[/]", highlight=False)


def _row(column, label: str) -> list[str]:
    def number(value, digits: int = 3) -> str:
        return "–" if value is None else f"{value:.{digits}f}"

    effect = f"{number(column.effect)} {_short(column.effect_name)}"
    p = "–" if column.p_adjusted is None else f"{column.p_adjusted:.2g}"
    missing = f"{column.missing_reference:.0%}→{column.missing_current:.0%}"
    verdict = "[red]drift[/]" if column.drifted else "stable"
    return [
        label, column.kind, effect, number(column.psi), number(column.psi_null), p, missing,
        verdict,
    ]  # fmt: skip


def _short(effect_name: str) -> str:
    return {"wasserstein_normed": "W", "jensen_shannon": "JS"}.get(effect_name, effect_name)
