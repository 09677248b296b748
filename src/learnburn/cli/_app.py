"""The Typer application: one module per command group, each thin."""

from __future__ import annotations

import typer

from learnburn._version import __version__
from learnburn.cli import (
    _bundle,
    _cadence,
    _candidates,
    _cost,
    _deploy,
    _drift,
    _init,
    _keys,
    _nb,
    _package,
    _predict,
    _prices,
    _profile,
    _report,
    _run,
    _runs,
    _serve,
)

app = typer.Typer(
    name="learnburn",
    help="Learn, compare and ship traditional machine-learning models on tables.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain help: reflowed to the terminal's width, defaults shown, and nothing in square
    # brackets taken for Rich markup (which ate "[default: ...]"); it reads the same in a pipe.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"learnburn {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Learn, compare and ship traditional machine-learning models on tables."""


app.command("run")(_run.run)
app.command("validate")(_run.validate)
app.command("init")(_init.init)
app.command("candidates")(_candidates.candidates)
app.command("runs")(_runs.runs)
app.command("show")(_runs.show)
app.command("diff")(_runs.diff)
app.command("reproduce")(_runs.reproduce)
app.command("bundle")(_bundle.bundle)
app.command("sign")(_keys.sign)
app.command("keygen")(_keys.keygen)
app.command("predict")(_predict.predict)
app.command("serve")(_serve.serve)
app.command("package")(_package.package)
app.command("profile")(_profile.profile)
app.command("cost")(_cost.cost)
app.add_typer(_prices.prices, name="prices")
app.add_typer(_deploy.deploy, name="deploy")
app.command("drift")(_drift.drift)
app.add_typer(_nb.nb, name="nb")
app.command("cadence")(_cadence.cadence)
app.command("report")(_report.report)
app.command("ui")(_report.ui)


def main() -> None:
    app()
