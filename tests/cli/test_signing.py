"""Signing on the command line: `learnburn keygen`, `sign`, `bundle --sign`, and `serve` and
`predict` with --require-signature (or LEARNBURN_TRUSTED_KEYS) refusing unsigned bundles."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import uvicorn
from typer.testing import CliRunner

from learnburn.bundles import load_bundle, save_bundle
from learnburn.candidates import build_pipeline
from learnburn.cli import app
from learnburn.data import infer_schema
from learnburn.serving._settings import BUNDLE_ENV, MAX_CONCURRENCY_ENV, TIMEOUT_ENV, TRUST_ENV

runner = CliRunner(env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """(a bundle file, a CSV to score with it, the folder)."""
    rng = np.random.default_rng(0)
    features = pd.DataFrame({"income": rng.normal(50, 10, 40), "debt": rng.normal(size=40)})
    schema = infer_schema(features)
    target = np.where(features["income"] > 50, "yes", "no")
    model = build_pipeline("logistic_regression", {}, schema, seed=0).fit(features, target)
    folder = tmp_path_factory.mktemp("signing")
    bundle = save_bundle(
        model, folder / "m.lbm", schema=schema.to_dict(), classes=["no", "yes"], meta={}
    )
    data = folder / "in.csv"
    features.to_csv(data, index=False)
    return bundle, data, folder


@pytest.fixture
def key(tmp_path) -> tuple[Path, Path]:
    result = runner.invoke(app, ["keygen", str(tmp_path / "team.pem")])
    assert result.exit_code == 0, result.output
    return tmp_path / "team.pem", tmp_path / "team.pem.pub"


@pytest.fixture
def bundle(saved, tmp_path) -> Path:
    copy = tmp_path / "m.lbm"
    copy.write_bytes(saved[0].read_bytes())
    return copy


@pytest.fixture
def served(monkeypatch):
    """uvicorn.run replaced by a recorder of its targets."""
    seen = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **options: seen.append(target))
    monkeypatch.delenv("LEARNBURN_TRUSTED_KEYS", raising=False)
    for name in (BUNDLE_ENV, TRUST_ENV, TIMEOUT_ENV, MAX_CONCURRENCY_ENV):
        monkeypatch.delenv(name, raising=False)
    return seen


def test_keygen_writes_a_key_pair_and_says_how_to_use_it(key):
    private, public = key
    assert private.stat().st_mode & 0o077 == 0 and public.is_file()


def test_sign_then_serve_with_the_required_signature_serves(bundle, key, served):
    assert runner.invoke(app, ["sign", str(bundle), "--key", str(key[0])]).exit_code == 0
    result = runner.invoke(app, ["serve", str(bundle), "--require-signature", str(key[1])])
    assert result.exit_code == 0, result.output
    assert len(served) == 1


def test_serve_refuses_an_unsigned_bundle_when_a_signature_is_required(bundle, key, served):
    result = runner.invoke(app, ["serve", str(bundle), "--require-signature", str(key[1])])
    assert result.exit_code == 1
    assert "is not signed" in result.output and "Hint:" in result.output
    assert served == []


def test_serve_refuses_an_unsigned_bundle_under_learnburn_trusted_keys(
    bundle, key, served, monkeypatch
):
    monkeypatch.setenv("LEARNBURN_TRUSTED_KEYS", str(key[1]))
    result = runner.invoke(app, ["serve", str(bundle)])
    assert result.exit_code == 1 and "is not signed" in result.output
    assert served == []


def test_serve_refuses_a_bundle_signed_by_an_untrusted_key(bundle, key, served, tmp_path):
    assert runner.invoke(app, ["keygen", str(tmp_path / "other.pem")]).exit_code == 0
    assert (
        runner.invoke(app, ["sign", str(bundle), "--key", str(tmp_path / "other.pem")]).exit_code
        == 0
    )
    result = runner.invoke(app, ["serve", str(bundle), "--require-signature", str(key[1])])
    assert result.exit_code == 1 and "not trusted here" in result.output
    assert served == []


def test_serve_with_workers_hands_them_a_private_verified_copy(bundle, key, served):
    """With a signature required, the workers load a copy of the verified files in a folder
    only this user writes, not the path given (which could change after the check)."""
    runner.invoke(app, ["sign", str(bundle), "--key", str(key[0])])
    args = ["serve", str(bundle), "--workers", "2", "--require-signature", str(key[1])]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert served == ["learnburn.serving:app_from_env"]
    path = Path(os.environ[BUNDLE_ENV])
    assert path != bundle.resolve() and path.parent.name.startswith("learnburn-serve-")
    assert not path.exists()  # removed once the server stopped


def test_predict_refuses_an_unsigned_bundle_when_a_signature_is_required(
    bundle, key, saved, tmp_path
):
    out = tmp_path / "out.csv"
    args = ["predict", str(bundle), str(saved[1]), "-o", str(out)]
    refused = runner.invoke(app, [*args, "--require-signature", str(key[1])])
    assert refused.exit_code == 1 and "is not signed" in refused.output
    assert not out.exists()
    runner.invoke(app, ["sign", str(bundle), "--key", str(key[0])])
    accepted = runner.invoke(app, [*args, "--require-signature", str(key[1])])
    assert accepted.exit_code == 0, accepted.output
    assert len(pd.read_csv(out)) == 40


def test_a_tampered_signed_bundle_is_refused_by_predict(bundle, key, saved, tmp_path):
    from learnburn.bundles import unpack_bundle

    runner.invoke(app, ["sign", str(bundle), "--key", str(key[0])])
    folder = unpack_bundle(bundle, tmp_path / "unpacked")
    (folder / "meta.json").write_text('{"saved_with": {}, "forged": true}\n')
    result = runner.invoke(
        app,
        ["predict", str(folder), str(saved[1]), "-o", str(tmp_path / "o.csv"),
         "--require-signature", str(key[1])],
    )  # fmt: skip
    assert result.exit_code == 1 and "sha256" in result.output


def test_a_missing_key_file_is_an_error_with_a_hint(bundle, tmp_path, served):
    result = runner.invoke(
        app, ["serve", str(bundle), "--require-signature", str(tmp_path / "none.pub")]
    )
    assert result.exit_code == 1
    assert "cannot read the public key" in result.output and "Hint:" in result.output


def test_sign_refuses_a_key_that_is_not_a_private_key(bundle, key):
    result = runner.invoke(app, ["sign", str(bundle), "--key", str(key[1])])
    assert result.exit_code == 1 and "not an Ed25519 private key" in result.output
    assert load_bundle(bundle).signed_by is None


def test_run_with_bundle_and_sign_writes_a_signed_bundle(small_spec, key, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    output = tmp_path / "small.lbm"
    result = runner.invoke(
        app, ["run", str(small_spec), "--quiet", "--bundle", str(output), "--sign", str(key[0])]
    )
    assert result.exit_code == 0, result.output
    assert load_bundle(output, trusted_keys=[key[1]]).signed_by


def test_bundle_with_sign_exports_a_signed_bundle(small_spec, key, tmp_path, monkeypatch):
    import re

    monkeypatch.chdir(tmp_path)
    ran = runner.invoke(app, ["run", str(small_spec), "--quiet"])
    assert ran.exit_code == 0, ran.output
    run_id = re.search(r"Recorded as run (\S+)", ran.output).group(1)
    output = tmp_path / "exported"
    result = runner.invoke(app, ["bundle", run_id, "-o", str(output), "--sign", str(key[0])])
    assert result.exit_code == 0, result.output
    assert "signed with" in result.output
    assert load_bundle(output, trusted_keys=[key[1]]).signed_by


def test_run_refuses_an_unreadable_signing_key_before_running(small_spec, tmp_path):
    output = tmp_path / "small.lbm"
    result = runner.invoke(
        app,
        ["run", str(small_spec), "--quiet", "--bundle", str(output), "--sign",
         str(tmp_path / "missing.pem")],
    )  # fmt: skip
    assert result.exit_code == 1 and "cannot read the private key" in result.output
    assert "Holdout" not in result.output and not output.exists()
