"""Hyperparameter search on the rows it is given, and nothing else: the tuning inside one fold.

``tune_candidate`` receives the training rows of one outer fold (or every development row for
the refit) and runs Optuna's TPE sampler over the candidate's space. Each trial is scored by an
inner k-fold over those rows only: stratified k-fold when every class has k rows, plain
shuffled k-fold otherwise, and a forward-walking split when the outer splits walk forward in
time. Rows outside the given ones never reach a fit, so the outer fold's test rows score the
tuned pipeline as they would score any fixed candidate.

Determinism: the sampler and the inner splits are seeded from the spec's seed, the candidate's
name and the (repeat, fold) of the outer fold, and the trials of one search run one after
another inside that fold's task. The same seed gives the same trials whatever the number of
workers. A time budget stops a search by the clock, so the number of trials (and the result)
may then differ from run to run; the record says when one was set.

Pruning: Optuna's median pruner sees the running mean after each inner fold and stops a trial
whose mean is worse than the median of earlier trials at the same step (after 5 trials, from
the second inner fold on). Importance: fANOVA (``optuna.importance``) on the completed trials,
seeded, when there are at least ``MIN_TRIALS_FOR_IMPORTANCE`` of them.
"""

from __future__ import annotations

import math
import time
import warnings
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import KFold, StratifiedKFold, TimeSeriesSplit

from learnburn._records import Record
from learnburn.candidates import build_pipeline, parse_distribution
from learnburn.errors import CandidateError
from learnburn.evaluation._metrics import get_metric, predict_proba_aligned
from learnburn.evaluation._records import _finite  # JSON has no NaN: the records' rule
from learnburn.spec import CandidateSpec

MIN_TRIALS_FOR_IMPORTANCE = 5
PRUNER_STARTUP_TRIALS = 5
REFIT = -1  # the (repeat, fold) of the search on every development row


@dataclass(frozen=True)
class Trial:
    """One trial: the sampled params, the inner score (mean over the inner folds it ran) and
    how it ended: "complete", "pruned" (stopped early by the pruner) or "failed"."""

    number: int
    params: dict[str, Any]
    score: float | None
    inner_scores: tuple[float, ...]
    state: str
    seconds: float
    error: str | None = None


@dataclass(frozen=True)
class Search(Record):
    """One search: on which rows, with which seed, every trial, the best params and the
    importance of each hyperparameter. ``repeat`` and ``fold`` are -1 for the refit's search."""

    candidate: str
    repeat: int
    fold: int
    rows: int
    inner: str  # how trials were scored, in words
    seed: int
    best_params: dict[str, Any]
    best_score: float
    trials: tuple[Trial, ...]
    importances: dict[str, float]
    importance_note: str
    stopped_by: str  # "n_trials" | "time budget"
    seconds: float
    warnings: tuple[str, ...] = field(default=())

    def tuned(self, candidate: CandidateSpec) -> CandidateSpec:
        """The candidate with its best params fixed and its search removed."""
        return replace(candidate, params={**candidate.params, **self.best_params}, search=None)

    def outcome(self) -> dict[str, Any]:
        """What must come out the same when the run is reproduced: each trial's params, inner
        scores and state, and the chosen params (times left out)."""
        trials = [[t.params, list(t.inner_scores), t.state] for t in self.trials]
        return {"best_params": self.best_params, "trials": trials}

    def to_dict(self) -> dict[str, Any]:
        content = asdict(self)
        content["trials"] = [_finite(asdict(t)) for t in self.trials]
        content["warnings"] = list(self.warnings)
        return _finite(content)


def search_seed(seed: int, candidate: str, repeat: int, fold: int) -> int:
    """The seed of one search: a function of the spec's seed, the candidate and the fold only."""
    entropy = [seed, zlib.crc32(candidate.encode()), repeat + 1, fold + 1]
    return int(np.random.SeedSequence(entropy).generate_state(1)[0] % (2**31 - 1))


def tune_candidate(
    candidate: CandidateSpec,
    schema,
    features: pd.DataFrame,
    target: np.ndarray,
    classes: Sequence,
    *,
    metric: str,
    seed: int,
    repeat: int = REFIT,
    fold: int = REFIT,
    walk_forward: bool = False,
    time_budget: float | None = None,
) -> Search:
    """Search the candidate's space on ``features``/``target`` (these rows only) and return the
    search with its best params. Raises ``CandidateError`` when no trial completes."""
    optuna = _import_optuna()
    spec = candidate.search
    if spec is None:
        raise CandidateError(f"candidate '{candidate.name}' has no search", hint="set search")
    sampler_seed = search_seed(seed, candidate.name, repeat, fold)
    target = np.asarray(target)
    inner, splits = _inner_splits(target, spec.inner_folds, sampler_seed, walk_forward)
    space = {param: parse_distribution(text) for param, text in spec.space.items()}
    scorer = get_metric(metric)
    started = time.perf_counter()
    records: dict[int, Trial] = {}

    def objective(trial) -> float:
        return _run_trial(trial, candidate, space, schema, features, target, classes, splits,
                          scorer, seed, records, optuna)  # fmt: skip

    with _quiet(optuna), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        study = optuna.create_study(
            direction="maximize" if scorer.greater_is_better else "minimize",
            sampler=optuna.samplers.TPESampler(seed=sampler_seed),
            pruner=optuna.pruners.MedianPruner(
                n_startup_trials=PRUNER_STARTUP_TRIALS, n_warmup_steps=1
            ),
        )
        study.optimize(objective, n_trials=1, catch=(Exception,))  # one trial whatever the budget
        left = (
            None if time_budget is None else max(time_budget - (time.perf_counter() - started), 0)
        )
        if spec.n_trials > 1 and (left is None or left > 0):
            study.optimize(objective, n_trials=spec.n_trials - 1, timeout=left, catch=(Exception,))
        importances, note = _importances(study, sampler_seed, optuna)
    trials = tuple(records[number] for number in sorted(records))
    complete = [t for t in trials if t.state == "complete"]
    if not complete:
        first = next((t.error for t in trials if t.error), "every trial was pruned")
        raise CandidateError(
            f"no trial of the search for '{candidate.name}' completed: {first}",
            hint="check the search space: each value in it must fit on the training rows",
        )
    return Search(
        candidate=candidate.name, repeat=repeat, fold=fold, rows=len(target), inner=inner,
        seed=sampler_seed, best_params=dict(study.best_trial.params),
        best_score=float(study.best_value), trials=trials, importances=importances,
        importance_note=note,
        stopped_by="time budget" if len(trials) < spec.n_trials else "n_trials",
        seconds=time.perf_counter() - started,
        warnings=tuple(sorted({f"{w.category.__name__}: {w.message}" for w in caught})),
    )  # fmt: skip


