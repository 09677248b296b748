"""`learnburn promote`, `rollback`, `models` and `models:/NAME@ALIAS` references, on a real
SQLite store with two real runs."""

from __future__ import annotations

import hashlib
import textwrap
import warnings

import pytest
from typer.testing import CliRunner

from learnburn.cli import app
from learnburn.errors import ProvenanceWarning
from learnburn.spec import load_spec
from learnburn.workflows import open_store, run_and_record

SPEC = """
    [experiment]
    name = "loans"

    [data]
    path = "table.csv"
    target = "label"

    [evaluation]
    folds = 2
    metric = "roc_auc"
    seed = {seed}
    holdout = 0.25

    [candidates.logistic_regression]
"""


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, table_maker):
    """A store with two finished runs (different seeds, so different bundles)."""
    folder = tmp_path_factory.mktemp("registry")
    table_maker(n_rows=160).to_csv(folder / "table.csv", index=False)
    ids = []
    with open_store(start=folder) as store:
        for seed in (1, 2):
            spec = folder / f"loans{seed}.toml"
            spec.write_text(textwrap.dedent(SPEC.format(seed=seed)))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ProvenanceWarning)
                ids.append(run_and_record(load_spec(spec), store=store).run_id)
        url = store.url
    return folder, url, ids


def _runner(url: str) -> CliRunner:
    return CliRunner(env={"COLUMNS": "200", "LEARNBURN_STORE": url})


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_promote_then_bundle_models_reference_writes_the_promoted_bundle(two_runs, tmp_path):
    """`bundle models:/loans@production` writes the bytes of the run promoted there."""
    _, url, (first, _) = two_runs
    runner = _runner(url)
    done = runner.invoke(app, ["promote", "loans-a", first, "--reason", "first model"])
    assert done.exit_code == 0, done.output
    assert "promote none -> v1" in done.output
    by_run = runner.invoke(app, ["bundle", first, "-o", str(tmp_path / "run.lbm")])
    by_alias = runner.invoke(
        app, ["bundle", "models:/loans-a@production", "-o", str(tmp_path / "live.lbm")]
    )
    assert by_run.exit_code == 0 and by_alias.exit_code == 0, by_alias.output
    assert _sha(tmp_path / "live.lbm") == _sha(tmp_path / "run.lbm")


def test_rollback_restores_the_previous_bundle_by_hash(two_runs, tmp_path):
    """Promote run 1, then run 2, then roll back: the alias's bundle is run 1's again."""
    _, url, (first, second) = two_runs
    runner = _runner(url)
    for run_id in (first, second):
        assert runner.invoke(app, ["promote", "loans-b", run_id]).exit_code == 0
    live = ["bundle", "models:/loans-b@production", "--force", "-o"]
    runner.invoke(app, [*live, str(tmp_path / "v2.lbm")])
    done = runner.invoke(app, ["rollback", "loans-b", "--reason", "bad latency"])
    assert done.exit_code == 0, done.output
    runner.invoke(app, [*live, str(tmp_path / "back.lbm")])
    runner.invoke(app, ["bundle", "models:/loans-b/1", "-o", str(tmp_path / "v1.lbm")])
    assert _sha(tmp_path / "back.lbm") == _sha(tmp_path / "v1.lbm") != _sha(tmp_path / "v2.lbm")


def test_models_show_lists_versions_aliases_and_history(two_runs):
    """`models show` prints each version, where the alias points and every move with its
    reason."""
    _, url, (first, second) = two_runs
    runner = _runner(url)
    runner.invoke(app, ["promote", "loans-c", first, "--alias", "staging", "-r", "try it"])
    runner.invoke(app, ["promote", "loans-c", second, "--alias", "staging", "-r", "newer"])
    listed = runner.invoke(app, ["models"])
    assert listed.exit_code == 0 and "staging → v2" in listed.output
    shown = runner.invoke(app, ["models", "show", "loans-c"])
    assert shown.exit_code == 0, shown.output
    assert "staging promote v1 -> v2: newer" in shown.output
    assert first[:8] in shown.output and second[:8] in shown.output


def test_predict_scores_with_a_models_reference(two_runs, tmp_path):
    """`predict models:/NAME@ALIAS DATA` scores with the promoted bundle."""
    folder, url, (first, _) = two_runs
    runner = _runner(url)
    runner.invoke(app, ["promote", "loans-d", first])
    out = tmp_path / "scored.csv"
    done = runner.invoke(
        app, ["predict", "models:/loans-d@production", str(folder / "table.csv"), "-o", str(out)]
    )
    assert done.exit_code == 0, done.output
    assert "Scored 160 rows" in done.output


def test_an_unknown_alias_is_an_error_with_a_hint(two_runs, tmp_path):
    """A reference to an alias never set exits 1 and says how to set it."""
    _, url, (first, _) = two_runs
    runner = _runner(url)
    runner.invoke(app, ["promote", "loans-e", first, "--alias", "staging"])
    done = runner.invoke(app, ["bundle", "models:/loans-e@production", "-o", str(tmp_path / "x")])
    assert done.exit_code == 1
    assert "no alias 'production'" in done.output and "learnburn promote loans-e" in done.output


def test_drift_reads_the_reference_of_a_models_reference(two_runs):
    """`drift models:/NAME@ALIAS CURRENT` compares with the promoted bundle's profile (the
    training table itself: no drift, exit 0; an unresolved reference would exit 2)."""
    folder, url, (first, _) = two_runs
    runner = _runner(url)
    runner.invoke(app, ["promote", "loans-f", first])
    done = runner.invoke(app, ["drift", "models:/loans-f@production", str(folder / "table.csv")])
    assert done.exit_code == 0, done.output
