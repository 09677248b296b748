"""Reading profile.json: the figures kept, and every missing or bad key named by its path."""

from __future__ import annotations

import json

import pytest

from learnburn.errors import CostError
from learnburn.profiling import measurements_from_dict, read_measurements


def test_the_fixture_profile_reads_into_the_figures_the_cost_model_uses(profile_path):
    m = read_measurements(profile_path)
    assert (m.logical_cpus, m.http_workers, m.worker_rss_mb) == (2, 1, 180.0)
    assert [level.concurrency for level in m.levels] == [1, 4, 16, 32]
    assert m.largest_batch.batch_rows == 10_000
    assert m.single_request == (0, m.levels[0])
    assert (m.training_fit_s, m.training_peak_mb) == (3.2, 900.0)
    assert m.gpu_present is False and m.gpu_note == "no CUDA device was present"
    assert m.source == str(profile_path)


def test_every_missing_or_mistyped_key_is_named_by_its_path(profile_data):
    """Three problems, three key paths, one error."""
    del profile_data["memory"]["worker_rss_mb"]
    profile_data["http"]["levels"][2]["p99_ms"] = "fast"
    profile_data["machine"]["logical_cpus"] = 0
    with pytest.raises(CostError) as caught:
        measurements_from_dict(profile_data, source="p.json")
    message = str(caught.value)
    assert message.startswith("p.json is not a usable profile (3 problems)")
    assert "memory.worker_rss_mb: missing" in message
    assert 'http.levels[2].p99_ms: expected a non-negative number, got "fast"' in message
    assert "machine.logical_cpus: expected a positive whole number, got 0" in message
    assert "learnburn profile" in caught.value.hint


def test_an_unmeasured_worker_memory_is_reported_as_not_measured(profile_data):
    """`learnburn profile` writes null where /proc cannot be read."""
    profile_data["memory"]["worker_rss_mb"] = None
    with pytest.raises(CostError, match=r"memory.worker_rss_mb: .* got null \(not measured\)"):
        measurements_from_dict(profile_data)


def test_a_profile_without_training_or_its_peak_memory_still_reads(profile_data):
    profile_data["training"] = None
    assert measurements_from_dict(profile_data).training_fit_s is None
    profile_data["training"] = {"fit_seconds": 2.0, "rows": None, "peak_memory_mb": None}
    m = measurements_from_dict(profile_data)
    assert (m.training_fit_s, m.training_peak_mb) == (2.0, None)


def test_a_profile_from_a_newer_learnburn_is_refused(profile_data):
    profile_data["version"] = 2
    with pytest.raises(CostError, match="version: 2 is newer than this learnburn reads"):
        measurements_from_dict(profile_data)


def test_empty_levels_and_a_non_object_are_refused(profile_data):
    profile_data["http"]["levels"] = []
    with pytest.raises(CostError, match=r"http.levels: expected a non-empty list, got a list"):
        measurements_from_dict(profile_data)
    with pytest.raises(CostError, match=r"\(top level\): expected a JSON object, got a list"):
        measurements_from_dict([])


def test_a_file_that_is_not_json_says_so(tmp_path):
    path = tmp_path / "profile.json"
    path.write_text("{not json")
    with pytest.raises(CostError, match="is not readable JSON"):
        read_measurements(path)
    with pytest.raises(CostError, match="not found"):
        read_measurements(tmp_path / "missing.json")
    path.write_text(json.dumps({"version": 1}))
    with pytest.raises(CostError, match="machine: missing"):
        read_measurements(path)
