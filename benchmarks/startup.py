"""Benchmark: what starting learnburn costs, against named baselines measured in the same run.

1. CPU time (user + system, from ``resource.getrusage(RUSAGE_CHILDREN)``) of fresh processes,
   median of ``--rounds``: ``python -c pass`` (the interpreter's floor), ``python -c "import
   typer"`` (the command-line library's floor), ``learnburn --help`` and ``learnburn nb check
   NOTEBOOK`` (the pre-commit hook, on the demo's notebook). Targets: < 0.3 s each.
2. Serve cold start: from launching ``learnburn serve`` (1 worker) on the demo's random-forest
   bundle to the first 200 from GET /ping, median of ``--serve-rounds``, against a bare
   Starlette app on uvicorn answering /ping (the same stack with no model). Target: < 1.5 s.
   The target is wall-clock time (what a health check waits); the CPU seconds the server spent
   by then (its own and the proof process's, read from /proc) are printed and held to the same
   goal, since on a loaded machine wall time mostly measures the other jobs.
   Printed with it, for information: the CPU seconds of its parts, each alone in a fresh python
   (importing the command and the server, skops's trusted-type lists, onnx, the bundle's load).

The packaged image installs only the server's requirements (``pinned_requirements`` of
``SERVER_LIBRARIES`` in ``learnburn.deploy._package_requirements``), not dask, torch or the
notebook tooling a development environment holds; a library that is present is imported by code
that probes for it (skops, walking scikit-learn, imports torch and dask when installed). Section 2
runs as it would in the image: every top-level module whose distributions are all
outside those requirements is made unimportable (a finder first on ``sys.meta_path`` raises
ModuleNotFoundError for it, as if it were not installed) before learnburn starts. Section 1
runs in the full environment. Wall-clock times on a loaded machine run long; CPU seconds less so.

    .venv/bin/python benchmarks/startup.py
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "examples" / "loans" / "explore.ipynb"
HOST = "127.0.0.1"
SEED = 42
CPU_GOAL_S = 0.3
COLD_GOAL_S = 1.5

# Run a module as ``python -m`` would, with the modules in BENCH_BLOCKED unimportable.
BLOCKED_RUN = """
import os, runpy, sys

BLOCKED = frozenset(os.environ["BENCH_BLOCKED"].split(","))

class NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NotInstalled())
sys.argv = [sys.argv[1], *sys.argv[2:]]
runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
"""

# The baseline server: the same stack, no model.
BARE_APP = """
import sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

async def ping(request):
    return Response(status_code=200)

app = Starlette(routes=[Route("/ping", ping, methods=["GET"])])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def cpu_seconds(command: list[str], env: dict[str, str]) -> float:
    """User + system CPU seconds of one fresh process (and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, env=env, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{command} exited {done.returncode}:\n{done.stderr.decode()}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median_cpu(command: list[str], env: dict[str, str], rounds: int) -> float:
    cpu_seconds(command, env)  # warm the file cache
    return statistics.median(cpu_seconds(command, env) for _ in range(rounds))


# -- the image's environment --------------------------------------------------------------------


def outside_image() -> list[str]:
    """Top-level modules installed here whose distributions the image does not install."""
    from learnburn.deploy._package_requirements import SERVER_LIBRARIES, pinned_requirements

    image = {_canonical(line.split("==")[0]) for line in pinned_requirements(SERVER_LIBRARIES)}
    image.add("learnburn")  # copied into the image, on PYTHONPATH
    blocked = []
    for module, distributions in importlib.metadata.packages_distributions().items():
        if module.isidentifier() and not {_canonical(d) for d in distributions} & image:
            blocked.append(module)
    return sorted(blocked)


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# -- the demo bundle ----------------------------------------------------------------------------


def build_bundle(folder: Path) -> Path:
    """The demo's random forest, fitted on 80% of its table, saved as a proven bundle."""
    from serve import demo_split

    from learnburn.bundles import save_bundle
    from learnburn.candidates import build_pipeline

    split = demo_split()
    params = split.params("random_forest")
    pipeline = build_pipeline("random_forest", params, split.schema, seed=SEED)
    pipeline.fit(split.features.iloc[split.train], split.target[split.train])
    return save_bundle(
        pipeline, folder / "random_forest", schema=split.schema.to_dict(),
        classes=split.classes, meta={}, check_rows=split.holdout,
    )  # fmt: skip


# -- servers ------------------------------------------------------------------------------------


