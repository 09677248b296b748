"""How many requests per second one vCPU serves within the latency target.

One uvicorn worker is one process on one vCPU. The HTTP levels were measured against
``http_workers`` workers on a machine of ``logical_cpus``, so one vCPU serves the level's rate
divided by ``min(workers, logical_cpus)``. The level used is the fastest whose p99 meets the
target; when none does, the one with the lowest p99, and the estimate says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from learnburn._records import Record
from learnburn.costs._records import Quantity
from learnburn.profiling import HttpLevel, Measurements

# A measured rate this close to what the load generator could send may be the client's limit.
CLIENT_LIMITED_SHARE = 0.8


@dataclass(frozen=True)
class Throughput(Record):
    """The level the capacity is sized on, and what one vCPU serves at it."""

    level: HttpLevel
    index: int
    vcpus_measured: int
    meets_target: bool
    target_p99_ms: float
    notes: tuple[str, ...] = ()

    @property
    def rps_per_vcpu(self) -> float:
        return self.level.rps / self.vcpus_measured

    def quantity(self) -> Quantity:
        where = (
            f"measured: http.levels[{self.index}].rps {self.level.rps:g} at concurrency "
            f"{self.level.concurrency}, p99 {self.level.p99_ms:g} ms, / {self.vcpus_measured} "
            f"worker{'s' * (self.vcpus_measured > 1)}"
        )
        return Quantity(self.rps_per_vcpu, "req/s per vCPU", where)

    def to_dict(self) -> dict:
        return {
            "level_index": self.index,
            "concurrency": self.level.concurrency,
            "rps": self.level.rps,
            "p99_ms": self.level.p99_ms,
            "rps_per_vcpu": self.rps_per_vcpu,
            "vcpus_measured": self.vcpus_measured,
            "meets_target": self.meets_target,
            "target_p99_ms": self.target_p99_ms,
            "notes": list(self.notes),
        }


def choose_level(measurements: Measurements, p99_ms: float) -> Throughput:
    """The fastest measured level whose p99 is within ``p99_ms``; else the lowest p99."""
    levels = list(enumerate(measurements.levels))
    notes = []
    clean = [(i, level) for i, level in levels if level.errors == 0]
    if clean and len(clean) < len(levels):
        notes.append(
            f"{len(levels) - len(clean)} level(s) with errors left out of the throughput figure"
        )
    candidates = clean or levels
    meeting = [(i, level) for i, level in candidates if level.p99_ms <= p99_ms]
    if meeting:
        index, level = max(meeting, key=lambda pair: pair[1].rps)
    else:
        index, level = min(candidates, key=lambda pair: (pair[1].p99_ms, -pair[1].rps))
        notes.append(
            f"no measured level meets p99 <= {p99_ms:g} ms; the best, concurrency "
            f"{level.concurrency}, has p99 {level.p99_ms:g} ms and sizes the estimate"
        )
    ceiling = measurements.client_ceiling_rps
    if level.client_limited or (ceiling and level.rps >= CLIENT_LIMITED_SHARE * ceiling):
        notes.append(
            f"the measured {level.rps:g} req/s is close to the load generator's ceiling "
            f"({ceiling or 0:g} req/s): the server may be faster, and fewer instances enough"
        )
    vcpus = max(1, min(measurements.http_workers, measurements.logical_cpus))
    return Throughput(level, index, vcpus, bool(meeting), p99_ms, tuple(notes))
