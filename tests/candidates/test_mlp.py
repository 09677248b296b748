"""The PyTorch tabular MLP: scikit-learn behaviour, determinism, early stopping, the device
choice, and scoring without PyTorch."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import clone

from learnburn.bundles import load_bundle, save_bundle
from learnburn.candidates import build_pipeline
from learnburn.candidates._mlp import TabularMLPClassifier, forward
from learnburn.errors import CandidateError

torch = pytest.importorskip("torch")  # the dev extra installs it; `mlp` needs learnburn[torch]


@pytest.fixture(scope="module")
def blobs() -> tuple[np.ndarray, np.ndarray]:
    """Two classes that a straight line cannot separate (a ring around a disc)."""
    rng = np.random.default_rng(3)
    radius = np.concatenate([rng.uniform(0, 1, 300), rng.uniform(1.5, 2.5, 300)])
    angle = rng.uniform(0, 2 * np.pi, 600)
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]).astype(np.float32)
    y = np.array(["inner"] * 300 + ["outer"] * 300)
    return X, y


def test_the_network_learns_what_a_linear_model_cannot(blobs):
    """On a ring around a disc the MLP is nearly perfect (a linear model is at chance)."""
    X, y = blobs
    model = TabularMLPClassifier(random_state=0, learning_rate=0.01).fit(X, y)
    assert (model.predict(X) == y).mean() > 0.95
    assert list(model.classes_) == ["inner", "outer"]
    assert model.device_ == "cpu" and model.n_features_in_ == 2


def test_the_same_seed_gives_the_same_weights_and_another_seed_does_not(blobs):
    X, y = blobs
    first, second, other = (
        TabularMLPClassifier(random_state=seed, max_epochs=5).fit(X, y) for seed in (1, 1, 2)
    )
    for a, b in zip(first.coefs_, second.coefs_, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first.coefs_[0], other.coefs_[0])


def test_fitting_leaves_torch_global_state_as_it_was(blobs):
    """The seed, the thread count and the deterministic flag are restored after fit."""
    X, y = blobs
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    threads = torch.get_num_threads()
    TabularMLPClassifier(random_state=0, max_epochs=2, n_jobs=1).fit(X, y)
    np.testing.assert_array_equal(torch.rand(3).numpy(), expected.numpy())
    assert torch.get_num_threads() == threads
    assert not torch.are_deterministic_algorithms_enabled()


def test_early_stopping_keeps_the_best_epochs_weights(blobs):
    """With patience 1 training stops one epoch after the validation loss last improved."""
    X, y = blobs
    model = TabularMLPClassifier(random_state=0, max_epochs=400, patience=1).fit(X, y)
    assert model.n_epochs_ < 400
    assert model.n_epochs_ == model.best_epoch_ + 2
    best = min(model.validation_curve_)
    assert model.validation_curve_[model.best_epoch_] == best


def test_numpy_scoring_equals_torchs(blobs):
    """The numpy forward pass a bundle scores with matches torch's within float32 rounding."""
    X, y = blobs
    model = TabularMLPClassifier(random_state=0, max_epochs=5).fit(X, y)
    from learnburn.candidates._mlp_torch import forward_on_device

    np.testing.assert_allclose(
        forward(model.coefs_, model.intercepts_, X),
        forward_on_device(model.coefs_, model.intercepts_, X, "cpu"),
        atol=1e-6,
    )


def test_auto_chooses_the_cpu_without_a_cuda_device():
    from learnburn.candidates._mlp_torch import resolve_device

    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto") == expected
    assert resolve_device("cpu") == "cpu"
    with pytest.raises(ValueError, match="device must be one of"):
        resolve_device("tpu")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"hidden_units": 0}, "hidden_units must be an integer >= 1"),
        ({"dropout": 1.0}, "dropout must be in"),
        ({"batch_size": 2.5}, "batch_size must be an integer"),
    ],
)
def test_bad_settings_are_refused_before_training(blobs, params, message):
    X, y = blobs
    with pytest.raises(ValueError, match=message):
        TabularMLPClassifier(**params).fit(X, y)


def test_a_spec_value_out_of_range_is_a_candidate_error(make_schema):
    """The registry checks the MLP's parameters without importing torch."""
    schema = make_schema(x1="numeric")
    with pytest.raises(CandidateError, match="dropout"):
        build_pipeline("mlp", {"dropout": 2}, schema, seed=0)


def test_without_torch_the_candidate_names_the_extra(make_schema, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` raises ImportError
    with pytest.raises(CandidateError, match="needs the 'torch' package") as caught:
        build_pipeline("mlp", {}, make_schema(x1="numeric"), seed=0)
    assert "learnburn[torch]" in caught.value.hint


def test_an_unfitted_clone_has_the_same_settings():
    model = TabularMLPClassifier(hidden_units=8, device="cpu")
    assert clone(model).get_params() == model.get_params()


def test_a_bundle_of_the_mlp_loads_and_scores_without_torch(
    frame, target, schema, tmp_path, fast_params
):
    """skops stores numpy weights only: another process with torch blocked scores the bundle."""
    pipeline = build_pipeline("mlp", fast_params("mlp"), schema, seed=0).fit(frame, target)
    path = save_bundle(pipeline, tmp_path / "mlp.lbm", schema=schema.to_dict(),
                       classes=["no", "yes"], meta={})  # fmt: skip
    frame.to_csv(tmp_path / "rows.csv", index=False)
    script = (
        "import sys\n"
        "class NoTorch:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.partition('.')[0] == 'torch':\n"
        "            raise ImportError('torch is not installed here')\n"
        "sys.meta_path.insert(0, NoTorch())\n"
        "import pandas as pd\n"
        "from learnburn.bundles import load_bundle\n"
        f"bundle = load_bundle({str(path)!r})\n"
        f"rows = pd.read_csv({str(tmp_path / 'rows.csv')!r})\n"
        "print(repr(bundle.predict_proba_native(rows)[:, 1].sum()))\n"
        "assert 'torch' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    expected = load_bundle(path).predict_proba_native(frame)[:, 1].sum()
    assert float(done.stdout.strip().removeprefix("np.float64(").rstrip(")")) == pytest.approx(
        expected, abs=1e-9
    )
