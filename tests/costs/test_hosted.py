"""Capacity by the hour, against hand-computed cases: Fargate tasks, the load balancer,
SageMaker real-time and EC2 instance counts.

Fixture profile: one worker on 2 logical CPUs; within p99 <= 100 ms the fastest level is
concurrency 16 at 3,100 req/s, so one vCPU serves 3,100 req/s; a worker holds 180 MB.
Shipped prices: Fargate x86 $0.04048/vCPU-h and $0.004445/GB-h; ALB $0.0225/h, LCU $0.008/h;
ml.m5.large $0.115/h (2 vCPU, 8 GiB); EC2 c7i.large $0.08925/h (2 vCPU, 4 GiB).
"""

from __future__ import annotations

import pytest

from learnburn.costs import (
    Traffic,
    check_fargate_size,
    choose_level,
    price_fargate_tasks,
    price_load_balancer,
)
from learnburn.costs._fargate import fargate_options
from learnburn.costs._hosted import ec2_options, sagemaker_realtime_options
from learnburn.errors import CostError


def _option(options, configuration_start):
    return next(o for o in options if o.configuration.startswith(configuration_start))


def test_a_fargate_task_of_half_a_vcpu_and_1_gb_for_730_hours(prices):
    # per hour: 0.5 vCPU * $0.04048 + 1 GB * $0.004445 = $0.02024 + $0.004445 = $0.024685
    # a month:  $0.024685 * 730 h = $18.02005
    cost = price_fargate_tasks(512, 1024, tasks=1, hours=730, prices=prices)
    assert cost.value == pytest.approx(18.02005)


def test_fargate_tasks_scale_with_their_count_and_hours(prices):
    # 3 tasks of 1 vCPU / 2 GB, 12 h a day (365 h a month):
    # (1 * 0.04048 + 2 * 0.004445) * 3 * 365 = 0.04937 * 1095 = $54.06015
    cost = price_fargate_tasks(1024, 2048, tasks=3, hours=365, prices=prices)
    assert cost.value == pytest.approx(54.06015)


@pytest.mark.parametrize(
    ("cpu", "memory", "message", "hint"),
    [
        (512, 512, "does not accept 512 MiB of memory with 512 CPU units", "1024 to 4096"),
        (256, 4096, "4096 MiB of memory with 256 CPU units", "512, 1024, 2048"),
        (8192, 18432, "18432 MiB", "16384 to 61440 in steps of 4096"),
        (300, 1024, "no task size of 300 CPU units", "256, 512, 1024"),
    ],
)
def test_a_fargate_size_fargate_refuses_is_an_error_with_the_valid_sizes(
    cpu, memory, message, hint
):
    with pytest.raises(CostError, match=message) as caught:
        check_fargate_size(cpu, memory)
    assert hint in caught.value.hint
    with pytest.raises(CostError):
        price_fargate_tasks(cpu, memory, tasks=1, hours=730, prices=None)


def test_every_fargate_size_the_docs_list_is_accepted():
    for cpu, memory in [(256, 512), (256, 2048), (512, 4096), (4096, 30720), (16384, 122880)]:
        check_fargate_size(cpu, memory)


def test_the_load_balancer_charges_its_hours_and_one_lcu_per_25_new_connections(prices):
    # 20 req/s, no keep-alive: 20 new conn/s / 25 = 0.8 LCU
    # 730 h * $0.0225 + 0.8 LCU * $0.008 * 730 h = $16.425 + $4.672 = $21.097
    cost = price_load_balancer(Traffic(rps=20), 730, prices)
    assert cost.value == pytest.approx(21.097)


def test_the_load_balancer_charges_bytes_when_they_dominate(prices):
    # 20 req/s * 3600 s * 500 KB / 1e6 = 36 GB/h -> 36 LCU (> 0.8 for connections)
    # $16.425 + 36 * $0.008 * 730 h = $16.425 + $210.24 = $226.665
    cost = price_load_balancer(Traffic(rps=20, payload_kb=500), 730, prices)
    assert cost.value == pytest.approx(226.665)


def test_keep_alive_clients_need_fewer_lcus(prices):
    # 200 req/s, 100 requests per connection: 2 new conn/s = 0.08 LCU
    # $16.425 + 0.08 * $0.008 * 730 = $16.425 + $0.4672 = $16.8922
    cost = price_load_balancer(Traffic(rps=200, requests_per_connection=100), 730, prices)
    assert cost.value == pytest.approx(16.8922)


def test_one_sagemaker_instance_carries_a_peak_it_can_hold(measurements, prices):
    # ml.m5.large: min(2 vCPU, floor(8192 MiB / (180 MB * 1.25))) = 2 workers
    # instances = ceil(800 / (3100 * 2 * 0.7)) = ceil(800 / 4340) = 1
    # a month: 1 * $0.115 * 730 h (an endpoint is always on) = $83.95
    traffic = Traffic(rps=200, peak_rps=800, ha=False)
    options = sagemaker_realtime_options(
        measurements, choose_level(measurements, 100), traffic, prices
    )
    m5 = _option(options, "ml.m5.large")
    assert (m5.count, m5.monthly_usd) == (1, pytest.approx(83.95))
    assert m5.meets_p99 and m5.p99_ms == 8.8


