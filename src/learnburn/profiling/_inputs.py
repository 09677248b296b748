"""The inputs every target shares: hours a month, requests a month, a worker's memory, and what
to say about the prices used."""

from __future__ import annotations

from collections.abc import Iterable

from learnburn.profiling._instances import InstanceSpec
from learnburn.profiling._limits import HOURS_PER_MONTH, MEMORY_MARGIN
from learnburn.profiling._measurements import Measurements
from learnburn.profiling._prices import Price
from learnburn.profiling._records import Quantity, Working
from learnburn.profiling._throughput import Throughput
from learnburn.profiling._traffic import Traffic

ALWAYS_ON = Quantity(HOURS_PER_MONTH, "h", "always on: 730 h a month, billed whether used or not")


def scheduled_hours(w: Working, traffic: Traffic) -> Quantity:
    """Hours a month the service runs: 730 h scaled by ``--hours-per-day``."""
    return w.step(
        "hours a month",
        "hours_per_month * hours_per_day / 24",
        "h",
        hours_per_month=Quantity(HOURS_PER_MONTH, "h", "convention: 730 h a month"),
        hours_per_day=Quantity(traffic.hours_per_day, "h/day", "you: --hours-per-day"),
    )


def requests_a_month(w: Working, traffic: Traffic, hours: Quantity) -> Quantity:
    return w.step(
        "requests a month", "rps * 3600 * hours", "requests", rps=rps(traffic), hours=hours
    )


def rps(traffic: Traffic) -> Quantity:
    return Quantity(traffic.rps, "req/s", "you: --rps")


def peak_rps(traffic: Traffic) -> Quantity:
    source = "you: --rps (no --peak-rps)" if traffic.peak_rps is None else "you: --peak-rps"
    return Quantity(traffic.peak, "req/s", source)


def utilisation(traffic: Traffic) -> Quantity:
    share = f"{traffic.utilisation:.0%}"
    return Quantity(traffic.utilisation, "", f"assumed: plan to use {share} of measured capacity")


def worker_rss(m: Measurements) -> Quantity:
    return Quantity(m.worker_rss_mb, "MB", "measured: memory.worker_rss_mb")


def margin() -> Quantity:
    return Quantity(MEMORY_MARGIN, "x", "assumed: RSS + 25% for request buffers and growth")


def workers_per_instance(w: Working, m: Measurements, spec: InstanceSpec) -> Quantity:
    """One worker per vCPU, as many as the instance's memory holds."""
    return w.step(
        "workers per instance",
        "min(vcpus, floor(memory_mib / (worker_rss_mb * margin)))",
        "workers",
        vcpus=Quantity(spec.vcpus, "vCPU", f"instance table: {spec.name}"),
        memory_mib=Quantity(spec.memory_mib, "MiB", f"instance table: {spec.name}"),
        worker_rss_mb=worker_rss(m),
        margin=margin(),
    )


def units_for_peak(
    w: Working, name: str, throughput: Throughput, traffic: Traffic, *, workers: Quantity
) -> Quantity:
    """Instances (or tasks) for the peak, each running ``workers`` workers of one vCPU."""
    return w.step(
        name,
        "max(1, ceil(peak_rps / (rps_per_vcpu * workers * utilisation)))",
        name,
        peak_rps=peak_rps(traffic),
        rps_per_vcpu=throughput.quantity(),
        workers=workers,
        utilisation=utilisation(traffic),
    )


def price_notes(prices: Iterable[Price], region: str) -> list[str]:
    """What a reader should know about the prices: conflicting figures, other regions."""
    notes = []
    for price in prices:
        name = f"{price.item} price"
        if price.alternatives:
            others = ", ".join(f"${a:g}" for a in price.alternatives)
            notes.append(f"{name} ${price.usd:g}; the table also gives {others}")
        if price.region.lower() not in (region.lower(), "all"):
            notes.append(f"{name} is for {price.region}, not {region}")
    return notes
