"""Translate pydantic's validation errors into ``SpecProblem`` records a person can act on.

A message says what was expected and what came (``must be an integer >= 2, got 1``); the hint
says how to fix it (an example, or the closest allowed key or value). What is expected comes
from the field's ``description`` in ``_tables.py``.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from learnburn.errors import SpecProblem
from learnburn.spec._write import toml_key, toml_value

_NUMBER_TYPES = ("int_type", "float_type")
_TABLE_TYPES = ("dict_type", "model_type")
Loc = Sequence[str | int]
M = TypeVar("M", bound=BaseModel)


def key_path(*parts: str | int) -> str:
    """A dotted key path: ``candidates.gbm.params.max_depth``, ``data.drop[1]``."""
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{toml_key(part)}" if path else toml_key(part)
    return path


def suggest(word: str, options: Sequence[str]) -> str:
    """``did you mean 'folds'?`` for the closest option, or "" when none is close."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def as_written(value: Any) -> str:
    """A received value as the user wrote it in TOML, with its kind where that helps."""
    if isinstance(value, dict):
        return "a table"
    try:
        text = toml_value(value)
    except TypeError:
        text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    if isinstance(value, bool):
        return f"{text} (a boolean)"
    if isinstance(value, str):
        return f"{text} (a string)"
    if isinstance(value, list):
        return f"{text} (an array)"
    return text


def problems_from(
    error: ValidationError, model: type[BaseModel], prefix: Loc = ()
) -> list[SpecProblem]:
    """One ``SpecProblem`` per pydantic error, its path starting with ``prefix``."""
    return [_problem(e, model, tuple(prefix)) for e in error.errors(include_url=False)]


def _problem(error: ErrorDetails, model: type[BaseModel], prefix: Loc) -> SpecProblem:
    loc = tuple(error["loc"])
    path = key_path(*prefix, *loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        allowed = tuple(_model_at(model, loc[:-1]).model_fields)
        return SpecProblem(path, f"unknown key '{loc[-1]}'", _unknown_key_hint(loc[-1], allowed))
    name, field, deep = _field_at(model, loc)
    if kind == "missing":
        return SpecProblem(path, "is required", _missing_hint(path, name, field))
    expected = _expected(field, deep) or error["msg"][0].lower() + error["msg"][1:]
    message = f"must be {expected}, got {as_written(error['input'])}"
    if kind in _TABLE_TYPES and not deep:
        return SpecProblem(path, message, f"write it as a table: [{path}]")
    return SpecProblem(path, message, _hint(kind, name, field, deep, error["input"]))


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel]:
    for part in loc:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        nested = _nested_model(field) if field else None
        if nested is None:
            break
        model = nested
    return model


def _field_at(model: type[BaseModel], loc: Loc) -> tuple[str, FieldInfo | None, bool]:
    """The deepest model field on ``loc``, and whether ``loc`` goes on inside its value."""
    name, field = str(loc[-1]) if loc else "", None
    for depth, part in enumerate(loc):
        found = model.model_fields.get(part) if isinstance(part, str) else None
        if found is None:
            return name, field, field is not None
        name, field = str(part), found
        nested = _nested_model(found)
        if nested is None:
            return name, field, depth < len(loc) - 1
        model = nested
    return name, field, False


def _nested_model(field: FieldInfo) -> type[BaseModel] | None:
    annotation = field.annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for option in getattr(annotation, "__args__", ()):  # Optional[Model]
        if isinstance(option, type) and issubclass(option, BaseModel):
            return option
    return None


def _expected(field: FieldInfo | None, deep: bool) -> str:
    if field is None:
        return ""
    return _item(field, "item") if deep else field.description or ""


def _item(field: FieldInfo, key: str) -> str:
    """What the field's ``json_schema_extra`` says about each item of its value."""
    extra = field.json_schema_extra
    return str(extra.get(key, "")) if isinstance(extra, dict) else ""


def _unknown_key_hint(key: str | int, allowed: Sequence[str]) -> str:
    close = suggest(str(key), allowed)
    if close:
        return close
    return "allowed keys: " + ", ".join(allowed) if allowed else "remove it"


def _missing_hint(path: str, name: str, field: FieldInfo | None) -> str:
    example = field.examples[0] if field is not None and field.examples else None
    if isinstance(example, dict):
        keys = ", ".join(f"{key} = {toml_value(value)}" for key, value in example.items())
        return f"add a [{path}] table with {keys}"
    table = path.rpartition(".")[0]
    line = f"{name} = {toml_value(example)}" if example is not None else f"{name} = ..."
    return f"add {line} under [{table}]" if table else f"add {line}"


def _hint(kind: str, name: str, field: FieldInfo | None, deep: bool, value: Any) -> str:
    if kind == "literal_error" and field is not None and isinstance(value, str):
        options = [str(a) for a in getattr(field.annotation, "__args__", ())]
        return suggest(value, options) or "choose " + (field.description or "another value")
    if kind in _NUMBER_TYPES and isinstance(value, str) and _is_number(value):
        return f"write the number without quotes: {name} = {value.strip()}"
    if deep:
        return _item(field, "item_hint") if field is not None else ""
    example = _example(name, field)
    return f"for example: {example}" if example else ""


def _example(name: str, field: FieldInfo | None) -> str:
    if field is None or not field.examples:
        return ""
    return f"{name} = {toml_value(field.examples[0])}"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def validate_table(
    model: type[M], raw: dict[str, Any], prefix: Loc, problems: list[SpecProblem]
) -> M | None:
    """``raw`` validated as ``model``; when invalid, its problems are appended to ``problems``.

    An invalid table still comes back, with stand-ins for its bad keys (the default, or the
    field's first example when it has no default), so that checks across keys still run and
    every problem is reported at once. Such a table never becomes part of a spec. None when no
    stand-in can be made.
    """
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        problems += problems_from(error, model, prefix)
        bad = {e["loc"][0] for e in error.errors() if e["loc"]}
        good = {key: value for key, value in raw.items() if key in model.model_fields}
        good = {key: value for key, value in good.items() if key not in bad}
        for name, field in model.model_fields.items():
            if name not in good and field.is_required() and field.examples:
                good[name] = field.examples[0]
        try:
            return model.model_validate(good)
        except ValidationError:
            return None
