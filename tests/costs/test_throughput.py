"""What one vCPU serves within the latency target, from the measured HTTP levels."""

from __future__ import annotations

import dataclasses

from learnburn.costs import choose_level


def test_the_fastest_level_within_the_target_sizes_capacity(measurements):
    """Within 100 ms all four levels qualify; concurrency 16 is fastest: 3,100 req/s."""
    throughput = choose_level(measurements, 100)
    assert (throughput.level.concurrency, throughput.rps_per_vcpu) == (16, 3100)
    assert throughput.meets_target and throughput.notes == ()


def test_a_tighter_target_leaves_out_the_slower_levels(measurements):
    """Within 5 ms only concurrency 1 (p99 0.9) and 4 (p99 3.1) qualify: 2,900 req/s."""
    throughput = choose_level(measurements, 5)
    assert (throughput.level.concurrency, throughput.rps_per_vcpu) == (4, 2900)


def test_when_no_level_meets_the_target_the_lowest_p99_is_used_and_said(measurements):
    throughput = choose_level(measurements, 0.5)
    assert throughput.level.concurrency == 1 and not throughput.meets_target
    assert "no measured level meets p99 <= 0.5 ms" in throughput.notes[0]


def test_a_rate_measured_with_several_workers_is_divided_among_them(measurements):
    """3,100 req/s over 2 workers on 2 CPUs is 1,550 req/s per vCPU; 4 workers on 2 CPUs
    still share 2 vCPUs."""
    two = dataclasses.replace(measurements, http_workers=2)
    assert choose_level(two, 100).rps_per_vcpu == 1550
    four = dataclasses.replace(measurements, http_workers=4)
    assert choose_level(four, 100).rps_per_vcpu == 1550


def test_levels_with_errors_are_left_out(measurements):
    levels = list(measurements.levels)
    levels[2] = dataclasses.replace(levels[2], errors=3)
    throughput = choose_level(dataclasses.replace(measurements, levels=tuple(levels)), 100)
    assert throughput.level.concurrency == 32  # 3,050 req/s, the fastest without errors
    assert "1 level(s) with errors" in throughput.notes[0]


def test_a_rate_near_the_load_generators_ceiling_is_flagged(measurements):
    limited = dataclasses.replace(measurements, client_ceiling_rps=3300.0)
    assert "load generator's ceiling" in choose_level(limited, 100).notes[0]
