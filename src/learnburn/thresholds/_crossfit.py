"""Cross-fitted calibration: each prediction is calibrated by a map fitted without its row.

Folds are drawn over units (see ``_rows``), so every copy of a development row lands in the same
fold, and stratified by label: units are shuffled with the seed, ordered by label (stably), and
dealt round-robin to the folds.
"""

from __future__ import annotations

import numpy as np

from learnburn.thresholds._calibrators import fit_codes


def assign_folds(truth: np.ndarray, units: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """The fold (0 .. folds-1) of each prediction; fewer folds when there are fewer units."""
    n_units = int(units.max()) + 1
    label = np.zeros(n_units, dtype=np.intp)
    label[units] = truth
    order = np.random.default_rng(seed).permutation(n_units)
    order = order[np.argsort(label[order], kind="stable")]
    fold_of_unit = np.empty(n_units, dtype=np.intp)
    fold_of_unit[order] = np.arange(n_units) % min(folds, n_units)
    return fold_of_unit[units]


def cross_fit(method: str, truth: np.ndarray, proba: np.ndarray, fold: np.ndarray) -> np.ndarray:
    """``proba`` calibrated by ``method``, each fold by a calibrator fitted on the other folds."""
    calibrated = np.empty_like(proba)
    for held_out in np.unique(fold):
        test = fold == held_out
        calibrator = fit_codes(method, truth[~test], proba[~test])
        calibrated[test] = calibrator.transform(proba[test])
    return calibrated
