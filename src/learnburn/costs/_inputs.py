"""The inputs every target shares: hours a month, requests a month, a worker's memory, and what
to say about the prices used."""

from __future__ import annotations

from collections.abc import Iterable

from learnburn.costs._instances import InstanceSpec
from learnburn.costs._limits import HOURS_PER_MONTH, MEMORY_MARGIN
from learnburn.costs._prices import Price
from learnburn.costs._records import Quantity, Working
from learnburn.costs._throughput import Throughput
from learnburn.costs._traffic import Traffic
from learnburn.profiling import Measurements

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
    """Instances (or tasks) for the peak, each running ``workers`` workers of one vCPU; at least
    two (across zones) for production traffic, one with ``--no-ha``."""
    return w.step(
        name,
        "max(least, ceil(peak_rps / (rps_per_vcpu * workers * utilisation)))",
        name,
        least=least_units(traffic, name),
        peak_rps=peak_rps(traffic),
        rps_per_vcpu=throughput.quantity(),
        workers=workers,
        utilisation=utilisation(traffic),
    )


def least_units(traffic: Traffic, name: str = "instances") -> Quantity:
    """The fewest instances or tasks: 2 across Availability Zones (--ha), or 1 (--no-ha)."""
    if traffic.ha:
        source = "you: --ha (the default): two across Availability Zones, for production"
    else:
        source = "you: --no-ha: one, no redundancy (a test endpoint)"
    return Quantity(traffic.min_units, name, source)


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
