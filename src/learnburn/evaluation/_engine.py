"""The fold engine: every candidate on the same folds, through a backend, then the holdout.

A fold task is tiny (a candidate index and a fold index); the development table travels to each
worker once as the backend's shared payload. A candidate whose fit fails on a fold is reported
failed with its error, and the other candidates go on.
"""

from __future__ import annotations

import pickle
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from learnburn.backends import Backend
from learnburn.candidates import build_pipeline
from learnburn.evaluation._metrics import get_metric, predict_proba_aligned, score_all
from learnburn.evaluation._records import CandidateSummary, FoldScore
from learnburn.evaluation._splits import Fold, Splits
from learnburn.evaluation._tuning import Search, tune_candidate
from learnburn.spec import CandidateSpec


@dataclass(frozen=True)
class OutOfFold:
    """One candidate's out-of-fold probabilities on the development rows (once per repeat)."""

    rows: np.ndarray  # positions among the development rows
    repeats: np.ndarray
    proba: np.ndarray  # one column per class
    target: np.ndarray


@dataclass(frozen=True)
class CrossValidation:
    """What the fold engine returns: summaries ranked by mean, every fold, out-of-fold data,
    and the search that tuned each tuned candidate on each outer fold (in task order)."""

    summaries: tuple[CandidateSummary, ...]
    folds: tuple[FoldScore, ...]
    oof: dict[str, OutOfFold]
    searches: tuple[Search, ...] = ()


@dataclass(frozen=True)
class _Shared:
    features: pd.DataFrame
    target: np.ndarray
    schema: object
    classes: tuple
    candidates: tuple[CandidateSpec, ...]
    folds: tuple[Fold, ...]
    metric: str
    seed: int
    walk_forward: bool = False
    time_budget: float | None = None  # seconds per search; None: n_trials alone


def evaluate_candidates(
    features: pd.DataFrame,
    target: pd.Series,
    schema,
    classes: Sequence,
    candidates: Sequence[CandidateSpec],
    splits: Splits,
    *,
    metric: str,
    seed: int,
    backend: Backend,
    on_fold: Callable[[FoldScore], None] | None = None,
    on_search: Callable[[Search], None] | None = None,
    time_budget: float | None = None,
) -> CrossValidation:
    """Score every candidate on every fold of ``splits``; summarise and rank them by mean.

    A candidate with a search is tuned inside each fold's task on that fold's training rows
    only (``_tuning.py``), then fitted with the best params and scored on the fold's test rows
    like any other; ``time_budget`` caps each search's seconds. ``on_search`` hears of each
    finished search just before ``on_fold`` hears of its fold."""
    development = splits.development
    shared = _Shared(
        features=features.iloc[development].reset_index(drop=True),
        target=target.to_numpy()[development],
        schema=schema,
        classes=tuple(classes),
        candidates=tuple(candidates),
        folds=splits.folds,
        metric=metric,
        seed=seed,
        walk_forward=splits.method == "walk-forward",
        time_budget=time_budget,
    )
    tasks = [(c, f) for c in range(len(candidates)) for f in range(len(splits.folds))]

    def notify(_index: int, outcome) -> None:
        if on_search is not None and outcome[2] is not None:
            on_search(outcome[2])
        if on_fold is not None:
            on_fold(outcome[0])

    outcomes = backend.map(_run_fold, tasks, shared=shared, on_result=notify)
    folds = tuple(outcome[0] for outcome in outcomes)
    summaries = [_summarise(candidate, folds) for candidate in candidates]
    oof = _out_of_fold(candidates, splits, outcomes, shared.target)
    searches = tuple(outcome[2] for outcome in outcomes if outcome[2] is not None)
    return CrossValidation(_rank(summaries, metric), folds, oof, searches)


def _run_fold(
    shared: _Shared, task: tuple[int, int]
) -> tuple[FoldScore, np.ndarray | None, Search | None]:
    candidate = shared.candidates[task[0]]
    fold = shared.folds[task[1]]
    search = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if candidate.search is not None:
                search = _search(shared, candidate, fold)
                candidate = search.tuned(candidate)
            pipeline = _build(candidate, shared.schema, shared.seed)
            fit_time, predict_time, proba = _fit_predict(
                pipeline, shared.features, shared.target, fold.train, fold.test, shared.classes
            )
            size = _model_bytes(pipeline) if task[1] == 0 else None
        except Exception as exc:  # a user's estimator may raise anything; the run goes on
            failed = FoldScore(
                candidate.name, fold.repeat, fold.fold, float("nan"), {}, 0.0, 0.0,
                len(fold.train), len(fold.test), error=f"{type(exc).__name__}: {exc}",
            )  # fmt: skip
            return failed, None, search
    scores = score_all(shared.target[fold.test], proba, shared.classes)
    return (
        _fold_score(candidate, fold, scores, shared.metric, fit_time, predict_time, size, caught),
        proba,
        search,
    )


