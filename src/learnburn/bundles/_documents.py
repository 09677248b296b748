"""The bundle's JSON documents: schema.json, decision.json and meta.json, written and read.

The same checks run when saving (so a bad bundle is never written) and when loading (so a
document that matches its manifest but was written by something else is still refused).
"""

from __future__ import annotations

import importlib.metadata
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from learnburn.bundles._format import DECISION, META, SCHEMA, Files
from learnburn.bundles._json import dump_json, load_document, plain
from learnburn.errors import BundleError
from learnburn.thresholds import CALIBRATIONS, Calibrator, DecisionCostError, cost_matrix

LIBRARIES = ("learnburn", "scikit-learn", "skops", "lightgbm", "xgboost", "numpy", "pandas")
SAVED_WITH = "saved_with"  # the key of meta.json that holds the library versions
_DECISION_KINDS = ("threshold", "least-cost")


@dataclass(frozen=True)
class Documents:
    """What a bundle's JSON documents say, checked."""

    schema: dict
    classes: tuple
    meta: dict
    decision: dict | None
    calibrator: Calibrator | None


def write_documents(schema: Any, classes: Any, meta: Any, decision: Any, calibrator: Any) -> Files:
    """The JSON documents of a new bundle, checked: {file name: bytes}."""
    docs = _check(
        plain(dict(_mapping(schema, "schema")), "schema"),
        plain(classes, "classes"),
        plain(_mapping(meta, "meta"), "meta"),
        decision,
        calibrator,
        "save_bundle",
    )
    if "classes" in docs.schema:
        raise BundleError(
            "schema holds the key 'classes'; pass the classes as classes=",
            hint="pass schema.to_dict() and the class labels separately",
        )
    if SAVED_WITH in docs.meta:
        raise BundleError(
            f"meta holds the key '{SAVED_WITH}', which the bundle sets itself",
            hint="rename that key; the library versions are recorded automatically",
        )
    files = {
        SCHEMA: dump_json({**docs.schema, "classes": list(docs.classes)}, SCHEMA),
        META: dump_json({**docs.meta, SAVED_WITH: saved_with()}, META),
    }
    if docs.decision is not None:
        policy = {**docs.decision, "calibrator": plain(calibrator, "calibrator")}
        files[DECISION] = dump_json(policy, DECISION)
    return files


def read_documents(files: Files, where: str) -> Documents:
    """The checked contents of the JSON documents among ``files``."""
    schema = _load(files, SCHEMA, where)
    meta = _load(files, META, where)
    policy = _load(files, DECISION, where) if DECISION in files else None
    classes = schema.pop("classes", None) if isinstance(schema, dict) else None
    calibrator = policy.pop("calibrator", None) if isinstance(policy, dict) else None
    return _check(schema, classes, meta, policy, calibrator, where)


def saved_with() -> dict[str, str | None]:
    """The installed versions of the libraries a bundle depends on (None: not installed)."""
    versions: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _check(schema, classes, meta, decision, calibrator, where: str) -> Documents:
    classes = _check_classes(classes, where)
    if not isinstance(meta, dict):
        raise _bad(where, META, "must hold a JSON object")
    if decision is None and calibrator is not None:
        raise _bad(where, DECISION, "is absent, but a calibrator was given")
    policy, fitted = (
        (None, None) if decision is None else _check_decision(decision, calibrator, classes, where)
    )
    return Documents(_check_schema(schema, where), classes, meta, policy, fitted)


def _check_schema(schema: Any, where: str) -> dict:
    columns = schema.get("columns") if isinstance(schema, dict) else None
    if not isinstance(columns, list) or not all(
        isinstance(c, dict) and isinstance(c.get("name"), str) and isinstance(c.get("kind"), str)
        for c in columns
    ):
        raise _bad(where, SCHEMA, "must hold 'columns': a list of {name, kind, ...}")
    names = [c["name"] for c in columns]
    if len(set(names)) != len(names):
        raise _bad(where, SCHEMA, "names a column more than once")
    return schema


