"""Drift end to end: a run's bundle carries the training profile; `learnburn drift` compares new
rows with it and exits 0 (no drift), 1 (drift) or 2 (error)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from learnburn.bundles import load_bundle, save_bundle
from learnburn.cli import app
from learnburn.spec import load_spec
from learnburn.workflows import check_bundle_drift, reference_for, run_experiment
from learnburn.workflows._bundle import _meta

SPEC = """
    [experiment]
    name = "drift"
    [data]
    path = "train.csv"
    target = "label"
    [evaluation]
    folds = 5
    repeats = 1
    seed = 4
    holdout = 0.25
    [candidates.logistic_regression]
"""


def draw(n: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    """Rows from one fixed distribution (``shift`` moves x0's mean, in standard deviations)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({f"x{i}": rng.normal(size=n) for i in range(4)})
    frame["x0"] += shift
    frame["region"] = rng.choice(["north", "south", "east"], size=n, p=[0.5, 0.3, 0.2])
    logit = 1.5 * frame["x0"] - frame["x1"] + (frame["region"] == "north")
    frame["label"] = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "yes", "no")
    return frame


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("drift")
    draw(1500, seed=0).to_csv(folder / "train.csv", index=False)
    (folder / "spec.toml").write_text(SPEC)
    draw(1000, seed=1).drop(columns="label").to_csv(folder / "same.csv", index=False)
    draw(1000, seed=2, shift=0.5).drop(columns="label").to_csv(folder / "moved.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def result(folder):
    return run_experiment(load_spec(folder / "spec.toml"))


@pytest.fixture(scope="module")
def bundle_path(folder, result):
    reference, sample = reference_for(result)
    return save_bundle(
        result.model, folder / "model.lbm", schema=result.data["schema"],
        classes=result.data["classes"], meta=_meta("run-1", result, {}),
        check_rows=result.check_rows, reference=reference, reference_sample=sample,
    )  # fmt: skip


def test_the_reference_profiles_the_training_rows_scores_and_importances(result):
    reference, sample = reference_for(result)
    assert reference["rows"] == 1125  # the development rows: 1,500 less the 25% holdout
    assert set(reference["columns"]) == {"x0", "x1", "x2", "x3", "region"}
    assert reference["columns"]["region"]["kind"] == "categorical"
    assert reference["scores"]["count"] == 375  # scored on the holdout rows
    importances = reference["importances"]
    assert sum(importances.values()) == pytest.approx(1.0)
    assert max(importances, key=importances.get) == "x0"  # the strongest coefficient
    assert importances["x2"] < 0.05 and importances["x3"] < 0.05  # noise columns
    assert len(sample) == 1125 and list(sample.columns) == list(result.training_rows.columns)


def test_fresh_rows_from_the_same_distribution_do_not_drift(bundle_path, folder):
    report = check_bundle_drift(bundle_path, pd.read_csv(folder / "same.csv"))
    assert not report.drifted, report.summary()
    assert report.scores is not None and report.multivariate is not None


def test_a_moved_column_is_flagged_and_ranked_first(bundle_path, folder):
    report = check_bundle_drift(bundle_path, pd.read_csv(folder / "moved.csv"))
    assert report.drifted
    assert report.drifted_columns == ("x0",)
    assert report.ranking[0].name == "x0"
    assert report.scores.drifted  # x0 drives the model, so its scores move too
    assert report.multivariate["drifted"]


def test_the_cli_exits_0_without_drift_and_1_with_it(bundle_path, folder, tmp_path):
    runner = CliRunner()
    same = runner.invoke(app, ["drift", str(bundle_path), str(folder / "same.csv")])
    assert same.exit_code == 0, same.output
    assert "No drift" in same.output
    out = tmp_path / "drift.json"
    moved = runner.invoke(
        app, ["drift", str(bundle_path), str(folder / "moved.csv"), "--json", str(out)]
    )
    assert moved.exit_code == 1, moved.output
    assert "x0" in moved.output and "Most important drift" in moved.output
    assert json.loads(out.read_text())["drifted_columns"] == ["x0"]


@pytest.mark.parametrize(("preset", "code"), [("evidently", 0), ("nannyml", 1), ("psi", 1)])
def test_other_presets_run_from_the_cli(bundle_path, folder, preset, code):
    """Each preset flags x0; Evidently's dataset rule needs half the columns to drift, so the
    one column that drives the model is not enough for it (the weakness ranking by
    importance answers)."""
    done = CliRunner().invoke(
        app,
        ["drift", str(bundle_path), str(folder / "moved.csv"), "--preset", preset,
         "--no-multivariate"],
    )  # fmt: skip
    assert done.exit_code == code, done.output
    assert "1 of 5 features drifted: x0." in " ".join(done.output.split())


def test_errors_exit_2_with_a_hint(bundle_path, folder, result, tmp_path):
    def run(*args):
        done = CliRunner().invoke(app, ["drift", *map(str, args)])
        return done.exit_code, " ".join(done.output.split())

    plain = save_bundle(
        result.model, tmp_path / "plain.lbm", schema=result.data["schema"],
        classes=result.data["classes"], meta={},
    )  # fmt: skip
    code, output = run(plain, folder / "same.csv")
    assert code == 2 and "has no drift reference" in output and "Hint:" in output
    pd.read_csv(folder / "same.csv").drop(columns="x1").to_csv(tmp_path / "cut.csv", index=False)
    code, output = run(bundle_path, tmp_path / "cut.csv")
    assert code == 2 and "lacks 1 of the model's columns: ['x1']" in output
    code, output = run(bundle_path, folder / "same.csv", "--preset", "strict")
    assert code == 2 and "--preset" in output
    code, output = run(bundle_path, tmp_path / "absent.csv")
    assert code == 2 and "no data file" in output


def test_a_recorded_runs_bundle_carries_the_reference(bundle_path):
    bundle = load_bundle(bundle_path)
    assert bundle.reference["format"] == "learnburn-reference"
    assert bundle.reference_sample.shape == (1125, 5)


def test_a_bundle_can_leave_every_training_row_out(folder, result, tmp_path):
    """reference_rows = 0 (`learnburn run --reference-rows 0`): only the aggregate profile
    travels; drift still runs, without the multivariate check."""
    reference, sample = reference_for(result, sample_rows=0)
    assert sample is None and reference["rows"] == 1125
    path = save_bundle(
        result.model, tmp_path / "private.lbm", schema=result.data["schema"],
        classes=result.data["classes"], meta={}, reference=reference,
    )  # fmt: skip
    bundle = load_bundle(path)
    assert bundle.reference_sample is None and "reference.parquet" not in bundle.manifest["files"]
    report = check_bundle_drift(path, pd.read_csv(folder / "moved.csv"))
    assert report.drifted_columns == ("x0",) and report.multivariate is None


def test_the_cli_reads_current_rows_in_the_encoding_and_delimiter_it_is_given(
    bundle_path, folder, tmp_path
):
    """A cp1252 file separated by ';' needs --encoding; its ';' is sniffed, or given."""
    rows = pd.read_csv(folder / "same.csv").assign(note="café")
    rows.to_csv(tmp_path / "euro.csv", index=False, sep=";", encoding="cp1252")
    runner = CliRunner()
    plain = runner.invoke(app, ["drift", str(bundle_path), str(tmp_path / "euro.csv")])
    assert plain.exit_code == 2
    assert "byte offset" in plain.output and "--encoding" in plain.output
    for extra in ([], ["--delimiter", ";"]):
        done = runner.invoke(
            app, ["drift", str(bundle_path), str(tmp_path / "euro.csv"), "--encoding", "cp1252",
                  *extra],
        )  # fmt: skip
        assert done.exit_code == 0, done.output


def test_importances_are_measured_on_a_bounded_sample_of_the_check_rows():
    """At most 1,000 rows, fewer for a wide table (never fewer than 200)."""
    from learnburn.workflows._drift import importance_rows

    assert importance_rows(5_000, 10) == 1_000
    assert importance_rows(5_000, 200) == 500  # 300,000 shuffled rows / (200 columns x 3)
    assert importance_rows(5_000, 5_000) == 200
    assert importance_rows(150, 10) == 150


def test_importances_ignore_the_check_rows_past_the_bounded_sample(result, monkeypatch):
    """Only the first rows count, and the same result and seed give the same importances."""
    from dataclasses import replace

    from learnburn.workflows import _drift

    monkeypatch.setattr(_drift, "IMPORTANCE_ROWS", 200)
    first = _drift.importances_for(result)
    rows = result.check_rows.copy()
    rows.iloc[200:, rows.columns.get_loc("x0")] = 0.0  # past the sample: must not matter
    changed = replace(result, check_rows=rows)
    assert _drift.importances_for(changed) == first
    assert _drift.importances_for(result) == first


def test_importances_scored_by_the_fast_path_match_the_models(result):
    """With a proven fast path the shuffled copies are scored by it, on the model's matrix,
    and the importances are the model's own (within the fast path's float32 rounding)."""
    from learnburn.bundles import compile_model
    from learnburn.workflows._drift import importances_for

    compiled = compile_model(result.model, result.check_rows)
    assert compiled.runtime is not None, compiled.files["fast.json"]
    fast = importances_for(result, compiled)
    native = importances_for(result)
    assert fast.keys() == native.keys()
    assert fast == pytest.approx(native, abs=1e-3)


def test_the_cli_reads_current_rows_from_a_partitioned_s3_prefix(bundle_path, folder, s3):
    """CURRENT may be an s3:// prefix of partitioned Parquet (moto's server): drift is found
    in it as in the local file."""
    import boto3

    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket="lb-current")
    moved = pd.read_csv(folder / "moved.csv")
    for day, part in ((1, moved.iloc[:500]), (2, moved.iloc[500:])):
        body = part.to_parquet(index=False)
        client.put_object(Bucket="lb-current", Key=f"rows/day={day}/part-0.parquet", Body=body)
    result = CliRunner().invoke(app, ["drift", str(bundle_path), "s3://lb-current/rows/"])
    assert result.exit_code == 1, result.output
    assert "x0" in result.output