def _search(shared: _Shared, candidate: CandidateSpec, fold: Fold) -> Search:
    """Tune on the outer fold's training rows only: the test rows are not even passed."""
    return tune_candidate(
        candidate, shared.schema, shared.features.iloc[fold.train], shared.target[fold.train],
        shared.classes, metric=shared.metric, seed=shared.seed, repeat=fold.repeat,
        fold=fold.fold, walk_forward=shared.walk_forward, time_budget=shared.time_budget,
    )  # fmt: skip


def _model_bytes(pipeline) -> int | None:
    """The fitted pipeline's size pickled with protocol 5: the deterministic cost that
    ``simplest-equivalent`` ranks by (``_simplicity.py``), and a proxy for its bundle size."""
    try:
        return len(pickle.dumps(pipeline, protocol=5))
    except Exception:  # an estimator that cannot be pickled has no measured size
        return None


def _fold_score(candidate, fold, scores, metric, fit_time, predict_time, size, caught) -> FoldScore:
    return FoldScore(
        candidate=candidate.name,
        repeat=fold.repeat,
        fold=fold.fold,
        score=scores[metric],
        scores=scores,
        fit_time=fit_time,
        predict_time=predict_time,
        n_train=len(fold.train),
        n_test=len(fold.test),
        model_bytes=size,
        warnings=tuple(sorted({f"{w.category.__name__}: {w.message}" for w in caught})),
    )


def _out_of_fold(candidates, splits: Splits, outcomes, target: np.ndarray) -> dict[str, OutOfFold]:
    """Each candidate's test-fold probabilities, stacked: every development row once per repeat."""
    n_folds = len(splits.folds)
    oof = {}
    for c, candidate in enumerate(candidates):
        mine = outcomes[c * n_folds : (c + 1) * n_folds]
        if any(outcome[1] is None for outcome in mine):
            continue
        rows = np.concatenate([fold.test for fold in splits.folds])
        repeats = np.concatenate([np.full(len(f.test), f.repeat) for f in splits.folds])
        proba = np.concatenate([outcome[1] for outcome in mine])
        oof[candidate.name] = OutOfFold(rows, repeats, proba, target[rows])
    return oof


def _build(candidate: CandidateSpec, schema, seed: int):
    return build_pipeline(
        candidate.model, candidate.params, schema, seed=seed, preprocessing=candidate.preprocessing
    )


def _fit_predict(pipeline, features, target, train, test, classes):
    start = time.perf_counter()
    pipeline.fit(features.iloc[train], target[train])
    fitted = time.perf_counter()
    proba = predict_proba_aligned(pipeline, features.iloc[test], classes)
    return fitted - start, time.perf_counter() - fitted, proba


def _summarise(candidate: CandidateSpec, folds: Sequence[FoldScore]) -> CandidateSummary:
    mine = [f for f in folds if f.candidate == candidate.name]
    errors = [f.error for f in mine if f.error]
    scores = np.array([f.score for f in mine if not f.error], dtype=float)
    finite = scores[np.isfinite(scores)]
    mean, std = _mean_std(finite)
    if not errors and not len(finite):
        errors = ["the metric is undefined on every fold"]
    return CandidateSummary(
        name=candidate.name,
        model=candidate.model,
        params=dict(candidate.params),
        preprocessing=candidate.preprocessing,
        status="failed" if errors or not len(finite) else "ok",
        mean=mean,
        std=std,
        ci_low=float("nan"),  # set by compare_candidates, from the corrected variance
        ci_high=float("nan"),
        n_folds=len(finite),
        fit_time=float(np.mean([f.fit_time for f in mine])) if mine else 0.0,
        predict_time=float(np.mean([f.predict_time for f in mine])) if mine else 0.0,
        model_bytes=next((f.model_bytes for f in mine if f.model_bytes is not None), None),
        error=errors[0]
        if errors
        else (None if len(finite) else "the metric is undefined on every fold"),
        warnings=tuple(sorted({w for f in mine for w in f.warnings})),
    )


def _mean_std(scores: np.ndarray) -> tuple[float, float]:
    if len(scores) == 0:
        return float("nan"), float("nan")
    std = float(np.std(scores, ddof=1)) if len(scores) > 1 else 0.0
    return float(np.mean(scores)), std


def _rank(summaries: list[CandidateSummary], metric: str) -> tuple[CandidateSummary, ...]:
    sign = -1.0 if get_metric(metric).greater_is_better else 1.0
    ok = sorted((s for s in summaries if s.status == "ok"), key=lambda s: sign * s.mean)
    ranks = {s.name: i + 1 for i, s in enumerate(ok)}
    return tuple(replace(s, rank=ranks.get(s.name)) for s in summaries)
