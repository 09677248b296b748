"""A run with tuned candidates: every search recorded, the holdout untouched, reproduce checks."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from learnburn.spec import load_spec, parse_spec
from learnburn.workflows import open_store, reproduce_run, run_and_record, run_experiment

SPEC = """
[experiment]
name = "tuned"
[data]
path = "{path}"
target = "{target}"
[evaluation]
folds = 2
repeats = 1
seed = 2
holdout = 0.25
[candidates.{name}]
model = "{model}"
preprocessing = "{preprocessing}"
search = {{ n_trials = 3, inner_folds = 2, space = {{ C = "log-uniform(0.01, 10)" }} }}
"""


def _spec_text(path, target="label", name="lr", model="logistic_regression", prep="auto") -> str:
    return SPEC.format(path=path, target=target, name=name, model=model, preprocessing=prep)


def test_run_records_every_search_its_trials_and_the_refit_params(table_csv):
    """The record's tuning holds each outer fold's search (trials with params, inner score and
    time) and the refit's search, whose params the refit model uses."""
    result = run_experiment(parse_spec(_spec_text(table_csv)))
    tuning = json.loads(result.to_json())["tuning"]
    lr = tuning["candidates"]["lr"]
    assert [(s["repeat"], s["fold"]) for s in lr["searches"]] == [(0, 0), (0, 1)]
    trial = lr["searches"][0]["trials"][0]
    assert set(trial) >= {"params", "score", "inner_scores", "state", "seconds"}
    refit = tuning["refit"]["lr"]
    assert (refit["repeat"], refit["fold"]) == (-1, -1)
    assert refit["best_params"]["C"] == result.model.named_steps["model"].C
    assert tuning["deterministic"] is True and lr["trials_run"] == 6


def test_holdout_rows_reach_neither_the_searches_nor_the_refit(tmp_path, recorder):
    """Instrumented fits: every fit of the run (outer searches, outer fits, the refit's search
    and the refit) saw development rows only."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 2))
    frame = pd.DataFrame(X, columns=["a", "b"]).assign(
        row_id=rng.permutation(120), y=(X[:, 0] + rng.normal(size=120) > 0).astype(int)
    )
    frame.to_csv(tmp_path / "rows.csv", index=False)
    text = _spec_text(tmp_path / "rows.csv", "y", "rec", "row_recorder:RowRecordingClassifier",
                      "none")  # fmt: skip
    result = run_experiment(parse_spec(text))
    holdout_ids = set(frame["row_id"].to_numpy()[_holdout_rows(result)])
    assert len(holdout_ids) == 30 and len(recorder.FITS) > 4
    assert all(not set(seen) & holdout_ids for seen in recorder.FITS)


def _holdout_rows(result) -> np.ndarray:
    rows = result.predictions.query("split == 'holdout'")["row"]
    return rows.to_numpy()


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)


@pytest.fixture
def repo(tmp_path, table_maker) -> Path:
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.email", "test@example.com")
    _git(root, "config", "user.name", "Test")
    table_maker().to_csv(root / "data" / "table.csv", index=False)
    (root / ".gitignore").write_text("data/\n.learnburn/\n")
    (root / "tuned.toml").write_text(_spec_text("data/table.csv"))
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "a tuned experiment")
    return root


def test_reproduce_reruns_the_searches_and_names_a_trial_that_differs(repo):
    """A reproduction re-runs every search; a recorded trial changed in the store is named."""
    with open_store(start=repo) as store:
        run_id = run_and_record(load_spec(repo / "tuned.toml"), store=store).run_id
        assert reproduce_run(store, run_id).exact
    with sqlite3.connect(repo / ".learnburn" / "store.db") as connection:
        [text] = connection.execute("SELECT record FROM runs WHERE id = ?", (run_id,)).fetchone()
        record = json.loads(text)
        record["tuning"]["candidates"]["lr"]["searches"][1]["trials"][0]["params"]["C"] = 9.0
        connection.execute("UPDATE runs SET record = ? WHERE id = ?", (json.dumps(record), run_id))
    with open_store(start=repo) as store:
        outcome = reproduce_run(store, run_id)
    assert not outcome.exact and outcome.max_difference == 0.0
    assert outcome.differences == ("tuning (every trial and the refit's parameters): "
                                   "lr repeat 0 fold 1 differs",)  # fmt: skip


def test_a_time_budget_is_recorded_and_marks_the_tuning_not_deterministic(table_csv):
    """With --time-budget the record keeps the budget, each search's share, and says that the
    trials depend on the clock."""
    result = run_experiment(parse_spec(_spec_text(table_csv)), time_budget=60.0)
    tuning = result.tuning
    assert tuning["time_budget_s"] == 60.0 and tuning["deterministic"] is False
    assert tuning["per_search_budget_s"] == pytest.approx(60.0 / 3)  # 2 outer folds + 1 refit
