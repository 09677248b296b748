"""Measure a bundle the way it will run: in-process latency by batch size, the real server's
latency and throughput at several concurrency levels on loopback, cold start, memory per worker,
bundle size and the machine it ran on. The result is ``profile.json``, which ``learnburn cost``
prices.

The server is ``learnburn serve`` itself, started in a subprocess on a free loopback port with
one worker (one worker is one process on one vCPU: the unit the cost model scales). The load
generator's own ceiling is measured first against a bare endpoint on the same stack, so the
profile says when a rate was limited by the client rather than the server.

When a CUDA device is present, ``gpu.comparison`` also fits and scores XGBoost and learnburn's
MLP on the CPU and on the GPU (``learnburn.profiling._devices``), on ``gpu_rows`` rows drawn
from the bundle's schema and labelled by the bundle's own predictions: a task of this table's
shape. Without one, ``gpu.note`` says so.
"""

from __future__ import annotations

import contextlib
import os
import platform
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

from learnburn.bundles import Bundle, load_bundle
from learnburn.errors import DataError
from learnburn.profiling._devices import compare_devices, cuda_devices, gpu_listing, numeric_table
from learnburn.profiling._load import LoadResult, run_load
from learnburn.profiling._timing import time_calls

VERSION = 1
BATCH_SIZES = (1, 10, 100, 1_000, 10_000)
LEVELS = (1, 4, 16, 32)
START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class ProfileSettings:
    """How long to measure: each batch size for at most ``batch_seconds``, each concurrency
    level for at most ``level_requests`` requests or ``level_seconds`` seconds."""

    levels: tuple[int, ...] = LEVELS
    batch_sizes: tuple[int, ...] = BATCH_SIZES
    batch_seconds: float = 1.5
    level_requests: int = 3000
    level_seconds: float = 3.0
    workers: int = 1
    gpu_rows: int = 20_000


Progress = Callable[[str], None]


