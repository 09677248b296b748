"""ECS on Fargate: tasks of a size Fargate allows, one worker per vCPU, behind an ALB.

Only whole-vCPU task sizes are sized, because one worker on one vCPU is what was measured; a
smaller task is mentioned with its price when the traffic would fit its CPU share, but its
latency on a fraction of a vCPU is not known. Tasks bill the hours a day they run.
"""

from __future__ import annotations

from learnburn.costs._balancer import add_load_balancer
from learnburn.costs._formula import money
from learnburn.costs._inputs import (
    margin,
    price_notes,
    scheduled_hours,
    units_for_peak,
    worker_rss,
)
from learnburn.costs._limits import (
    HOURS_PER_MONTH,
    check_fargate_size,
    smallest_fargate_memory,
)
from learnburn.costs._prices import MissingPrice, PriceTable
from learnburn.costs._records import CostOption, Quantity, Working, given, priced, unavailable
from learnburn.costs._throughput import Throughput
from learnburn.costs._traffic import Traffic
from learnburn.profiling import Measurements

WHOLE_VCPU_UNITS = (1024, 2048, 4096, 8192, 16384)


def fargate_options(
    m: Measurements, throughput: Throughput, traffic: Traffic, prices: PriceTable
) -> list[CostOption]:
    """One option per whole-vCPU Fargate task size (one worker per vCPU), with its ALB."""
    options = []
    for cpu_units in WHOLE_VCPU_UNITS:
        try:
            options.append(_fargate_option(cpu_units, m, throughput, traffic, prices))
        except MissingPrice as missing:
            return [unavailable("fargate", "ECS on Fargate", "—", str(missing))]
    return options


def _fargate_option(
    cpu_units: int, m: Measurements, throughput: Throughput, traffic: Traffic, prices: PriceTable
) -> CostOption:
    w = Working()
    vcpus = Quantity(cpu_units / 1024, "vCPU", f"task size: {cpu_units} CPU units")
    needed = w.step(
        "memory needed per task",
        "vcpus * worker_rss_mb * margin",
        "MiB",
        vcpus=vcpus,
        worker_rss_mb=worker_rss(m),
        margin=margin(),
    )
    memory = smallest_fargate_memory(cpu_units, needed.value)
    configuration = f"{cpu_units / 1024:g} vCPU"
    if memory is None:
        return unavailable(
            "fargate",
            "ECS on Fargate",
            configuration,
            f"{needed.value:,.0f} MiB of workers exceed the largest memory Fargate allows "
            f"with {cpu_units} CPU units",
        )
    workers = Quantity(vcpus.value, "workers", f"task size: {cpu_units} CPU units, 1 per vCPU")
    tasks = units_for_peak(w, "tasks", throughput, traffic, workers=workers)
    hours = scheduled_hours(w, traffic)
    cost = price_fargate_tasks(
        cpu_units, memory, tasks=tasks, hours=hours, prices=prices, region=traffic.region, w=w
    )
    notes = price_notes(w.prices, traffic.region)
    total = add_load_balancer(w, cost, hours, traffic, prices, notes)
    if cpu_units == 1024 and tasks.value == 1:
        notes.append(_fractional_note(m, throughput, traffic, prices))
    return priced(
        w,
        target="fargate",
        label="ECS on Fargate",
        configuration=f"{configuration} / {memory / 1024:g} GB task, "
        f"{cpu_units // 1024} worker{'s' * (cpu_units > 1024)} each",
        units=f"{tasks.value:g} task{'s' * (tasks.value != 1)}",
        monthly_usd=total.value,
        meets_p99=throughput.meets_target,
        p99_ms=throughput.level.p99_ms,
        notes=tuple(n for n in notes if n),
        count=int(tasks.value),
    )


def price_fargate_tasks(
    cpu_units: int,
    memory_mib: int,
    *,
    tasks: float | Quantity,
    hours: float | Quantity,
    prices: PriceTable,
    region: str = "us-east-1",
    w: Working | None = None,
) -> Quantity:
    """The monthly cost of ``tasks`` Linux/x86 Fargate tasks of this size for ``hours``.

    Raises :class:`CostError` for a size Fargate refuses.
    """
    check_fargate_size(cpu_units, memory_mib)
    w = Working() if w is None else w
    vcpu_hour = prices.require("fargate", "Linux/x86 vCPU", unit="USD per vCPU-hour", region=region)
    gb_hour = prices.require("fargate", "Linux/x86 memory", unit="USD per GB-hour", region=region)
    task_hour = w.step(
        "task cost per hour",
        "vcpus * vcpu_hour + memory_gb * gb_hour",
        "USD/h",
        vcpus=Quantity(cpu_units / 1024, "vCPU", f"task size: {cpu_units} CPU units"),
        vcpu_hour=Quantity.of(vcpu_hour),
        memory_gb=Quantity(memory_mib / 1024, "GB", f"task size: {memory_mib} MiB"),
        gb_hour=Quantity.of(gb_hour),
    )
    return w.step(
        "task cost",
        "tasks * task_hour * hours",
        "USD/month",
        tasks=given(tasks, "tasks"),
        task_hour=task_hour,
        hours=given(hours, "h"),
    )


def _fractional_note(
    m: Measurements, throughput: Throughput, traffic: Traffic, prices: PriceTable
) -> str:
    """What a task smaller than one vCPU would cost, when the traffic fits its CPU share."""
    for cpu_units in (256, 512):
        share = cpu_units / 1024
        memory = smallest_fargate_memory(cpu_units, m.worker_rss_mb * margin().value)
        fits = throughput.rps_per_vcpu * share * traffic.utilisation >= traffic.peak
        if memory is not None and fits:
            hours = HOURS_PER_MONTH * traffic.hours_per_day / 24
            cost = price_fargate_tasks(
                cpu_units, memory, tasks=1, hours=hours, prices=prices, region=traffic.region
            )
            return (
                f"a {share:g} vCPU / {memory / 1024:g} GB task would cost "
                f"{money(cost.value)}/month before the ALB, but latency on {share:g} of a "
                "vCPU was not measured"
            )
    return ""
