"""`learnburn serve`: which app uvicorn runs, where it binds, and errors before serving."""

from __future__ import annotations

import os

import pytest
import uvicorn
from typer.testing import CliRunner

from learnburn.bundles import save_bundle
from learnburn.candidates import build_pipeline
from learnburn.cli import app
from learnburn.data import infer_schema
from learnburn.serving._settings import BUNDLE_ENV, TRUST_ENV

runner = CliRunner(env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def bundle_path(tmp_path_factory):
    import pandas as pd

    features = pd.DataFrame({"income": [1.0, 2.0, 3.0, 4.0], "debt": [0.5, 0.1, 0.9, 0.2]})
    schema = infer_schema(features)
    model = build_pipeline("logistic_regression", {}, schema, seed=0)
    model.fit(features, ["no", "yes", "no", "yes"])
    folder = tmp_path_factory.mktemp("serve")
    return save_bundle(
        model, folder / "m.lbm", schema=schema.to_dict(), classes=["no", "yes"], meta={}
    )


@pytest.fixture
def calls(monkeypatch):
    """uvicorn.run replaced by a recorder: the list of (app, options) it was called with."""
    seen = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **options: seen.append((target, options)))
    monkeypatch.delenv("SAGEMAKER_BIND_TO_PORT", raising=False)
    return seen


def test_serve_runs_the_app_on_loopback_8080_by_default(bundle_path, calls):
    """One worker: uvicorn runs the app object on 127.0.0.1:8080."""
    result = runner.invoke(app, ["serve", str(bundle_path)])
    assert result.exit_code == 0, result.output
    [(target, options)] = calls
    assert callable(target)
    assert options == {"host": "127.0.0.1", "port": 8080}


def test_serve_honours_the_sagemaker_port(bundle_path, calls, monkeypatch):
    """SAGEMAKER_BIND_TO_PORT sets the port when --port is not given."""
    monkeypatch.setenv("SAGEMAKER_BIND_TO_PORT", "9099")
    assert runner.invoke(app, ["serve", str(bundle_path)]).exit_code == 0
    assert calls[0][1]["port"] == 9099


def test_serve_with_workers_uses_the_factory_and_env(bundle_path, calls, monkeypatch):
    """Several workers: uvicorn gets the factory import string; the bundle path is in the env."""
    monkeypatch.delenv(BUNDLE_ENV, raising=False)
    monkeypatch.delenv(TRUST_ENV, raising=False)
    args = ["serve", str(bundle_path), "--workers", "2", "--host", "0.0.0.0", "--port", "9000"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    [(target, options)] = calls
    assert target == "learnburn.serving:app_from_env"
    assert options == {"factory": True, "host": "0.0.0.0", "port": 9000, "workers": 2}
    assert os.environ[BUNDLE_ENV] == str(bundle_path.resolve())


def test_app_factory_loads_the_bundle_from_the_env(bundle_path, monkeypatch):
    """app_from_env builds an app from LEARNBURN_BUNDLE."""
    from learnburn.serving import app_from_env

    monkeypatch.setenv(BUNDLE_ENV, str(bundle_path))
    assert app_from_env().routes


def test_serve_reports_a_missing_bundle_and_serves_nothing(tmp_path, calls):
    """A bundle that cannot be loaded exits 1 with an error before uvicorn starts."""
    result = runner.invoke(app, ["serve", str(tmp_path / "absent.lbm")])
    assert result.exit_code == 1
    assert "Error:" in result.output
    assert calls == []
