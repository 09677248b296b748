"""The segments example: households of a real table that ships offline, segmented end to end."""

from dataclasses import replace
from pathlib import Path

from learnburn.spec import load_spec
from learnburn.workflows import check_experiment, run_experiment

SPEC = Path(__file__).resolve().parents[2] / "examples" / "segments" / "segments.toml"


def test_segments_example_spec_is_valid_and_reads_the_shipped_table():
    """The spec loads and reads 9,275 households; the squared and repeated columns are out."""
    spec = load_spec(SPEC)
    summary = check_experiment(spec)
    assert summary["data"]["rows"] == 9275
    features = set(summary["data"]["features"])
    assert not features & {"incsq", "agesq", "p401k"}
    assert {"inc", "age", "fsize", "nettfa"} <= features
    assert len(summary["candidates"]) == 3 * 5


def test_segments_example_runs_and_explains_its_segments():
    """With fewer resamples, the example chooses a stable clustering of 3 or more readable
    segments, none tiny, and explains the choice in a sentence."""
    spec = load_spec(SPEC)
    small = replace(spec, clustering=replace(spec.clustering, resamples=5, k=(2, 4)))
    result = run_experiment(small, jobs=2)
    chosen = result.chosen
    assert chosen is not None and chosen.stability_low >= 0.6
    assert chosen.smallest_share >= 0.02 and chosen.silhouette_rows == 2000
    assert result.explanation.startswith("Chose ")
    assert len(result.segments) == chosen.n_clusters >= 2
    assert sum(s.size for s in result.segments) == 9275
    assert all(s.traits for s in result.segments)
