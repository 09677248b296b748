"""A compiled model is proven at load in a child process before the loading process touches
it: a corrupted or crafted Treelite file can crash only the child, and the bundle then scores
natively (or is refused), never answering /ping and crashing on the first request."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from learnburn.bundles import _proof, load_bundle, save_bundle, unpack_bundle
from learnburn.bundles._compile import _split, _treelite_sklearn, _with_probes
from learnburn.errors import BundleError

pytest.importorskip("treelite")

CORRUPTIONS = 12


@pytest.fixture(scope="module")
def treelite_packed(tmp_path_factory, fit, target, schema, features):
    """A random forest bundle whose fast path is Treelite, as save_bundle writes one when
    Treelite is the fastest proven runtime (here it is chosen by hand: ONNX wins on speed)."""
    folder = tmp_path_factory.mktemp("treelite")
    model = fit("random_forest", target)
    packed = save_bundle(
        model, folder / "forest.lbm", schema=schema, classes=["no", "yes"], meta={},
        check_rows=features,
    )  # fmt: skip
    directory = unpack_bundle(packed, folder / "forest")
    plan, estimator = _split(model)
    matrix = plan.encode_frame(_with_probes(features))
    report = json.loads((directory / "fast.json").read_text())
    report["runtime"] = "treelite"
    (directory / "fast.json").write_text(json.dumps(report))
    (directory / "fast.onnx").unlink()
    (directory / "fast.treelite").write_bytes(_treelite_sklearn(estimator, matrix))
    return directory


@pytest.fixture
def treelite_dir(treelite_packed, tmp_path, reseal):
    """A fresh copy of the Treelite bundle directory, its manifest resealed."""
    copy = tmp_path / "bundle"
    copy.mkdir()
    for path in treelite_packed.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    reseal(copy)
    return copy


def _native(directory, rows) -> np.ndarray:
    return load_bundle(directory).predict_proba_native(rows)


def test_a_proven_treelite_fast_path_passes_its_proof_at_load(treelite_dir, features):
    bundle = load_bundle(treelite_dir, lazy=True)
    assert bundle.scoring_path == "treelite" and bundle.fast_refused is None
    assert not bundle.model_loaded
    np.testing.assert_allclose(
        bundle.predict_proba(features.head(20)),
        _native(treelite_dir, features.head(20)),
        atol=_proof.TOLERANCE,
    )


def test_random_corruptions_of_the_treelite_file_never_crash_the_loading_process(
    treelite_dir, reseal, features
):
    """Flipped bytes in fast.treelite, resealed as an attacker would: each load is refused
    with a BundleError or scores natively, or the corruption changed nothing the proof rows
    see; this process survives every one (before the proof, two in ten crashed it)."""
    original = (treelite_dir / "fast.treelite").read_bytes()
    generator = random.Random(18)
    outcomes = []
    for _ in range(CORRUPTIONS):
        data = bytearray(original)
        for _ in range(generator.randint(1, 8)):
            data[generator.randrange(len(data))] = generator.randrange(256)
        (treelite_dir / "fast.treelite").write_bytes(bytes(data))
        reseal(treelite_dir)
        try:
            bundle = load_bundle(treelite_dir, lazy=True)
        except BundleError:
            outcomes.append("refused")
            continue
        outcomes.append(bundle.scoring_path)
        if bundle.scoring_path == "native":
            assert "failed its proof at load" in bundle.scoring_summary
            assert bundle.predict_proba(features.head(5)).shape == (5, 2)
    assert set(outcomes) <= {"refused", "native", "treelite"}
    assert "native" in outcomes or "refused" in outcomes, outcomes


def test_a_runtime_that_crashes_on_the_proof_rows_leaves_the_bundle_scored_natively(
    treelite_dir, features, monkeypatch
):
    """The child dies of SIGSEGV (as a corrupt checkpoint made Treelite do): the bundle loads
    with its native model, says why, and scores as the native model does."""
    monkeypatch.setattr(_proof, "CHILD", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)")
    bundle = load_bundle(treelite_dir, lazy=True)
    assert bundle.scoring_path == "native" and bundle.model_loaded
    assert "treelite crashed (SIGSEGV) on the proof rows" in bundle.scoring_summary
    np.testing.assert_array_equal(
        bundle.predict_proba(features.head(5)), bundle.predict_proba_native(features.head(5))
    )


def test_a_runtime_that_disagrees_with_the_recorded_proof_is_not_used(treelite_dir, reseal):
    report = json.loads((treelite_dir / "fast.json").read_text())
    report["proof"]["proba"] = [[1.0 - p, p] for p, _ in report["proof"]["proba"]]
    (treelite_dir / "fast.json").write_text(json.dumps(report))
    reseal(treelite_dir)
    bundle = load_bundle(treelite_dir, lazy=True)
    assert bundle.scoring_path == "native"
    assert "differ from the native model's" in bundle.fast_refused


def test_a_bundle_saved_without_proof_rows_is_proven_on_neutral_rows(treelite_dir, reseal):
    """fast.json written before proofs were recorded: the child scores zeros and missing
    values, which must give probabilities."""
    report = json.loads((treelite_dir / "fast.json").read_text())
    del report["proof"]
    (treelite_dir / "fast.json").write_text(json.dumps(report))
    reseal(treelite_dir)
    assert load_bundle(treelite_dir, lazy=True).scoring_path == "treelite"


def test_save_records_the_proof_rows_and_the_native_probabilities(treelite_packed, features):
    report = json.loads((treelite_packed / "fast.json").read_text())
    proof = report["proof"]
    assert 0 < len(proof["rows"]) <= _proof.PROOF_ROWS
    assert len(proof["proba"]) == len(proof["rows"])
    widths = {len(row) for row in proof["rows"]}
    assert len(widths) == 1 and widths.pop() >= len(report["plan"])


def test_the_proof_process_imports_nothing_from_the_current_folder(
    treelite_dir, tmp_path, monkeypatch
):
    """The child runs with ``python -I``: a numpy.py beside the server is not imported."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    (folder / "numpy.py").write_text("raise SystemExit('imported from the current folder')\n")
    monkeypatch.chdir(folder)
    monkeypatch.setenv("PYTHONPATH", str(folder))
    assert load_bundle(treelite_dir, lazy=True).scoring_path == "treelite"


def test_a_proof_passed_in_this_process_is_not_run_again_for_the_same_bytes(
    treelite_dir, monkeypatch
):
    load_bundle(treelite_dir, lazy=True)
    started = []
    real = _proof.subprocess.run
    monkeypatch.setattr(
        _proof.subprocess, "run", lambda *a, **k: started.append(a) or real(*a, **k)
    )
    assert load_bundle(treelite_dir, lazy=True).scoring_path == "treelite"
    assert started == []
