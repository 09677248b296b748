"""The Typer application: one module per command group, each thin.

A command's module is imported only when that command runs (or its own help is asked for):
``learnburn --help`` lists the commands from ``COMMANDS`` below without importing any of them,
so the help, a pre-commit hook (``nb check``) and a server's cold start (``serve``) pay only
for the command they run. tests/cli/test_imports.py holds ``COMMANDS`` to the commands' own
docstrings and keeps the heavy libraries out of those paths. A new command is a row of ``COMMANDS``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import Any

import typer
from typer.core import TyperGroup
from typer.models import CommandInfo, TyperInfo

from learnburn._version import __version__

# name -> (module in learnburn.cli, attribute: a command function or a Typer group, the first
# paragraph of its help as `learnburn --help` lists it). In the order the help lists them.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "run": (
        "_run",
        "run",
        "Evaluate, compare and choose candidates; score the holdout; record the run.",
    ),
    "validate": (
        "_run",
        "validate",
        "Check a spec and its data without fitting anything (exit 0 when both are usable).",
    ),
    "init": (
        "_init",
        "init",
        "Write a commented starter spec for DATA_FILE, ready to edit and run.",
    ),
    "candidates": (
        "_candidates",
        "candidates",
        "List the registered candidates, classifiers and clusterers (use any scikit-learn "
        "estimator as module:Class too).",
    ),
    "runs": (
        "_runs",
        "runs",
        "List recorded runs, newest first (exit 1 when --verify finds a bad artifact); a "
        "notebook run shows the metrics it recorded and its -p parameters.",
    ),
    "show": (
        "_runs",
        "show",
        "Show one run: status, provenance, data, leaderboard and artifacts; for a notebook run,"
        " its parameters, metrics and experiment runs.",
    ),
    "diff": ("_runs", "diff", "Compare two runs: spec, code, data, environment and metrics."),
    "reproduce": (
        "_runs",
        "reproduce",
        "Re-run a recorded run from its commit (and stored diff) and compare every fold score.",
    ),
    "bundle": (
        "_bundle",
        "bundle",
        "Write the chosen model of a run as a bundle (no pickle; verified by sha256; with "
        "--sign, signed).",
    ),
    "models": (
        "_models",
        "models",
        "The model registry: list the models (versions and aliases); `learnburn models show "
        "NAME` for one model's versions, aliases and history with its evidence.",
    ),
    "promote": (
        "_models",
        "promote",
        "Make a finished run's bundle a version of NAME and point the alias at it (recorded in "
        "the alias's history: who, when, from which version, why).",
    ),
    "rollback": (
        "_models",
        "rollback",
        "Move the alias back to the version it named before its last promote (the exact bundle, "
        "by sha256).",
    ),
    "sign": (
        "_keys",
        "sign",
        "Sign an existing bundle (verified first; an older format version is brought up to date).",
    ),
    "keygen": (
        "_keys",
        "keygen",
        "Make an Ed25519 key pair for signing bundles: KEY (private, readable only by you) and "
        "KEY.pub (public: give it to whoever serves the bundles).",
    ),
    "predict": (
        "_predict",
        "predict",
        "Score every row of DATA with the bundle: one probability per class and the decision "
        "(for a clustering bundle: the cluster, in a column named cluster).",
    ),
    "serve": (
        "_serve",
        "serve",
        "Serve the bundle: GET /ping, POST /invocations (CSV or JSON), POST /v1/predict, GET "
        "/v1/model, GET /metrics (Prometheus) and GET /openapi.json.",
    ),
    "package": (
        "_package",
        "package",
        "Write a Docker build folder whose image serves the bundle, unchanged, on SageMaker "
        "(`docker run IMAGE serve`, model data in /opt/ml/model) and on ECS/Fargate (port 8080,"
        " health check GET /ping).",
    ),
    "profile": (
        "_profile",
        "profile",
        "Profile a bundle: in-process latency by batch size, the real server's latency and "
        "throughput on loopback, cold start, memory per worker, bundle size and this machine's "
        "CPU.",
    ),
    "cost": (
        "_cost",
        "cost",
        "Price every way to serve the profiled bundle at this traffic (SageMaker real-time, "
        "serverless and batch transform, ECS on Fargate or EC2, Lambda) and say which is "
        "cheapest within the latency target, and whether a GPU is worth it.",
    ),
    "drift": (
        "_drift",
        "drift",
        "Compare CURRENT with the training data's profile the bundle carries: per feature an "
        "effect size (normalised Wasserstein, or Jensen-Shannon distance), PSI with the value "
        "no drift would exceed at this sample size, adjusted p-values and a verdict; drift of "
        "the model's scores; a domain classifier's AUC; drifted features ranked by importance.",
    ),
    "monitor": (
        "_monitor",
        "monitor",
        "Monitor what the server captured, window by window: drift of each feature and of the "
        "scores, the decision rate, the performance estimated from the probabilities (no labels "
        "needed) and, with --labels, the realised performance; say whether to retrain now.",
    ),
    "cadence": (
        "_cadence",
        "cadence",
        "Backtest retraining intervals and training windows on the spec's time column and "
        "recommend a cadence.",
    ),
    "challenge": (
        "_challenge",
        "challenge",
        "Retrain SPEC on new data and compare it with the live model on the same recent rows "
        "(DeLong, McNemar, paired bootstrap of decision cost); the verdict (promote, or keep the "
        "champion) applied with --promote.",
    ),
    "retrain": (
        "_challenge",
        "retrain",
        "The scheduled loop: retrain SPEC on its newest data, challenge NAME@ALIAS, promote by "
        "the spec's rule, and say what was done in one line.",
    ),
    "report": (
        "_report",
        "report",
        "Write one self-contained HTML report (works offline: no scripts, no network).",
    ),
    "ui": (
        "_report",
        "ui",
        "Browse the run store: runs filtered by experiment and status, each run's report, and "
        "two runs side by side.",
    ),
    "prices": (
        "_prices",
        "prices",
        "The price table learnburn cost reads: where it comes from, and refreshing it.",
    ),
    "deploy": (
        "_deploy",
        "deploy",
        "Deploy a bundle to SageMaker or ECS on Fargate with CloudFormation; show or delete the"
        " stack.",
    ),
    "nb": (
        "_nb",
        "nb",
        "Notebooks: run one as a tracked experiment; check and strip them before a commit.",
    ),
}


class LazyCommands(Mapping[str, Any]):
    """The root group's commands: every name in ``COMMANDS``, each built on first access."""

    def __init__(self, rich_markup_mode: Any) -> None:
        self.rich_markup_mode = rich_markup_mode
        self.loaded: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self.loaded:
            if name not in COMMANDS:
                raise KeyError(name)
            self.loaded[name] = load_command(name, self.rich_markup_mode)
        return self.loaded[name]

    def __contains__(self, name: object) -> bool:
        return name in COMMANDS

    def __iter__(self) -> Iterator[str]:
        return iter(COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS)


