import numpy as np
import pytest

from learnburn.errors import DataError
from learnburn.testing import AGRAWAL_FEATURES, agrawal_concept, agrawal_stream

BASE = {
    "salary": 60e3, "commission": 0.0, "age": 30, "elevel": 0, "car": 1, "zipcode": 0,
    "hvalue": 500e3, "hyears": 10, "loan": 100e3,
}  # fmt: skip


def label(function: int, **changes) -> int:
    row = {name: np.array([value]) for name, value in {**BASE, **changes}.items()}
    return int(agrawal_concept(function, row)[0])


# (function, attributes that differ from BASE, group A?) worked by hand from the paper's rules
HAND_ROWS = [
    (1, {"age": 39}, 1),
    (1, {"age": 40}, 0),
    (1, {"age": 60}, 1),
    (2, {"age": 30, "salary": 60e3}, 1),
    (2, {"age": 30, "salary": 120e3}, 0),
    (2, {"age": 50, "salary": 120e3}, 1),
    (2, {"age": 65, "salary": 30e3}, 1),
    (3, {"age": 30, "elevel": 1}, 1),
    (3, {"age": 45, "elevel": 0}, 0),
    (3, {"age": 70, "elevel": 4}, 1),
    (4, {"age": 30, "elevel": 0, "salary": 30e3}, 1),
    (4, {"age": 30, "elevel": 2, "salary": 30e3}, 0),
    (4, {"age": 50, "elevel": 4, "salary": 100e3}, 1),
    (4, {"age": 65, "elevel": 0, "salary": 80e3}, 0),
    (5, {"age": 30, "salary": 60e3, "loan": 200e3}, 1),
    (5, {"age": 30, "salary": 30e3, "loan": 350e3}, 1),
    (5, {"age": 50, "salary": 100e3, "loan": 450e3}, 0),
    (5, {"age": 70, "salary": 100e3, "loan": 150e3}, 1),
    (6, {"age": 30, "salary": 40e3, "commission": 20e3}, 1),
    (6, {"age": 65, "salary": 60e3, "commission": 30e3}, 0),
    # disposable = 2/3 (salary + commission) - ...: group A when > 0
    (7, {"salary": 90e3, "loan": 100e3}, 1),  # 60k - 20k - 20k = 20k
    (7, {"salary": 90e3, "loan": 250e3}, 0),  # 60k - 50k - 20k < 0
    (8, {"salary": 45e3, "commission": 15e3, "elevel": 4}, 0),  # 40k - 20k - 20k = 0
    (8, {"salary": 45e3, "commission": 15e3, "elevel": 3}, 1),  # 40k - 15k - 20k = 5k
    (9, {"salary": 90e3, "elevel": 2, "loan": 200e3}, 0),  # 60k - 10k - 40k - 10k = 0
    (9, {"salary": 90e3, "elevel": 2, "loan": 195e3}, 1),  # ... - 39k ... = 1k
    (10, {"salary": 30e3, "commission": 15e3, "elevel": 4, "hyears": 10}, 0),  # 30k-20k-10k
    # equity = 200k x (25 - 20) / 10 = 100k; + equity / 5 = 20k
    (10, {"salary": 30e3, "commission": 15e3, "elevel": 4, "hyears": 25, "hvalue": 200e3}, 1),
]


@pytest.mark.parametrize(("function", "changes", "expected"), HAND_ROWS)
def test_agrawal_functions_put_hand_computed_rows_in_the_right_group(function, changes, expected):
    """Each of the ten functions gives the group the paper's rule gives (1 = group A)."""
    assert label(function, **changes) == expected


def test_every_function_has_a_hand_computed_row_in_each_group():
    """The hand rows cover all ten functions, each with a group A and a group B row."""
    groups = {(f, e) for f, _, e in HAND_ROWS}
    assert groups == {(f, e) for f in range(1, 11) for e in (0, 1)}


def test_agrawal_stream_draws_the_attributes_in_their_published_ranges():
    """salary 20-150k; commission 0 from 75k salary, else 10-75k; age 20-80; elevel 0-4;
    car 1-20; zipcode 0-8; hvalue 0.5-1.5 x (9 - zipcode) x 100k; hyears 1-30; loan 0-500k."""
    frame = agrawal_stream(20000, seed=5)
    assert list(frame.columns) == ["time", *AGRAWAL_FEATURES, "label"]
    assert frame["salary"].between(20e3, 150e3).all()
    rich = frame["salary"] >= 75e3
    assert (frame.loc[rich, "commission"] == 0).all()
    assert frame.loc[~rich, "commission"].between(10e3, 75e3).all()
    assert set(frame["age"]) == set(range(20, 81))
    assert set(frame["elevel"]) == set(range(5))
    assert set(frame["car"]) == set(range(1, 21))
    assert set(frame["zipcode"]) == set(range(9))
    k = 9 - frame["zipcode"]
    assert (frame["hvalue"] >= 0.5 * k * 100e3).all() and (frame["hvalue"] <= 1.5 * k * 100e3).all()
    assert set(frame["hyears"]) == set(range(1, 31))
    assert frame["loan"].between(0, 500e3).all()


def test_agrawal_stream_switches_function_at_each_drift_point():
    """Without perturbation or noise each segment is labelled by its own function."""
    frame = agrawal_stream(3000, functions=(1, 7, 3), drift_points=(1000, 2000), seed=6)
    for (start, stop), function in zip(
        [(0, 1000), (1000, 2000), (2000, 3000)], (1, 7, 3), strict=True
    ):
        part = frame.iloc[start:stop]
        assert np.array_equal(part["label"], agrawal_concept(function, part))
    assert frame.attrs["concepts"] == [1, 7, 3]
    assert frame.attrs["drift_points"] == [1000, 2000]


def test_perturbation_moves_values_within_their_ranges_after_labelling():
    """Perturbed attributes stay in range, and some labels no longer match the perturbed
    values (the label was fixed first), as in MOA."""
    clean = agrawal_stream(5000, functions=(2,), seed=8)
    moved = agrawal_stream(5000, functions=(2,), perturbation=0.2, seed=8)
    assert np.array_equal(clean["label"], moved["label"])
    assert not np.allclose(clean["salary"], moved["salary"])
    assert moved["salary"].between(20e3, 150e3).all() and moved["age"].between(20, 80).all()
    assert 0 < np.mean(agrawal_concept(2, moved) != moved["label"]) < 0.3


def test_agrawal_noise_flips_about_that_share_of_labels():
    """noise=0.05 flips about one label in twenty."""
    frame = agrawal_stream(20000, functions=(5,), noise=0.05, seed=3)
    assert 0.04 < np.mean(agrawal_concept(5, frame) != frame["label"]) < 0.06


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"functions": (0,)}, "integer from 1 to 10"),
        ({"functions": (11,)}, "integer from 1 to 10"),
        ({"functions": (1, 2)}, "one concept more"),
        ({"perturbation": -0.1}, "'perturbation' parameter"),
    ],
)
def test_bad_agrawal_arguments_say_what_was_expected_with_a_hint(kwargs, words):
    """Each bad argument is a DataError naming what was expected, with a hint."""
    with pytest.raises(DataError, match=words) as caught:
        agrawal_stream(100, **kwargs)
    assert caught.value.hint


def test_agrawal_concept_names_missing_attributes():
    """A table without all nine attributes is refused, naming the missing ones."""
    with pytest.raises(DataError, match="loan"):
        agrawal_concept(7, {k: v for k, v in BASE.items() if k != "loan"})
