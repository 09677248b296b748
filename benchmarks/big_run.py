"""Benchmark: ``learnburn run`` on a large table, with the default holdout, in bounded memory.

Writes a synthetic binary table (``--rows`` x ``--columns`` standard normal features, a label
from five of them) as Parquet in a fresh git repository with a cheap spec (logistic regression
only, 2 folds x 1 repeat, the default 20% holdout), runs ``python -m learnburn run`` on it in a
child process and reports its wall time and peak resident memory (``ru_maxrss`` of the waited-for
children), and the stages' times from the run record. The baseline is the size of the data
itself: the table's bytes in memory, against which the peak is a ratio.

Before the holdout interval was linear, this run failed after 3 minutes and 7.8 GB with
"Unable to allocate 37.3 GiB" (the jackknife of the BCa bootstrap over 200,000 holdout rows).

Target: the run completes and its peak stays under the machine's 24 GB (aim: far below).

    PYTHONPATH=src .venv/bin/python benchmarks/big_run.py [--rows 1000000] [--columns 50]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd

GOAL_GB = 24.0

SPEC = """
    [experiment]
    name = "big"
    [data]
    path = "big.parquet"
    target = "label"
    [evaluation]
    folds = 2
    repeats = 1
    [candidates.logistic_regression]
"""


def write_project(folder: Path, rows: int, columns: int) -> int:
    """The table, the spec and a git commit of the spec; returns the table's bytes in memory."""
    rng = np.random.default_rng(0)
    features = rng.standard_normal((rows, columns))
    signal = features[:, :5] @ np.array([1.0, -0.8, 0.6, 0.4, -0.3])
    frame = pd.DataFrame(features, columns=[f"x{i}" for i in range(columns)])
    frame["label"] = (signal + 0.3 * rng.standard_normal(rows) > 0.5).astype(int)
    frame.to_parquet(folder / "big.parquet", index=False)
    (folder / "big.toml").write_text(textwrap.dedent(SPEC))
    (folder / ".gitignore").write_text("big.parquet\n.learnburn/\nrecord.json\n")
    git = ["git", "-C", str(folder), "-c", "user.email=b@e.x", "-c", "user.name=bench"]
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "spec"], check=True)
    return int(frame.memory_usage(deep=True).sum())


def run(folder: Path) -> tuple[int, float, float]:
    """``learnburn run`` in a child: exit code, seconds, peak resident GB of the children."""
    command = [sys.executable, "-m", "learnburn", "run", "big.toml", "-q", "-o", "record.json"]
    start = time.perf_counter()
    code = subprocess.run(command, cwd=folder).returncode
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return code, seconds, peak_kib / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--columns", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        table_bytes = write_project(folder, args.rows, args.columns)
        code, seconds, peak_gb = run(folder)
        record_path = folder / "record.json"
        record = json.loads(record_path.read_text()) if record_path.exists() else {}
    table_gb = table_bytes / 2**30
    print(f"table: {args.rows:,} rows x {args.columns} columns, {table_gb:.2f} GB in memory")
    print(f"learnburn run: exit {code}, {seconds:.0f} s, peak resident {peak_gb:.2f} GB "
          f"({peak_gb / table_gb:.1f}x the table)")  # fmt: skip
    if record:
        holdout = record.get("holdout") or {}
        interval = holdout.get("interval") or {}
        print(f"holdout: {holdout.get('rows')} rows, {record['metric']} = "
              f"{holdout.get('score'):.4f}, {interval.get('method')} interval "
              f"[{interval.get('low'):.4f}, {interval.get('high'):.4f}]")  # fmt: skip
        stages = {k: round(v, 1) for k, v in record.get("timings", {}).items()}
        print(f"stages (s; peak_memory_mb as recorded): {stages}")
    verdict = "met" if code == 0 and peak_gb < GOAL_GB else "missed"
    print(f"target big_run_peak_gb: {peak_gb:.2f} (goal < {GOAL_GB:g}) {verdict}")


if __name__ == "__main__":
    main()