def profile_bundle(
    path: str | os.PathLike,
    *,
    rows: pd.DataFrame | None = None,
    trusted: Sequence[str] = (),
    settings: ProfileSettings | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The profile of the bundle at ``path`` as a JSON-ready dict (``profile.json``).

    ``rows`` are rows to score (the bundle's columns); without them, rows are drawn from the
    ranges and categories the bundle's schema recorded."""
    settings = settings or ProfileSettings()
    say = progress or (lambda message: None)
    source = Path(path)
    start = time.perf_counter()
    bundle = load_bundle(source, trusted=trusted, lazy=True)
    load_s = time.perf_counter() - start
    table = _rows(bundle, rows, max(settings.batch_sizes))
    say("measuring in-process latency by batch size")
    in_process = [
        _in_process(bundle, table, n, settings.batch_seconds) for n in settings.batch_sizes
    ]
    record = _json_record(table.iloc[0])
    body = orjson.dumps({"instances": [record]})
    say("measuring the load generator's ceiling against a bare endpoint")
    with _server(_bare_command(), "/") as bare:
        ceiling = run_load(
            bare.url("/"), body=body, concurrency=max(settings.levels),
            requests=settings.level_requests, seconds=settings.level_seconds,
        )  # fmt: skip
    say("starting learnburn serve and measuring cold start")
    command = _serve_command(source, trusted, settings.workers)
    with _server(command, "/ping") as server:
        levels = []
        for concurrency in settings.levels:
            say(f"loading the server with {concurrency} connection(s)")
            result = run_load(
                server.url("/invocations"), body=body, content_type="application/json",
                concurrency=concurrency, requests=settings.level_requests,
                seconds=settings.level_seconds,
            )  # fmt: skip
            levels.append(_level(result, ceiling))
        rss = _rss_mb(server.process.pid)
        cold_start = server.started_s
    imports_s = imports_seconds()
    return {
        "version": VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "bundle": _describe_bundle(bundle, source),
        "machine": describe_machine(),
        "gpu": _gpu(bundle, settings, say),
        "rows": {"source": "given" if rows is not None else "drawn from the schema"},
        "in_process": in_process,
        "http": {
            "workers": settings.workers,
            "endpoint": "POST /invocations, one JSON row",
            "client_ceiling_rps": round(ceiling.rps, 1),
            "levels": levels,
        },
        "cold_start": {
            "seconds": round(cold_start, 3),
            "parts": {
                "imports_s": round(imports_s, 3),
                "load_s": round(load_s, 3),
                "rest_s": round(max(0.0, cold_start - imports_s - load_s), 3),
            },
        },
        "memory": {"worker_rss_mb": rss},
        "training": _training(bundle),
    }


# -- rows -----------------------------------------------------------------------------------------


def _rows(bundle: Bundle, rows: pd.DataFrame | None, count: int) -> pd.DataFrame:
    """``count`` rows of the bundle's columns: the given rows repeated, or drawn."""
    if rows is not None:
        absent = [name for name in bundle.columns if name not in rows.columns]
        if absent:
            raise DataError(
                f"the rows to profile with lack the bundle's columns {absent}",
                hint=f"give a table with the columns {list(bundle.columns)}",
            )
        if rows.empty:
            raise DataError("the table to profile with has no rows", hint="give some rows")
        repeats = -(-count // len(rows))
        return pd.concat([rows[list(bundle.columns)]] * repeats, ignore_index=True).iloc[:count]
    return draw_rows(bundle.schema, count)


def draw_rows(schema: dict, count: int, seed: int = 0) -> pd.DataFrame:
    """Rows drawn from a bundle schema's recorded ranges and categories (uniform; missing
    values at the recorded rate), for timing when no data is at hand."""
    rng = np.random.default_rng(seed)
    columns = {}
    for column in schema["columns"]:
        name, kind = column["name"], column["kind"]
        categories = column.get("categories")
        if kind == "numeric":
            low = column.get("minimum")
            high = column.get("maximum")
            low = 0.0 if low is None else float(low)
            high = low + 1.0 if high is None else float(high)
            values = rng.uniform(low, high, size=count).astype(object)
        elif categories:
            values = rng.choice(np.asarray(categories, dtype=object), size=count)
        else:
            values = np.full(count, None, dtype=object)
        columns[name] = values
    frame = pd.DataFrame(columns)
    for column in schema["columns"]:
        if column["kind"] == "numeric":
            frame[column["name"]] = pd.to_numeric(frame[column["name"]])
    return frame


def _json_record(row: pd.Series) -> dict[str, Any]:
    return {
        str(k): (None if v is None or (isinstance(v, float) and v != v) else _plain(v))
        for k, v in row.items()
    }


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


# -- in process -----------------------------------------------------------------------------------


def _in_process(bundle: Bundle, table: pd.DataFrame, size: int, budget_s: float) -> dict:
    """Latency of scoring ``size`` rows as the server does (records for small requests, a table
    for large ones), decisions included."""
    chunk = table.iloc[:size]
    if size <= 100:
        records = [_json_record(row) for _, row in chunk.iterrows()]

        def score() -> None:
            bundle.decide_proba(bundle.predict_proba_records(records))
    else:

        def score() -> None:
            bundle.decide_proba(bundle.predict_proba(chunk))

    timing = time_calls(score, size, budget_s, at_least=5, at_most=2000)
    return {**timing, "rows_per_s": round(size / (timing["p50_ms"] / 1e3), 1)}


def _level(result: LoadResult, ceiling: LoadResult) -> dict:
    level = result.to_dict()
    level["client_limited"] = bool(result.rps >= 0.8 * ceiling.rps)
    return level


# -- the server -----------------------------------------------------------------------------------


@dataclass
class _Running:
    process: subprocess.Popen
    port: int
    started_s: float

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve_command(source: Path, trusted: Sequence[str], workers: int) -> Callable[[int], list]:
    def command(port: int) -> list[str]:
        flags = [f"--trust={name}" for name in trusted]
        return [
            sys.executable, "-m", "learnburn", "serve", str(source), "--host", "127.0.0.1",
            "--port", str(port), "--workers", str(workers), *flags,
        ]  # fmt: skip

    return command


def _bare_command() -> Callable[[int], list]:
    def command(port: int) -> list[str]:
        return [
            sys.executable, "-m", "uvicorn", "learnburn.profiling._bare:app", "--host",
            "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
        ]  # fmt: skip

    return command


@contextlib.contextmanager
def _server(command: Callable[[int], list], ready_path: str) -> Iterator[_Running]:
    """A server subprocess on a free loopback port, ready (its ``ready_path`` answered 200),
    stopped with SIGTERM (then SIGKILL) on the way out."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        command(port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _wait_ready(process, port, ready_path)
        yield _Running(process, port, time.perf_counter() - started)
    finally:
        _stop(process)


def _wait_ready(process: subprocess.Popen, port: int, path: str) -> None:
    deadline = time.perf_counter() + START_TIMEOUT_S
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode(errors="replace") if process.stderr else ""
            raise DataError(
                f"the server exited with status {process.returncode} before answering: "
                f"{error.strip()[-800:]}",
                hint="run `learnburn serve BUNDLE` by hand to see the problem",
            )
        if _answers(port, path):
            return
        time.sleep(0.02)
    raise DataError(
        f"the server did not answer {path} within {START_TIMEOUT_S:.0f} s",
        hint="run `learnburn serve BUNDLE` by hand to see why it is slow to start",
    )


def _answers(port: int, path: str) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as connection:
            connection.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            return connection.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    if process.stderr is not None:
        process.stderr.close()


def _rss_mb(pid: int) -> float | None:
    """The resident memory of a process (Linux), in MB; None where it cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        return None
    return None


SERVE_IMPORTS = (
    "import learnburn.cli, learnburn.serving, learnburn.bundles, onnxruntime, treelite, uvicorn"
)


def imports_seconds(imports: str = SERVE_IMPORTS) -> float:
    """Seconds from launching ``python -c "<imports>"`` to the line it prints once the imports
    are done (the process's exit, which frees the modules, is not counted)."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", f"{imports}; print('imported', flush=True)"],
        stdout=subprocess.PIPE,
    )
    try:
        line = child.stdout.readline()
        seconds = time.perf_counter() - start
    finally:
        child.stdout.close()
        child.wait()
    if line.strip() != b"imported" or child.returncode != 0:
        raise DataError(
            f"importing what learnburn serve needs failed (exit {child.returncode})",
            hint=f"run: python -c {imports!r}",
        )
    return seconds


# -- descriptions ---------------------------------------------------------------------------------


def _describe_bundle(bundle: Bundle, source: Path) -> dict[str, Any]:
    size = (
        sum(p.stat().st_size for p in source.rglob("*") if p.is_file())
        if source.is_dir()
        else source.stat().st_size
    )
    candidate = bundle.meta.get("candidate") or {}
    return {
        "path": str(source),
        "size_bytes": size,
        "run_id": bundle.meta.get("run_id"),
        "candidate": candidate.get("name") if isinstance(candidate, dict) else None,
        "scoring_path": bundle.scoring_path,
        "scoring": bundle.scoring_summary,
    }


def _training(bundle: Bundle) -> dict[str, Any] | None:
    training = bundle.meta.get("training")
    if isinstance(training, dict) and training.get("fit_seconds") is not None:
        return {
            "fit_seconds": training.get("fit_seconds"),
            "rows": training.get("rows"),
            "peak_memory_mb": training.get("peak_memory_mb"),
        }
    holdout = bundle.meta.get("holdout")
    if isinstance(holdout, dict) and holdout.get("fit_time") is not None:
        return {"fit_seconds": holdout["fit_time"], "rows": None, "peak_memory_mb": None}
    return None


def describe_machine() -> dict[str, Any]:
    """The CPU model, core count, memory and platform of this machine."""
    return {
        "cpu_model": _cpu_model(),
        "logical_cpus": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    return platform.processor() or platform.machine()


def _memory_gb() -> float | None:
    with contextlib.suppress(OSError, ValueError):
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    return None


def _gpu(bundle: Bundle, settings: ProfileSettings, say: Progress) -> dict[str, Any]:
    """``describe_gpu()``, with the CPU/GPU comparison when a CUDA device can be used."""
    gpu = describe_gpu()
    if not gpu["present"]:
        return gpu
    reasons = cuda_devices()
    usable = [model for model, reason in reasons.items() if reason is None]
    gpu["unavailable"] = {model: reason for model, reason in reasons.items() if reason}
    if not usable:
        gpu["note"] = "a CUDA device is present, but no model library here can use it"
        return gpu
    rows = draw_rows(bundle.schema, settings.gpu_rows, seed=1)
    labels = np.asarray(bundle.classes, dtype=object)[bundle.predict_proba(rows).argmax(axis=1)]
    gpu["comparison"] = compare_devices(numeric_table(rows), labels, models=usable, progress=say)
    return gpu


def describe_gpu() -> dict[str, Any]:
    """Whether a CUDA device is present (``nvidia-smi -L``), and its name."""
    devices = gpu_listing()
    if not devices:
        return {"present": False, "name": None, "note": "no CUDA device was present"}
    name = devices[0].partition(":")[2].split("(")[0].strip()
    return {
        "present": True,
        "name": name,
        "count": len(devices),
        "note": "the server ran on the CPU; 'comparison' fits and scores XGBoost and the MLP "
        "on both",
    }
