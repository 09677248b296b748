"""Check a candidate's model and params before anything is fitted: every problem, with a hint.

Registered names are checked against their declared parameters and value rules without
importing the estimator's library; an import path (``package.module:Class``) is imported and its
parameters read from ``get_params()``.
"""

from __future__ import annotations

import difflib
import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from learnburn.candidates._registry import candidate_names, find_entry
from learnburn.candidates._rules import check_value, describe_rule

_IMPORT_PATH = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")


@dataclass(frozen=True)
class CandidateProblem:
    """One problem with a candidate's config: the param (``""`` for the model), what, the fix."""

    key: str
    message: str
    hint: str = ""


def is_import_path(model: str) -> bool:
    """Whether ``model`` has the ``package.module:ClassName`` form."""
    return bool(_IMPORT_PATH.match(model))


def check_candidate(model: str, params: Mapping[str, Any]) -> list[CandidateProblem]:
    """Every problem with the model name and its params; an empty list when all is well."""
    entry = find_entry(model)
    if entry is not None:
        rules = entry.rules
        names = entry.param_names
    elif is_import_path(model):
        try:
            names = import_param_names(model)
        except ModelLoadFailure as problem:
            return [problem.problem]
        rules = {}
    else:
        return [_unknown_model(model)]
    problems = []
    for key, value in params.items():
        if key not in names:
            problems.append(_unknown_param(model, str(key), names))
        elif key in rules and (message := check_value(rules[key], value)):
            problems.append(CandidateProblem(key, message, hint=_rule_hint(key, rules[key])))
    return problems


def load_class(model: str) -> type:
    """The class an import path names; ModelLoadFailure (carrying the problem) when it cannot."""
    module_name, _, attribute = model.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise ModelLoadFailure(_import_problem(module_name, exc)) from exc
    except Exception as exc:  # importing runs arbitrary code: report whatever it raised
        message = f"importing module '{module_name}' failed: {type(exc).__name__}: {exc}"
        raise ModelLoadFailure(CandidateProblem("", message, hint="fix the module")) from exc
    for part in attribute.split("."):
        if not hasattr(target, part):
            raise ModelLoadFailure(_missing_attribute(model, target, part))
        target = getattr(target, part)
    if not isinstance(target, type):
        message = f"'{model}' is a {type(target).__name__}, not a class"
        raise ModelLoadFailure(CandidateProblem("", message, hint=_ESTIMATOR_HINT))
    if not all(callable(getattr(target, m, None)) for m in ("get_params", "fit")):
        message = f"'{model}' is not a scikit-learn estimator: it lacks get_params() or fit()"
        raise ModelLoadFailure(CandidateProblem("", message, hint=_ESTIMATOR_HINT))
    return target


def import_param_names(model: str) -> tuple[str, ...]:
    """The parameter names of the estimator an import path names (from ``get_params()``)."""
    cls = load_class(model)
    try:
        return tuple(cls().get_params(deep=False))
    except Exception as exc:  # a foreign constructor: report whatever it raised
        message = f"'{model}' cannot be created without arguments: {type(exc).__name__}: {exc}"
        raise ModelLoadFailure(CandidateProblem("", message, hint=_ESTIMATOR_HINT)) from exc


def closest(word: str, choices: tuple[str, ...] | list[str]) -> str | None:
    """The choice closest to ``word`` when one is close enough to suggest."""
    matches = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return matches[0] if matches else None


def closest_model(word: str, names: tuple[str, ...] | list[str]) -> str | None:
    """The registered name among ``names`` that ``word`` most likely means: a common short name
    (``hist_gbm``, ``xgb``, ``rf``, ``kmeans``...), else the closest spelling of a name or of a
    short name. None when nothing is close."""
    key = re.sub(r"[\s\-]+", "_", word.strip().lower()).removesuffix("_classifier")
    spellings = {name: name for name in names}
    spellings |= {alias: name for alias, name in MODEL_ALIASES.items() if name in names}
    if key in spellings:
        return spellings[key]
    found = difflib.get_close_matches(key, list(spellings), n=1, cutoff=0.6)
    return spellings[found[0]] if found else None


