"""Instances by the hour: SageMaker real-time endpoints, and EC2 instances for ECS on EC2
(behind an ALB). One option per CPU instance type the price table lists.

Capacity is sized for the peak: ``ceil(peak_rps / (rps_per_vcpu * workers * utilisation))``
instances, at least one, each running one worker per vCPU (fewer when its memory holds fewer).
An endpoint bills all 730 hours of a month; EC2 instances bill the hours a day they run.
"""

from __future__ import annotations

from learnburn.costs._balancer import add_load_balancer
from learnburn.costs._inputs import (
    ALWAYS_ON,
    margin,
    price_notes,
    requests_a_month,
    scheduled_hours,
    units_for_peak,
    workers_per_instance,
)
from learnburn.costs._instances import instance_spec
from learnburn.costs._limits import REALTIME_PAYLOAD_MB, REALTIME_TIMEOUT_S, request_problems
from learnburn.costs._prices import MissingPrice, Price, PriceTable
from learnburn.costs._records import (
    CostOption,
    Quantity,
    Working,
    add_data_charge,
    priced,
    unavailable,
)
from learnburn.costs._throughput import Throughput
from learnburn.costs._traffic import Traffic
from learnburn.profiling import Measurements


def sagemaker_realtime_options(
    m: Measurements, throughput: Throughput, traffic: Traffic, prices: PriceTable
) -> list[CostOption]:
    """One option per CPU instance type the table prices for SageMaker real-time."""
    rows = prices.instances("sagemaker-realtime", region=traffic.region)
    found = [
        _instance_option("sagemaker-realtime", p, m, throughput, traffic, prices) for p in rows
    ]
    return [o for o in found if o is not None] or [
        unavailable("sagemaker-realtime", "SageMaker real-time", "—", _no_price(prices))
    ]


def ec2_options(
    m: Measurements, throughput: Throughput, traffic: Traffic, prices: PriceTable
) -> list[CostOption]:
    """One option per CPU instance type the table prices for EC2 (ECS on EC2, with an ALB)."""
    rows = prices.instances("ec2", region=traffic.region)
    try:
        found = [_instance_option("ec2", p, m, throughput, traffic, prices) for p in rows]
    except MissingPrice as missing:
        return [unavailable("ec2", "ECS on EC2", "—", str(missing))]
    return [o for o in found if o is not None] or [
        unavailable("ec2", "ECS on EC2", "—", _no_price(prices))
    ]


def _instance_option(
    target: str,
    price: Price,
    m: Measurements,
    throughput: Throughput,
    traffic: Traffic,
    prices: PriceTable,
) -> CostOption | None:
    label = "SageMaker real-time" if target == "sagemaker-realtime" else "ECS on EC2"
    spec = instance_spec(price.item)
    if spec is None:
        return unavailable(
            target,
            label,
            price.item,
            f"{price.item}: vCPUs and memory unknown; add it to learnburn.costs._instances.SPECS",
        )
    if not spec.cpu_only:
        return None  # GPUs and accelerators are compared in the verdict, never sized blind
    w = Working()
    workers = workers_per_instance(w, m, spec)
    if workers.value < 1:
        needed = m.worker_rss_mb * margin().value
        return unavailable(
            target,
            label,
            price.item,
            f"one worker needs {needed:,.0f} MB; {price.item} has {spec.memory_mib:,.0f} MiB",
        )
    count = units_for_peak(w, "instances", throughput, traffic, workers=workers)
    always_on = target == "sagemaker-realtime"
    hours = ALWAYS_ON if always_on else scheduled_hours(w, traffic)
    cost = w.step(
        "instance cost",
        "instances * hourly * hours",
        "USD/month",
        instances=count,
        hourly=Quantity.of(price),
        hours=hours,
    )
    problems = []
    if always_on:
        problems = request_problems(
            "SageMaker real-time",
            REALTIME_TIMEOUT_S,
            REALTIME_PAYLOAD_MB,
            throughput.level.p99_ms,
            traffic.payload_kb,
        )
    notes = []
    if spec.burstable_baseline is not None:
        notes.append(_burstable_note(spec.burstable_baseline, throughput, traffic, workers, count))
    if always_on:
        if traffic.hours_per_day < 24:
            notes.append("an endpoint bills 730 h a month; it does not stop off-hours")
        total = _add_endpoint_data(w, cost, traffic, prices)
    else:
        total = add_load_balancer(w, cost, hours, traffic, prices, notes)
        notes.append("EBS and the ECS-optimised AMI's overhead are not priced")
    notes = [*problems, *price_notes(w.prices, traffic.region), *notes]
    return priced(
        w,
        target=target,
        label=label,
        configuration=f"{price.item} ({spec.vcpus} vCPU, {spec.memory_gib:g} GiB), "
        f"{workers.value:g} worker{'s' * (workers.value != 1)} each",
        units=f"{count.value:g} instance{'s' * (count.value != 1)}",
        monthly_usd=None if problems else total.value,
        meets_p99=throughput.meets_target,
        p99_ms=throughput.level.p99_ms,
        notes=notes,
        count=int(count.value),
    )


def _burstable_note(
    baseline: float, throughput: Throughput, traffic: Traffic, workers: Quantity, count: Quantity
) -> str:
    load = traffic.rps / (throughput.rps_per_vcpu * workers.value * count.value)
    share = f"{load:.0%}" if load >= 0.01 else "under 1%"
    if load <= baseline:
        return f"burstable: average load {share} of each vCPU, within its {baseline:.0%} baseline"
    return (
        f"burstable: average load {share} of each vCPU exceeds its {baseline:.0%} baseline; "
        "CPU credits (not priced) pay for the rest"
    )


def _add_endpoint_data(
    w: Working, cost: Quantity, traffic: Traffic, prices: PriceTable
) -> Quantity:
    per_gb = None
    if traffic.payload_kb is not None:
        per_gb = prices.find(
            "sagemaker-realtime", "endpoint data in/out", unit="USD per GB", region=traffic.region
        )
    return add_data_charge(
        w, cost, traffic.payload_kb, per_gb,
        lambda: requests_a_month(w, traffic, scheduled_hours(w, traffic)), label="endpoint data",
    )  # fmt: skip


def _no_price(prices: PriceTable) -> str:
    return f"{prices.file} prices no CPU instance type here that learnburn can size"
