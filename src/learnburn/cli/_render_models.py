"""Rich renderings of the model registry: the models, and one model with its history."""

from __future__ import annotations

import json

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table


def print_models(console: Console, listed, url: str) -> None:
    if not listed:
        console.print(
            f"No models in {escape(url)} yet: `learnburn promote NAME RUN --alias production` "
            "registers one."
        )
        return
    table = Table(title=f"Models in {escape(url)}", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("model", no_wrap=True)
    table.add_column("versions", justify="right")
    table.add_column("aliases")
    for model in listed:
        pointed = ", ".join(f"{a} → v{v}" for a, v in model.aliases.items()) or "—"
        table.add_row(escape(model.name), str(model.versions), escape(pointed))
    console.print(table)


def print_model(console: Console, detail) -> None:
    console.print(f"[bold]{escape(detail.name)}[/] (since {detail.created_at[:19]} UTC)")
    aliases = {a.alias: a.version for a in detail.aliases}
    table = Table(title="Versions", title_justify="left", box=box.SIMPLE_HEAD)
    for column in ("version", "run", "experiment", "holdout", "bundle sha256", "aliases"):
        table.add_column(column, no_wrap=column in ("version", "run"))
    for version in reversed(detail.versions):
        holdout = "—" if version.holdout is None else f"{version.metric} {version.holdout:.4f}"
        named = ", ".join(a for a, v in aliases.items() if v == version.version)
        table.add_row(
            f"v{version.version}", version.run_id[:8], escape(version.experiment), holdout,
            version.bundle_sha256[:12], escape(named),
        )  # fmt: skip
    console.print(table)
    if not detail.history:
        return
    console.print("[bold]History[/] (oldest first)")
    for move in detail.history:
        console.print(f"  {escape(move.summary())}", highlight=False)
        if move.evidence:
            console.print(f"    [dim]evidence: {escape(_evidence_line(move.evidence))}[/]")


def _evidence_line(evidence: dict) -> str:
    line = evidence.get("summary")
    return str(line) if line else json.dumps(evidence, default=str)[:200]
