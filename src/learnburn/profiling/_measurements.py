"""A ``profile.json`` read back as a typed record (``Measurements``): the figures the cost model
in :mod:`learnburn.costs` prices, checked where they enter.

Only the keys the cost model uses are required; every missing or mistyped one is reported with
its key path (``http.levels[2].p99_ms``), all at once.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from learnburn.errors import CostError

PROFILE_VERSION = 1
_MISSING = object()


@dataclass(frozen=True)
class BatchTiming:
    """In-process scoring of ``batch_rows`` rows per call."""

    batch_rows: int
    p50_ms: float
    p99_ms: float
    rows_per_s: float


@dataclass(frozen=True)
class HttpLevel:
    """Requests over HTTP at one client concurrency, against ``Measurements.http_workers``."""

    concurrency: int
    requests: int
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    errors: int
    client_limited: bool = False  # the rate was close to what the load generator could send


@dataclass(frozen=True)
class GpuSpeedup:
    """CPU time / GPU time for one model measured on both (above 1: the GPU is faster)."""

    model: str
    fit: float | None
    scoring: tuple[tuple[int, float], ...]  # (rows per call, ratio), by batch size


@dataclass(frozen=True)
class Measurements:
    """The measured figures of one bundle on one machine."""

    source: str
    logical_cpus: int
    cpu_model: str
    platform: str
    gpu_present: bool
    gpu_name: str | None
    gpu_note: str
    in_process: tuple[BatchTiming, ...]
    http_workers: int
    client_ceiling_rps: float | None
    levels: tuple[HttpLevel, ...]
    cold_start_s: float
    worker_rss_mb: float
    training_fit_s: float | None = None
    training_peak_mb: float | None = None
    bundle_size_bytes: int | None = None
    candidate: str = ""
    scoring_path: str = ""
    created_at: str = ""
    gpu_speedups: tuple[GpuSpeedup, ...] = ()

    @property
    def largest_batch(self) -> BatchTiming:
        return max(self.in_process, key=lambda timing: timing.batch_rows)

    @property
    def single_request(self) -> tuple[int, HttpLevel]:
        """The level with the lowest concurrency (how one request at a time performs)."""
        return min(enumerate(self.levels), key=lambda pair: pair[1].concurrency)


def read_measurements(path: str | Path) -> Measurements:
    """Read and check a ``profile.json`` written by ``learnburn profile``."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CostError(
            f"profile '{path}' not found",
            hint="write one with `learnburn profile BUNDLE`",
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CostError(
            f"profile '{path}' is not readable JSON: {error}",
            hint="write it again with `learnburn profile BUNDLE`",
        ) from error
    return measurements_from_dict(data, source=str(path))


def measurements_from_dict(data: Any, *, source: str = "profile") -> Measurements:
    """Check a parsed profile and keep what the cost model needs."""
    r = _Reader()
    if not isinstance(data, Mapping):
        r.problem("(top level)", f"expected a JSON object, got {_kind(data)}")
        _raise(source, r.problems)
    version = r.number(data, "version", integer=True)
    if version is not None and version > PROFILE_VERSION:
        r.problem("version", f"{version:g} is newer than this learnburn reads ({PROFILE_VERSION})")
    machine, gpu, http = r.object(data, "machine"), r.object(data, "gpu"), r.object(data, "http")
    bundle = data.get("bundle") if isinstance(data.get("bundle"), Mapping) else {}
    training = data.get("training", None)
    if training is not None and not isinstance(training, Mapping):
        r.problem("training", f"expected an object or null, got {_kind(training)}")
        training = None
    figures = Measurements(
        source=source,
        logical_cpus=r.number(machine, "machine.logical_cpus", integer=True, positive=True),
        cpu_model=str(machine.get("cpu_model") or "unknown CPU"),
        platform=str(machine.get("platform") or ""),
        gpu_present=r.boolean(gpu, "gpu.present"),
        gpu_name=gpu.get("name") if isinstance(gpu.get("name"), str) else None,
        gpu_note=str(gpu.get("note") or ""),
        in_process=tuple(
            _batch(r, item, f"in_process[{i}]") for i, item in r.items(data, "in_process")
        ),
        http_workers=r.number(http, "http.workers", integer=True, positive=True),
        client_ceiling_rps=r.number(http, "http.client_ceiling_rps", optional=True),
        levels=tuple(
            _level(r, item, f"http.levels[{i}]") for i, item in r.items(http, "http.levels")
        ),
        cold_start_s=r.number(r.object(data, "cold_start"), "cold_start.seconds"),
        worker_rss_mb=r.number(r.object(data, "memory"), "memory.worker_rss_mb", positive=True),
        training_fit_s=None if training is None else r.number(training, "training.fit_seconds"),
        training_peak_mb=None
        if training is None
        else r.number(training, "training.peak_memory_mb", positive=True, optional=True),
        bundle_size_bytes=r.number(bundle, "bundle.size_bytes", integer=True, optional=True),
        candidate=str(bundle.get("candidate") or ""),
        scoring_path=str(bundle.get("scoring_path") or ""),
        created_at=str(data.get("created_at") or ""),
        gpu_speedups=_speedups(r, gpu),
    )
    if r.problems:
        _raise(source, r.problems)
    return figures


