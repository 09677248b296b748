"""Benchmark: false-positive rate of the corrected repeated-CV t-test when two candidates are equal.

Each simulated dataset is a fresh ``make_classification`` table (300 rows by default) with its own
seed. Candidates A and B are the same learner family, ``DecisionTreeClassifier(splitter="random",
max_depth=4)``, differing only in their random seed. Both are scored with ROC AUC on the SAME
repeated stratified k-fold splits (10x10 by default), and the per-fold differences A - B go to

- ``corrected_ttest`` (Nadeau-Bengio / Bouckaert-Frank, variance (1/J + n_test/n_train) s²), and
- ``naive_ttest`` (the plain paired t-test, variance s²/J, which ignores that folds share rows).

The share of datasets with a two-sided p-value below alpha = 0.05 is each test's false-positive
rate, printed with a 95% Wilson interval. Target: the corrected rate is at most 0.07.

For the null to hold *on every dataset*, not only on average over seeds, ``--null`` picks one of:

- ``noise`` (default): the labels are permuted, so no model beats chance and A and B (each with
  one fixed seed per dataset) both have expected AUC 0.5. The trees are deterministic given their
  training rows, so overlapping training sets correlate the fold differences: the situation the
  correction is for.
- ``reseeded``: informative labels, and A and B are the same randomized procedure, refit with a
  fresh seed on every fold. Seed noise dominates and the fold differences are nearly independent.

(Fixed seeds on informative labels are NOT a null: on a given population, a tree with seed a and
one with seed b differ in expected AUC by up to ~0.02, several standard errors, so rejections
there are partly true positives.)

    .venv/bin/python benchmarks/stats_calibration.py [--datasets 200] [--seed 0]
        [--null noise|reseeded] [--folds 10] [--repeats 10] [--rows 300] [--jobs 2]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
from joblib import Parallel, delayed
from sklearn.datasets import make_classification
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.tree import DecisionTreeClassifier

from learnburn.evaluation import binary_auc, corrected_ttest, naive_ttest

ALPHA = 0.05
GOAL = 0.07
SEED_RANGE = 2**31 - 1


def simulate(seed: np.random.SeedSequence, null: str, rows: int, folds: int, repeats: int):
    """Two-sided p-values (corrected, naive) of A vs B on one dataset where they are equal."""
    rng = np.random.default_rng(seed)
    table_seed, split_seed, seed_a, seed_b = (int(v) for v in rng.integers(SEED_RANGE, size=4))
    X, y = make_classification(
        n_samples=rows,
        n_features=10,
        n_informative=4,
        flip_y=0.05,
        random_state=table_seed,
    )
    if null == "noise":
        y = rng.permutation(y)
    cv = RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=split_seed)
    differences, n_train, n_test = [], [], []
    for train, test in cv.split(X, y):
        auc = []
        seeds = rng.integers(SEED_RANGE, size=2) if null == "reseeded" else (seed_a, seed_b)
        for tree_seed in seeds:
            tree = DecisionTreeClassifier(splitter="random", max_depth=4, random_state=tree_seed)
            tree.fit(X[train], y[train])
            auc.append(binary_auc(y[test] == 1, tree.predict_proba(X[test])[:, 1]))
        differences.append(auc[0] - auc[1])
        n_train.append(train.size)
        n_test.append(test.size)
    corrected = corrected_ttest(differences, np.mean(n_train), np.mean(n_test))
    return corrected.p_value, naive_ttest(differences).p_value


def wilson(successes: int, n: int, confidence_z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion."""
    p = successes / n
    denominator = 1 + confidence_z**2 / n
    centre = (p + confidence_z**2 / (2 * n)) / denominator
    half = confidence_z * math.sqrt(p * (1 - p) / n + confidence_z**2 / (4 * n**2)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--null", choices=("noise", "reseeded"), default="noise")
    args = parser.parse_args()

    start = time.perf_counter()
    seeds = np.random.SeedSequence(args.seed).spawn(args.datasets)
    results = Parallel(n_jobs=args.jobs, batch_size=8)(
        delayed(simulate)(seed, args.null, args.rows, args.folds, args.repeats) for seed in seeds
    )
    wall = time.perf_counter() - start
    p_values = np.array(results)
    rejected = (p_values < ALPHA).sum(axis=0)
    n = args.datasets

    print(
        f"{n} datasets of {args.rows} rows where A and B are equal (null: {args.null}); "
        f"{args.repeats}x{args.folds} repeated stratified k-fold, ROC AUC, alpha = {ALPHA}"
    )
    print(f"{'test':<10} {'rejections':>12} {'FPR':>7}   95% Wilson interval")
    for label, count in zip(("corrected", "naive"), rejected, strict=True):
        low, high = wilson(int(count), n)
        print(f"{label:<10} {f'{count}/{n}':>12} {count / n:>7.3f}   [{low:.3f}, {high:.3f}]")
    print(f"wall time: {wall:.1f} s ({args.jobs} jobs, seed {args.seed})")
    corrected_fpr, naive_fpr = rejected / n
    verdict = "met" if corrected_fpr <= GOAL else "missed"
    print(f"target corrected_fpr: {corrected_fpr:.3f} (goal <= {GOAL:.2f}) {verdict}")
    print(f"info naive_fpr: {naive_fpr:.3f} (no goal; the uncorrected paired t-test)")


if __name__ == "__main__":
    main()
