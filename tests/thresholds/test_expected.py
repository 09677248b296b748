import numpy as np
import pytest

from learnburn.thresholds import ExpectedCost, cost_matrix, expected_cost
from learnburn.thresholds._expected import bootstrap_means

COST = cost_matrix(("no", "yes"), costs={"false_positive": 1, "false_negative": 5})


def _sample(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.choice(["no", "yes"], size=n, p=[0.7, 0.3])
    decisions = np.where(rng.random(n) < 0.8, y, rng.choice(["no", "yes"], size=n))
    return y, decisions


def _mean_cost(y, decisions):
    truth = (y == "yes").astype(int)
    return COST[truth, (decisions == "yes").astype(int)].mean()


def test_per_1000_is_a_thousand_times_the_mean_realised_cost():
    """per_1000 equals 1000 x the mean of cost[truth, decision]."""
    y, decisions = _sample()
    result = expected_cost(y, decisions, COST, ("no", "yes"))
    assert result.per_1000 == pytest.approx(1000 * _mean_cost(y, decisions))


def test_interval_brackets_the_estimate():
    """The bootstrap interval holds the point estimate and has the requested confidence."""
    y, decisions = _sample()
    result = expected_cost(y, decisions, COST, ("no", "yes"), confidence=0.9)
    assert result.low < result.per_1000 < result.high
    assert result.confidence == 0.9


def test_same_seed_same_interval_other_seed_other_interval():
    """The interval is reproducible with a seed and changes with another seed."""
    y, decisions = _sample()
    first = expected_cost(y, decisions, COST, ("no", "yes"), seed=4)
    assert expected_cost(y, decisions, COST, ("no", "yes"), seed=4) == first
    assert expected_cost(y, decisions, COST, ("no", "yes"), seed=5) != first


def test_copies_of_a_row_are_resampled_together():
    """Stacked repeats of the same rows (groups) give the interval of the rows, not the copies."""
    y, decisions = _sample(n=1500)
    once = expected_cost(y, decisions, COST, ("no", "yes"))
    stacked = (np.tile(y, 4), np.tile(decisions, 4), COST, ("no", "yes"))
    by_repeat = expected_cost(*stacked, groups=np.repeat(np.arange(4), len(y)))
    by_row = expected_cost(*stacked, row_ids=np.tile(np.arange(len(y)), 4))
    naive = expected_cost(*stacked)
    width = once.high - once.low
    assert by_repeat.high - by_repeat.low == pytest.approx(width, rel=0.15)
    assert by_row.high - by_row.low == pytest.approx(width, rel=0.15)
    assert naive.high - naive.low < 0.7 * width


def test_grouped_draws_match_resampling_units_directly():
    """Drawing counts over distinct unit totals gives the same distribution as drawing units."""
    rng = np.random.default_rng(2)
    totals = rng.integers(0, 4, size=3000).astype(float)
    sizes = rng.integers(1, 3, size=3000).astype(float)
    grouped = bootstrap_means(totals, sizes, 2000, seed=0)
    direct = bootstrap_means(totals, sizes, 2000, seed=0, max_draws=0)
    assert grouped.mean() == pytest.approx(direct.mean(), rel=0.01)
    assert grouped.std() == pytest.approx(direct.std(), rel=0.1)


def test_to_dict_holds_every_field():
    """to_dict is the four fields as plain floats."""
    result = ExpectedCost(per_1000=41.2, low=30.0, high=50.0, confidence=0.95)
    assert result.to_dict() == {"per_1000": 41.2, "low": 30.0, "high": 50.0, "confidence": 0.95}


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [({"confidence": 1.0}, "confidence"), ({"n_resamples": 0}, "n_resamples")],
)
def test_bad_bootstrap_settings_are_value_errors(kwargs, fragment):
    """A confidence outside (0, 1) or no resamples is a ValueError."""
    y, decisions = _sample(n=10)
    with pytest.raises(ValueError, match=fragment):
        expected_cost(y, decisions, COST, ("no", "yes"), **kwargs)


def test_labels_outside_the_classes_are_value_errors():
    """A decision that is not one of the classes is a ValueError naming it."""
    with pytest.raises(ValueError, match="maybe"):
        expected_cost(["no", "yes"], ["no", "maybe"], COST, ("no", "yes"))
