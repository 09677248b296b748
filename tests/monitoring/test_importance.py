"""Permutation importances: every shuffled copy scored in a few calls, the same for the same
seed, and a matrix block shuffled whole is its input column shuffled."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from learnburn.monitoring import permutation_importances

CATEGORIES = ["a", "b", "c"]
WEIGHTS = np.array([2.0, 0.0, -1.0, 0.5])  # x0, x1 (noise), then the one-hot block of "kind"


def table(n: int = 400, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"x0": rng.normal(size=n), "x1": rng.normal(size=n)})
    frame["kind"] = pd.Categorical(rng.choice(CATEGORIES, size=n), categories=CATEGORIES)
    labels = (rng.random(n) < _positive(encode(frame))).astype(int)
    return frame, labels


def encode(frame: pd.DataFrame) -> np.ndarray:
    onehot = np.stack([(frame["kind"] == c).to_numpy(float) for c in CATEGORIES[1:]], axis=1)
    return np.column_stack([frame["x0"], frame["x1"], onehot])


def _positive(matrix: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(matrix @ WEIGHTS)))


def proba_of_matrix(matrix: np.ndarray) -> np.ndarray:
    positive = _positive(matrix)
    return np.column_stack([1 - positive, positive])


def proba_of_frame(frame: pd.DataFrame) -> np.ndarray:
    return proba_of_matrix(encode(frame))


GROUPS = {"x0": ["x0"], "x1": ["x1"], "kind": ["kind"]}
BLOCKS = {"x0": [0], "x1": [1], "kind": [2, 3]}


def test_the_same_rows_and_seed_give_the_same_importances():
    frame, labels = table()
    first = permutation_importances(proba_of_frame, frame, labels, GROUPS, seed=5)
    again = permutation_importances(proba_of_frame, frame, labels, GROUPS, seed=5)
    assert first == again
    assert sum(first.values()) == pytest.approx(1.0)


def test_an_informative_column_outranks_noise():
    frame, labels = table()
    shares = permutation_importances(proba_of_frame, frame, labels, GROUPS, seed=1)
    assert shares["x0"] > shares["kind"] > shares["x1"]
    assert shares["x1"] == 0.0  # the model ignores it: shuffling it changes nothing


def test_shuffling_a_matrix_block_whole_is_shuffling_its_input_column():
    """Encoding is row by row, so the matrix path gives the table path's importances."""
    frame, labels = table()
    on_table = permutation_importances(proba_of_frame, frame, labels, GROUPS, seed=2)
    on_matrix = permutation_importances(proba_of_matrix, encode(frame), labels, BLOCKS, seed=2)
    assert on_matrix == pytest.approx(on_table, abs=1e-12)


def test_the_shuffled_copies_are_scored_together_not_one_call_each():
    frame, labels = table()
    calls = []

    def counted(rows):
        calls.append(len(rows))
        return proba_of_frame(rows)

    permutation_importances(counted, frame, labels, GROUPS, repeats=3, seed=0)
    assert calls == [400, 400 * 3 * 3]  # the rows once, then 3 columns x 3 shuffles at once


def test_rows_of_a_class_the_model_does_not_know_do_not_count():
    """-1 marks a class the model does not know; such rows are no evidence either way."""
    frame, labels = table()
    unknown = np.full(len(labels), -1)
    shares = permutation_importances(proba_of_frame, frame, unknown, GROUPS, seed=3)
    assert shares == {"x0": pytest.approx(1 / 3), "x1": pytest.approx(1 / 3), "kind": 1 / 3}
