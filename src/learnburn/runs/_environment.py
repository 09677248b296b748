"""What a run ran on: Python, the operating system, the CPU and the versions of the libraries.

:func:`describe_environment` returns a plain dict for the run record; :func:`compare_environments`
says in words what differs between two of them, to explain why a rerun's numbers moved.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Mapping, Sequence
from importlib import metadata
from typing import Any

DEFAULT_LIBRARIES = (
    "learnburn",
    "scikit-learn",
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "lightgbm",
    "xgboost",
    "joblib",
    "threadpoolctl",
)

# Key in the environment dict -> the words used for it in a comparison, in comparison order.
_LABELS = {
    "python": "python",
    "python_implementation": "Python implementation",
    "os": "OS",
    "os_release": "OS release",
    "machine": "machine",
    "cpu": "CPU",
    "cpu_count": "logical CPUs",
    "cpus_usable": "usable CPUs",
    "platform": "platform",
}
_CPUINFO = "/proc/cpuinfo"


def describe_environment(libraries: Sequence[str] = DEFAULT_LIBRARIES) -> dict[str, Any]:
    """Python, OS, machine and CPU, and the versions of the installed ``libraries``."""
    return {
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "os": platform.system(),
        "os_release": platform.release(),
        "machine": platform.machine(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": _usable_cpus(),
        "libraries": _library_versions(libraries),
    }


def _cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo where there is one, else what platform says."""
    try:
        with open(_CPUINFO, encoding="utf-8", errors="replace") as lines:
            for line in lines:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and value.strip():
                    return value.strip()
    except OSError:
        pass
    return platform.processor()


def _usable_cpus() -> int | None:
    """The CPUs this process may run on (fewer than ``cpu_count`` under affinity or cgroups)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count()


def _library_versions(libraries: Sequence[str]) -> dict[str, str]:
    versions = {}
    for name in libraries:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def compare_environments(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    """The differences from ``a`` to ``b`` in words, e.g. ``"scikit-learn 1.9.1 -> 1.8.0"``."""
    changed = [key for key in _LABELS if a.get(key) != b.get(key)]
    if any(key in changed for key in ("os", "os_release", "machine")):
        changed = [k for k in changed if k != "platform"]  # it repeats them; show it only alone
    differences = [f"{_LABELS[k]} {_shown(a.get(k))} -> {_shown(b.get(k))}" for k in changed]
    old, new = a.get("libraries") or {}, b.get("libraries") or {}
    for name in [*old, *(n for n in new if n not in old)]:
        if old.get(name) != new.get(name):
            before, after = old.get(name, "not installed"), new.get(name, "not installed")
            differences.append(f"{name} {before} -> {after}")
    return differences


def _shown(value: Any) -> str:
    return "unknown" if value is None or value == "" else str(value)