def test_scores_are_drawn_from_a_seeded_sample_when_the_table_is_larger(bundle_path, folder):
    current = pd.read_csv(folder / "moved.csv")
    sampled = check_bundle_drift(bundle_path, current, score_rows=300)
    again = check_bundle_drift(bundle_path, current, score_rows=300)
    every = check_bundle_drift(bundle_path, current, score_rows=None)
    assert sampled.scored_rows == 300 and sampled.scores.rows_current == 300
    assert sampled.scores.to_dict() == again.scores.to_dict()  # the same seeded sample
    assert every.scored_rows is None and every.scores.rows_current == 1000
    assert sampled.columns == every.columns  # the features still see every row
    assert "on a seeded sample of 300 of the 1,000 rows" in sampled.summary()
    assert sampled.to_dict()["scored_rows"] == 300


def test_scores_in_chunks_match_scores_in_one_pass(bundle_path, folder, monkeypatch):
    current = pd.read_csv(folder / "moved.csv")
    whole = check_bundle_drift(bundle_path, current)
    monkeypatch.setattr("learnburn.workflows._drift.SCORE_CHUNK", 128)
    chunked = check_bundle_drift(bundle_path, current)
    assert chunked.scored_rows is None
    assert chunked.scores == whole.scores


def test_the_cli_scores_at_most_score_rows_rows(bundle_path, folder, tmp_path):
    out = tmp_path / "drift.json"
    args = ["drift", str(bundle_path), str(folder / "moved.csv"), "--json", str(out)]
    result = CliRunner().invoke(app, [*args, "--score-rows", "250"])
    assert result.exit_code == 1, result.output
    report = json.loads(out.read_text())
    assert report["scored_rows"] == 250 and report["scores"]["rows_current"] == 250
