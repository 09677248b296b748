"""`learnburn serve`: which app uvicorn runs, where it binds, and errors before serving."""

from __future__ import annotations

import os
import signal

import pytest
import uvicorn
from typer.testing import CliRunner

from learnburn.bundles import save_bundle
from learnburn.candidates import build_pipeline
from learnburn.cli import _serve, app
from learnburn.data import infer_schema
from learnburn.serving import Settings
from learnburn.serving._settings import (
    BODY_TIMEOUT_ENV,
    BUNDLE_ENV,
    MAX_CONCURRENCY_ENV,
    TIMEOUT_ENV,
    TRUST_ENV,
)

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
    """One worker: uvicorn runs the app object on 127.0.0.1:8080, draining for 25 s on
    SIGTERM, without an access log; no warning on loopback."""
    result = runner.invoke(app, ["serve", str(bundle_path)])
    assert result.exit_code == 0, result.output
    [(target, options)] = calls
    assert callable(target)
    assert options == {
        "host": "127.0.0.1",
        "port": 8080,
        "timeout_graceful_shutdown": 25.0,
        "access_log": False,
    }
    assert "Warning" not in result.output


def test_serve_honours_the_sagemaker_port(bundle_path, calls, monkeypatch):
    """SAGEMAKER_BIND_TO_PORT sets the port when --port is not given."""
    monkeypatch.setenv("SAGEMAKER_BIND_TO_PORT", "9099")
    assert runner.invoke(app, ["serve", str(bundle_path)]).exit_code == 0
    assert calls[0][1]["port"] == 9099


def test_serve_with_workers_uses_the_factory_and_env(bundle_path, calls, monkeypatch):
    """Several workers: uvicorn gets the factory import string; the bundle path is in the env."""
    for name in (BUNDLE_ENV, TRUST_ENV, TIMEOUT_ENV, BODY_TIMEOUT_ENV, MAX_CONCURRENCY_ENV):
        monkeypatch.delenv(name, raising=False)
    args = ["serve", str(bundle_path), "--workers", "2", "--host", "0.0.0.0", "--port", "9000"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    [(target, options)] = calls
    assert target == "learnburn.serving:app_from_env"
    assert options == {
        "factory": True,
        "host": "0.0.0.0",
        "port": 9000,
        "workers": 2,
        "timeout_graceful_shutdown": 25.0,
        "access_log": False,
    }
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


@pytest.fixture
def settings_seen(monkeypatch):
    """create_app wrapped to record the Settings each app is made with."""
    seen = []
    real = _serve.create_app

    def recording(bundle, settings):
        seen.append(settings)
        return real(bundle, settings)

    monkeypatch.setattr(_serve, "create_app", recording)
    return seen


def test_serve_passes_timeout_concurrency_and_grace(bundle_path, calls, settings_seen):
    """--timeout, --body-timeout, --max-concurrency and --grace reach the app's settings and
    uvicorn."""
    args = ["--timeout", "5", "--body-timeout", "2", "--max-concurrency", "8", "--grace", "12"]
    result = runner.invoke(app, ["serve", str(bundle_path), *args])
    assert result.exit_code == 0, result.output
    [settings] = settings_seen
    assert (settings.timeout_s, settings.body_timeout_s) == (5, 2)
    assert (settings.max_concurrency, settings.grace_s) == (8, 12)
    assert calls[0][1]["timeout_graceful_shutdown"] == 12


def test_serve_defaults_are_sagemakers(bundle_path, calls, settings_seen):
    """By default: a 60 s deadline, 10 s for a body, 64 scoring requests at once, 25 s to
    drain."""
    assert runner.invoke(app, ["serve", str(bundle_path)]).exit_code == 0
    [settings] = settings_seen
    assert settings == Settings(
        timeout_s=60.0, body_timeout_s=10.0, max_concurrency=64, grace_s=25.0
    )


def test_workers_get_the_limits_through_the_env(bundle_path, calls, monkeypatch):
    """With several workers the deadline and the concurrency limit travel in the env."""
    for name in (BUNDLE_ENV, TRUST_ENV, TIMEOUT_ENV, BODY_TIMEOUT_ENV, MAX_CONCURRENCY_ENV):
        monkeypatch.delenv(name, raising=False)
    args = ["--workers", "2", "--timeout", "7.5", "--body-timeout", "1.5"]
    args += ["--max-concurrency", "3"]
    assert runner.invoke(app, ["serve", str(bundle_path), *args]).exit_code == 0
    settings = Settings.from_env()
    assert (settings.timeout_s, settings.body_timeout_s, settings.max_concurrency) == (7.5, 1.5, 3)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::"])
def test_serve_warns_when_listening_beyond_loopback(bundle_path, calls, host):
    """Any --host other than loopback prints a warning to stderr; the server still starts."""
    result = runner.invoke(app, ["serve", str(bundle_path), "--host", host])
    assert result.exit_code == 0, result.output
    assert "Warning:" in result.stderr and host in result.stderr
    assert "without authentication" in result.stderr
    assert calls[0][1]["host"] == host


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_serve_does_not_warn_on_loopback(bundle_path, calls, host):
    """Loopback addresses need no warning."""
    result = runner.invoke(app, ["serve", str(bundle_path), "--host", host])
    assert result.exit_code == 0 and "Warning" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [["--timeout", "0"], ["--body-timeout", "0"], ["--max-concurrency", "0"], ["--grace", "-1"]],
)
def test_serve_refuses_limits_that_are_not_positive(bundle_path, calls, args):
    """A deadline, limit or grace period of zero or less is a usage error (exit 2)."""
    result = runner.invoke(app, ["serve", str(bundle_path), *args])
    assert result.exit_code == 2
    assert calls == []


def test_serve_leaves_the_sigterm_handler_as_it_found_it(bundle_path, calls):
    """The drain handler is installed only while uvicorn runs."""
    before = signal.getsignal(signal.SIGTERM)
    assert runner.invoke(app, ["serve", str(bundle_path)]).exit_code == 0
    assert signal.getsignal(signal.SIGTERM) is before


def test_serve_refuses_a_capture_to_a_missing_bucket_and_serves_nothing(bundle_path, calls, s3):
    """An s3:// capture whose bucket does not exist stops `serve` with the bucket's name
    before uvicorn starts (moto's server on 127.0.0.1 stands in for S3)."""
    result = runner.invoke(app, ["serve", str(bundle_path), "--capture", "s3://lb-absent/cap/"])
    assert result.exit_code == 1
    assert "lb-absent" in result.output and "does not exist" in result.output
    assert calls == []