class ModelLoadFailure(Exception):
    """Carries the problem out of the import machinery (never leaves this package)."""

    def __init__(self, problem: CandidateProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


_ESTIMATOR_HINT = "give a scikit-learn estimator class, e.g. 'sklearn.svm:SVC'"


def _unknown_model(model: str) -> CandidateProblem:
    names = candidate_names()
    known = "known candidates: " + ", ".join(names)
    if "." in model and ":" not in model:
        module, _, cls = model.rpartition(".")
        hint = f"an import path separates module and class with ':', e.g. '{module}:{cls}'"
    elif suggestion := closest_model(model, names):
        hint = f"did you mean '{suggestion}'? {known}"
    else:
        hint = f"{known}; or give an import path such as 'sklearn.svm:SVC'"
    return CandidateProblem("", f"unknown candidate '{model}'", hint=hint)


def _unknown_param(model: str, key: str, names: tuple[str, ...]) -> CandidateProblem:
    suggestion = closest(key, names)
    if suggestion:
        hint = f"did you mean '{suggestion}'?"
    else:
        hint = "accepted parameters: " + ", ".join(sorted(names))
    return CandidateProblem(key, f"unknown parameter '{key}' for {model}", hint=hint)


def _rule_hint(key: str, rule: Any) -> str:
    return f"give '{key}' {describe_rule(rule)}"


def _import_problem(module_name: str, exc: ImportError) -> CandidateProblem:
    missing = exc.name or ""
    if missing and (module_name == missing or module_name.startswith(missing + ".")):
        message = f"cannot import module '{module_name}': no module named '{missing}'"
        hint = "check the spelling, and that its package is installed in this environment"
    else:
        message = f"importing module '{module_name}' failed: {exc}"
        hint = "install the missing package in this environment"
    return CandidateProblem("", message, hint=hint)


def _missing_attribute(model: str, target: Any, part: str) -> CandidateProblem:
    public = [name for name in dir(target) if not name.startswith("_")]
    suggestion = closest(part, public)
    where = getattr(target, "__name__", model.partition(":")[0])
    hint = f"did you mean '{suggestion}'?" if suggestion else "check the class name and its case"
    return CandidateProblem("", f"'{where}' has no attribute '{part}'", hint=hint)


# -- the short names people type for registered models (targets must be registered names) -------

MODEL_ALIASES: dict[str, str] = {
    "baseline": "dummy",
    "logreg": "logistic_regression",
    "logistic": "logistic_regression",
    "lr": "logistic_regression",
    "k_neighbors": "knn",
    "kneighbors": "knn",
    "nearest_neighbors": "knn",
    "tree": "decision_tree",
    "dt": "decision_tree",
    "rf": "random_forest",
    "forest": "random_forest",
    "et": "extra_trees",
    "extratrees": "extra_trees",
    "hist_gbm": "hist_gradient_boosting",
    "hist_gb": "hist_gradient_boosting",
    "histgb": "hist_gradient_boosting",
    "hgb": "hist_gradient_boosting",
    "hgbm": "hist_gradient_boosting",
    "hist_boosting": "hist_gradient_boosting",
    "gradient_boosting": "hist_gradient_boosting",
    "histgradientboosting": "hist_gradient_boosting",
    "lgbm": "lightgbm",
    "lgb": "lightgbm",
    "light_gbm": "lightgbm",
    "xgb": "xgboost",
    "neural_network": "mlp",
    "neural_net": "mlp",
    "k_means": "kmeans",
    "minibatchkmeans": "minibatch_kmeans",
    "mini_batch_kmeans": "minibatch_kmeans",
    "gmm": "gaussian_mixture",
    "gaussianmixture": "gaussian_mixture",
    "agglomerative_clustering": "agglomerative",
    "hierarchical": "agglomerative",
}