def _batch(r: _Reader, item: Any, path: str) -> BatchTiming | None:
    return BatchTiming(
        batch_rows=r.number(item, f"{path}.batch_rows", integer=True, positive=True),
        p50_ms=r.number(item, f"{path}.p50_ms"),
        p99_ms=r.number(item, f"{path}.p99_ms"),
        rows_per_s=r.number(item, f"{path}.rows_per_s", positive=True),
    )


def _level(r: _Reader, item: Any, path: str) -> HttpLevel:
    return HttpLevel(
        concurrency=r.number(item, f"{path}.concurrency", integer=True, positive=True),
        requests=r.number(item, f"{path}.requests", integer=True),
        rps=r.number(item, f"{path}.rps", positive=True),
        p50_ms=r.number(item, f"{path}.p50_ms"),
        p90_ms=r.number(item, f"{path}.p90_ms"),
        p99_ms=r.number(item, f"{path}.p99_ms"),
        errors=r.number(item, f"{path}.errors", integer=True),
        client_limited=isinstance(item, Mapping) and item.get("client_limited") is True,
    )


def _speedups(r: _Reader, gpu: Mapping) -> tuple[GpuSpeedup, ...]:
    """``gpu.comparison.speedups``, present only when a GPU was profiled."""
    comparison = gpu.get("comparison")
    if comparison is None:
        return ()
    if not isinstance(comparison, Mapping) or not isinstance(comparison.get("speedups"), list):
        r.problem("gpu.comparison.speedups", "expected a list")
        return ()
    found = []
    for i, item in enumerate(comparison["speedups"]):
        where = f"gpu.comparison.speedups[{i}]"
        scoring = item.get("scoring_by_batch_rows") if isinstance(item, Mapping) else None
        if not isinstance(item, Mapping) or not isinstance(scoring, Mapping):
            r.problem(where, "expected an object with 'scoring_by_batch_rows'")
            continue
        pairs = []
        for rows in scoring:
            value = r.number(scoring, f"{where}.scoring_by_batch_rows.{rows}", positive=True)
            if str(rows).isdigit() and value is not None:
                pairs.append((int(rows), value))
        fit = r.number(item, f"{where}.fit", positive=True, optional=True)
        found.append(GpuSpeedup(str(item.get("model") or "model"), fit, tuple(sorted(pairs))))
    return tuple(found)


class _Reader:
    """Reads values by key path, collecting every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, path: str, message: str) -> None:
        if f"{path}: {message}" not in self.problems:
            self.problems.append(f"{path}: {message}")

    def object(self, data: Mapping, path: str) -> Mapping:
        value = data.get(path.rsplit(".", 1)[-1], _MISSING)
        if not isinstance(value, Mapping):
            self.problem(
                path, "missing" if value is _MISSING else f"expected an object, got {_kind(value)}"
            )
            return {}
        return value

    def items(self, data: Mapping, path: str) -> list[tuple[int, Any]]:
        value = data.get(path.rsplit(".", 1)[-1], _MISSING)
        if not isinstance(value, list) or not value:
            got = (
                "missing" if value is _MISSING else f"expected a non-empty list, got {_kind(value)}"
            )
            self.problem(path, got)
            return []
        return list(enumerate(value))

    def boolean(self, data: Any, path: str) -> bool:
        value = (
            data.get(path.rsplit(".", 1)[-1], _MISSING) if isinstance(data, Mapping) else _MISSING
        )
        if not isinstance(value, bool):
            self.problem(
                path,
                "missing" if value is _MISSING else f"expected true or false, got {_kind(value)}",
            )
            return False
        return value

    def number(
        self,
        data: Any,
        path: str,
        *,
        integer: bool = False,
        positive: bool = False,
        optional: bool = False,
    ) -> Any:
        key = path.rsplit(".", 1)[-1]
        if not isinstance(data, Mapping):
            self.problem(path.rsplit(".", 1)[0], f"expected an object, got {_kind(data)}")
            return 0
        value = data.get(key, _MISSING)
        if optional and value in (None, _MISSING):
            return None
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        ok = ok and math.isfinite(value) and (value > 0 if positive else value >= 0)
        ok = ok and (not integer or float(value).is_integer())
        if not ok:
            sign = "a positive" if positive else "a non-negative"
            wanted = f"{sign} {'whole number' if integer else 'number'}"
            self.problem(
                path, "missing" if value is _MISSING else f"expected {wanted}, got {_show(value)}"
            )
            return 0
        return int(value) if integer else float(value)


def _show(value: Any) -> str:
    return "null (not measured)" if value is None else json.dumps(value, default=str)


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", type(None): "null"}.get(
        type(value), type(value).__name__
    )


def _raise(source: str, problems: list[str]) -> NoReturn:
    count = len(problems)
    raise CostError(
        f"{source} is not a usable profile ({count} problem{'s' * (count > 1)}):\n  - "
        + "\n  - ".join(problems),
        hint="write it again with `learnburn profile BUNDLE`, or fix the keys named above",
    )
