"""Strict JSON for the bundle's documents: plain values in, plain values out.

Writing turns numpy scalars and arrays and tuples into plain values and refuses what JSON cannot
hold faithfully (NaN and infinities, keys that are not strings, other objects), naming where the
value sits. Reading refuses duplicate keys and NaN/Infinity literals, so a document means one
thing to every reader.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from learnburn.bundles._limits import MAX_DOCUMENT_SIZE, check_size
from learnburn.errors import BundleError


def dump_json(value: Any, where: str) -> bytes:
    """``value`` as UTF-8 JSON text (sorted keys, indented), after ``plain``."""
    return (
        json.dumps(plain(value, where), indent=2, sort_keys=True, allow_nan=False) + "\n"
    ).encode()


def load_json(data: bytes, where: str) -> Any:
    """The JSON document in ``data``; a BundleError naming ``where`` when it is not strict JSON."""
    try:
        return json.loads(
            data.decode("utf-8"),
            object_pairs_hook=_no_duplicates,
            parse_constant=_no_constant,
        )
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BundleError(
            f"{where} is not valid JSON: {exc}",
            hint="the bundle is damaged or was not written by learnburn; save it again",
        ) from exc


def load_document(data: bytes, where: str) -> Any:
    """One of a bundle's JSON documents: refused above the document size limit before it is
    parsed, then read as strict JSON."""
    check_size(len(data), where, MAX_DOCUMENT_SIZE)
    return load_json(data, where)


def load_object(data: bytes, where: str) -> dict:
    """``load_document``, which must hold a JSON object."""
    document = load_document(data, where)
    if not isinstance(document, dict):
        raise BundleError(
            f"{where} is not a JSON object", hint="the bundle is damaged; save it again"
        )
    return document


def plain(value: Any, where: str) -> Any:
    """``value`` made of dicts with string keys, lists, strings, finite numbers, bools, None."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, np.generic):
        return plain(value.item(), where)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise BundleError(
                f"{where} is {value}, which JSON cannot hold",
                hint="replace NaN and infinite numbers with None before saving",
            )
        return float(value)
    if isinstance(value, Mapping):
        return {_key(key, where): plain(item, f"{where}[{key!r}]") for key, item in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(item, f"{where}[{i}]") for i, item in enumerate(value)]
    raise BundleError(
        f"{where} is a {type(value).__name__}, which a bundle cannot hold",
        hint="pass plain values: dicts, lists, strings, numbers, booleans and None",
    )


def _key(key: Any, where: str) -> str:
    if not isinstance(key, str):
        raise BundleError(
            f"{where} has the key {key!r}, a {type(key).__name__}; JSON keys are strings",
            hint="use string keys",
        )
    return key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")
