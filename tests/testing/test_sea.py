import numpy as np
import pandas as pd
import pytest

from learnburn.errors import DataError
from learnburn.testing import SEA_THRESHOLDS, sea_concept, sea_stream


def test_sea_thresholds_are_the_papers_8_9_7_and_9_5():
    """Street & Kim (2001) use theta = 8, 9, 7 and 9.5 for the four concepts."""
    assert SEA_THRESHOLDS == (8.0, 9.0, 7.0, 9.5)


@pytest.mark.parametrize(
    ("f1", "f2", "expected"),
    [
        (3.0, 4.9, (1, 1, 0, 1)),  # 7.9: under every theta but 7
        (4.5, 4.5, (0, 1, 0, 1)),  # 9.0: on theta 9, which counts (<=)
        (0.5, 6.5, (1, 1, 1, 1)),  # 7.0: on the smallest theta
        (9.0, 0.6, (0, 0, 0, 0)),  # 9.6: over every theta
    ],
)
def test_sea_concept_labels_hand_computed_rows(f1, f2, expected):
    """label = 1 exactly when f1 + f2 <= theta of the variant."""
    assert tuple(int(sea_concept(f1, f2, v)) for v in range(4)) == expected


def test_sea_stream_follows_each_variant_between_its_drift_points():
    """Without noise every label is the concept of its segment, and the segments change
    exactly at the drift points."""
    frame = sea_stream(3000, drift_points=(1000, 2000), variants=(2, 3, 0), noise=0.0, seed=4)
    for (start, stop), variant in zip(
        [(0, 1000), (1000, 2000), (2000, 3000)], (2, 3, 0), strict=True
    ):
        part = frame.iloc[start:stop]
        assert np.array_equal(part["label"], sea_concept(part["f1"], part["f2"], variant))
    assert frame.attrs["drift_points"] == [1000, 2000]
    assert frame.attrs["concepts"] == [2, 3, 0]


def test_sea_stream_features_are_uniform_on_0_10_and_f3_is_irrelevant():
    """Three features in [0, 10]; the label depends on f1 + f2 only."""
    frame = sea_stream(20000, noise=0.0, seed=1)
    features = frame[["f1", "f2", "f3"]]
    assert features.min().min() >= 0.0 and features.max().max() <= 10.0
    assert np.allclose(features.mean(), 5.0, atol=0.1)
    assert abs(np.corrcoef(frame["f3"], frame["label"])[0, 1]) < 0.03


def test_sea_stream_noise_flips_about_that_share_of_labels():
    """noise=0.1 (the paper's 10%) flips about one label in ten."""
    frame = sea_stream(20000, noise=0.1, seed=2)
    clean = sea_concept(frame["f1"], frame["f2"], 0)
    assert 0.09 < np.mean(frame["label"] != clean) < 0.11


def test_sea_stream_stamps_rows_from_start_every_freq_and_records_drift_times():
    """Row i is at start + i * freq; drift_times are the timestamps of the drift rows."""
    frame = sea_stream(50, drift_points=(24,), start="2024-03-01", freq="h", seed=0)
    assert frame["time"].iloc[0] == pd.Timestamp("2024-03-01")
    assert frame["time"].iloc[49] == pd.Timestamp("2024-03-03 01:00")
    assert frame.attrs["drift_times"] == ["2024-03-02T00:00:00"]
    assert list(frame.columns) == ["time", "f1", "f2", "f3", "label"]


def test_sea_stream_is_reproducible_under_a_seed():
    """The same seed gives the same rows; another seed different ones."""
    a, b = sea_stream(100, seed=9), sea_stream(100, seed=9)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(sea_stream(100, seed=10))


def test_a_gradual_drift_mixes_the_concepts_only_around_its_point():
    """With width 200 the rows far before the point follow the old concept, those far after
    the new one, and those near it a mix of both."""
    frame = sea_stream(4000, drift_points=(2000,), variants=(2, 3), width=200, noise=0.0, seed=3)
    old = sea_concept(frame["f1"], frame["f2"], 2) == frame["label"]
    new = sea_concept(frame["f1"], frame["f2"], 3) == frame["label"]
    assert old[:1500].all() and new[2500:].all()
    near = slice(1950, 2050)
    assert (~old[near]).any() and (~new[near]).any()


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"n": 0}, "'n' parameter"),
        ({"n": 100, "drift_points": (50,), "variants": (0, 4)}, "must be 0, 1, 2 or 3"),
        ({"n": 100, "drift_points": (50,), "variants": (0,)}, "one concept more"),
        ({"n": 100, "drift_points": (60, 40)}, "increasing row positions"),
        ({"n": 100, "drift_points": (100,)}, "between 1 and n - 1"),
        ({"n": 100, "noise": 1.5}, "'noise' parameter"),
        ({"n": 100, "width": -1}, "'width' parameter"),
    ],
)
def test_bad_sea_arguments_say_what_was_expected_with_a_hint(kwargs, words):
    """Each bad argument is a DataError naming the parameter, with a hint."""
    n = kwargs.pop("n")
    with pytest.raises(DataError, match=words) as caught:
        sea_stream(n, **kwargs)
    assert caught.value.hint
