import json
import subprocess
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from learnburn.cli import app
from learnburn.errors import ProvenanceError, ProvenanceWarning
from learnburn.spec import load_spec
from learnburn.workflows import diff_runs, open_store, reproduce_run, run_and_record

runner = CliRunner(env={"COLUMNS": "200"})


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path, table_maker, small_spec_text) -> Path:
    """A real git repository with a committed spec and an ignored data file beside it."""
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.email", "test@example.com")
    _git(root, "config", "user.name", "Test")
    table_maker().to_csv(root / "data" / "table.csv", index=False)
    (root / ".gitignore").write_text("data/\n.learnburn/\n")
    spec = small_spec_text.replace('path = "table.csv"', 'path = "../data/table.csv"')
    (root / "experiments").mkdir()
    (root / "experiments" / "small.toml").write_text(spec)
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "first experiment")
    return root


def _run(repo: Path, **kwargs):
    spec = load_spec(repo / "experiments" / "small.toml")
    with open_store(start=repo) as store:
        return run_and_record(spec, store=store, **kwargs)


def test_clean_run_is_recorded_and_reproduces_exactly(repo):
    """A run of committed code records its commit, and `reproduce` gives identical fold scores."""
    recorded = _run(repo)
    with open_store(start=repo) as store:
        detail = store.get_run(recorded.run_id)
        assert detail.summary.status == "finished"
        assert detail.provenance["commit"] == _git(repo, "rev-parse", "HEAD")
        assert not detail.summary.dirty
        assert len(detail.folds) == 2 * 3 * 2
        outcome = reproduce_run(store, recorded.run_id)
    assert outcome.exact and outcome.max_difference == 0.0
    assert outcome.folds_compared == 12


def test_dirty_tree_is_refused_with_a_hint(repo):
    """Uncommitted changes stop the run before anything is recorded."""
    spec_file = repo / "experiments" / "small.toml"
    spec_file.write_text(spec_file.read_text().replace("n_estimators = 20", "n_estimators = 25"))
    with pytest.raises(ProvenanceError) as info:
        _run(repo)
    assert "experiments/small.toml" in str(info.value)
    assert "--allow-dirty" in info.value.hint
    with open_store(start=repo) as store:
        assert store.list_runs() == []


def test_dirty_run_stores_its_diff_and_reproduces_after_the_tree_is_reset(repo):
    """--allow-dirty stores the diff; reproduce re-applies it on the commit: identical scores."""
    spec_file = repo / "experiments" / "small.toml"
    spec_file.write_text(spec_file.read_text().replace("n_estimators = 20", "n_estimators = 25"))
    recorded = _run(repo, allow_dirty=True)
    _git(repo, "checkout", "--", "experiments/small.toml")  # the change is gone from the tree
    with open_store(start=repo) as store:
        detail = store.get_run(recorded.run_id)
        assert detail.summary.dirty
        assert [a.name for a in detail.artifacts if a.kind == "diff"] == ["diff.patch"]
        outcome = reproduce_run(store, recorded.run_id)
    assert outcome.exact and outcome.dirty


def test_reproduce_refuses_when_the_data_changed(repo, table_maker):
    """After the data file changes, reproduce names the fingerprint mismatch and runs nothing."""
    recorded = _run(repo)
    table_maker(seed=99).to_csv(repo / "data" / "table.csv", index=False)
    with open_store(start=repo) as store, pytest.raises(ProvenanceError) as info:
        reproduce_run(store, recorded.run_id)
    assert "fingerprint" in str(info.value) and "no longer matches" in str(info.value)


def test_diff_of_two_runs_on_the_same_folds_compares_each_candidate(repo):
    """Two runs differing in one param: the spec diff shows it, and the comparison is there."""
    first = _run(repo)
    spec_file = repo / "experiments" / "small.toml"
    spec_file.write_text(spec_file.read_text().replace("n_estimators = 20", "n_estimators = 40"))
    _git(repo, "commit", "-qam", "more trees")
    second = _run(repo)
    with open_store(start=repo) as store:
        diff = diff_runs(store, first.run_id, second.run_id)
    assert any("n_estimators = 40" in line for line in diff.spec)
    assert diff.same_folds and diff.data["same_content"]
    compared = {c["candidate"]: c for c in diff.comparisons}
    assert compared["logistic_regression"]["mean_difference"] == 0.0
    assert 0 <= compared["random_forest"]["p_value"] <= 1


