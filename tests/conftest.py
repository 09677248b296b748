"""Shared fixtures: small real tables written to disk, and specs that point at them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification


def make_table(n_rows: int = 240, seed: int = 0) -> pd.DataFrame:
    """A binary classification table with numeric, categorical and boolean features."""
    X, y = make_classification(
        n_samples=n_rows, n_features=5, n_informative=3, random_state=seed, flip_y=0.05
    )
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)])
    rng = np.random.default_rng(seed)
    frame["region"] = rng.choice(["north", "south", "east"], size=n_rows)
    frame["member"] = rng.random(n_rows) < 0.5
    frame["label"] = np.where(y == 1, "yes", "no")
    return frame


@pytest.fixture
def table_csv(tmp_path: Path) -> Path:
    path = tmp_path / "table.csv"
    make_table().to_csv(path, index=False)
    return path


def _write_spec(folder: Path, body: str, name: str = "experiment.toml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(body))
    return path


@pytest.fixture
def write_spec(tmp_path: Path):
    """Write a spec (dedented TOML) into tmp_path and return its path."""
    return lambda body, name="experiment.toml": _write_spec(tmp_path, body, name)


SMALL_SPEC = """
    [experiment]
    name = "small"

    [data]
    path = "table.csv"
    target = "label"

    [evaluation]
    folds = 3
    repeats = 2
    metric = "roc_auc"
    seed = 3
    holdout = 0.25

    [candidates.logistic_regression]

    [candidates.random_forest]
    params = { n_estimators = 20 }
"""


@pytest.fixture
def small_spec(tmp_path: Path, table_csv: Path) -> Path:
    return _write_spec(tmp_path, SMALL_SPEC)


@pytest.fixture(scope="session")
def table_maker():
    """The function that makes the shared test table: make_table(n_rows=240, seed=0)."""
    return make_table


@pytest.fixture
def small_spec_text() -> str:
    """The small spec's TOML text (its data path is "table.csv")."""
    return textwrap.dedent(SMALL_SPEC)


def make_mixed_features(n_rows: int, seed: int = 0) -> pd.DataFrame:
    """Numeric (one with NaN), categorical (with missing values) and boolean columns."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "income": rng.normal(50, 10, size=n_rows),
            "debt": rng.normal(size=n_rows),
            "region": rng.choice(["north", "south", "east"], size=n_rows).astype(object),
            "member": rng.random(n_rows) < 0.5,
        }
    )
    frame.loc[::9, "debt"] = np.nan
    frame.loc[::7, "region"] = None
    return frame


@pytest.fixture(scope="session")
def mixed_features_maker():
    """The function that makes a small mixed-kind feature table: (n_rows, seed=0)."""
    return make_mixed_features


def make_mixed_target(frame: pd.DataFrame, *, classes: int = 2) -> np.ndarray:
    """A target the mixed features predict: "yes"/"no", or "low"/"mid"/"high"."""
    score = (frame["income"] - 50) / 10 + (frame["region"] == "north") - 0.5 * frame["member"]
    if classes == 2:
        return np.where(score > 0.1, "yes", "no")
    return np.select([score < -0.4, score < 0.5], ["low", "mid"], "high")


@pytest.fixture(scope="session")
def mixed_target_maker():
    """The function that makes the mixed features' target: (frame, classes=2)."""
    return make_mixed_target


ROW_RECORDER = """
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

FITS = []  # the row_id values of every fit, in order


class RowRecordingClassifier(ClassifierMixin, BaseEstimator):
    \"\"\"Logistic regression that records the row_id values of the rows it was fitted on.\"\"\"

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y):
        FITS.append(np.asarray(X["row_id"]).astype(int).copy())
        self.model_ = LogisticRegression(C=self.C).fit(X.drop(columns="row_id"), y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X.drop(columns="row_id"))
"""


@pytest.fixture
def recorder(tmp_path, monkeypatch):
    """A module ``row_recorder`` whose RowRecordingClassifier (model path
    "row_recorder:RowRecordingClassifier", preprocessing "none") appends the ``row_id`` values
    of every fit to ``FITS``: tuning tests prove with it which rows reached a fit."""
    import sys

    folder = tmp_path / "recorder_module"
    folder.mkdir()
    (folder / "row_recorder.py").write_text(ROW_RECORDER)
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delitem(sys.modules, "row_recorder", raising=False)
    import row_recorder

    return row_recorder


# A table of its own in the real PostgreSQL test database (data sources and snapshots).
POSTGRES_VARIABLE = "LEARNBURN_TEST_POSTGRES"


@pytest.fixture(scope="session")
def postgres() -> str:
    """The test database's URL (with its password: the tests' server is local and throwaway)."""
    url = os.environ.get(POSTGRES_VARIABLE, "").strip()
    if not url:
        pytest.skip(f"{POSTGRES_VARIABLE} is not set: start tests/fixtures/start_postgres.sh")
    pytest.importorskip("psycopg", reason="the PostgreSQL tests need learnburn[postgres]")
    return url


@pytest.fixture
def sql_table(postgres) -> Iterator[Callable[[str], str]]:
    """Run SQL with ``{table}`` standing for a table name unique to this test; dropped after."""
    from sqlalchemy import create_engine

    name = f"lb_src_{uuid.uuid4().hex[:12]}"
    engine = create_engine(postgres)

    def run(statements: str) -> str:
        with engine.begin() as connection:
            connection.exec_driver_sql(statements.replace("{table}", name))
        return name

    try:
        yield run
    finally:
        run("DROP TABLE IF EXISTS {table}")
        engine.dispose()


# A local S3-compatible server: moto in server mode on 127.0.0.1, started once per session in its
# own process and reset before each test that uses it. Nothing here reaches AWS.
MOTO_START_SECONDS = 60
FAKE_KEY_ID = "AKIALEARNBURNTEST01"
FAKE_SECRET = "lbTestSecret/9f8e7d6c5b4a39281706fEdCbA"  # must never appear in output or files


@dataclass(frozen=True)
class Emulator:
    url: str

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory) -> Iterator[Emulator]:
    """moto's server in a child process on a free port of 127.0.0.1."""
    pytest.importorskip("moto", reason="the S3 and AWS tests run against moto in server mode")
    port = _free_port()
    log = (tmp_path_factory.mktemp("moto") / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    emulator = Emulator(f"http://127.0.0.1:{port}")
    try:
        _wait_until_up(emulator, process)
        yield emulator
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def s3(moto_server, monkeypatch, tmp_path) -> Emulator:
    """The emulator, emptied, with the standard AWS chain's environment (dummy credentials)
    pointing at it for this test only."""
    pytest.importorskip("boto3", reason="s3:// sources need boto3 (learnburn[aws])")
    moto_server.reset()
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", FAKE_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.url)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    return moto_server


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(emulator: Emulator, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + MOTO_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto's server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{emulator.url}/moto-api/", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"moto's server did not answer within {MOTO_START_SECONDS} s")
