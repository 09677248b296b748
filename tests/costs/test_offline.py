"""Jobs, against hand-computed cases: batch transform and retraining.

Fixture profile: 400,000 rows/s in process at 10,000 rows a call; the final fit took 3.2 s and
peaked at 900 MB. Shipped prices: ml.m5.large $0.115/h (2 vCPU, 8 GiB) for hosting and
training; ml.m5.xlarge training $0.23/h (us-west-2 only, 4 vCPU, 16 GiB).
"""

from __future__ import annotations

import dataclasses

import pytest

from learnburn.costs import Traffic, price_retraining
from learnburn.costs._offline import batch_transform_options, retraining_option


def _m5(options):
    return next(o for o in options if o.configuration.startswith("ml.m5.large"))


def test_batch_transform_hours_come_from_the_largest_batch_rate(measurements, prices):
    # 1e9 rows / (400,000 rows/s * 2 workers * 3600 s) = 0.347222 instance-hours
    # 0.347222 h * $0.115 = $0.03993056
    options = batch_transform_options(measurements, Traffic(rps=20, batch_rows=1e9), prices)
    m5 = _m5(options)
    assert m5.units == "0.35 instance-hours"
    assert m5.monthly_usd == pytest.approx(0.03993056)
    assert m5.online is False and m5.meets_p99 is None


def test_batch_transform_defaults_to_one_row_per_request_of_the_month(measurements, prices):
    # 20 req/s * 3600 * 730 = 52,560,000 rows / 2,880,000,000 rows per instance-hour
    # = 0.01825 h * $0.115 = $0.00209875
    m5 = _m5(batch_transform_options(measurements, Traffic(rps=20), prices))
    assert m5.monthly_usd == pytest.approx(0.00209875)


def test_retraining_every_7_days(measurements, prices):
    # runs: 730 h / (7 * 24 h) = 4.345238 a month
    # 4.345238 * 3.2 s / 3600 * $0.115 (ml.m5.large, the cheapest that holds 900 * 1.25 MB)
    # = $0.00044418
    option = retraining_option(measurements, Traffic(rps=20, retrain_every="7d"), prices)
    assert option.configuration == "ml.m5.large every 7d"
    assert option.units == "4.35 runs"
    assert option.monthly_usd == pytest.approx(0.00044418, rel=1e-4)


def test_a_half_hour_fit_every_week_on_an_instance_at_0_115_an_hour():
    # 4.345238 runs * 1800 s / 3600 * $0.115 = 4.345238 * 0.5 * 0.115 = $0.24985119
    assert price_retraining(1800, 168, 0.115).value == pytest.approx(0.24985119)


def test_retraining_picks_an_instance_whose_memory_holds_the_fit(measurements, prices):
    # 10,000 MB * 1.25 = 12,500 MB: not ml.m5.large (8 GiB); ml.m5.xlarge (16 GiB, $0.23)
    # 4.345238 * 3.2 / 3600 * 0.23 = $0.00088836
    big = dataclasses.replace(measurements, training_peak_mb=10_000.0)
    option = retraining_option(big, Traffic(rps=20, retrain_every="1w"), prices)
    assert option.configuration == "ml.m5.xlarge every 1w"
    assert option.monthly_usd == pytest.approx(0.00088836, rel=1e-4)
    assert "ml.m5.xlarge price is for us-west-2, not us-east-1" in option.notes


def test_retraining_without_a_measured_fit_says_why(measurements, prices):
    untrained = dataclasses.replace(measurements, training_fit_s=None, training_peak_mb=None)
    option = retraining_option(untrained, Traffic(rps=20, retrain_every="7d"), prices)
    assert not option.feasible and "no training measurement" in option.notes[0]
    assert retraining_option(measurements, Traffic(rps=20), prices) is None
