"""The choice of ``simplest-equivalent`` does not depend on measured times."""

import types

import numpy as np
import pytest

import learnburn.evaluation._engine as engine
from learnburn.spec import load_spec
from learnburn.workflows import run_experiment

TWINS = """
    [experiment]
    name = "twins"
    [data]
    path = "table.csv"
    target = "label"
    [evaluation]
    folds = 3
    repeats = 1
    seed = 2
    holdout = 0.25
    rope = 0.03
    [candidates.big_forest]
    model = "random_forest"
    params = { n_estimators = 30 }
    [candidates.forest]
    model = "random_forest"
    params = { n_estimators = 20 }
    [candidates.logistic_regression]
"""


@pytest.fixture
def noisy_timer(monkeypatch):
    """The fold engine's clock returns random readings: every measured time is noise."""
    rng = np.random.default_rng()
    clock = types.SimpleNamespace(perf_counter=lambda: float(rng.uniform(0, 1000)))
    monkeypatch.setattr(engine, "time", clock)


def test_ten_runs_with_a_noisy_timer_choose_the_same_candidate(write_spec, table_csv, noisy_timer):
    """Times that are pure noise change neither the choice, nor its reason, nor any verdict."""
    spec = load_spec(write_spec(TWINS))
    outcomes = set()
    for _ in range(10):
        result = run_experiment(spec)
        verdicts = tuple(c.verdict for c in result.candidates)
        outcomes.add((result.winner, result.comparison["reason"], verdicts))
    assert len(outcomes) == 1
    winner, reason, _ = outcomes.pop()
    assert winner == "forest" and "model size" in reason  # equivalent to big_forest, smaller


def test_the_record_names_the_cost_it_ranked_by(write_spec, table_csv):
    """The comparison records the measure and each candidate's model size."""
    result = run_experiment(load_spec(write_spec(TWINS)))
    comparison = result.to_dict()["comparison"]
    assert comparison["cost"].startswith("model size")
    sizes = {c.name: c.model_bytes for c in result.candidates if c.status == "ok"}
    assert comparison["costs"] == sizes and all(v > 0 for v in sizes.values())