def test_a_peak_no_single_instance_can_carry_is_scaled_out(measurements, prices):
    # instances = ceil(10000 / (3100 * 2 * 0.7)) = ceil(2.304) = 3
    # a month: 3 * $0.115 * 730 = $251.85
    traffic = Traffic(rps=5000, peak_rps=10_000)
    options = sagemaker_realtime_options(
        measurements, choose_level(measurements, 100), traffic, prices
    )
    m5 = _option(options, "ml.m5.large")
    assert (m5.units, m5.monthly_usd) == ("3 instances", pytest.approx(251.85))
    # ml.m5.xlarge has 4 vCPUs: ceil(10000 / (3100 * 4 * 0.7)) = ceil(1.152) = 2; 2 * 0.23 * 730
    assert _option(options, "ml.m5.xlarge").monthly_usd == pytest.approx(335.8)


def test_a_tighter_latency_target_sizes_on_a_slower_level(measurements, prices):
    # within 5 ms one vCPU serves 2,900 req/s: ceil(10000 / (2900 * 2 * 0.7)) = ceil(2.46) = 3
    traffic = Traffic(rps=5000, peak_rps=10_000, p99_ms=5)
    options = sagemaker_realtime_options(
        measurements, choose_level(measurements, 5), traffic, prices
    )
    assert _option(options, "ml.m5.large").count == 3
    assert _option(options, "ml.m5.large").p99_ms == 3.1


def test_gpu_instances_are_never_sized_from_cpu_measurements(measurements, prices):
    options = sagemaker_realtime_options(
        measurements, choose_level(measurements, 100), Traffic(rps=20), prices
    )
    names = {o.configuration.split(" ")[0] for o in options}
    assert "ml.m5.large" in names
    assert not names & {"ml.g4dn.xlarge", "ml.g5.xlarge", "ml.g6.xlarge", "ml.inf2.xlarge"}


def test_fargate_sizes_tasks_and_adds_the_load_balancer(measurements, prices):
    # 1 vCPU task: memory 1 * 180 * 1.25 = 225 MiB -> the smallest allowed, 2048 MiB
    # tasks = ceil(10000 / (3100 * 1 * 0.7)) = ceil(4.608) = 5
    # tasks: 5 * (0.04048 + 2 * 0.004445) * 730 = 5 * 0.04937 * 730 = $180.2005
    # ALB: 730 * 0.0225 + (5000 / 25) LCU * 0.008 * 730 = 16.425 + 1168 = $1,184.425
    traffic = Traffic(rps=5000, peak_rps=10_000)
    options = fargate_options(measurements, choose_level(measurements, 100), traffic, prices)
    one = _option(options, "1 vCPU / 2 GB")
    assert one.units == "5 tasks"
    assert one.monthly_usd == pytest.approx(180.2005 + 1184.425)
    assert any(note.startswith("includes an ALB: $1,184.4") for note in one.notes)
    assert "one connection per request" in next(n for n in one.notes if "ALB" in n)


def test_scheduled_hours_scale_fargate_but_not_the_load_balancer_hour(measurements, prices):
    # 20 req/s, 12 h a day = 365 h: task 0.04937 * 365 = $18.02005
    # ALB 0.0225 * 730 + 0.8 * 0.008 * 365 = 16.425 + 2.336 = $18.761
    traffic = Traffic(rps=20, hours_per_day=12, ha=False)
    options = fargate_options(measurements, choose_level(measurements, 100), traffic, prices)
    assert _option(options, "1 vCPU").monthly_usd == pytest.approx(18.02005 + 18.761)


def test_a_task_smaller_than_a_vcpu_is_mentioned_not_chosen(measurements, prices):
    # 20 req/s fits a quarter vCPU (3100 * 0.25 * 0.7 = 542.5 req/s): 256 units / 512 MiB
    # (0.25 * 0.04048 + 0.5 * 0.004445) * 730 = 0.0123425 * 730 = $9.01
    options = fargate_options(
        measurements, choose_level(measurements, 100), Traffic(rps=20, ha=False), prices
    )
    note = next(n for n in _option(options, "1 vCPU").notes if "0.25 vCPU" in n)
    assert "$9.01/month" in note and "not measured" in note


def test_ec2_instances_scale_with_the_schedule_and_carry_an_alb(measurements, prices):
    # c7i.large: 2 workers; ceil(800 / 4340) = 1 instance; 1 * 0.08925 * 730 = $65.1525
    # ALB at 200 req/s: 16.425 + 8 LCU * 0.008 * 730 = 16.425 + 46.72 = $63.145
    traffic = Traffic(rps=200, peak_rps=800, ha=False)
    options = ec2_options(measurements, choose_level(measurements, 100), traffic, prices)
    assert _option(options, "c7i.large").monthly_usd == pytest.approx(65.1525 + 63.145)


def test_an_endpoint_bills_all_month_whatever_the_schedule(measurements, prices):
    # 8 h a day changes nothing for an endpoint: 1 * $0.115 * 730 h = $83.95
    traffic = Traffic(rps=20, hours_per_day=8, ha=False)
    throughput = choose_level(measurements, 100)
    m5 = _option(sagemaker_realtime_options(measurements, throughput, traffic, prices), "ml.m5.l")
    assert m5.monthly_usd == pytest.approx(83.95)
    assert "an endpoint bills 730 h a month; it does not stop off-hours" in m5.notes


def test_an_endpoint_refuses_payloads_over_6_mb(measurements, prices):
    traffic = Traffic(rps=20, payload_kb=6500)
    throughput = choose_level(measurements, 100)
    m5 = _option(sagemaker_realtime_options(measurements, throughput, traffic, prices), "ml.m5.l")
    assert not m5.feasible
    assert m5.notes[0] == "a 6500 KB payload exceeds SageMaker real-time's 6 MB"
