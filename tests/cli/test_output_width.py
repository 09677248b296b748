"""Output that survives a pipe or a CI log (80 columns, not a terminal): no name is cut or
folded, no header is shortened to an ellipsis, and --help shows every default."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import click
import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from learnburn.candidates import describe_candidates, describe_clusterers
from learnburn.cli import app
from learnburn.cli._progress import fold_progress
from learnburn.evaluation import FoldScore
from learnburn.workflows import ProgressEvent

narrow = CliRunner(env={"COLUMNS": "80"})

LONG_NAMES = """
    [experiment]
    name = "wrapping"
    [data]
    path = "table.csv"
    target = "label"
    [evaluation]
    folds = 2
    repeats = 1
    metric = "average_precision"
    [candidates.random_forest]
    params = { n_estimators = 5 }
    grid = { max_depth = [3, 6] }
    [candidates.logistic_regression]
"""
EXPANDED = ("random_forest[max_depth=3]", "random_forest[max_depth=6]", "logistic_regression")


def _first_words(output: str) -> set[str]:
    return {line.split()[0] for line in output.splitlines() if line.split()}


@pytest.fixture(scope="module")
def long_names_run(tmp_path_factory, table_maker):
    """One recorded run of candidates with long grid names, printed at 80 columns."""
    folder = tmp_path_factory.mktemp("wrapping")
    table_maker().to_csv(folder / "table.csv", index=False)
    spec = folder / "wrapping.toml"
    spec.write_text(textwrap.dedent(LONG_NAMES))
    store = str(folder / "store.db")
    result = narrow.invoke(app, ["run", str(spec), "-q", "--store", store])
    assert result.exit_code == 0, result.output
    return result.output, store


def test_candidates_at_80_columns_shows_every_name_whole():
    """Every registered name starts a line, whole, in `learnburn candidates` at 80 columns."""
    result = narrow.invoke(app, ["candidates"])
    assert result.exit_code == 0, result.output
    names = {info.name for info in (*describe_candidates(), *describe_clusterers())}
    assert names <= _first_words(result.output)
    assert "…" not in result.output


def test_leaderboard_at_80_columns_shows_long_candidate_names_whole(long_names_run):
    """Grid-expanded names appear whole in the leaderboard; nothing is cut to an ellipsis."""
    output, _ = long_names_run
    for name in EXPANDED:
        assert any(name in line for line in output.splitlines()), name
    assert "…" not in output


def test_leaderboard_header_is_never_shortened(long_names_run):
    """The metric is named in full (in the title), not as a header cut to 'average…'."""
    output, _ = long_names_run
    assert "average_precision, higher is better" in output
    assert "average…" not in output


def test_runs_at_80_columns_shows_experiment_and_winner_whole(long_names_run, monkeypatch):
    """`learnburn runs` keeps the experiment name and the winner's full name on the run's line."""
    _, store = long_names_run
    monkeypatch.chdir(Path(store).parent)  # the artifacts folder is found from the cwd
    result = narrow.invoke(app, ["runs", "--store", store])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if "wrapping" in line.split())
    assert any(name in line.split() or f"{name}*" in line.split() for name in EXPANDED), line


def _commands(command: click.Command, path: tuple[str, ...] = ()):
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


def test_help_shows_every_options_help_text_whole():
    """Each command's --help holds each option's help text in full: nothing in square brackets
    is swallowed as markup, as '[default: ...]' was."""
    eaten = []
    for path, command in _commands(typer.main.get_command(app)):
        shown = "".join(narrow.invoke(app, [*path, "--help"]).output.split())
        for param in command.params:  # compared without whitespace: lines break anywhere
            text = "".join((getattr(param, "help", None) or "").split())
            if text not in shown:
                eaten.append(f"{' '.join(path)} {param.name}")
    assert eaten == []


def test_init_help_shows_its_defaults():
    """`init --help` names the default spec path and experiment name."""
    result = narrow.invoke(app, ["init", "--help"])
    assert "[default: (experiments/NAME.toml)]" in " ".join(result.output.split())
    assert "stem" in result.output and " ." not in result.output


def test_help_reflows_a_docstring_to_the_width():
    """`run --help` at 80 columns keeps whole sentences together (no line cut after 'one is')."""
    result = narrow.invoke(app, ["run", "--help"])
    assert result.exit_code == 0
    assert all(len(line) <= 80 for line in result.output.splitlines())
    assert "one is chosen" in " ".join(result.output.split())
    assert not any(line.rstrip().endswith("one is") for line in result.output.splitlines())


def test_progress_bar_shows_the_current_candidate_and_the_time_left():
    """The bar's last frame names the candidate whose fold finished last and the time left."""
    console = Console(file=io.StringIO(), force_terminal=True, width=140, record=True)
    with fold_progress(console) as progress:
        progress(ProgressEvent("folds", "evaluating 2 candidates", total=4))
        for candidate in ("logistic_regression", "random_forest"):
            fold = FoldScore(candidate, 0, 0, 0.9, {}, 0.1, 0.01, 10, 5)
            progress(ProgressEvent("fold", fold=fold))
    shown = console.export_text()
    assert "last: random_forest" in shown
    assert "left" in shown and "elapsed" in shown and "2/4" in shown


def test_progress_in_a_pipe_prints_plain_lines_with_the_time_left():
    """Not a terminal: a line per tenth of the folds, with the time left and the last candidate."""
    console = Console(file=io.StringIO(), width=80)
    with fold_progress(console) as progress:
        progress(ProgressEvent("folds", "evaluating 1 candidate", total=20))
        for _ in range(20):
            fold = FoldScore("random_forest", 0, 0, 0.9, {}, 0.1, 0.01, 10, 5)
            progress(ProgressEvent("fold", fold=fold))
    lines = console.file.getvalue().splitlines()
    assert lines[0] == "evaluating 1 candidate: 20 fold tasks"
    assert len(lines) == 1 + 11  # the first fold, then one line per tenth (not one per fold)
    assert lines[-1].startswith("  20/20 folds, ") and lines[-1].endswith("last: random_forest")
    assert all(" left" in line for line in lines[1:])