def _run_trial(trial, candidate, space, schema, X, y, classes, splits, scorer, seed, records,
               optuna) -> float:  # fmt: skip
    """Fit and score one trial on the inner folds, reporting the running mean to the pruner."""
    start = time.perf_counter()
    params = {param: _suggest(trial, param, dist) for param, dist in space.items()}
    scores: list[float] = []
    state, error = "complete", None
    try:
        pipeline = build_pipeline(
            candidate.model, {**candidate.params, **params}, schema, seed=seed,
            preprocessing=candidate.preprocessing,
        )  # fmt: skip
        for step, (train, test) in enumerate(splits):
            scores.append(_fit_score(pipeline, X, y, train, test, classes, scorer))
            trial.report(float(np.mean(scores)), step)
            if step + 1 < len(splits) and trial.should_prune():
                state = "pruned"
                raise optuna.TrialPruned()
        if not all(math.isfinite(s) for s in scores):
            state, error = "failed", f"the {scorer.name} is undefined on an inner fold"
            raise ValueError(error)
        return float(np.mean(scores))
    except Exception as exc:
        if state == "complete":
            state, error = "failed", error or f"{type(exc).__name__}: {exc}"
        raise
    finally:
        mean = float(np.mean(scores)) if scores and state != "failed" else None
        records[trial.number] = Trial(
            trial.number, params, mean, tuple(scores), state, time.perf_counter() - start, error
        )


def _fit_score(pipeline, X, y, train, test, classes, scorer) -> float:

    fitted = clone(pipeline).fit(X.iloc[train], y[train])
    proba = predict_proba_aligned(fitted, X.iloc[test], classes)
    try:
        return float(scorer.score(y[test], proba, np.asarray(classes)))
    except ValueError:
        return float("nan")


def _suggest(trial, param: str, dist) -> Any:
    if dist.kind == "choice":
        return trial.suggest_categorical(param, list(dist.choices))
    if dist.kind.endswith("int"):
        return trial.suggest_int(param, int(dist.low), int(dist.high), log=dist.log)
    return trial.suggest_float(param, float(dist.low), float(dist.high), log=dist.log)


def _inner_splits(y: np.ndarray, k: int, seed: int, walk_forward: bool):
    """How each trial is scored (in words) and the inner (train, test) positions."""
    rows = np.arange(len(y))
    if walk_forward:
        splitter = TimeSeriesSplit(n_splits=k)
        return f"{k}-split walk-forward over the search's rows", list(splitter.split(rows))
    _, counts = np.unique(y, return_counts=True)
    if counts.min() >= k:
        splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
        return f"stratified {k}-fold over the search's rows", list(splitter.split(rows, y))
    splitter = KFold(n_splits=k, shuffle=True, random_state=seed)
    return f"{k}-fold over the search's rows (a class has fewer than {k})", list(
        splitter.split(rows)
    )


def _importances(study, seed: int, optuna) -> tuple[dict[str, float], str]:
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if len(complete) < MIN_TRIALS_FOR_IMPORTANCE:
        return {}, f"fewer than {MIN_TRIALS_FOR_IMPORTANCE} completed trials: not estimated"
    evaluator = optuna.importance.FanovaImportanceEvaluator(seed=seed)
    try:
        found = optuna.importance.get_param_importances(study, evaluator=evaluator)
    except (RuntimeError, ValueError) as error:
        return {}, f"not estimated: {error}"
    return {k: float(v) for k, v in found.items()}, "fANOVA over the completed trials"


def mean_importances(searches: Sequence[Search]) -> dict[str, float]:
    """Each hyperparameter's importance averaged over the searches that estimated one."""
    estimated = [s.importances for s in searches if s.importances]
    if not estimated:
        return {}
    names = sorted({name for found in estimated for name in found})
    means = {n: float(np.mean([found.get(n, 0.0) for found in estimated])) for n in names}
    return dict(sorted(means.items(), key=lambda item: -item[1]))


@contextmanager
def _quiet(optuna) -> Iterator[None]:
    """Optuna logs each trial; library code never prints, so only errors pass for a while."""
    before = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(before)


def _import_optuna():
    try:
        import optuna
    except ImportError as error:
        raise CandidateError(
            "a candidate's search needs Optuna, which is not installed",
            hint="pip install 'learnburn[tuning]'",
        ) from error
    return optuna
