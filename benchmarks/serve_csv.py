"""Benchmark: ``POST /invocations`` with ``text/csv`` (SageMaker's default) against the same
server's JSON path.

The demo's data (``examples/loans/loans.toml``): the demo model (random_forest) fitted on 80% of
the rows (shuffled with seed 42) and saved as a bundle with the other 20% as ``check_rows``, so
the scoring fast path is compiled and proven. One ``learnburn serve`` (1 worker) on 127.0.0.1
answers every request; the client is a blocking raw socket on one keep-alive connection, and the
CSV and JSON bodies hold the same rows (CSV without a header, as SageMaker sends it).

1. One row: p50 latency of CSV against JSON (interleaved rounds). Target: CSV p50 <= 1.5x
   JSON's. A CSV body with a header row is printed for information.
2. 100 rows per request: rows/s of CSV against JSON (interleaved rounds). Target: CSV >= 0.8x
   JSON's.

Before each measurement both bodies are checked to get the same probabilities.

    .venv/bin/python benchmarks/serve_csv.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve import (
    HOST,
    SEED,
    SPEC,
    _plain,
    demo_split,
    exchange,
    learnburn_command,
    percentile,
    serial_latency,
    server,
    verdict,
    wait_ping,
)

from learnburn.bundles import save_bundle
from learnburn.candidates import build_pipeline
from learnburn.profiling._profile import free_port

DEMO = "random_forest"
P50_GOAL = 1.5
ROWS_GOAL = 0.8
BATCH = 100
ROUNDS = 5


def build_bundle(folder: Path) -> tuple[Path, object]:
    """The demo model's bundle (fast path proven on the held-out rows) and the held-out rows."""
    split = demo_split()
    holdout = split.holdout
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipeline = build_pipeline(DEMO, split.params(DEMO), split.schema, seed=SEED)
        pipeline.fit(
            split.features.iloc[split.train].reset_index(drop=True), split.target[split.train]
        )
        path = save_bundle(
            pipeline, folder / DEMO, schema=split.schema.to_dict(), classes=split.classes,
            meta={}, check_rows=holdout,
        )  # fmt: skip
    return path, holdout


def bodies(holdout, rows: int) -> dict[str, tuple[str, bytes]]:
    """The same ``rows`` rows as JSON, CSV without a header and CSV with one."""
    frame = holdout.head(rows)
    records = [{k: _plain(v) for k, v in r.items()} for r in frame.to_dict("records")]
    return {
        "json": ("application/json", orjson.dumps({"instances": records})),
        "csv": ("text/csv", frame.to_csv(index=False, header=False).encode()),
        "csv_header": ("text/csv", frame.to_csv(index=False).encode()),
    }


def request(media: str, body: bytes) -> bytes:
    head = (
        f"POST /invocations HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: {media}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def check_same(port: int, sent: dict[str, tuple[str, bytes]]) -> None:
    """Every body answers 200 with the same probabilities."""
    answers = {}
    for name, (media, body) in sent.items():
        status, content = exchange(port, request(media, body))
        if status != 200:
            raise RuntimeError(f"{name} answered {status}: {content!r}")
        answers[name] = [list(p["proba"].values()) for p in orjson.loads(content)["predictions"]]
    for name, proba in answers.items():
        if not np.allclose(proba, answers["json"], atol=1e-9):
            raise RuntimeError(f"the {name} body's answer differs from the JSON body's")


def measure(port: int, sent: dict, count: int, limit_s: float) -> dict[str, list[float]]:
    """Seconds per request of each body, in interleaved rounds on one connection."""
    times: dict[str, list[float]] = {name: [] for name in sent}
    statuses: Counter = Counter()
    for media, body in sent.values():
        serial_latency(port, request(media, body), 100, 1.0)  # warm up
    for _ in range(ROUNDS):
        for name, (media, body) in sent.items():
            taken, answered = serial_latency(port, request(media, body), count, limit_s)
            times[name].extend(taken)
            statuses.update(answered)
    if set(statuses) != {200}:
        raise RuntimeError(f"answers other than 200: {dict(statuses)}")
    return times


def main() -> None:
    started = time.perf_counter()
    lines = []
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        path, holdout = build_bundle(folder)
        port, log = free_port(), folder / "learnburn.log"
        with server(learnburn_command(path, port), log) as process:
            wait_ping(port, process, log)
            one, many = bodies(holdout, 1), bodies(holdout, BATCH)
            check_same(port, one)
            check_same(port, many)
            single = measure(port, one, 1000, 2.0)
            batch = measure(port, many, 300, 3.0)
    print(f"demo: {SPEC.name}, model {DEMO}; learnburn serve, 1 worker, one keep-alive connection")
    print("\n1. one row per request")
    print(f"{'body':<24} {'requests':>8} {'p50':>9} {'p90':>9} {'p99':>9}")
    p50 = {}
    for name, times in single.items():
        p50[name] = percentile(times, 50)
        print(
            f"{name:<24} {len(times):>8} {p50[name] * 1e6:>6.0f} us "
            f"{percentile(times, 90) * 1e6:>6.0f} us {percentile(times, 99) * 1e6:>6.0f} us"
        )
    print(f"\n2. {BATCH} rows per request")
    print(f"{'body':<24} {'requests':>8} {'p50':>9} {'rows/s':>10}")
    rate = {}
    for name, times in batch.items():
        rate[name] = BATCH / statistics.mean(times)
        print(
            f"{name:<24} {len(times):>8} {percentile(times, 50) * 1e3:>6.2f} ms "
            f"{rate[name]:>10,.0f}"
        )
    print(f"\nwall time: {time.perf_counter() - started:.0f} s")
    print(f"info one_row_csv_header_p50_vs_json: {p50['csv_header'] / p50['json']:.2f} (no goal)")
    print(f"info rows_per_s_{BATCH}_csv_header_vs_json: {rate['csv_header'] / rate['json']:.2f}")
    lines.append(verdict("one_row_csv_p50_vs_json", p50["csv"] / p50["json"], "<=", P50_GOAL))
    lines.append(
        verdict(f"rows_per_s_{BATCH}_csv_vs_json", rate["csv"] / rate["json"], ">=", ROWS_GOAL)
    )
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
