"""Profiling: how a bundle runs. ``profile_bundle`` measures latency, throughput, cold start and
memory against the real server on loopback (and, where a CUDA GPU is present, CPU against GPU
for the model libraries that can use one) and writes ``profile.json``; ``read_measurements``
reads one back as a checked, typed :class:`Measurements` record. What those figures cost on AWS
is priced in :mod:`learnburn.costs`, which reads these records; profiling never prices."""

from learnburn.profiling._measurements import (
    BatchTiming,
    GpuSpeedup,
    HttpLevel,
    Measurements,
    measurements_from_dict,
    read_measurements,
)
from learnburn.profiling._profile import ProfileSettings, describe_machine, profile_bundle

__all__ = [
    "BatchTiming",
    "GpuSpeedup",
    "HttpLevel",
    "Measurements",
    "ProfileSettings",
    "describe_machine",
    "measurements_from_dict",
    "profile_bundle",
    "read_measurements",
]