def _check_classes(classes: Any, where: str) -> tuple:
    if not isinstance(classes, list) or not all(isinstance(c, (str, int)) for c in classes):
        raise _bad(where, SCHEMA, "must hold 'classes': a list of labels (strings or integers)")
    keys = [(type(c), c) for c in classes]
    if len(classes) < 2 or len(set(keys)) != len(keys):
        raise _bad(where, SCHEMA, f"must hold at least two distinct classes, got {classes!r}")
    return tuple(classes)


def _check_decision(decision: Any, calibrator: Any, classes: tuple, where: str):
    decision = plain(_mapping(decision, "decision"), "decision")
    if "calibrator" in decision:
        raise _bad(where, DECISION, "holds 'calibrator' inside the policy; pass it as calibrator=")
    if decision.get("kind") not in _DECISION_KINDS:
        raise _bad(where, DECISION, f"'kind' must be one of {_DECISION_KINDS}")
    if tuple(decision.get("classes") or ()) != classes:
        raise _bad(where, DECISION, f"names classes {decision.get('classes')!r}, not {classes!r}")
    try:
        cost_matrix(classes, matrix=decision.get("cost"))
    except DecisionCostError as exc:
        raise _bad(where, DECISION, f"has a bad 'cost': {exc}") from exc
    threshold = decision.get("threshold")
    binary = decision["kind"] == "threshold"
    if binary != (isinstance(threshold, (int, float)) and not isinstance(threshold, bool)):
        raise _bad(where, DECISION, "needs a numeric 'threshold' exactly when 'kind' is threshold")
    if binary and len(classes) != 2:
        raise _bad(where, DECISION, "has a threshold, which needs exactly two classes")
    return decision, _check_calibrator(decision.get("calibration"), calibrator, classes, where)


def _check_calibrator(method: Any, calibrator: Any, classes: tuple, where: str):
    if method not in CALIBRATIONS:
        raise _bad(where, DECISION, f"'calibration' must be one of {CALIBRATIONS}")
    if (method == "none") != (calibrator is None):
        raise _bad(where, DECISION, f"says calibration '{method}' but the calibrator disagrees")
    if calibrator is None:
        return None
    try:
        fitted = Calibrator.from_dict(plain(_mapping(calibrator, "calibrator"), "calibrator"))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise _bad(where, DECISION, f"holds a calibrator that cannot be read: {exc}") from exc
    if fitted.method != method or len(fitted.maps) != (1 if len(classes) == 2 else len(classes)):
        raise _bad(where, DECISION, "holds a calibrator that does not fit its method or classes")
    if not all(_numeric(m) for m in fitted.maps):
        raise _bad(where, DECISION, "holds a calibrator whose maps are not finite numbers")
    return fitted


def _numeric(fitted_map: Any) -> bool:
    """Every field of a calibration map is a finite number or a non-empty tuple of them, and
    the points of an isotonic map pair up."""
    fields = list(asdict(fitted_map).values())
    numbers = [v for f in fields for v in (f if isinstance(f, (tuple, list)) else [f])]
    lengths = {len(f) for f in fields if isinstance(f, (tuple, list))}
    finite = all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
        for v in numbers
    )
    return finite and len(lengths) <= 1 and 0 not in lengths


def _load(files: Files, name: str, where: str) -> Any:
    return load_document(files[name], f"{where}: {name}")


def _mapping(value: Any, name: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise BundleError(
            f"'{name}' must be a dict, got {type(value).__name__}",
            hint="pass plain dicts, e.g. schema.to_dict() and policy.to_dict()",
        )
    return value


def _bad(where: str, name: str, problem: str) -> BundleError:
    return BundleError(
        f"{where}: {name} {problem}",
        hint="check what is passed to save_bundle"
        if where == "save_bundle"
        else "the bundle was not written by learnburn's save_bundle; save it again",
    )
