"""The format is versioned: every committed fixture of every version still loads and predicts
what it recorded, and every old version has an upgrade step (see bundles/_format.py)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import InconsistentVersionWarning

from learnburn.bundles import VERSION, load_bundle, pack_bundle
from learnburn.bundles._format import FILES, UPGRADES, upgrade
from learnburn.monitoring import check_reference

FIXTURES = Path(__file__).parent / "fixtures"
COMMITTED = sorted(FIXTURES.glob("v*"), key=lambda path: int(path.name[1:]))


def _load_old(path):
    with warnings.catch_warnings():
        # a fixture saved with another scikit-learn says so when loaded; that is expected here
        warnings.simplefilter("ignore", InconsistentVersionWarning)
        return load_bundle(path)


@pytest.mark.parametrize("fixture", COMMITTED, ids=lambda path: path.name)
@pytest.mark.parametrize("packed", [False, True], ids=["directory", "lbm"])
def test_every_committed_fixture_loads_and_predicts_what_it_recorded(fixture, packed, tmp_path):
    """Old bundles still load, and give the probabilities and decisions they recorded."""
    path = pack_bundle(fixture, tmp_path / "fixture.lbm") if packed else fixture
    bundle = _load_old(path)
    check = bundle.meta["check"]
    rows = pd.DataFrame(check["rows"])
    native = bundle.predict_proba_native(rows)
    np.testing.assert_allclose(native, check["proba"], rtol=1e-12, atol=0)
    # the fast path (from version 2) gives the same within its proven tolerance
    np.testing.assert_allclose(bundle.predict_proba(rows), check["proba"], rtol=0, atol=1e-4)
    assert bundle.decide(rows).tolist() == check["decisions"]
    assert bundle.calibrator is not None and bundle.decision["kind"] == "threshold"
    if int(fixture.name[1:]) >= 3:  # the drift reference, from version 3
        assert check_reference(bundle.reference, "fixture")["rows"] == 40
        assert list(bundle.reference_sample.columns) == list(bundle.columns)
    else:
        assert bundle.reference is None and bundle.reference_sample is None


@pytest.mark.parametrize(
    "fixture", [p for p in COMMITTED if int(p.name[1:]) >= 4], ids=lambda path: path.name
)
def test_every_committed_signed_fixture_verifies_with_its_committed_public_key(fixture):
    """From version 4 the fixture is signed; its signer's public key sits beside it."""
    key = FIXTURES / f"signer-{fixture.name}.pub"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InconsistentVersionWarning)
        bundle = load_bundle(fixture, trusted_keys=[key])
    assert bundle.signed_by is not None


def test_there_is_a_committed_fixture_of_every_format_version():
    """v1 .. vVERSION each have a fixture (make_fixture.py writes the current one)."""
    assert [path.name for path in COMMITTED] == [f"v{v}" for v in range(1, VERSION + 1)]


def test_every_old_version_has_an_upgrade_step_and_a_file_list():
    """Bumping VERSION without an upgrade step (or without listing its files) fails here."""
    assert set(UPGRADES) == set(range(1, VERSION))
    assert set(FILES) == set(range(1, VERSION + 1))


def test_upgrading_a_current_bundle_changes_nothing():
    """A bundle of the current version passes through upgrade untouched."""
    files = {"schema.json": b"{}", "meta.json": b"{}", "model.skops": b"PK"}
    assert upgrade(VERSION, files) == files


def test_the_fixtures_stay_small():
    """Each committed fixture is under 50 kB, so the repository stays light."""
    for fixture in COMMITTED:
        assert sum(path.stat().st_size for path in fixture.iterdir()) < 50_000, fixture.name
