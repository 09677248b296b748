"""Benchmark: learnburn's learn loop against a hand-written scikit-learn loop doing the same work.

Both sides read the demo's data, evaluate the demo's candidates on the same repeated folds with
the same parallelism (``--jobs``, joblib's loky processes on the baseline side), refit the best
candidate on all development rows and score the holdout once. The baseline builds the very same
pipelines, so the ratio measures what learnburn adds around them: spec handling, the backend,
records, progress events. Runs alternate (baseline, learnburn, ...) and the medians are compared.

Target: learnburn adds at most 10% (ratio <= 1.10).

    .venv/bin/python benchmarks/learn.py [--jobs 2] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone

from learnburn.candidates import build_pipeline
from learnburn.data import load_dataset
from learnburn.evaluation import get_metric, make_splits, score_all
from learnburn.spec import load_spec
from learnburn.workflows import run_experiment

SPEC = Path(__file__).resolve().parent.parent / "examples" / "loans" / "loans.toml"
GOAL = 1.10


def _fit_score(pipeline, X, y, train, test, classes, metric):
    fitted = clone(pipeline).fit(X.iloc[train], y[train])
    proba = fitted.predict_proba(X.iloc[test])
    return score_all(y[test], proba, classes)[metric]


def baseline(spec, jobs: int) -> float:
    """The hand-written loop: same folds, same pipelines, joblib with the same n_jobs."""
    start = time.perf_counter()
    data = spec.data
    dataset = load_dataset(
        spec.resolve_data_path(), target=data.target, drop=data.drop, task=spec.task
    )
    splits = make_splits(dataset.target, spec.evaluation)
    X = dataset.features.iloc[splits.development].reset_index(drop=True)
    y = dataset.target.to_numpy()[splits.development]
    metric, seed = spec.evaluation.metric, spec.evaluation.seed
    candidates = spec.expanded_candidates()
    pipelines = [
        build_pipeline(c.model, c.params, dataset.schema, seed=seed, preprocessing=c.preprocessing)
        for c in candidates
    ]
    scores = Parallel(n_jobs=jobs)(
        delayed(_fit_score)(p, X, y, f.train, f.test, dataset.classes, metric)
        for p in pipelines
        for f in splits.folds
    )
    means = np.array(scores).reshape(len(pipelines), -1).mean(axis=1)
    best = int(np.argmax(means) if get_metric(metric).greater_is_better else np.argmin(means))
    features, target = dataset.features, dataset.target.to_numpy()
    model = clone(pipelines[best]).fit(features.iloc[splits.development], y)
    proba = model.predict_proba(features.iloc[splits.holdout])
    score_all(target[splits.holdout], proba, dataset.classes)
    return time.perf_counter() - start


def learnburn(spec, jobs: int) -> float:
    start = time.perf_counter()
    result = run_experiment(spec, jobs=jobs)
    assert result.winner is not None
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    spec = load_spec(SPEC)
    n_fits = len(spec.expanded_candidates()) * spec.evaluation.folds * spec.evaluation.repeats
    print(f"spec: {SPEC.name}, {n_fits} fold fits, jobs={args.jobs}, rounds={args.rounds}")
    times: dict[str, list[float]] = {"scikit-learn loop": [], "learnburn": []}
    for round_ in range(args.rounds):
        for name, fn in (("scikit-learn loop", baseline), ("learnburn", learnburn)):
            seconds = fn(spec, args.jobs)
            times[name].append(seconds)
            print(f"round {round_ + 1}: {name:<18} {seconds:7.2f} s")
    base = statistics.median(times["scikit-learn loop"])
    ours = statistics.median(times["learnburn"])
    ratio = ours / base
    print(f"median: scikit-learn loop {base:.2f} s, learnburn {ours:.2f} s, ratio {ratio:.3f}")
    verdict = "met" if ratio <= GOAL else "missed"
    print(f"target learn_overhead: {ratio:.3f} (goal <= {GOAL:.2f}) {verdict}")


if __name__ == "__main__":
    main()
