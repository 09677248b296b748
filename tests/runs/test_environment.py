"""Tests of describe_environment and compare_environments."""

from __future__ import annotations

import platform
from importlib import metadata
from pathlib import Path

import pytest

from learnburn.runs import _environment
from learnburn.runs._environment import compare_environments, describe_environment


def test_describe_environment_has_every_key() -> None:
    """The record names Python, the OS, the machine, the CPU and the library versions."""
    found = describe_environment()
    expected = {"python", "python_implementation", "platform", "os", "os_release", "machine"}
    assert expected | {"cpu", "cpu_count", "cpus_usable", "libraries"} == set(found)
    assert found["python"] == platform.python_version()
    assert found["libraries"]["numpy"] == metadata.version("numpy")
    assert found["libraries"]["learnburn"] == metadata.version("learnburn")


def test_missing_library_is_left_out() -> None:
    """A library that is not installed does not appear in the versions."""
    found = describe_environment(["numpy", "no-such-library-xyz"])
    assert list(found["libraries"]) == ["numpy"]


def test_cpu_model_comes_from_cpuinfo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CPU is the 'model name' line of /proc/cpuinfo when there is one."""
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Example CPU @ 3.00GHz\n")
    monkeypatch.setattr(_environment, "_CPUINFO", str(cpuinfo))
    assert describe_environment([])["cpu"] == "Example CPU @ 3.00GHz"


def test_cpu_model_falls_back_to_platform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without /proc/cpuinfo the CPU is what platform.processor() says."""
    monkeypatch.setattr(_environment, "_CPUINFO", str(tmp_path / "missing"))
    assert describe_environment([])["cpu"] == platform.processor()


def test_identical_environments_have_no_differences() -> None:
    """Comparing an environment with itself finds nothing."""
    found = describe_environment()
    assert compare_environments(found, found) == []


def test_compare_reports_changed_versions_and_cpu() -> None:
    """Changed Python, CPU and library versions are each reported old -> new."""
    a = describe_environment()
    b = {**a, "python": "3.99.0", "cpu": "Other CPU", "libraries": {**a["libraries"]}}
    b["libraries"]["scikit-learn"] = "0.0.1"
    differences = compare_environments(a, b)
    assert f"python {a['python']} -> 3.99.0" in differences
    assert f"CPU {a['cpu'] or 'unknown'} -> Other CPU" in differences
    assert f"scikit-learn {a['libraries']['scikit-learn']} -> 0.0.1" in differences
    assert len(differences) == 3


def test_compare_reports_libraries_added_and_removed() -> None:
    """A library present on one side only is reported as not installed on the other."""
    a = {"libraries": {"lightgbm": "4.3.0"}}
    b = {"libraries": {"xgboost": "2.1.0"}}
    assert compare_environments(a, b) == [
        "lightgbm 4.3.0 -> not installed",
        "xgboost not installed -> 2.1.0",
    ]


def test_platform_string_is_reported_only_when_nothing_more_specific_changed() -> None:
    """An OS release change is reported once, not again through the platform string."""
    a = {"os_release": "5.15", "platform": "Linux-5.15-x86_64"}
    b = {"os_release": "6.1", "platform": "Linux-6.1-x86_64"}
    assert compare_environments(a, b) == ["OS release 5.15 -> 6.1"]
    c = {**a, "platform": "Linux-5.15-x86_64-with-glibc2.36"}
    assert compare_environments(a, c) == [
        "platform Linux-5.15-x86_64 -> Linux-5.15-x86_64-with-glibc2.36"
    ]