class LazyGroup(TyperGroup):
    """The root group: builds each command from ``COMMANDS`` on first use, as Typer builds the
    commands of ``app.command`` and ``app.add_typer``; its help lists them without building."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(self.rich_markup_mode)  # type: ignore[assignment]

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        from typer._click.utils import make_default_short_help

        limit = formatter.width - 6 - max(map(len, COMMANDS))
        rows = [
            (name, make_default_short_help(text, limit)) for name, (*_, text) in COMMANDS.items()
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def load_command(name: str, rich_markup_mode: Any) -> Any:
    """The click command for ``name``: its module imported, then built by Typer."""
    module, attribute, _ = COMMANDS[name]
    target = getattr(importlib.import_module(f"learnburn.cli.{module}"), attribute)
    short = app.pretty_exceptions_short
    if isinstance(target, typer.Typer):
        return typer.main.get_group_from_info(
            TyperInfo(target, name=name), pretty_exceptions_short=short,
            rich_markup_mode=rich_markup_mode, suggest_commands=app.suggest_commands,
        )  # fmt: skip
    info = CommandInfo(name=name, callback=target)
    return typer.main.get_command_from_info(
        info, pretty_exceptions_short=short, rich_markup_mode=rich_markup_mode
    )


app = typer.Typer(
    name="learnburn",
    cls=LazyGroup,
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


def main() -> None:
    app()
