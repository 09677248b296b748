"""A bundle to deploy, a real cost report, and a local AWS API emulator: moto in server mode on
127.0.0.1, started once per session in its own process and reset before each test that uses it.

The tests' boto3 finds the emulator through ``AWS_ENDPOINT_URL`` and fake credentials through
the environment, as the standard chain would find real ones; both are set for the test only.
Nothing here reaches AWS.
"""

from __future__ import annotations

import json
import warnings
from datetime import date
from pathlib import Path

import pytest

from learnburn.bundles import save_bundle, unpack_bundle
from learnburn.candidates import build_pipeline
from learnburn.costs import Traffic, estimate_cost
from learnburn.data import infer_schema
from learnburn.errors import CostWarning

pytest.importorskip("boto3", reason="learnburn deploy --apply needs boto3 (learnburn[aws])")
pytest.importorskip("moto", reason="the deploy tests run against moto in server mode")

FAKE_KEY_ID = "AKIALEARNBURNTEST01"
FAKE_SECRET = "lbTestSecret/9f8e7d6c5b4a39281706fEdCbA"  # must never appear in output or files
REGION = "us-east-1"
BUCKET = "learnburn-models"
PROFILE = Path(__file__).parents[1] / "profiling" / "fixtures" / "profile.json"
PROFILE_DAY = date(2026, 11, 26)  # the day the fixture profile was written


@pytest.fixture(scope="session")
def bundle_file(tmp_path_factory, mixed_features_maker, mixed_target_maker) -> Path:
    """A logistic-regression bundle packed as one file (loans.lbm)."""
    features = mixed_features_maker(120)
    schema = infer_schema(features)
    model = build_pipeline("logistic_regression", {}, schema, seed=0)
    model.fit(features, mixed_target_maker(features))
    folder = tmp_path_factory.mktemp("bundles")
    return save_bundle(
        model, folder / "loans.lbm", schema=schema.to_dict(), classes=["no", "yes"], meta={}
    )


@pytest.fixture(scope="session")
def bundle_dir(bundle_file, tmp_path_factory) -> Path:
    """The same bundle, unpacked into a folder."""
    return unpack_bundle(bundle_file, tmp_path_factory.mktemp("unpacked") / "loans")


@pytest.fixture(scope="session")
def cost_report(tmp_path_factory) -> Path:
    """``learnburn cost --json`` of the profiling tests' fixture profile at 20 requests/s."""
    with warnings.catch_warnings():
        # the report's own warnings (old prices, a missed p99) are the cost tests' business
        warnings.simplefilter("ignore", CostWarning)
        report = estimate_cost(
            json.loads(PROFILE.read_text()), Traffic(rps=20, peak_rps=60), today=PROFILE_DAY
        )
    path = tmp_path_factory.mktemp("cost") / "cost.json"
    path.write_text(json.dumps(report.to_dict()))
    return path


@pytest.fixture
def aws(moto_server, monkeypatch, tmp_path):
    """The emulator, emptied, with the standard chain's environment pointing at it, and the
    bucket for model archives created."""
    moto_server.reset()
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", FAKE_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.url)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # the emulator neither throttles nor flakes
    client("s3").create_bucket(Bucket=BUCKET)
    return moto_server


def client(name: str):
    import boto3

    return boto3.client(name, region_name=REGION)


def default_network() -> tuple[str, list[str]]:
    """The emulator's default VPC and two of its subnets (in different zones)."""
    subnets = client("ec2").describe_subnets(
        Filters=[{"Name": "default-for-az", "Values": ["true"]}]
    )["Subnets"]
    return subnets[0]["VpcId"], [s["SubnetId"] for s in subnets[:2]]


def assert_no_secret(*texts: str, folder: Path | None = None) -> None:
    """The fake secret key is in none of ``texts`` nor any file under ``folder``."""
    for text in texts:
        assert FAKE_SECRET not in text
    for path in folder.rglob("*") if folder is not None else ():
        if path.is_file():
            assert FAKE_SECRET.encode() not in path.read_bytes(), path
