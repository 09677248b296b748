"""`reproduce` and `diff` check every decision a run made, not only its fold scores."""

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from learnburn.cli import app
from learnburn.spec import load_spec
from learnburn.workflows import diff_runs, open_store, reproduce_run, run_and_record

runner = CliRunner(env={"COLUMNS": "200"})

SPEC = """
[experiment]
name = "decided"
[data]
path = "../data/table.csv"
target = "label"
[evaluation]
folds = 3
repeats = 1
seed = 4
holdout = 0.25
[decision]
calibration = "sigmoid"
[decision.costs]
false_positive = 1.0
false_negative = 4.0
[candidates.logistic_regression]
[candidates.forest]
model = "random_forest"
params = { n_estimators = 10 }
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)


@pytest.fixture
def repo(tmp_path, table_maker) -> Path:
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    (root / "experiments").mkdir()
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.email", "test@example.com")
    _git(root, "config", "user.name", "Test")
    table_maker().to_csv(root / "data" / "table.csv", index=False)
    (root / ".gitignore").write_text("data/\n.learnburn/\n")
    (root / "experiments" / "decided.toml").write_text(SPEC)
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "an experiment with costs")
    return root


def _record_run(repo: Path) -> str:
    with open_store(start=repo) as store:
        return run_and_record(load_spec(repo / "experiments" / "decided.toml"), store=store).run_id


def _tamper(repo: Path, run_id: str, change) -> dict:
    """Rewrite the stored record of ``run_id`` in the real SQLite file; return the original."""
    with sqlite3.connect(repo / ".learnburn" / "store.db") as connection:
        [text] = connection.execute("SELECT record FROM runs WHERE id = ?", (run_id,)).fetchone()
        original = json.loads(text)
        record = json.loads(text)
        change(record)
        connection.execute("UPDATE runs SET record = ? WHERE id = ?", (json.dumps(record), run_id))
    return original


def _other_decisions(record: dict) -> None:
    record["winner"] = "someone_else"
    record["decision"]["threshold"] = 0.003
    record["decision"]["calibration"] = "isotonic"
    record["holdout"]["score"] = 0.5


def test_reproduce_names_each_decision_that_came_out_otherwise(repo, monkeypatch):
    """Same fold scores but another recorded choice, threshold, calibration and holdout score:
    not exact, each named, and the CLI exits 1."""
    run_id = _record_run(repo)
    original = _tamper(repo, run_id, _other_decisions)
    with open_store(start=repo) as store:
        outcome = reproduce_run(store, run_id)
    assert outcome.max_difference == 0.0 and not outcome.exact
    assert len(outcome.differences) == 4  # the splits and everything else came out the same
    named = "\n".join(outcome.differences)
    assert f"chosen candidate: someone_else -> {original['winner']}" in named
    assert f"decision threshold: 0.003 -> {original['decision']['threshold']:.6g}" in named
    assert "calibration: isotonic -> sigmoid" in named
    assert f"holdout roc_auc: 0.5 -> {original['holdout']['score']:.6g}" in named
    monkeypatch.chdir(repo)
    monkeypatch.delenv("LEARNBURN_STORE", raising=False)
    done = runner.invoke(app, ["reproduce", run_id, "-q"])
    assert done.exit_code == 1 and "Not reproduced exactly" in done.output
    assert "chosen candidate: someone_else" in done.output


def test_diff_names_a_changed_choice_and_threshold(repo, monkeypatch):
    """Two runs whose records differ in the choice and the threshold: diff names both."""
    first, second = _record_run(repo), _record_run(repo)
    original = _tamper(repo, second, _other_decisions)
    with open_store(start=repo) as store:
        diff = diff_runs(store, first, second)
    assert f"chosen candidate: {original['winner']} -> someone_else" in diff.decisions
    assert any(line.startswith("decision threshold:") for line in diff.decisions)
    monkeypatch.chdir(repo)
    monkeypatch.delenv("LEARNBURN_STORE", raising=False)
    done = runner.invoke(app, ["diff", first, second])
    assert done.exit_code == 0 and "-> someone_else" in done.output
