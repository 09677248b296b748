"""Strict reading of a reference profile: a bundle may come from elsewhere, so every key, type,
length and number of the document is checked before drift trusts it (schema in ``_reference``).
"""

from __future__ import annotations

import itertools
import math

from learnburn.errors import DriftError
from learnburn.monitoring._reference import FORMAT, PROBABILITIES, VERSION

_HINT = (
    "Rebuild the bundle with this version of learnburn (learnburn bundle ...); a reference "
    "profile must not be edited by hand."
)
_NUMERIC_KEYS = {
    "kind", "count", "missing", "mean", "std", "min", "max", "quantiles", "bins", "histogram",
    "values",
}  # fmt: skip
_CATEGORICAL_KEYS = {"kind", "count", "missing", "counts", "other"}
_NOTHING = object()  # nothing worth showing after the message


def check_reference(doc: object, where: str) -> dict:
    """Return ``doc`` if it is a valid reference profile; raise DriftError naming the problem."""
    top = _mapping(doc, "the document", where)
    if top.get("format") != FORMAT:
        _fail(where, "format", f"must be {FORMAT!r}", top.get("format"))
    version = top.get("version")
    if not _is_int(version) or version < 1:
        _fail(where, "version", "must be a positive integer", version)
    if version > VERSION:
        raise DriftError(
            f"{where}: the reference profile has version {version}, newer than this learnburn "
            f"reads ({VERSION}).",
            hint="Upgrade learnburn to check drift against this bundle.",
        )
    _keys(top, {"format", "version", "rows", "columns", "scores", "importances"}, "", where)
    rows = _count(top.get("rows"), "rows", where, least=1)
    columns = _mapping(top.get("columns"), "columns", where)
    if not columns:
        _fail(where, "columns", "must profile at least one column", columns)
    for name, profile in columns.items():
        _column(profile, rows, f"columns.{name}", where)
    if top.get("scores") is not None:
        scores = _mapping(top["scores"], "scores", where)
        count = _count(scores.get("count"), "scores.count", where)
        count += _count(scores.get("missing"), "scores.missing", where)
        _numeric(scores, count, "scores", where)
    if top.get("clusters") is not None:  # optional: a clustering bundle's cluster shares
        clusters = _mapping(top["clusters"], "clusters", where)
        count = _count(clusters.get("count"), "clusters.count", where)
        count += _count(clusters.get("missing"), "clusters.missing", where)
        _categorical(clusters, count, "clusters", where)
    if top.get("importances") is not None:
        for name, value in _mapping(top["importances"], "importances", where).items():
            _finite(value, f"importances.{name}", where)
    return top


def _column(profile: object, rows: int, path: str, where: str) -> None:
    profile = _mapping(profile, path, where)
    kind = profile.get("kind")
    if kind == "numeric":
        _numeric(profile, rows, path, where)
    elif kind == "categorical":
        _categorical(profile, rows, path, where)
    else:
        _fail(where, f"{path}.kind", "must be 'numeric' or 'categorical'", kind)


def _numeric(profile: dict, rows: int, path: str, where: str) -> None:
    _keys(profile, _NUMERIC_KEYS, path, where)
    if profile.get("kind") != "numeric":
        _fail(where, f"{path}.kind", "must be 'numeric'", profile.get("kind"))
    count = _totals(profile, rows, path, where)
    stats = ("mean", "std", "min", "max")
    if count == 0:
        for key in stats:
            if profile.get(key) is not None:
                _fail(where, f"{path}.{key}", "must be null for a column with no value", _NOTHING)
    else:
        _, std, low, high = (_finite(profile.get(k), f"{path}.{k}", where) for k in stats)
        if std < 0 or not low <= high:
            _fail(where, f"{path}.std", "must be >= 0 with min <= max", std)
    quantiles = _numbers(profile.get("quantiles"), f"{path}.quantiles", where, strict=False)
    points = len(PROBABILITIES) if count else 0
    if len(quantiles) != points:
        _fail(where, f"{path}.quantiles", f"must hold {points} points", len(quantiles))
    bins = _mapping(profile.get("bins"), f"{path}.bins", where)
    edges = _numbers(bins.get("edges"), f"{path}.bins.edges", where, strict=True)
    _counts(bins.get("counts"), len(edges) + 1, count, f"{path}.bins.counts", where)
    hist = _mapping(profile.get("histogram"), f"{path}.histogram", where)
    hist_edges = _numbers(hist.get("edges"), f"{path}.histogram.edges", where, strict=True)
    if count and len(hist_edges) < 2:
        _fail(where, f"{path}.histogram.edges", "must hold at least 2 edges", hist_edges)
    _counts(hist.get("counts"), max(len(hist_edges) - 1, 0), count, f"{path}.histogram", where)
    if profile.get("values") is not None:
        values = _mapping(profile["values"], f"{path}.values", where)
        points = _numbers(values.get("values"), f"{path}.values.values", where, strict=True)
        _counts(values.get("counts"), len(points), count, f"{path}.values.counts", where)


def _categorical(profile: dict, rows: int, path: str, where: str) -> None:
    _keys(profile, _CATEGORICAL_KEYS, path, where)
    count = _totals(profile, rows, path, where)
    counts = _mapping(profile.get("counts"), f"{path}.counts", where)
    listed = [_count(n, f"{path}.counts.{key}", where) for key, n in counts.items()]
    other = _count(profile.get("other"), f"{path}.other", where)
    if sum(listed) + other != count:
        _fail(where, f"{path}.counts", f"plus other must add up to count ({count})", sum(listed))


def _totals(profile: dict, rows: int, path: str, where: str) -> int:
    count = _count(profile.get("count"), f"{path}.count", where)
    missing = _count(profile.get("missing"), f"{path}.missing", where)
    if count + missing != rows:
        _fail(where, f"{path}.count", f"plus missing must equal the rows ({rows})", count)
    return count


def _counts(value: object, length: int, total: int, path: str, where: str) -> None:
    if not isinstance(value, list) or len(value) != length:
        _fail(where, path, f"must be a list of {length} counts", value)
    if sum(_count(n, path, where) for n in value) != total:
        _fail(where, path, f"must add up to the column's count ({total})", value)


def _numbers(value: object, path: str, where: str, *, strict: bool) -> list[float]:
    if not isinstance(value, list):
        _fail(where, path, "must be a list of numbers", value)
    numbers = [_finite(v, path, where) for v in value]
    steps = itertools.pairwise(numbers)
    if any((b <= a) if strict else (b < a) for a, b in steps):
        order = "strictly increasing" if strict else "non-decreasing"
        _fail(where, path, f"must be {order}", value)
    return numbers


def _mapping(value: object, path: str, where: str) -> dict:
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        _fail(where, path, "must be a JSON object with text keys", value)
    return value


def _keys(value: dict, required: set[str], path: str, where: str) -> None:
    missing = sorted(required - set(value))  # unknown keys are later additions: ignored
    if missing:
        _fail(where, path or "document", f"lacks the keys {missing}", _NOTHING)


def _count(value: object, path: str, where: str, *, least: int = 0) -> int:
    if not _is_int(value) or value < least:
        _fail(where, path, f"must be an integer >= {least}", value)
    return value


def _finite(value: object, path: str, where: str) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not ok or not math.isfinite(value):
        _fail(where, path, "must be a finite number", value)
    return float(value)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _fail(where: str, path: str, expected: str, got: object) -> None:
    shown = repr(got)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    got_text = "" if got is _NOTHING else f" Got {shown} instead."
    raise DriftError(f"{where}: reference {path} {expected}.{got_text}", hint=_HINT)
