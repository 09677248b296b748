"""Tuned candidates in a run: the time budget spread over the searches, the refit's search on
every development row, and the run record's ``tuning`` section.

The outer folds' searches run inside the fold engine (``evaluation/_tuning.py``); this module
only does what needs the whole run: it divides ``--time-budget`` among the searches, tunes the
chosen candidate once more on all development rows before it is refit (the holdout is still
untouched then), and gathers every trial into the record.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from learnburn.backends import Backend
from learnburn.evaluation import REFIT, Search, mean_importances, tune_candidate
from learnburn.spec import CandidateSpec

SAMPLER = (
    "Optuna TPE, seeded from the spec's seed, the candidate and the outer fold; median pruner "
    "on the running mean over the inner folds"
)


def search_budget(
    time_budget: float | None, backend: Backend, candidates: Sequence[CandidateSpec], n_folds: int
) -> float | None:
    """Seconds each search may take: the run's budget times the backend's width, shared by every
    search (each tuned candidate on each outer fold, and up to two refits). None: no budget."""
    if time_budget is None:
        return None
    tuned = sum(1 for c in candidates if c.search is not None)
    if not tuned:
        return None
    searches = tuned * n_folds + min(tuned, 2)
    return float(time_budget) * backend_width(backend) / searches


def backend_width(backend: Backend) -> int:
    """How many fold tasks the backend runs at once (1 when it does not say)."""
    jobs = getattr(backend, "jobs", None)
    if isinstance(jobs, int) and jobs > 0:
        return jobs
    client = getattr(backend, "client", None)
    try:
        return max(1, len(client.scheduler_info()["workers"])) if client is not None else 1
    except Exception:  # a cluster that cannot say: count one worker
        return 1


def tune_for_refit(
    candidate: CandidateSpec, dataset, rows: np.ndarray, *, metric: str, seed: int,
    walk_forward: bool, time_budget: float | None,
) -> tuple[CandidateSpec, Search | None]:  # fmt: skip
    """The candidate with params tuned on the development ``rows`` (itself when not tuned)."""
    if candidate.search is None:
        return candidate, None
    search = tune_candidate(
        candidate, dataset.schema, dataset.features.iloc[rows], dataset.target.to_numpy()[rows],
        dataset.classes, metric=metric, seed=seed, repeat=REFIT, fold=REFIT,
        walk_forward=walk_forward, time_budget=time_budget,
    )  # fmt: skip
    return search.tuned(candidate), search


def tuning_record(
    candidates: Sequence[CandidateSpec],
    searches: Sequence[Search],
    refits: dict[str, Search],
    *,
    time_budget: float | None,
    per_search: float | None,
) -> dict[str, Any] | None:
    """The record's ``tuning`` section (None when no candidate is tuned): per tuned candidate
    its space, every outer fold's search with all trials, the mean importances; the refit's
    search; and whether the budget made the trials depend on the clock."""
    tuned = [c for c in candidates if c.search is not None]
    if not tuned:
        return None
    by_candidate = {}
    for candidate in tuned:
        mine = [s for s in searches if s.candidate == candidate.name]
        by_candidate[candidate.name] = {
            "space": dict(candidate.search.space),
            "n_trials": candidate.search.n_trials,
            "inner_folds": candidate.search.inner_folds,
            "trials_run": sum(len(s.trials) for s in mine),
            "importances": mean_importances(mine),
            "searches": [s.to_dict() for s in mine],
        }
    return {
        "sampler": SAMPLER,
        "nested": "each outer fold's search sees that fold's training rows only",
        "time_budget_s": time_budget,
        "per_search_budget_s": per_search,
        "deterministic": time_budget is None,
        "candidates": by_candidate,
        "refit": {name: search.to_dict() for name, search in refits.items()},
    }


def tuning_outcome(tuning: dict[str, Any] | None) -> dict[str, Any] | None:
    """What a reproduction must match in a record's tuning: every trial's params, inner scores
    and state, and the refit's chosen params (times left out)."""
    if not tuning:
        return None
    outcome = {}
    for name, found in tuning.get("candidates", {}).items():
        for search in found.get("searches", []):
            trials = [[t["params"], t["inner_scores"], t["state"]] for t in search["trials"]]
            outcome[f"{name} repeat {search['repeat']} fold {search['fold']}"] = trials
    for name, search in tuning.get("refit", {}).items():
        outcome[f"{name} refit"] = search["best_params"]
    return outcome