def time_to_ping(
    command: list[str], port: int, env: dict[str, str], log: Path
) -> tuple[float, float]:
    """Wall seconds from launching ``command`` to the first 200 from GET /ping (polled every
    5 ms), and the CPU seconds the server spent by then (its own and its finished children's,
    such as the proof process, from /proc)."""
    request = f"GET /ping HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode()
    start = time.perf_counter()
    from serve import server  # the benchmarks' one server process helper

    with server(command, log, env) as process:
        while time.perf_counter() - start < 120:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited {process.returncode}:\n{log.read_text()}")
            with contextlib.suppress(OSError), socket.create_connection((HOST, port), 1) as sock:
                sock.sendall(request)
                if sock.recv(64).startswith(b"HTTP/1.1 200"):
                    return time.perf_counter() - start, process_cpu(process.pid)
            time.sleep(0.005)
    raise RuntimeError(f"no 200 from /ping within 120 s:\n{log.read_text()}")


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a running process and of its children it has waited for."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    ticks = sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def cold_starts(bundle: Path, env: dict[str, str], folder: Path, rounds: int) -> dict:
    """Median wall and CPU seconds to the first /ping 200: ``learnburn serve`` and the bare
    app, as ``{"serve": (wall, cpu), "bare": (wall, cpu)}``."""
    from learnburn.profiling._profile import free_port  # as the other benchmarks pick one

    times: dict[str, list[tuple[float, float]]] = {"serve": [], "bare": []}
    for round_ in range(rounds + 1):  # the first round warms the file cache
        port = free_port()
        serve = [sys.executable, "-c", BLOCKED_RUN, "learnburn", "serve", str(bundle)]
        serve += ["--port", str(port), "--workers", "1"]
        measured = time_to_ping(serve, port, env, folder / "serve.log")
        port = free_port()
        bare = [sys.executable, "-c", BLOCKED_RUN.replace(_RUN_LINE, BARE_APP), "-", str(port)]
        bare_s = time_to_ping(bare, port, env, folder / "bare.log")
        if round_:
            times["serve"].append(measured)
            times["bare"].append(bare_s)
    return {
        name: (statistics.median(w for w, _ in values), statistics.median(c for _, c in values))
        for name, values in times.items()
    }


_RUN_LINE = 'runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)'


# What the server's start is made of, each a fresh process in the image's environment.
SERVE_PARTS = {
    "import what serve imports (command, bundles, server)": "import learnburn.cli._serve, uvicorn",
    "import skops.io (not needed with a fast path; for comparison)": "import skops.io",
    "import onnx (not needed: the model check reads its messages)": "import onnx",
    "import and load the bundle as serve does (lazy=True)": (
        "from learnburn.bundles import load_bundle; load_bundle(sys.argv[0], lazy=True)"
    ),
}


def serve_parts_cpu(bundle: Path, env: dict[str, str], rounds: int) -> dict[str, float]:
    """CPU seconds of each of ``SERVE_PARTS``, run alone in a fresh python."""
    parts = {}
    for name, script in SERVE_PARTS.items():
        command = [sys.executable, "-c", BLOCKED_RUN.replace(_RUN_LINE, script), str(bundle)]
        parts[name] = median_cpu(command, env, rounds)
    return parts


# -- report -------------------------------------------------------------------------------------


def verdict(name: str, value: float, goal: float) -> str:
    state = "met" if value < goal else "missed"
    return f"target {name}: {value:.2f} s (goal < {goal} s) {state}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="fresh processes per command")
    parser.add_argument("--serve-rounds", type=int, default=3, help="cold starts of each server")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "100"}
    learnburn = [sys.executable, "-m", "learnburn"]

    print(f"1. CPU seconds of a fresh process (user + system, median of {args.rounds})")
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import typer'": [sys.executable, "-c", "import typer"],
        "learnburn --help": [*learnburn, "--help"],
        "learnburn nb check": [*learnburn, "nb", "check", str(NOTEBOOK)],
    }
    cpu = {name: median_cpu(command, env, args.rounds) for name, command in commands.items()}
    for name, seconds in cpu.items():
        print(f"  {name:<28} {seconds:6.3f} s")

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        blocked = outside_image()
        image_env = {**env, "BENCH_BLOCKED": ",".join(blocked)}
        print(f"\n2. serve cold start in the image's environment ({len(blocked)} top-level modules")
        print(
            f"   outside its requirements made unimportable, e.g. {', '.join(_examples(blocked))})"
        )
        bundle = build_bundle(folder)
        parts = serve_parts_cpu(bundle, image_env, max(3, args.serve_rounds))
        starts = cold_starts(bundle, image_env, folder, args.serve_rounds)
    for name, label in (("bare", "bare Starlette app on uvicorn"), ("serve", "learnburn serve")):
        wall, cpu_s = starts[name]
        print(f"  {label:<30} -> /ping 200: {wall:6.3f} s wall, {cpu_s:6.3f} s CPU")
    print("  CPU seconds of its parts, each alone in a fresh process:")
    for name, seconds in parts.items():
        print(f"    {name:<58} {seconds:6.3f} s")

    print()
    print(verdict("help_cpu", cpu["learnburn --help"], CPU_GOAL_S))
    print(verdict("nb_check_cpu", cpu["learnburn nb check"], CPU_GOAL_S))
    print(verdict("serve_cold_start", starts["serve"][0], COLD_GOAL_S))
    print(verdict("serve_cold_start_cpu", starts["serve"][1], COLD_GOAL_S))


def _examples(blocked: list[str]) -> list[str]:
    wanted = ("torch", "dask", "distributed", "nbclient", "matplotlib", "boto3", "xgboost")
    return [name for name in wanted if name in blocked] or blocked[:5]


if __name__ == "__main__":
    main()
