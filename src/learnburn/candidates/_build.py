"""Build an unfitted pipeline (preprocessing + estimator) for one candidate configuration."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sklearn.pipeline import Pipeline

from learnburn.candidates._check import (
    CandidateProblem,
    ModelLoadFailure,
    check_candidate,
    closest,
    load_class,
)
from learnburn.candidates._preprocess import CATEGORY_LIMIT, make_preprocessor
from learnburn.candidates._registry import find_entry
from learnburn.candidates._rules import Integer, check_value
from learnburn.data import Schema
from learnburn.errors import CandidateError

if TYPE_CHECKING:
    from learnburn.candidates._registry import _Entry

PREPROCESSING = ("auto", "linear", "tree", "native", "none")
SEED_RULE = (Integer(0, 2**31 - 1),)  # the range every registered library accepts


def build_pipeline(
    model: str,
    params: Mapping[str, Any],
    schema: Schema,
    *,
    seed: int,
    preprocessing: str = "auto",
) -> Pipeline:
    """An unfitted ``Pipeline([("preprocess", ...), ("model", estimator)])`` for the candidate.

    ``params`` override the entry's defaults; ``random_state`` is set to ``seed`` when the
    estimator has one and ``params`` do not name it. With ``preprocessing="none"`` the pipeline
    holds the estimator alone.
    """
    problems = check_candidate(model, params)
    if problems:
        raise _configuration_error(model, problems)
    if message := check_value(SEED_RULE, seed):
        raise CandidateError(f"the seed {message}", hint="use a seed in [0, 2147483647]")
    entry = find_entry(model)
    kind = _preprocessing_kind(preprocessing, entry)
    settings = {**(entry.defaults if entry else {}), **params}
    estimator = _make_estimator(model, _estimator_class(model, entry), settings)
    if "random_state" not in params and "random_state" in estimator.get_params(deep=False):
        estimator.set_params(random_state=seed)
    preprocessor = make_preprocessor(kind, schema, max_categories=_category_limit(settings))
    steps = [] if preprocessor is None else [("preprocess", preprocessor)]
    return Pipeline([*steps, ("model", estimator)])


def _configuration_error(model: str, problems: list[CandidateProblem]) -> CandidateError:
    parts = [f"{p.key}: {p.message}" if p.key else p.message for p in problems]
    head = f"bad parameters for candidate '{model}': " if any(p.key for p in problems) else ""
    return CandidateError(
        head + "; ".join(parts), hint="; ".join(p.hint for p in problems if p.hint)
    )


def _preprocessing_kind(preprocessing: str, entry: _Entry | None) -> str:
    if preprocessing not in PREPROCESSING:
        suggestion = closest(preprocessing, PREPROCESSING)
        guess = f"did you mean '{suggestion}'? " if suggestion else ""
        raise CandidateError(
            f"unknown preprocessing '{preprocessing}'",
            hint=f"{guess}choose one of {', '.join(PREPROCESSING)}",
        )
    if preprocessing != "auto":
        return preprocessing
    return entry.preprocessing if entry else "linear"


def _estimator_class(model: str, entry: _Entry | None) -> type:
    if entry is None:
        try:
            return load_class(model)
        except ModelLoadFailure as exc:
            raise CandidateError(exc.problem.message, hint=exc.problem.hint) from exc
    module_name, _, class_name = entry.estimator.partition(":")
    try:
        module = importlib.import_module(module_name)
        for required in entry.requires:
            importlib.import_module(required)
    except ImportError as exc:
        missing = exc.name or module_name
        install = f"pip install 'learnburn[{entry.extra}]'" if entry.extra else ""
        raise CandidateError(
            f"candidate '{model}' needs the '{missing}' package, which cannot be imported",
            hint=install or f"install '{missing}' in this environment",
        ) from exc
    return getattr(module, class_name)


def _make_estimator(model: str, cls: type, settings: Mapping[str, Any]) -> Any:
    try:
        return cls(**settings)
    except (TypeError, ValueError) as exc:
        raise CandidateError(
            f"candidate '{model}' cannot be created with {dict(settings)}: {exc}",
            hint="check the parameters against the estimator's documentation",
        ) from exc


def _category_limit(settings: Mapping[str, Any]) -> int:
    """At most 250 categories per column, fewer when HistGradientBoosting has fewer bins."""
    max_bins = settings.get("max_bins")
    if isinstance(max_bins, int) and not isinstance(max_bins, bool):
        return max(1, min(CATEGORY_LIMIT, max_bins))
    return CATEGORY_LIMIT
