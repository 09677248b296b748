"""The verdict in words: the cheapest option that meets the latency target, how many instances
or tasks it runs and why (two across zones for production, one with ``--no-ha``), what the
runner-up managed or self-run option costs and buys, what one vCPU serves, and whether a GPU is
worth it.

A GPU's speed is never assumed. When none was measured, the verdict compares prices only: the
cheapest GPU instance the table lists in any service (SageMaker and EC2 alike), priced for the
same number of instances and hours as that service's CPU options, against the chosen option.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from learnburn._records import Record
from learnburn.costs._formula import money
from learnburn.costs._instances import instance_spec
from learnburn.costs._limits import HOURS_PER_MONTH
from learnburn.costs._prices import Price, PriceTable
from learnburn.costs._records import CostOption
from learnburn.costs._throughput import Throughput
from learnburn.costs._traffic import Traffic
from learnburn.profiling import GpuSpeedup, Measurements


@dataclass(frozen=True)
class GpuComparison(Record):
    """The cheapest GPU instance in the table against the chosen option, in dollars only."""

    measured: bool
    sentence: str
    price: Price | None = None
    gpu: str | None = None
    monthly_usd: float | None = None
    ratio: float | None = None  # GPU monthly / chosen option monthly

    def to_dict(self) -> dict:
        return {
            "measured": self.measured,
            "instance": self.price.item if self.price else None,
            "service": self.price.service if self.price else None,
            "gpu": self.gpu,
            "monthly_usd": self.monthly_usd,
            "ratio": self.ratio,
            "sentence": self.sentence,
        }


def choose_option(options: Sequence[CostOption]) -> CostOption | None:
    """The cheapest online option that can be used and meets the latency target."""
    meeting = [o for o in options if o.online and o.feasible and o.meets_p99]
    return min(meeting, key=lambda o: o.monthly_usd, default=None)


def compare_gpu(
    m: Measurements, chosen: CostOption | None, traffic: Traffic, prices: PriceTable
) -> GpuComparison:
    """The GPU sentence of the verdict."""
    if m.gpu_present and m.gpu_speedups:
        head = (
            f"GPU: measured on {m.gpu_name or 'a GPU'} against this CPU: "
            + "; ".join(_speedup_words(speedup) for speedup in m.gpu_speedups)
            + ". The bundle itself was served on the CPU."
        )
    elif m.gpu_present:
        head = (
            f"GPU: {m.gpu_name or 'a GPU'} was present while profiling, but no model library "
            "here could use it, so GPU instances are not sized."
        )
    else:
        reason = m.gpu_note or "no GPU was present while profiling"
        head = f"No GPU: GPU latency was not measured ({reason})."
    if chosen is None or not chosen.monthly_usd:
        return GpuComparison(m.gpu_present, head)
    gpus = [
        (price, spec.gpu, price.usd * _gpu_hours(service, traffic) * traffic.min_units)
        for service in GPU_SERVICES
        for price in prices.instances(service, region=traffic.region)
        if (spec := instance_spec(price.item)) and spec.gpu
    ]
    if not gpus:
        return GpuComparison(m.gpu_present, f"{head} The price table lists no GPU instance.")
    gpus.sort(key=lambda found: found[2])
    price, gpu, monthly = gpus[0]
    ratio = monthly / chosen.monthly_usd
    units = f"{traffic.min_units} of them" if traffic.min_units > 1 else "one"
    cost = (
        f"The cheapest GPU instance in the table, across every service, is "
        f"{GPU_SERVICES[price.service]} {price.item} ({gpu}): {units} cost{'s' * (units == 'one')} "
        f"{money(monthly)} a month"
    )
    others = [
        f"{GPU_SERVICES[p.service]} {p.item} {money(cost)}"
        for p, _, cost in gpus[1:]
        if p.service != price.service
    ][:1]
    also = f" (next: {others[0]})" if others else ""
    if ratio >= 1:
        tail = (
            f" {cost}{also}, {ratio:,.1f}x the chosen option: even {units} carrying the whole "
            "peak would cost more."
        )
    else:
        tail = (
            f" {cost}{also}, {ratio:.2f}x the chosen option: it is cheaper only if {units} "
            f"serve{'s' * (units == 'one')} {traffic.peak:,.0f} req/s at p99 <= "
            f"{traffic.p99_ms:g} ms; profile the bundle on a GPU before choosing it."
        )
    return GpuComparison(m.gpu_present, head + tail, price, gpu, monthly, ratio)


GPU_SERVICES = {"ec2": "EC2", "sagemaker-realtime": "SageMaker"}


def _gpu_hours(service: str, traffic: Traffic) -> float:
    """An endpoint bills every hour; an EC2 instance the hours a day it runs."""
    return HOURS_PER_MONTH * (1 if service != "ec2" else traffic.hours_per_day / 24)


def _speedup_words(speedup: GpuSpeedup) -> str:
    """'xgboost fits 6.1x faster and scores 1 row 0.4x, 10,000 rows 3.2x as fast on the GPU'."""

    def ratio(value: float) -> str:
        return f"{value:.1f}x" if value >= 1 else f"{value:.2f}x"

    parts = []
    if speedup.fit is not None:
        parts.append(f"fits {ratio(speedup.fit)} as fast")
    if speedup.scoring:
        rows = ", ".join(f"{n:,} row{'s' if n > 1 else ''} {ratio(r)}" for n, r in speedup.scoring)
        parts.append(f"scores {rows} as fast")
    return f"{speedup.model} {' and '.join(parts)} on the GPU"


def write_verdict(
    m: Measurements,
    throughput: Throughput,
    traffic: Traffic,
    options: Sequence[CostOption],
    chosen: CostOption | None,
    gpu: GpuComparison,
    retraining: CostOption | None,
) -> tuple[str, ...]:
    """The verdict, one sentence per line."""
    lines = [_choice(options, chosen, throughput, traffic)]
    lines += [line for line in (_redundancy(chosen, traffic), _trade_off(options, chosen)) if line]
    lines += _cold_starts(options, chosen, traffic)
    lines.append(_capacity(m, throughput, traffic))
    lines.append(gpu.sentence)
    if retraining is not None:
        if retraining.feasible:
            lines.append(
                f"Retraining on {retraining.configuration} adds {money(retraining.monthly_usd)} "
                "a month."
            )
            if chosen is not None:
                total = chosen.monthly_usd + retraining.monthly_usd
                lines.append(f"Total with retraining: {money(total)} a month.")
        else:
            lines.append(f"Retraining not priced: {'; '.join(retraining.notes)}.")
    return tuple(lines)


def _choice(
    options: Sequence[CostOption],
    chosen: CostOption | None,
    throughput: Throughput,
    traffic: Traffic,
) -> str:
    target = f"p99 <= {traffic.p99_ms:g} ms"
    if chosen is not None:
        return (
            f"Cheapest option that meets {target}: {chosen.label}, {chosen.units} "
            f"({chosen.configuration}), {money(chosen.monthly_usd)} a month."
        )
    online = [o for o in options if o.online and o.feasible]
    if not online:
        return "No online option could be priced; see the notes of each option."
    cheapest = min(online, key=lambda o: o.monthly_usd)
    return (
        f"No option meets {target}: the best measured level has p99 "
        f"{throughput.level.p99_ms:.3g} ms. The cheapest online option is {cheapest.label}, "
        f"{cheapest.units} ({cheapest.configuration}), {money(cheapest.monthly_usd)} a month."
    )


MANAGED = {"sagemaker-realtime"}
SELF_RUN = {"fargate", "ec2"}


def _best(options: Sequence[CostOption], targets: set[str]) -> CostOption | None:
    usable = [o for o in options if o.target in targets and o.feasible and o.meets_p99]
    return min(usable, key=lambda o: o.monthly_usd, default=None)


def _redundancy(chosen: CostOption | None, traffic: Traffic) -> str:
    """What the instance or task count means for availability."""
    if chosen is None or chosen.target not in MANAGED | SELF_RUN:
        return ""
    kind = "instances" if chosen.target != "fargate" else "tasks"
    if traffic.ha:
        return (
            f"High availability (--ha, the default): at least {traffic.min_units} {kind} across "
            "Availability Zones, priced as such, so losing one instance or one zone does not "
            "stop the service; --no-ha prices one, for a test endpoint."
        )
    return (
        f"No high availability (--no-ha): {chosen.units} in one zone; losing it stops the "
        "service until it is replaced. Use it for a test endpoint only."
    )


def _trade_off(options: Sequence[CostOption], chosen: CostOption | None) -> str:
    """The managed option against the self-run one, in words a budget holder can accept."""
    if chosen is None:
        return ""
    managed = _best(options, MANAGED)
    self_run = _best(options, SELF_RUN)
    if managed is None or self_run is None:
        return ""
    gap = managed.monthly_usd - self_run.monthly_usd
    buys = (
        "buys managed deployment guardrails (blue/green updates with automatic rollback), "
        "data capture for drift monitoring (--capture) and autoscaling without a load "
        "balancer to run"
    )
    head = (
        f"{self_run.label}: {money(self_run.monthly_usd)}/month for {self_run.units}; "
        f"{managed.label}: {money(managed.monthly_usd)} for {managed.units}"
    )
    if gap > 0:
        return (
            f"{head}, {money(gap)} a month more, {buys}. Choose SageMaker if those are worth "
            f"{money(gap)} a month to the team that runs it; else {self_run.label}."
        )
    return f"{head}, {money(-gap)} a month less, and it {buys}: SageMaker is the better buy."


def _cold_starts(
    options: Sequence[CostOption], chosen: CostOption | None, traffic: Traffic
) -> list[str]:
    """Why a per-request option that is cheaper than the choice was not chosen."""
    lines = []
    for option in options:
        cheaper = chosen is None or (option.monthly_usd or 0) < chosen.monthly_usd
        if (
            option.target in ("sagemaker-serverless", "lambda")
            and option.feasible
            and option.meets_p99 is False
            and option.p99_ms is not None
            and option.p99_ms <= traffic.p99_ms
            and cheaper
        ):
            cold = next((n for n in option.notes if n.startswith("cold start")), "cold start")
            lines.append(
                f"{option.label} ({money(option.monthly_usd)} a month) is not chosen. "
                f"{cold[0].upper()}{cold[1:]}."
            )
    return lines


def _capacity(m: Measurements, throughput: Throughput, traffic: Traffic) -> str:
    level = throughput.level
    vcpus = traffic.peak / (throughput.rps_per_vcpu * traffic.utilisation)
    return (
        f"One vCPU ({m.cpu_model}) serves {throughput.rps_per_vcpu:,.0f} req/s at p99 "
        f"{level.p99_ms:.3g} ms (HTTP, {level.concurrency} concurrent); a peak of "
        f"{traffic.peak:,.0f} req/s at {traffic.utilisation:.0%} utilisation needs "
        f"{vcpus:,.2f} vCPU."
    )
