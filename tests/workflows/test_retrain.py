"""The retrain interval (`--every`)."""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta

import pytest

from learnburn.errors import DataError, ProvenanceWarning, RunStoreError
from learnburn.spec import load_spec
from learnburn.workflows import open_store, parse_every, promote_run, retrain_model


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2w", timedelta(weeks=2)), ("36h", timedelta(hours=36)), ("1w3d", timedelta(days=10))],
)
def test_parse_every_reads_hours_days_and_weeks(text, expected):
    """A number and a unit (h, d, w), possibly several."""
    assert parse_every(text) == expected


@pytest.mark.parametrize("text", ["", "2", "two weeks", "2m", "2w x"])
def test_parse_every_refuses_what_is_not_an_interval(text):
    """Anything else is an error whose hint shows the format."""
    with pytest.raises(RunStoreError, match="is not an interval") as info:
        parse_every(text)
    assert "2w" in info.value.hint


def _promoted(store) -> str:
    run_id = store.start_run(
        experiment="loans", spec_text="", spec_hash="0" * 64, seed=0, provenance={},
        environment={},
    )  # fmt: skip
    store.finish_run(run_id, None)
    sha, size = store.artifacts.put_bytes(b"bundle")
    store.add_artifact(run_id, "bundle.lbm", sha, size, "bundle")
    return promote_run(store, "loans", run_id, actor="ana").at


def _spec(tmp_path):
    path = tmp_path / "loans.toml"
    path.write_text(
        '[experiment]\nname = "loans"\n[data]\npath = "missing.csv"\ntarget = "label"\n'
        "[candidates.logistic_regression]\n"
    )
    return load_spec(path)


def test_retrain_skips_while_the_last_decision_is_younger_than_every(tmp_path):
    """13 days after the promote, --every 2w trains nothing and says when it last moved."""
    with open_store(tmp_path / "store.db") as store:
        at = datetime.fromisoformat(_promoted(store))
        outcome = retrain_model(
            _spec(tmp_path), store=store, model="loans", every=timedelta(weeks=2),
            now=at + timedelta(days=13),
        )  # fmt: skip
    assert (outcome.action, outcome.exit_code, outcome.run_id) == ("skipped", 0, None)
    assert outcome.summary() == (
        "loans@production: skipped, last promote 1.9w ago (every 2w); v1 stays live"
    )


def test_retrain_challenges_once_the_last_decision_is_older_than_every(tmp_path):
    """15 days after the promote it retrains: here the spec's data is missing, so the attempt
    fails with the data error, which shows it did not skip."""
    with open_store(tmp_path / "store.db") as store:
        at = datetime.fromisoformat(_promoted(store))
        with warnings.catch_warnings(), pytest.raises(DataError, match=r"missing\.csv"):
            warnings.simplefilter("ignore", ProvenanceWarning)  # tmp_path is not a repository
            retrain_model(
                _spec(tmp_path), store=store, model="loans", every=timedelta(weeks=2),
                now=at + timedelta(days=15),
            )  # fmt: skip


def _monitor_json(tmp_path, *, retrain: bool, reason: str):
    """The verdict part of the JSON that `learnburn monitor --json` writes."""
    import json

    path = tmp_path / "monitor.json"
    path.write_text(json.dumps({"format": "learnburn-monitor", "retrain": retrain,
                                "reason": reason}))  # fmt: skip
    return path


def test_retrain_skips_when_the_monitor_does_not_call_for_it(tmp_path):
    """--when-monitor-alerts: a monitor report without an alert trains nothing and says why."""
    evidence = _monitor_json(tmp_path, retrain=False, reason="no alert in the latest window")
    with open_store(tmp_path / "store.db") as store:
        _promoted(store)
        outcome = retrain_model(_spec(tmp_path), store=store, model="loans", monitor=evidence)
    assert (outcome.action, outcome.exit_code, outcome.run_id) == ("skipped", 0, None)
    assert outcome.summary() == (
        "loans@production: skipped, the monitor does not call for retraining (no alert in the "
        "latest window); v1 stays live"
    )


def test_retrain_runs_when_the_monitor_calls_for_it(tmp_path):
    """A monitor report with an alert lets the retrain go on (here it fails on the spec's
    missing data, which shows it did not skip)."""
    evidence = _monitor_json(tmp_path, retrain=True, reason="realised loss 0.04 > 0.01")
    with open_store(tmp_path / "store.db") as store:
        _promoted(store)
        with warnings.catch_warnings(), pytest.raises(DataError, match=r"missing\.csv"):
            warnings.simplefilter("ignore", ProvenanceWarning)  # tmp_path is not a repository
            retrain_model(_spec(tmp_path), store=store, model="loans", monitor=evidence)


def test_retrain_refuses_a_file_that_is_not_a_monitor_report(tmp_path):
    """Anything but monitor's JSON is a DataError naming the command that writes it."""
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}')
    with open_store(tmp_path / "store.db") as store:
        _promoted(store)
        with pytest.raises(DataError, match="not a learnburn monitor report") as info:
            retrain_model(_spec(tmp_path), store=store, model="loans", monitor=other)
    assert "learnburn monitor" in info.value.hint
