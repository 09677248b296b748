"""Capacity by the request, against hand-computed cases: Lambda and SageMaker serverless.

Fixture profile: one request at a time (concurrency 1) takes p50 0.45 ms and p99 0.9 ms, billed
as 1 ms; a worker holds 180 MB; cold start 1.8 s. Shipped prices: Lambda x86 $0.0000166667 per
GB-s (first 6 billion), $0.000015 (next 9 billion), $0.20 per million requests; serverless
$0.00002 per second at 1024 MB, $0.00004 at 2048 MB, $0.016 per GB processed.
"""

from __future__ import annotations

import dataclasses

import pytest

from learnburn.costs import Traffic, price_lambda
from learnburn.costs._serverless import lambda_option, sagemaker_serverless_option

# 20 req/s for 730 h: 20 * 3600 * 730 = 52,560,000 requests a month
REQUESTS = 52_560_000


def test_lambda_at_1769_mb_and_12_ms_a_request_at_20_requests_a_second(prices):
    # GB-s:     52,560,000 * 12 ms / 1000 * 1769 MB / 1024 = 1,089,593.4375 GB-s
    # duration: 1,089,593.4375 * $0.0000166667 = $18.15992694 (all in the first tier)
    # requests: 52,560,000 / 1e6 * $0.20 = $10.512
    # a month:  $18.15992694 + $10.512 = $28.67192694
    cost = price_lambda(1769, 12, REQUESTS, prices)
    assert cost.value == pytest.approx(28.67192694)


def test_lambda_duration_past_6_billion_gb_seconds_is_priced_by_tier(prices):
    # 10e9 requests of 1 s at 1024 MB = 10e9 GB-s
    # 6e9 * 0.0000166667 + 4e9 * 0.000015 = 100,000.2 + 60,000 = $160,000.2
    # requests: 10e9 / 1e6 * 0.2 = $2,000
    cost = price_lambda(1024, 1000, 10e9, prices)
    assert cost.value == pytest.approx(162_000.2)


def test_the_lambda_option_gets_a_full_vcpu_as_measured(measurements, prices):
    # memory: max(1769, ceil(180 * 1.25 = 225)) = 1769 MB (one vCPU, as the worker was measured)
    # GB-s: 52,560,000 * 1 ms / 1000 * 1769 / 1024 = 90,799.453125
    # $1.51332 duration + $10.512 requests = $12.02532
    option = lambda_option(measurements, Traffic(rps=20), prices)
    assert option.configuration.startswith("1,769 MB, x86, 1 ms billed")
    assert option.monthly_usd == pytest.approx(90_799.453125 * 0.0000166667 + 10.512)
    assert option.meets_p99 and option.p99_ms == 0.9
    assert any("cold start: 1.8 s" in note for note in option.notes)


def test_lambda_refuses_payloads_over_6_mb_and_cold_starts_over_15_minutes(measurements, prices):
    too_big = lambda_option(measurements, Traffic(rps=20, payload_kb=7000), prices)
    assert not too_big.feasible
    assert "a 7000 KB payload exceeds Lambda's 6 MB" in too_big.notes
    slow = dataclasses.replace(measurements, cold_start_s=1000.0)
    assert "longer than Lambda's 900 s" in lambda_option(slow, Traffic(rps=20), prices).notes[0]
    assert lambda_option(measurements, Traffic(rps=20, payload_kb=5000), prices).feasible


def test_serverless_at_the_smallest_memory_that_holds_a_worker(measurements, prices):
    # 180 MB * 1.25 = 225 MB -> 1024 MB; 52,560,000 * 1 ms / 1000 * $0.00002 = $1.0512
    option = sagemaker_serverless_option(measurements, Traffic(rps=20), prices)
    assert option.configuration == "1024 MB, 1 ms billed per request"
    assert option.monthly_usd == pytest.approx(1.0512)


def test_serverless_memory_follows_the_worker_and_data_is_priced(measurements, prices):
    # 1000 MB * 1.25 = 1250 MB -> 2048 MB: 52,560 s * $0.00004 = $2.1024
    # data: 52,560,000 * 2 KB / 1e6 = 105.12 GB * $0.016 = $1.68192
    bigger = dataclasses.replace(measurements, worker_rss_mb=1000.0)
    option = sagemaker_serverless_option(bigger, Traffic(rps=20, payload_kb=2), prices)
    assert option.configuration.startswith("2048 MB")
    assert option.monthly_usd == pytest.approx(2.1024 + 1.68192)


def test_serverless_refuses_what_its_limits_refuse(measurements, prices):
    # a 45 ms request at a peak of 5,000 req/s, 70% used: ceil(5000 * 0.045 / 0.7) = 322 > 200
    levels = list(measurements.levels)
    levels[0] = dataclasses.replace(levels[0], p50_ms=45.0, p99_ms=60.0)
    slow = dataclasses.replace(measurements, levels=tuple(levels))
    busy = sagemaker_serverless_option(slow, Traffic(rps=1000, peak_rps=5000), prices)
    assert not busy.feasible and "needs 322 concurrent requests" in busy.notes[0]
    heavy = sagemaker_serverless_option(measurements, Traffic(rps=20, payload_kb=5000), prices)
    assert "exceeds serverless's 4 MB" in heavy.notes[0]
    huge = dataclasses.replace(measurements, worker_rss_mb=6000.0)
    assert "at most 6144 MB" in sagemaker_serverless_option(huge, Traffic(rps=20), prices).notes[0]