def test_run_outside_git_is_recorded_with_a_warning(tmp_path, small_spec):
    """Outside a repository the run is still recorded, with a warning, and cannot be reproduced."""
    spec = load_spec(small_spec)
    with open_store(start=tmp_path) as store:
        with pytest.warns(ProvenanceWarning, match="not in a git repository"):
            recorded = run_and_record(spec, store=store)
        assert store.get_run(recorded.run_id).provenance["in_git"] is False
        with pytest.raises(ProvenanceError):
            reproduce_run(store, recorded.run_id)


def test_cli_records_lists_shows_and_reproduces(repo, monkeypatch):
    """`learnburn run` prints the run id; runs, show, reproduce and diff work on it."""
    monkeypatch.chdir(repo)
    monkeypatch.delenv("LEARNBURN_STORE", raising=False)
    bundle = repo / "out" / "chosen.lbm"
    done = runner.invoke(app, ["run", "experiments/small.toml", "-q", "--bundle", str(bundle)])
    assert done.exit_code == 0, done.output
    run_id = done.output.split("Recorded as run ")[1].split()[0]
    assert bundle.is_file() and "fast path" in done.output  # --bundle writes the chosen one
    listed = runner.invoke(app, ["runs"])
    assert listed.exit_code == 0 and run_id[:12] in listed.output and "finished" in listed.output
    shown = runner.invoke(app, ["show", run_id[:8]])
    assert shown.exit_code == 0 and "random_forest" in shown.output
    again = runner.invoke(app, ["reproduce", run_id, "-q"])
    assert again.exit_code == 0, again.output
    assert "Reproduced exactly" in again.output
    verified = runner.invoke(app, ["runs", "--verify"])
    assert verified.exit_code == 0 and "artifacts verified" in verified.output
    diffed = runner.invoke(app, ["diff", run_id, run_id])
    assert diffed.exit_code == 0 and "spec: same" in diffed.output


def test_cli_refuses_a_dirty_tree_with_exit_1(repo, monkeypatch):
    """A dirty tree: exit 1, the error names the change and the hint names --allow-dirty."""
    monkeypatch.chdir(repo)
    (repo / "experiments" / "small.toml").write_text(
        (repo / "experiments" / "small.toml").read_text() + "\n# edited\n"
    )
    with warnings.catch_warnings():
        done = runner.invoke(app, ["run", "experiments/small.toml", "-q"])
    assert done.exit_code == 1
    assert "uncommitted changes" in done.output and "--allow-dirty" in done.output


def test_credentials_in_the_remote_url_never_reach_the_store(repo):
    """A token in the remote URL is stripped before anything is written to the store."""
    _git(repo, "remote", "add", "origin", "https://alice:s3cr3t-t0ken@git.example.com/x/y.git")
    recorded = _run(repo)
    assert recorded.provenance["remote_url"] == "https://git.example.com/x/y.git"
    for path in (repo / ".learnburn").rglob("*"):
        if path.is_file():
            assert b"s3cr3t-t0ken" not in path.read_bytes(), path


def test_experiment_run_can_record_like_the_cli(repo):
    """Experiment.run(record=True) records the run and keeps its id."""
    from learnburn import Experiment

    experiment = Experiment.from_toml(repo / "experiments" / "small.toml")
    result = experiment.run(record=True)
    with open_store(start=repo) as store:
        detail = store.get_run(experiment.last_run_id)
    assert detail.summary.winner == result.winner
    assert detail.record["timings"]["peak_memory_mb"] > 0


def test_a_finished_run_keeps_a_bundle_that_predicts_like_the_model(repo, monkeypatch):
    """`learnburn bundle RUN -o x.lbm` writes a bundle that loads safely and scores the same."""
    from learnburn.bundles import load_bundle

    recorded = _run(repo)
    monkeypatch.chdir(repo)
    output = repo / "out" / "small.lbm"
    done = runner.invoke(app, ["bundle", recorded.run_id[:10], "-o", str(output)])
    assert done.exit_code == 0, done.output
    bundle = load_bundle(output)
    assert bundle.meta["run_id"] == recorded.run_id
    assert bundle.meta["commit"] == recorded.provenance["commit"]
    table = table_rows(repo)
    expected = recorded.result.model.predict_proba(table)
    assert (bundle.predict_proba_native(table) == expected).all()
    # the run proved the bundle's fast path on its holdout rows; it scores within tolerance
    assert bundle.fast_report["status"] == "ready", bundle.fast_report
    assert abs(bundle.predict_proba(table) - expected).max() <= 1e-4
    again = runner.invoke(app, ["bundle", recorded.run_id, "-o", str(output)])
    assert again.exit_code == 1 and "--force" in again.output


