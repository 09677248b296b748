"""`challenge_model` on Agrawal streams with known concepts, in a real SQLite store: a challenger
trained after a concept change beats the stale champion and is promoted; on stationary data it
is equivalent and the spec's rule decides; a worse challenger is never promoted."""

from __future__ import annotations

import textwrap
import warnings
from pathlib import Path

import pytest

from learnburn.errors import DataError, ProvenanceWarning
from learnburn.spec import load_spec
from learnburn.testing import agrawal_stream
from learnburn.workflows import open_store, promote_run, run_and_record
from learnburn.workflows._challenge import challenge_model

ROWS = 1600  # 800 old rows for the champion, 800 new ones for the challenger
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
    metric = "roc_auc"
    seed = 0
    holdout = 0.3

    [challenge]
    when_equivalent = "{rule}"

    [candidates.{candidate}]
    {params}
"""
TREE = ("decision_tree", "params = { max_depth = 4 }")


def _spec(folder: Path, rule: str = "newer", candidate=TREE, name: str = "loans.toml") -> Path:
    path = folder / name
    text = SPEC.format(rule=rule, candidate=candidate[0], params=candidate[1])
    path.write_text(textwrap.dedent(text))
    return path


def _write_halves(folder: Path, **stream) -> None:
    frame = agrawal_stream(ROWS, perturbation=0.05, seed=3, **stream)
    frame.iloc[: ROWS // 2].to_csv(folder / "old.csv", index=False)
    frame.iloc[ROWS // 2 :].to_csv(folder / "new.csv", index=False)


@pytest.fixture
def quiet():
    """The test folder is not a git repository: the runs say so; that is expected here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvenanceWarning)
        yield


def _champion(store, folder: Path) -> str:
    run = run_and_record(load_spec(_spec(folder, name="champion.toml")), store=store)
    promote_run(store, "loans", run.run_id, alias="production", reason="first")
    return run.run_id


def test_a_challenger_after_a_concept_change_beats_the_stale_champion(tmp_path, quiet):
    """Agrawal function 1, then function 2 from the middle: the retrained model wins and
    --promote moves production to it, with the evidence in the history."""
    _write_halves(tmp_path, functions=(1, 2), drift_points=(ROWS // 2,))
    with open_store(start=tmp_path) as store:
        _champion(store, tmp_path)
        result = challenge_model(
            load_spec(_spec(tmp_path)), store=store, against="loans@production",
            data=tmp_path / "new.csv", promote=True,
        )  # fmt: skip
        live = store.registry.resolve("loans", "production")
        last = store.registry.history("loans", "production")[-1]
    assert (result.verdict, result.action, result.exit_code) == ("better", "promote", 0)
    assert live.run_id == result.challenger["run_id"] and live.version == 2
    assert last.evidence["verdict"] == "better" and last.evidence["rows"] == result.rows


def test_on_stationary_data_an_equivalent_challenger_is_promoted_by_the_newer_rule(tmp_path, quiet):
    """One concept throughout: equivalent within the margin; "newer" promotes it."""
    _write_halves(tmp_path, functions=(1,))
    with open_store(start=tmp_path) as store:
        _champion(store, tmp_path)
        result = challenge_model(
            load_spec(_spec(tmp_path, "newer")), store=store, against="loans@production",
            data=tmp_path / "new.csv", promote=True,
        )  # fmt: skip
        live = store.registry.resolve("loans", "production")
    assert (result.verdict, result.action) == ("equivalent", "promote")
    assert "newer data" in result.rule and live.version == 2


def test_on_stationary_data_the_keep_rule_keeps_the_champion(tmp_path, quiet):
    """The same equivalent challenger under when_equivalent = "keep": the champion stays, exit 0,
    and the history records the decision."""
    _write_halves(tmp_path, functions=(1,))
    with open_store(start=tmp_path) as store:
        champion = _champion(store, tmp_path)
        result = challenge_model(
            load_spec(_spec(tmp_path, "keep")), store=store, against="loans@production",
            data=tmp_path / "new.csv", promote=True,
        )  # fmt: skip
        live = store.registry.resolve("loans", "production")
        last = store.registry.history("loans", "production")[-1]
    assert (result.verdict, result.action, result.exit_code) == ("equivalent", "keep", 0)
    assert live.run_id == champion and (last.action, last.to_version) == ("keep", 1)


def test_a_worse_challenger_is_never_promoted(tmp_path, quiet):
    """A changed spec whose model cannot learn the concept (a baseline): worse, kept, exit 1."""
    _write_halves(tmp_path, functions=(1,))
    with open_store(start=tmp_path) as store:
        champion = _champion(store, tmp_path)
        worse = _spec(tmp_path, candidate=("dummy", ""), name="worse.toml")
        result = challenge_model(
            load_spec(worse), store=store, against="loans@production",
            data=tmp_path / "new.csv", promote=True,
        )  # fmt: skip
        live = store.registry.resolve("loans", "production")
    assert (result.verdict, result.action, result.exit_code) == ("worse", "keep", 1)
    assert live.run_id == champion


def test_a_challenger_that_drops_a_column_the_champion_reads_needs_other_rows(tmp_path, quiet):
    """The comparison rows come from the challenger's spec; when they lack a column the champion
    reads, the error names it and points at --eval."""
    _write_halves(tmp_path, functions=(1,))
    with open_store(start=tmp_path) as store:
        _champion(store, tmp_path)
        spec = _spec(tmp_path, name="dropped.toml")
        spec.write_text(
            spec.read_text().replace('time_column = "time"', 'time_column = "time"\ndrop = ["car"]')
        )
        with pytest.raises(DataError, match="lack column\\(s\\) car") as info:
            challenge_model(
                load_spec(spec), store=store, against="loans@production",
                data=tmp_path / "new.csv",
            )  # fmt: skip
    assert "--eval" in info.value.hint
