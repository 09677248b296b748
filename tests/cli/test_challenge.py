"""`learnburn retrain` and `learnburn challenge` on a real SQLite store: one line of outcome and
the exit codes a scheduler reads (0 promoted, kept by rule or skipped; 1 kept because worse;
2 error)."""

from __future__ import annotations

import json
import re
import textwrap

import pytest
from typer.testing import CliRunner

from learnburn.cli import app
from learnburn.testing import agrawal_stream

SPEC = """
    [experiment]
    name = "loans"

    [data]
    path = "old.csv"
    target = "label"
    time_column = "time"

    [evaluation]
    folds = 2
    repeats = 1
    seed = 0
    holdout = 0.3

    [candidates.{candidate}]
    {params}
"""


@pytest.fixture
def folder(tmp_path):
    frame = agrawal_stream(1200, perturbation=0.05, seed=3)
    frame.iloc[:600].to_csv(tmp_path / "old.csv", index=False)
    frame.iloc[600:].to_csv(tmp_path / "new.csv", index=False)
    for name, candidate, params in (
        ("loans.toml", "decision_tree", "params = { max_depth = 4 }"),
        ("worse.toml", "dummy", ""),
    ):
        text = SPEC.format(candidate=candidate, params=params)
        (tmp_path / name).write_text(textwrap.dedent(text))
    return tmp_path


def _invoke(folder, *args: str):
    runner = CliRunner(env={"COLUMNS": "200", "LEARNBURN_STORE": str(folder / "store.db")})
    quiet = ["--quiet"] if args[0] in ("retrain", "challenge") else []
    return runner.invoke(app, [*args, *quiet])


def test_retrain_promotes_a_first_version_then_skips_within_every(folder):
    """No champion yet: the first run is promoted; run again within --every: skipped, exit 0."""
    spec = str(folder / "loans.toml")
    first = _invoke(folder, "retrain", spec, "--model", "loans", "--every", "2w")
    assert first.exit_code == 0, first.output
    assert "no champion yet; promoted run" in first.output and "as v1" in first.output
    again = _invoke(folder, "retrain", spec, "--model", "loans", "--every", "2w")
    assert again.exit_code == 0, again.output
    assert "loans@production: skipped, last promote" in again.output
    assert len(again.output.strip().splitlines()) == 1


def test_retrain_with_a_worse_challenger_exits_1_and_keeps_the_champion(folder, tmp_path):
    """A baseline challenger: one line saying it was kept, exit 1, the report written."""
    assert _invoke(folder, "retrain", str(folder / "loans.toml"), "--model", "loans").exit_code == 0
    report = tmp_path / "challenge.json"
    done = _invoke(
        folder, "retrain", str(folder / "worse.toml"), "--model", "loans",
        "--data", str(folder / "new.csv"), "--report", str(report),
    )  # fmt: skip
    assert done.exit_code == 1, done.output
    assert "loans@production: challenger worse, kept v1" in done.output
    assert json.loads(report.read_text())["verdict"] == "worse"


def test_challenge_of_an_unknown_model_exits_2(folder):
    """An error (no such model) is exit code 2, not 1 (which means "worse")."""
    done = _invoke(
        folder, "challenge", str(folder / "loans.toml"), "--against", "nobody@production"
    )
    assert done.exit_code == 2
    assert "no model 'nobody'" in done.output


def test_challenge_without_promote_only_reports(folder):
    """Without --promote the verdict is printed and the alias history is unchanged."""
    assert _invoke(folder, "retrain", str(folder / "loans.toml"), "--model", "loans").exit_code == 0
    done = _invoke(
        folder, "challenge", str(folder / "loans.toml"), "--against", "loans@production",
        "--data", str(folder / "new.csv"),
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "loans@production: challenger " in done.output and ", would " in done.output
    shown = _invoke(folder, "models", "show", "loans", "--json")
    assert [move["action"] for move in json.loads(shown.output)["history"]] == ["promote"]


def _run_of(folder, run_id: str):
    from learnburn.workflows import open_store

    with open_store(folder / "store.db") as store:
        return store.get_run(run_id)


def _versions(folder) -> list[dict]:
    shown = _invoke(folder, "models", "show", "loans", "--json")
    return json.loads(shown.output)["versions"]


def test_retrain_since_learns_from_the_window_only_and_records_it(folder):
    """--since 2024-01-14 keeps old.csv's rows from that day on (288 of 600, hourly from
    2024-01-01); the run records the window so that reproduce reads the same rows."""
    done = _invoke(
        folder, "retrain", str(folder / "loans.toml"), "--model", "loans", "--since", "2024-01-14"
    )
    assert done.exit_code == 0, done.output
    detail = _run_of(folder, _versions(folder)[0]["run_id"])
    assert detail.record["data"]["rows"] == 288
    assert detail.provenance["data_window"] == {"since": "2024-01-14", "until": None}


def test_challenge_since_and_until_read_only_the_window_of_the_new_data(folder):
    """The challenger reads new.csv (hourly from 2024-01-26) between --since and --until only;
    the champion trained on every row of old.csv."""
    assert _invoke(folder, "retrain", str(folder / "loans.toml"), "--model", "loans").exit_code == 0
    done = _invoke(
        folder, "challenge", str(folder / "loans.toml"), "--against", "loans@production",
        "--data", str(folder / "new.csv"), "--since", "2024-02-05", "--until", "2024-02-15",
    )  # fmt: skip
    assert done.exit_code in (0, 1), done.output
    challenger = re.search(r"challenger run ([0-9a-f]{8})", done.output)[1]
    detail = _run_of(folder, challenger)
    assert detail.record["data"]["rows"] == 240
    assert detail.provenance["data_window"] == {"since": "2024-02-05", "until": "2024-02-15"}
    assert _run_of(folder, _versions(folder)[0]["run_id"]).record["data"]["rows"] == 600


def test_challenge_since_without_a_time_column_exits_2_naming_the_fix(folder):
    """A window needs the column whose times it bounds: an error (exit 2), nothing trained."""
    spec = folder / "loans.toml"
    spec.write_text(spec.read_text().replace('time_column = "time"\n', ""))
    done = _invoke(folder, "challenge", str(spec), "--against", "loans@production", "--since", "2w")
    assert done.exit_code == 2
    assert "no time_column" in done.output


def test_challenge_compares_on_every_row_of_eval_whatever_the_window(folder, tmp_path):
    """--since/--until bound what the challenger learns from; --eval FILE is compared whole."""
    assert _invoke(folder, "retrain", str(folder / "loans.toml"), "--model", "loans").exit_code == 0
    report = tmp_path / "challenge.json"
    done = _invoke(
        folder, "challenge", str(folder / "loans.toml"), "--against", "loans@production",
        "--data", str(folder / "new.csv"), "--until", "2024-02-05",
        "--eval", str(folder / "new.csv"), "--report", str(report),
    )  # fmt: skip
    assert done.exit_code in (0, 1), done.output
    assert json.loads(report.read_text())["rows"] == 600
