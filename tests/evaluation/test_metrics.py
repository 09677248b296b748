import math

import numpy as np
import pytest
from sklearn import metrics as skm

from learnburn.evaluation import METRICS, get_metric, score_all


@pytest.fixture
def binary():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    p1 = np.clip(0.3 * y + 0.7 * rng.random(300), 0, 1)
    return y, np.column_stack([1 - p1, p1])


def test_binary_metrics_match_scikit_learn(binary):
    """Each binary metric equals scikit-learn's function on the positive class."""
    y, proba = binary
    scores = score_all(y, proba, [0, 1])
    predicted = proba.argmax(axis=1)
    assert scores["roc_auc"] == pytest.approx(skm.roc_auc_score(y, proba[:, 1]))
    assert scores["average_precision"] == pytest.approx(skm.average_precision_score(y, proba[:, 1]))
    assert scores["log_loss"] == pytest.approx(skm.log_loss(y, proba))
    assert scores["brier"] == pytest.approx(skm.brier_score_loss(y, proba[:, 1]))
    assert scores["accuracy"] == pytest.approx(skm.accuracy_score(y, predicted))
    assert scores["balanced_accuracy"] == pytest.approx(skm.balanced_accuracy_score(y, predicted))
    assert scores["f1"] == pytest.approx(skm.f1_score(y, predicted))


def test_string_labels_use_the_larger_label_as_positive():
    """With labels 'no'/'yes', 'yes' (the second sorted class) is the positive class."""
    y = np.array(["no", "yes", "yes", "no", "yes"])
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6], [0.6, 0.4], [0.3, 0.7]])
    scores = score_all(y, proba, ["no", "yes"])
    assert scores["roc_auc"] == 1.0
    assert scores["f1"] == 1.0


def test_multiclass_metrics_are_macro_one_vs_rest():
    """Multiclass AUC is one-vs-rest macro; brier sums squared errors over classes."""
    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, 200)
    proba = rng.dirichlet([1, 1, 1], 200)
    scores = score_all(y, proba, [0, 1, 2])
    assert scores["roc_auc"] == pytest.approx(skm.roc_auc_score(y, proba, multi_class="ovr"))
    onehot = np.eye(3)[y]
    assert scores["brier"] == pytest.approx(np.mean(np.sum((proba - onehot) ** 2, axis=1)))
    assert scores["f1"] == pytest.approx(skm.f1_score(y, proba.argmax(1), average="macro"))


def test_undefined_metric_is_nan_not_an_error():
    """AUC on a fold that holds one class is NaN, and the other metrics still compute."""
    y = np.array([1, 1, 1])
    proba = np.array([[0.2, 0.8], [0.4, 0.6], [0.1, 0.9]])
    scores = score_all(y, proba, [0, 1])
    assert math.isnan(scores["roc_auc"])
    assert scores["accuracy"] == 1.0


def test_direction_of_each_metric():
    """Losses are lower-is-better; the rest higher-is-better."""
    assert {n for n, m in METRICS.items() if not m.greater_is_better} == {"log_loss", "brier"}
    assert get_metric("log_loss").better(0.1, 0.2)
    assert get_metric("roc_auc").better(0.9, 0.8)


def test_fast_binary_auc_equals_scikit_learn_with_ties():
    """The midrank AUC equals roc_auc_score, ties included."""
    from learnburn.evaluation._metrics import binary_auc

    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 500).astype(bool)
    scores = np.round(rng.random(500), 1)  # many ties
    assert binary_auc(y, scores) == pytest.approx(skm.roc_auc_score(y, scores), abs=1e-12)
