import io

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from learnburn.bundles import load_bundle, save_bundle
from learnburn.candidates import build_pipeline
from learnburn.cli import app
from learnburn.data import infer_schema

runner = CliRunner(env={"COLUMNS": "200"})


@pytest.fixture
def files(tmp_path):
    """A saved bundle and a CSV to score with it (an id column first): (bundle, data)."""
    rng = np.random.default_rng(0)
    features = pd.DataFrame(
        {
            "income": rng.normal(50, 10, size=60),
            "region": rng.choice(["north", "south"], size=60).astype(object),
            "member": rng.random(60) < 0.5,
        }
    )
    target = np.where(features["income"] > 50, "yes", "no")
    schema = infer_schema(features)
    model = build_pipeline("logistic_regression", {}, schema, seed=0).fit(features, target)
    bundle = save_bundle(
        model, tmp_path / "m.lbm", schema=schema.to_dict(), classes=["no", "yes"], meta={}
    )
    data = tmp_path / "in.csv"
    features.assign(key=[f"k{i:03d}" for i in range(60)])[["key", *features.columns]].to_csv(
        data, index=False
    )
    return bundle, data, features


def test_predict_writes_the_predictions_and_prints_a_summary(files, tmp_path):
    """`learnburn predict` exits 0, writes ids, probabilities and decisions, and says so."""
    bundle, data, features = files
    out = tmp_path / "out.csv"
    args = ["predict", str(bundle), str(data), "-o", str(out), "--id-column", "key"]
    result = runner.invoke(app, [*args, "--chunk-rows", "25"])
    assert result.exit_code == 0, result.output
    assert "Scored 60 rows in 3 chunks" in result.output
    written = pd.read_csv(out)
    assert list(written.columns) == ["key", "proba_no", "proba_yes", "decision"]
    assert written["decision"].tolist() == load_bundle(bundle).decide(features).tolist()


def test_predict_refuses_to_overwrite_without_force(files, tmp_path):
    """An existing output is kept and the command exits 1 with a hint, unless --force."""
    bundle, data, _ = files
    out = tmp_path / "out.parquet"
    out.write_text("keep me")
    args = ["predict", str(bundle), str(data), "-o", str(out), "--id-column", "key"]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1
    assert "Error:" in refused.output and "--force" in refused.output
    assert out.read_text() == "keep me"
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0
    assert len(pd.read_parquet(out)) == 60


def test_predict_reports_a_missing_column_as_an_error_with_a_hint(files, tmp_path):
    """A table without a feature column exits 1 naming it; no output is written."""
    bundle, _, features = files
    data = tmp_path / "short.csv"
    features.drop(columns="region").to_csv(data, index=False)
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["predict", str(bundle), str(data), "-o", str(out)])
    assert result.exit_code == 1
    assert "'region'" in result.output and "Hint:" in result.output
    assert not out.exists()


def test_predict_help_names_only_options_it_has():
    """--help describes --cluster without the --jobs that predict does not have."""
    result = runner.invoke(app, ["predict", "--help"])
    assert result.exit_code == 0
    assert "--cluster" in result.output and "--jobs" not in result.output


def _with_target(files, tmp_path):
    """The bundle re-saved with its target named in its meta, and its training table (target
    column included) as the table to score."""
    bundle, _, features = files
    loaded = load_bundle(bundle)
    saved = save_bundle(
        loaded.model, tmp_path / "t.lbm", schema=loaded.schema, classes=list(loaded.classes),
        meta={"target": "approve"},
    )  # fmt: skip
    return saved, features.assign(approve=np.where(features["income"] > 50, "yes", "no"))


def test_predict_ignores_the_bundles_target_column_without_a_warning(files, tmp_path):
    """Scoring the training table: its target column is left out silently."""
    bundle, table = _with_target(files, tmp_path)
    table.to_csv(tmp_path / "train.csv", index=False)
    out = tmp_path / "out.csv"
    args = ["predict", str(bundle), str(tmp_path / "train.csv"), "-o", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "approve" not in result.output and "ignored" not in result.output
    assert list(pd.read_csv(out).columns) == ["proba_no", "proba_yes", "decision"]


def test_predict_still_warns_about_other_unused_columns(files, tmp_path):
    """A column that is neither a feature nor the target is named in the warning."""
    bundle, table = _with_target(files, tmp_path)
    table.assign(note="x").to_csv(tmp_path / "train.csv", index=False)
    out = tmp_path / "out.csv"
    args = ["predict", str(bundle), str(tmp_path / "train.csv"), "-o", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "['note']" in result.output and "approve" not in result.output


def test_predict_reads_an_s3_input_and_writes_an_s3_output(files, s3):
    """DATA and --output may be s3:// objects (moto's server): the predictions land there."""
    import boto3

    bundle, data, features = files
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket="lb-scores")
    client.put_object(Bucket="lb-scores", Key="in/new.csv", Body=data.read_bytes())
    args = ["predict", str(bundle), "s3://lb-scores/in/new.csv", "-o", "s3://lb-scores/out.parquet"]
    result = runner.invoke(app, [*args, "--id-column", "key"])
    assert result.exit_code == 0, result.output
    assert "wrote s3://lb-scores/out.parquet" in result.output
    body = client.get_object(Bucket="lb-scores", Key="out.parquet")["Body"].read()
    written = pd.read_parquet(io.BytesIO(body))
    assert written["decision"].tolist() == load_bundle(bundle).decide(features).tolist()


def test_predict_refuses_an_existing_s3_output_without_force(files, s3):
    """An object already at the output is kept unless --force."""
    import boto3

    bundle, data, _ = files
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket="lb-scores")
    client.put_object(Bucket="lb-scores", Key="out.csv", Body=b"keep me")
    result = runner.invoke(app, ["predict", str(bundle), str(data), "-o", "s3://lb-scores/out.csv"])
    assert result.exit_code == 1 and "--force" in result.output
    assert client.get_object(Bucket="lb-scores", Key="out.csv")["Body"].read() == b"keep me"


def test_predict_of_a_missing_s3_key_names_it(files, s3):
    """A missing input object is an error naming the key, and nothing is written."""
    import boto3

    bundle, _, _ = files
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="lb-scores")
    args = ["predict", str(bundle), "s3://lb-scores/none.csv", "-o", "s3://lb-scores/o.csv"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "No object 'none.csv' in bucket 'lb-scores'" in result.output
