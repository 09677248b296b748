"""The traffic to price: requests per second, the latency target, the schedule, retraining."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from learnburn.errors import CostError

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(h|d|w)\s*$", re.IGNORECASE)
_HOURS = {"h": 1.0, "d": 24.0, "w": 168.0}


@dataclass(frozen=True)
class Traffic:
    """What the service must carry.

    ``rps`` is the average rate while the service runs (``hours_per_day`` hours a day) and
    ``peak_rps`` (default: ``rps``) the rate capacity is sized for; ``p99_ms`` is the latency
    target. ``payload_kb`` is the request body per request (needed for payload limits and byte
    charges); ``requests_per_connection`` is how many requests a client sends on one connection
    (1: no keep-alive, the worst case for the load balancer). ``batch_rows`` is the rows a month
    scored offline (default: one row per request of the month). ``utilisation`` is the share of
    measured capacity a service is planned to use. ``ha`` (the default, for production traffic)
    runs at least two instances or tasks, spread across Availability Zones, so that losing one
    instance or one zone does not stop the service; ``ha=False`` prices one, for a test endpoint.
    """

    rps: float
    peak_rps: float | None = None
    p99_ms: float = 100.0
    hours_per_day: float = 24.0
    retrain_every: str | None = None
    payload_kb: float | None = None
    requests_per_connection: float = 1.0
    batch_rows: float | None = None
    utilisation: float = 0.7
    region: str = "us-east-1"
    ha: bool = True

    def __post_init__(self) -> None:
        _positive("rps", self.rps, "the average requests per second, e.g. --rps 20")
        if self.peak_rps is not None:
            _positive("peak_rps", self.peak_rps, "the busiest rate, e.g. --peak-rps 100")
            if self.peak_rps < self.rps:
                raise CostError(
                    f"peak_rps ({self.peak_rps:g}) is below rps ({self.rps:g})",
                    hint="the peak is the busiest rate: at least the average",
                )
        _positive("p99_ms", self.p99_ms, "the latency target in milliseconds, e.g. --p99-ms 100")
        if not 0 < self.hours_per_day <= 24:
            raise CostError(
                f"hours_per_day must be more than 0 and at most 24, got {self.hours_per_day:g}",
                hint="24 for always on, e.g. 10 for office hours",
            )
        if not 0 < self.utilisation <= 1:
            raise CostError(
                f"utilisation must be more than 0 and at most 1, got {self.utilisation:g}",
                hint="0.7 keeps 30% of measured capacity in reserve",
            )
        if self.payload_kb is not None:
            _positive("payload_kb", self.payload_kb, "the request body in KB, e.g. 2")
        _positive("requests_per_connection", self.requests_per_connection, "1 without keep-alive")
        if self.batch_rows is not None:
            _positive("batch_rows", self.batch_rows, "rows scored offline a month")
        if self.retrain_every is not None:
            parse_interval(self.retrain_every)

    @property
    def peak(self) -> float:
        return self.rps if self.peak_rps is None else self.peak_rps

    @property
    def min_units(self) -> int:
        """The fewest instances or tasks to run: two across zones with ``ha``, else one."""
        return 2 if self.ha else 1

    @property
    def retrain_hours(self) -> float | None:
        return None if self.retrain_every is None else parse_interval(self.retrain_every)


def parse_interval(text: str) -> float:
    """Hours in ``7d``, ``12h`` or ``1w``."""
    match = _INTERVAL.match(text)
    if not match or float(match[1]) <= 0:
        raise CostError(
            f"retrain interval {text!r} is not a number followed by h, d or w",
            hint="write it like 12h, 7d or 1w",
        )
    return float(match[1]) * _HOURS[match[2].lower()]


def _positive(name: str, value: float, hint: str) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise CostError(f"{name} must be a number above 0, got {value!r}", hint=hint)
