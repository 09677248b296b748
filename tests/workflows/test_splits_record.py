"""The run record holds the splits: every fold rebuilds from it with plain numpy and
scikit-learn, and `learnburn show RUN --splits FILE` writes them as a table."""

import base64
import json
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from typer.testing import CliRunner

from learnburn.cli import app

runner = CliRunner(env={"COLUMNS": "200"})

SPEC = """
[experiment]
name = "numeric"
[data]
path = "../data/table.csv"
target = "label"
[evaluation]
folds = 3
repeats = 2
seed = 5
holdout = 0.25
[candidates.plain]
model = "sklearn.linear_model:LogisticRegression"
preprocessing = "none"
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory, table_maker):
    """A committed spec on a numeric table, run and recorded by the CLI: (repo, run id, record)."""
    root = tmp_path_factory.mktemp("splits") / "project"
    (root / "data").mkdir(parents=True)
    (root / "experiments").mkdir()
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.email", "test@example.com")
    _git(root, "config", "user.name", "Test")
    numeric = table_maker().drop(columns=["region", "member"])
    numeric.to_csv(root / "data" / "table.csv", index=False)
    (root / ".gitignore").write_text("data/\n.learnburn/\nout/\n")
    (root / "experiments" / "numeric.toml").write_text(SPEC)
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "numeric experiment")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.delenv("LEARNBURN_STORE", raising=False)
        output = root / "out" / "result.json"
        done = runner.invoke(app, ["run", "experiments/numeric.toml", "-q", "-o", str(output)])
    assert done.exit_code == 0, done.output
    run_id = done.output.split("Recorded as run ")[1].split()[0]
    return root, run_id, json.loads(output.read_text())


def _show(root: Path, *args: str):
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.delenv("LEARNBURN_STORE", raising=False)
        return runner.invoke(app, ["show", *args])


def _decode(text: str, dtype: str) -> np.ndarray:
    return np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype=dtype)


def test_every_fold_rebuilds_from_the_record_with_plain_scikit_learn(recorded):
    """Decoded with numpy and zlib, the record's folds give the run's per-fold scores exactly."""
    root, _, record = recorded
    assignment = record["splits"]["assignment"]
    holdout = _decode(assignment["holdout"], assignment["dtype"]).astype(bool)
    table = pd.read_csv(root / "data" / "table.csv")
    assert len(holdout) == len(table) and holdout.sum() == record["holdout"]["rows"]
    development = table[~holdout]
    features, target = development.drop(columns="label"), development["label"].to_numpy()
    recorded_scores = {(f["repeat"], f["fold"]): f["score"] for f in record["folds"]}
    rebuilt = {}
    for repeat, text in enumerate(assignment["folds"]):
        labels = _decode(text, assignment["dtype"])
        for fold in range(3):
            test, train = labels == fold, labels != fold  # "every other development row"
            model = LogisticRegression().fit(features[train], target[train])
            proba = model.predict_proba(features[test])[:, list(model.classes_).index("yes")]
            rebuilt[(repeat, fold)] = roc_auc_score(target[test] == "yes", proba)
    assert assignment["train"] == "every other development row"
    assert rebuilt.keys() == recorded_scores.keys()
    for key, score in rebuilt.items():
        assert score == pytest.approx(recorded_scores[key], abs=1e-12), key


def test_the_record_states_the_procedure_in_words(recorded):
    """The procedure names the scikit-learn calls with the run's seed and counts."""
    procedure = recorded[2]["splits"]["procedure"]
    assert "train_test_split(positions, test_size=0.25, random_state=5" in procedure
    assert "RepeatedStratifiedKFold(n_splits=3, n_repeats=2, random_state=5)" in procedure


@pytest.mark.parametrize("name", ["splits.csv", "splits.parquet"])
def test_show_writes_the_splits_as_a_table(recorded, name):
    """`show RUN --splits FILE` writes row, holdout and one fold column per repeat."""
    root, run_id, record = recorded
    path = root / "out" / name
    done = _show(root, run_id[:10], "--splits", str(path))
    assert done.exit_code == 0, done.output
    table = pd.read_csv(path) if name.endswith(".csv") else pd.read_parquet(path)
    assert list(table.columns) == ["row", "holdout", "repeat_0", "repeat_1"]
    assert table["row"].tolist() == list(range(240))
    assert table["holdout"].sum() == 60 and table.loc[table["holdout"], "repeat_0"].isna().all()
    assignment = record["splits"]["assignment"]
    development = table.loc[~table["holdout"], "repeat_1"].to_numpy(dtype=int)
    assert (development == _decode(assignment["folds"][1], assignment["dtype"])).all()


def test_show_refuses_an_unknown_splits_extension(recorded):
    """A file that is neither CSV nor Parquet is an error with a hint, exit 1."""
    root, run_id, _ = recorded
    done = _show(root, run_id, "--splits", str(root / "out" / "splits.xlsx"))
    assert done.exit_code == 1 and ".csv or .parquet" in done.output
