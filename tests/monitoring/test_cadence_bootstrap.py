import numpy as np
import pytest

from learnburn.errors import CadenceError
from learnburn.monitoring._bootstrap import block_length, moving_block_means, moving_block_upper


@pytest.mark.parametrize(("n", "length"), [(1, 1), (7, 2), (8, 2), (27, 3), (28, 4), (95, 5)])
def test_the_default_block_length_is_the_ceiling_of_the_cube_root(n, length):
    """L = ceil(n ** (1/3)) (Hall, Horowitz and Jing 1995), exact at perfect cubes."""
    assert block_length(n) == length


def test_a_constant_series_has_its_value_as_bound():
    """Every resample of a constant series has the same mean."""
    assert moving_block_upper(np.full(30, 0.02)) == pytest.approx(0.02)


def test_the_means_resample_whole_blocks_of_consecutive_values():
    """With blocks as long as the series, every resample is the series itself."""
    values = np.arange(10.0)
    assert np.allclose(moving_block_means(values, length=10, resamples=20), 4.5)


def test_on_independent_values_the_bound_matches_the_normal_one():
    """For iid values the 95% bound is near mean + 1.645 sd / sqrt(n)."""
    values = np.random.default_rng(0).normal(0.0, 1.0, 400)
    expected = values.mean() + 1.645 * values.std(ddof=1) / np.sqrt(len(values))
    bound = moving_block_upper(values, resamples=4000, seed=1)
    assert bound == pytest.approx(expected, abs=0.03)


def test_blocks_widen_the_bound_on_an_autocorrelated_series():
    """On an AR(1) series (phi = 0.8) resampling single values understates the spread of the
    mean; blocks keep runs together and give a wider, more honest bound."""
    rng = np.random.default_rng(3)
    values = np.zeros(300)
    for t in range(1, 300):
        values[t] = 0.8 * values[t - 1] + rng.normal()
    single = moving_block_upper(values, length=1, seed=2) - values.mean()
    blocks = moving_block_upper(values, length=12, seed=2) - values.mean()
    assert blocks > 1.8 * single


def test_the_same_seed_gives_the_same_bound():
    """The bootstrap is seeded: reproducible, and another seed differs."""
    values = np.random.default_rng(5).normal(size=50)
    assert moving_block_upper(values, seed=7) == moving_block_upper(values, seed=7)
    assert moving_block_upper(values, seed=7) != moving_block_upper(values, seed=8)


@pytest.mark.parametrize(
    ("values", "kwargs", "words"),
    [
        ([], {}, "at least one finite value"),
        ([0.1, float("nan")], {}, "1 not finite"),
        ([0.1, 0.2], {"length": 3}, "block length"),
        ([0.1, 0.2], {"confidence": 1.0}, "confidence"),
    ],
)
def test_bad_bootstrap_inputs_are_cadence_errors(values, kwargs, words):
    """Empty or non-finite series, a block longer than the series and a confidence outside
    (0, 1) are refused with a hint."""
    with pytest.raises(CadenceError, match=words) as caught:
        moving_block_upper(values, **kwargs)
    assert caught.value.hint