def test_experiment_run_with_a_bundle_writes_the_bundle_the_cli_writes(repo):
    """Experiment.run(bundle=...) records the run and writes its chosen model's bundle, as
    `learnburn run --bundle` does: the same run id and scoring in the bundle."""
    from learnburn import Experiment
    from learnburn.bundles import load_bundle

    experiment = Experiment.from_toml(repo / "experiments" / "small.toml")
    output = repo / "out" / "small.lbm"
    result = experiment.run(bundle=output)
    bundle = load_bundle(output)
    assert bundle.meta["run_id"] == experiment.last_run_id
    assert bundle.meta["candidate"]["name"] == result.winner


def test_experiment_run_refuses_a_bundle_without_recording(repo):
    """A bundle comes from a recorded run: record=False with a bundle is an error with a hint,
    and nothing is written."""
    from learnburn import Experiment
    from learnburn.errors import BundleError

    experiment = Experiment.from_toml(repo / "experiments" / "small.toml")
    output = repo / "small.lbm"
    with pytest.raises(BundleError, match="recorded run") as raised:
        experiment.run(bundle=output, record=False)
    assert "record=True" in raised.value.hint and not output.exists()


def test_run_and_record_writes_the_bundle_and_says_what_scores_it(repo):
    """run_and_record(bundle=...) (the path of `run --bundle` and Experiment.run) returns where
    the bundle went and its scoring summary, read back from the written bundle."""
    from learnburn.bundles import load_bundle

    recorded = _run(repo, bundle=repo / "out" / "model")
    assert recorded.bundle.path == repo / "out" / "model" and recorded.bundle.path.is_dir()
    assert recorded.bundle.scoring == load_bundle(recorded.bundle.path).scoring_summary


def test_writing_the_runs_bundle_out_does_not_prove_its_fast_path_again(repo, monkeypatch):
    """The bundle written with run --bundle was just saved, its fast path just proven: its
    scoring summary is read from it, not from loading it and proving the fast path again."""
    import learnburn.bundles._load as load

    def refuse(*args):
        raise AssertionError("the fast path was proven again")

    monkeypatch.setattr(load, "load_fast_path", refuse)
    recorded = _run(repo, bundle=repo / "out" / "model.lbm")
    assert recorded.bundle.scoring.startswith(("onnxruntime fast path", "treelite fast path"))


def table_rows(repo: Path):
    import pandas as pd

    return pd.read_csv(repo / "data" / "table.csv").drop(columns="label").head(20)


def test_the_record_holds_the_bundle_steps_time_and_its_parts(repo):
    """The bundle step is timed whole and by part, and "total" covers it."""
    from learnburn.workflows._bundle import BUNDLE_TIMINGS

    recorded = _run(repo)
    timings = recorded.result.timings
    parts = [timings[f"bundle_{name}"] for name in BUNDLE_TIMINGS]
    assert all(seconds >= 0 for seconds in parts)
    # the skops file is written on a thread while the fast path compiles: it overlaps the rest
    assert sum(parts) - timings["bundle_model"] <= timings["bundle"] <= timings["total"]
    assert timings["bundle_model"] <= timings["bundle"]
    with open_store(start=repo) as store:
        stored = store.get_run(recorded.run_id)
        assert {a.name for a in stored.artifacts} >= {"bundle.lbm", "result.json"}
        record = json.loads(store.artifacts.read_bytes(_sha(stored, "result.json")))
    assert record["timings"]["bundle"] == timings["bundle"]


def _sha(detail, name: str) -> str:
    return next(a.sha256 for a in detail.artifacts if a.name == name)


def test_bundle_imports_overlap_the_folds_only_when_they_run_in_other_processes():
    """With one local job the folds run in this process, which has no idle time to fill."""
    from learnburn.backends import LocalBackend
    from learnburn.workflows._record import _folds_elsewhere

    assert not _folds_elsewhere(LocalBackend(1), 1)
    assert _folds_elsewhere(LocalBackend(2), 1)
    assert _folds_elsewhere(None, 2) and not _folds_elsewhere(None, 1)


def test_a_run_on_worker_processes_imports_for_its_bundle_meanwhile_and_keeps_it(repo):
    """jobs=2: the bundle's imports run on a thread beside the folds; the bundle is kept."""
    recorded = _run(repo, jobs=2)
    assert recorded.result.timings["bundle"] > 0
    with open_store(start=repo) as store:
        assert "bundle.lbm" in {a.name for a in store.get_run(recorded.run_id).artifacts}
