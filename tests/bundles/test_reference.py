"""The drift reference a bundle carries (format 3): written as given, read back strictly."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from learnburn.bundles import load_bundle, save_bundle
from learnburn.bundles._reference import MAX_SAMPLE_ROWS
from learnburn.errors import BundleError

REFERENCE = {"format": "learnburn-reference", "version": 1, "rows": 200, "columns": {}}


@pytest.fixture
def saved(tmp_path, logistic, schema, features):
    return save_bundle(
        logistic, tmp_path / "ref", schema=schema, classes=["no", "yes"], meta={},
        reference=REFERENCE, reference_sample=features.head(50),
    )  # fmt: skip


def _rewrite(directory, name: str, data: bytes) -> None:
    """Replace a file and its manifest entry, as a forger would (the manifest still checks)."""
    (directory / name).write_bytes(data)
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    (directory / "manifest.json").write_text(json.dumps(manifest))


def test_the_reference_and_its_sample_round_trip(saved, features):
    bundle = load_bundle(saved)
    assert bundle.reference == REFERENCE
    sample = bundle.reference_sample
    pd.testing.assert_frame_equal(sample, features.head(50).reset_index(drop=True))


def test_a_bundle_without_a_reference_says_none(bundle_dir):
    bundle = load_bundle(bundle_dir)
    assert bundle.reference is None and bundle.reference_sample is None


def test_a_sample_with_columns_the_model_does_not_take_is_refused(tmp_path, logistic, schema,
                                                                    features):  # fmt: skip
    with pytest.raises(BundleError, match="columns the schema does not list: \\['secret'\\]"):
        save_bundle(logistic, tmp_path / "b", schema=schema, classes=["no", "yes"], meta={},
                    reference_sample=features.assign(secret=1))  # fmt: skip
    assert not (tmp_path / "b").exists()


def test_a_sample_too_large_is_refused(tmp_path, logistic, schema, features):
    big = features.sample(MAX_SAMPLE_ROWS + 1, replace=True, random_state=0)
    with pytest.raises(BundleError, match="at most 5,000"):
        save_bundle(logistic, tmp_path / "b", schema=schema, classes=["no", "yes"], meta={},
                    reference_sample=big)  # fmt: skip


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"[1, 2]", "is not a JSON object"), (b'{"rows": NaN}', "is not valid JSON")],
)
def test_a_damaged_reference_document_is_refused_at_load(saved, data, message):
    _rewrite(saved, "reference.json", data)
    with pytest.raises(BundleError, match=message):
        load_bundle(saved)


def test_a_damaged_or_foreign_sample_is_refused_when_read(saved, features):
    _rewrite(saved, "reference.parquet", b"PAR1 not really parquet")
    with pytest.raises(BundleError, match="is not a readable Parquet file"):
        _ = load_bundle(saved).reference_sample
    buffer = pd.DataFrame({"other": np.arange(3)}).to_parquet(index=False)
    _rewrite(saved, "reference.parquet", buffer)
    with pytest.raises(BundleError, match="columns the schema does not list"):
        _ = load_bundle(saved).reference_sample
