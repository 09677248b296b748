"""``learnburn challenge`` and ``learnburn retrain``: should the retrained model replace the live
one? Exit codes, for schedulers: 0 promoted or kept by rule (or skipped: too soon); 1 kept
because the challenger is worse; 2 an error."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from learnburn.cli._errors import handles_errors
from learnburn.cli._progress import fold_progress
from learnburn.cli._store import STORE, store_for
from learnburn.cli._window import SINCE, UNTIL

EXIT_ERROR = 2
SPEC = typer.Argument(..., metavar="SPEC", help="The experiment spec (TOML).")
DATA = typer.Option(
    None, "--data", "-d", help="The new data to retrain on [default: the spec's data path]."
)
EVAL = typer.Option(
    None,
    "--eval",
    help="Compare on every row of this labelled file [default: the newest rows of the new "
    "data, held out from the challenger's training].",
)
REPORT = typer.Option(
    None, "--report", help="Write the challenge record here (.json, or .html for a page)."
)
QUIET = typer.Option(False, "--quiet", "-q", help="No progress bar.")
ALLOW_DIRTY = typer.Option(
    False, "--allow-dirty", help="Run even with uncommitted changes (the diff is stored)."
)


@handles_errors(exit_code=EXIT_ERROR)
def challenge(
    spec_path: Path = SPEC,
    against: str = typer.Option(
        ..., "--against", help="The live model: NAME@ALIAS, e.g. loans@production."
    ),
    data: Path | None = DATA,
    evaluation: Path | None = EVAL,
    promote: bool = typer.Option(
        False, "--promote", help="Apply the verdict and record it in the alias's history."
    ),
    report: Path | None = REPORT,
    quiet: bool = QUIET,
    allow_dirty: bool = ALLOW_DIRTY,
    store: str | None = STORE,
    since: str | None = SINCE,
    until: str | None = UNTIL,
) -> None:
    """Retrain SPEC on new data and compare it with the live model on the same recent rows
    (DeLong, McNemar, paired bootstrap of decision cost); the verdict (promote, or keep the
    champion) applied with --promote.

    Exit 0 promoted or kept by rule, 1 kept because worse, 2 error."""
    from learnburn.spec import load_spec
    from learnburn.workflows import challenge_model, with_window

    console = Console(highlight=False)
    spec = with_window(load_spec(spec_path), since=since, until=until)
    with (
        store_for(store, start=spec_path) as opened,
        fold_progress(Console(stderr=True), enabled=not quiet) as progress,
    ):
        result = challenge_model(
            spec, store=opened, against=against, data=data, evaluation_data=evaluation,
            promote=promote, allow_dirty=allow_dirty, progress=progress,
        )  # fmt: skip
    print_challenge(console, result)
    _write_report(console, report, result)
    raise typer.Exit(result.exit_code)


@handles_errors(exit_code=EXIT_ERROR)
def retrain(
    spec_path: Path = SPEC,
    model: str = typer.Option(..., "--model", "-m", help="The registered model's name."),
    alias: str = typer.Option("production", "--alias", "-a", help="The live alias."),
    every: str | None = typer.Option(
        None,
        "--every",
        help="Do nothing when the alias was promoted or challenged less than this ago: 36h, "
        "14d, 2w (run the command more often than this, e.g. daily).",
    ),
    data: Path | None = DATA,
    evaluation: Path | None = EVAL,
    report: Path | None = REPORT,
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Retrain and compare, but move no alias."
    ),
    quiet: bool = QUIET,
    allow_dirty: bool = ALLOW_DIRTY,
    store: str | None = STORE,
    since: str | None = SINCE,
    until: str | None = UNTIL,
    when_monitor_alerts: Path | None = typer.Option(
        None,
        "--when-monitor-alerts",
        metavar="MONITOR_JSON",
        help="Retrain only when this report of `learnburn monitor --json` calls for it (realised "
        "or estimated loss beyond the tolerance, or drift of an important feature); else skip.",
    ),
) -> None:
    """The scheduled loop: retrain SPEC on its newest data, challenge NAME@ALIAS, promote by
    the spec's rule, and say what was done in one line.

    Exit 0 promoted, kept by rule or skipped; 1 kept because worse; 2 error."""
    from learnburn.spec import load_spec
    from learnburn.workflows import parse_every, retrain_model, with_window

    interval = parse_every(every) if every else None
    spec = with_window(load_spec(spec_path), since=since, until=until)
    with (
        store_for(store, start=spec_path) as opened,
        fold_progress(Console(stderr=True), enabled=not quiet) as progress,
    ):
        outcome = retrain_model(
            spec, store=opened, model=model, alias=alias, every=interval, data=data,
            evaluation_data=evaluation, promote=not dry_run, allow_dirty=allow_dirty,
            progress=progress, monitor=when_monitor_alerts,
        )  # fmt: skip
    console = Console(highlight=False, soft_wrap=True)
    console.print(escape(outcome.summary()))
    if outcome.challenge is not None:
        _write_report(console, report, outcome.challenge)
    raise typer.Exit(outcome.exit_code)


def print_challenge(console: Console, result) -> None:
    """The comparisons, then the verdict and what was done."""
    console.print(
        f"Champion {escape(result.model)}@{escape(result.alias)} = v{result.champion['version']}"
        f" (run {result.champion['run_id'][:8]}); challenger run "
        f"{result.challenger['run_id'][:8]}; compared on {escape(result.rows_from)}."
    )
    for comparison in result.comparisons:
        mark = "→" if comparison.measure == result.deciding else " "
        console.print(f" {mark} {escape(comparison.summary())}")
    console.print(f"Margin ±{result.margin:.4g}; {escape(result.rule)}.")
    console.print(escape(result.summary()), soft_wrap=True)


def _write_report(console: Console, report: Path | None, result) -> None:
    if report is None:
        return
    import json

    report.parent.mkdir(parents=True, exist_ok=True)
    if report.suffix.lower() in (".html", ".htm"):
        from learnburn.reports import challenge_html

        report.write_text(challenge_html(result.to_dict()), encoding="utf-8")
    else:
        report.write_text(json.dumps(result.to_dict(), indent=2) + "\n", encoding="utf-8")
    console.print(f"Wrote {report}.")
