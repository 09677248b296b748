"""The verdict in words: the cheapest option that meets the latency target, what one vCPU
serves, and whether a GPU is worth it.

A GPU's speed is never assumed. When none was measured, the verdict compares prices only: the
cheapest GPU instance the table lists against the chosen option, and what a GPU would have to
do (carry the whole peak alone) to be cheaper.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from learnburn.profiling._formula import money
from learnburn.profiling._instances import instance_spec
from learnburn.profiling._limits import HOURS_PER_MONTH
from learnburn.profiling._measurements import GpuSpeedup, Measurements
from learnburn.profiling._prices import Price, PriceTable
from learnburn.profiling._records import CostOption
from learnburn.profiling._throughput import Throughput
from learnburn.profiling._traffic import Traffic


@dataclass(frozen=True)
class GpuComparison:
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
    service = "sagemaker-realtime" if chosen.target.startswith("sagemaker") else "ec2"
    gpus = [
        (price, spec.gpu)
        for price in prices.instances(service, region=traffic.region)
        if (spec := instance_spec(price.item)) and spec.gpu
    ]
    if not gpus:
        return GpuComparison(m.gpu_present, f"{head} The price table lists no {service} GPU.")
    price, gpu = min(gpus, key=lambda pair: pair[0].usd)
    hours = HOURS_PER_MONTH * (1 if service != "ec2" else traffic.hours_per_day / 24)
    monthly = price.usd * hours
    ratio = monthly / chosen.monthly_usd
    cost = f"The cheapest GPU instance in the table, {price.item} ({gpu}), costs {money(monthly)}"
    if ratio >= 1:
        tail = (
            f" {cost} a month, {ratio:,.1f}x the chosen option: even one of them carrying the "
            "whole peak alone would cost more."
        )
    else:
        tail = (
            f" {cost} a month, {ratio:.2f}x the chosen option: it is cheaper only if one of "
            f"them alone serves {traffic.peak:,.0f} req/s at p99 <= {traffic.p99_ms:g} ms; "
            "profile the bundle on a GPU before choosing it."
        )
    return GpuComparison(m.gpu_present, head + tail, price, gpu, monthly, ratio)


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
    lines = [_choice(options, chosen, throughput, traffic), _capacity(m, throughput, traffic)]
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


def _capacity(m: Measurements, throughput: Throughput, traffic: Traffic) -> str:
    level = throughput.level
    vcpus = traffic.peak / (throughput.rps_per_vcpu * traffic.utilisation)
    return (
        f"One vCPU ({m.cpu_model}) serves {throughput.rps_per_vcpu:,.0f} req/s at p99 "
        f"{level.p99_ms:.3g} ms (HTTP, {level.concurrency} concurrent); a peak of "
        f"{traffic.peak:,.0f} req/s at {traffic.utilisation:.0%} utilisation needs "
        f"{vcpus:,.2f} vCPU."
    )
