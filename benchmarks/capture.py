"""Benchmark: what data capture costs a server's single-row throughput.

The demo bundle (random_forest fitted on 80% of the loan table, its fast path proven on the
other 20%, as ``serve.py`` builds it) is served twice by ``learnburn serve`` (1 worker,
127.0.0.1): without capture (the baseline) and with ``--capture DIR`` (every request captured).
Both answer POST /invocations with one JSON row:

1. at one keep-alive connection (c=1): requests/s from the serial latencies;
2. at 32 keep-alive connections (c=32): requests/s (wrk when installed, else ``serve.py``'s
   raw-socket client).

The two servers are measured in pairs of rounds, the order alternating (off-on, on-off, ...).
These machines are shared: the CPU time other machines take (``steal`` in /proc/stat, printed)
swings from none to a quarter of the cores within a minute, and moves both servers' rates by
more than capture costs. Each pair is measured within a few seconds, so the ratio of its two
rates (capture on / off) sees the same machine; the target is the median of those ratios.
Before each round the capture's writer is let finish what it holds, so its work is not done
during the baseline's round; the writing of a round's last events (at most ``WAKE_ROWS``,
written by the timed flush after the round) is the part of its cost not measured, and the
rounds are long enough to keep it small. Targets: capture's rate >= 0.9x the baseline's at
c=1 and at c=32 (an overhead of at most 10%). Printed with them: each server's CPU seconds
per request (all its threads, from /proc, its capture written), the events captured and dropped
(``/metrics``) and the files written.

    .venv/bin/python benchmarks/capture.py
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import orjson
from serve import (
    SEED,
    concurrent_load,
    demo_split,
    exchange,
    learnburn_command,
    post,
    serial_latency,
    server,
    verdict,
    wait_ping,
)
from startup import process_cpu

from learnburn.bundles import save_bundle
from learnburn.candidates import build_pipeline
from learnburn.profiling._profile import free_port

DEMO = "random_forest"
GOAL = 0.9  # capture keeps at least this share of the baseline's rate


def build(folder: Path) -> tuple[Path, dict]:
    split = demo_split()
    pipeline = build_pipeline(DEMO, split.params(DEMO), split.schema, seed=SEED)
    pipeline.fit(split.features.iloc[split.train], split.target[split.train])
    path = save_bundle(
        pipeline, folder / DEMO, schema=split.schema.to_dict(), classes=split.classes, meta={},
        check_rows=split.holdout,
    )  # fmt: skip
    record = split.holdout.iloc[[0]].to_dict("records")[0]
    row = {k: (v.item() if hasattr(v, "item") else v) for k, v in record.items()}
    return path, row


def rates(port: int, body: bytes, args: argparse.Namespace) -> tuple[float, float, int]:
    """(requests/s at c=1, requests/s at c=32, requests answered)."""
    request = post("/invocations", body)
    times, statuses = serial_latency(port, request, args.serial, 3.0)
    if set(statuses) != {200}:
        raise RuntimeError(f"serial requests answered {dict(statuses)}")
    load = concurrent_load(port, "/invocations", body, args.requests, 8.0)
    if load.errors or set(load.statuses) - {200}:
        raise RuntimeError(f"concurrent requests answered {dict(load.statuses)}, {load.errors}")
    return len(times) / sum(times), load.rate, len(times) + sum(load.statuses.values())


def counted(port: int) -> dict[str, float]:
    _, text = exchange(port, b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    found = re.findall(rb'learnburn_capture_events_total\{outcome="(\w+)"\} ([0-9.e+]+)', text)
    return {name.decode(): float(value) for name, value in found}


def drain(port: int, limit_s: float = 60.0) -> None:
    """Wait until the capture has written (or failed to write) every event it queued."""
    deadline = time.monotonic() + limit_s
    while True:
        events = counted(port)
        if events.get("written", 0) + events.get("failed", 0) >= events.get("queued", 0):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"the capture did not write its events within {limit_s} s: {events}")
        time.sleep(0.2)


def cpu_jiffies() -> tuple[int, int]:
    """(steal, total) jiffies of all cores so far, from /proc/stat (read, as the servers' CPU
    is, on Linux)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    return fields[7], sum(fields[:8])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serial", type=int, default=1500, help="requests per serial round")
    parser.add_argument("--requests", type=int, default=16000, help="requests per c=32 round")
    parser.add_argument("--rounds", type=int, default=6, help="pairs of rounds (off and on)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path, row = build(folder)
        body = orjson.dumps({"instances": [row]})
        capture = folder / "capture"
        base_port, ours_port = free_port(), free_port()
        base_cmd = learnburn_command(path, base_port)
        ours_cmd = [*learnburn_command(path, ours_port), "--capture", str(capture)]
        pairs = []
        with (
            server(base_cmd, folder / "off.log") as base,
            server(ours_cmd, folder / "on.log") as ours,
        ):
            wait_ping(base_port, base, folder / "off.log")
            wait_ping(ours_port, ours, folder / "on.log")
            for port in (base_port, ours_port):  # warm up
                serial_latency(port, post("/invocations", body), 300, 5.0)
                concurrent_load(port, "/invocations", body, 2000, 5.0)
            before = cpu_jiffies()
            for index in range(args.rounds):
                order = [("off", base_port), ("on", ours_port)]
                pair = {}
                for name, port in order[:: -1 if index % 2 else 1]:
                    drain(ours_port)  # the writer's work stays in capture's own rounds
                    pid = (base if name == "off" else ours).pid
                    start = process_cpu(pid)
                    one, many, requests = rates(port, body, args)
                    pair[name] = [one, many]
                    drain(ours_port)  # ... and its last events are written, and counted, now
                    pair[name].append((process_cpu(pid) - start) / requests)
                pairs.append(pair)
            after = cpu_jiffies()
            events = counted(ours_port)
        files = sorted(capture.rglob("*.parquet"))
        size = sum(p.stat().st_size for p in files)
    steal = (after[0] - before[0]) / max(after[1] - before[1], 1)
    report(pairs, events, len(files), size, steal)


def report(pairs: list[dict], events: dict, files: int, size: int, steal: float) -> None:
    print(f"{'server':<16} {'c=1 req/s':>10} {'c=32 req/s':>11}   (median of {len(pairs)} rounds)")
    for name, label in (("off", "capture off"), ("on", "capture on")):
        one, many = (statistics.median(pair[name][i] for pair in pairs) for i in range(2))
        print(f"{label:<16} {one:>10,.0f} {many:>11,.0f}")
    cpu = {name: statistics.median(pair[name][2] for pair in pairs) for name in ("off", "on")}
    print(
        f"server CPU per request (all threads, its capture written): off "
        f"{cpu['off'] * 1e6:.0f} us, on {cpu['on'] * 1e6:.0f} us "
        f"({cpu['on'] / cpu['off'] - 1:+.1%})"
    )
    print(f"CPU taken by other machines (steal) while measuring: {steal:.1%} of the cores")
    print(f"captured events: {events}; {files} file(s), {size:,} bytes")
    lines = []
    for index, concurrency in ((0, 1), (1, 32)):
        ratios = sorted(pair["on"][index] / pair["off"][index] for pair in pairs)
        shown = " ".join(f"{r:.3f}" for r in ratios)
        print(f"c={concurrency}: capture on / off in each pair of rounds: {shown}")
        ratio = statistics.median(ratios)
        lines.append(verdict(f"capture_throughput_c{concurrency}", ratio, ">=", GOAL))
    print()
    print("\n".join(lines))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
