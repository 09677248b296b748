"""Parameters of a notebook run: ``-p name=value`` parsed, then injected as a new cell right
after the cell tagged ``parameters`` (the papermill convention), so that they override the
defaults set there."""

from __future__ import annotations

import ast
import copy
import keyword
import uuid
from collections.abc import Mapping
from typing import Any

from learnburn.errors import NotebookError
from learnburn.notebooks._cells import cell_source

PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
_TAG_HINT = (
    "tag the cell that sets the defaults with 'parameters' (Jupyter: the cell's property "
    "inspector; VS Code: Add Cell Tag)"
)


def parse_parameter(text: str) -> tuple[str, Any]:
    """``name=value``: the value read as a Python literal (3, 0.5, True, None, [1, 2], 'a b'),
    else kept as text (``-p model=forest`` gives the string "forest")."""
    name, equals, raw = text.partition("=")
    name = name.strip()
    if not equals:
        raise NotebookError(
            f"A parameter must be NAME=VALUE. Got {text!r} instead.", hint="e.g. -p folds=3"
        )
    _check_name(name)
    try:
        value = ast.literal_eval(raw.strip())
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        value = raw  # not a literal: the text itself
    return name, value


def inject_parameters(
    notebook: dict[str, Any], parameters: Mapping[str, Any], *, where: str = "the notebook"
) -> dict[str, Any]:
    """A copy of ``notebook`` with ``parameters`` set in a cell after the ``parameters`` cell;
    an injected cell from an earlier run is replaced."""
    injected = copy.deepcopy(notebook)
    if not parameters:
        return injected
    for name, value in parameters.items():
        _check_name(name)
        _check_value(name, value)
    cells = [c for c in injected["cells"] if INJECTED_TAG not in _tags(c)]
    index = next((i for i, c in enumerate(cells) if PARAMETERS_TAG in _tags(c)), None)
    if index is None:
        raise NotebookError(
            f"{where} has no cell tagged {PARAMETERS_TAG!r} to set {', '.join(parameters)} after",
            hint=_TAG_HINT,
        )
    known = _assigned_names(cell_source(cells[index]))
    unknown = [name for name in parameters if known is not None and name not in known]
    if unknown:
        raise NotebookError(
            f"{where} has no parameter {unknown[0]!r}: its parameters cell sets "
            f"{', '.join(sorted(known)) or 'nothing'}",
            hint="pass one of those names, or set a default for the new one in that cell",
        )
    cells.insert(index + 1, _parameters_cell(injected, parameters))
    injected["cells"] = cells
    return injected


def _parameters_cell(notebook: dict[str, Any], parameters: Mapping[str, Any]) -> dict[str, Any]:
    lines = "".join(f"{name} = {value!r}\n" for name, value in parameters.items())
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {"tags": [INJECTED_TAG]},
        "outputs": [],
        "source": "# Parameters (injected by learnburn nb run)\n" + lines,
    }
    if (notebook.get("nbformat"), notebook.get("nbformat_minor", 0)) >= (4, 5):
        cell["id"] = uuid.uuid4().hex[:12]  # ids are required from format 4.5
    return cell


def _tags(cell: dict[str, Any]) -> list[str]:
    tags = (cell.get("metadata") or {}).get("tags") or []
    return list(tags) if isinstance(tags, list) else []


def _assigned_names(source: str) -> set[str] | None:
    """The names the parameters cell assigns; None when it is not plain Python (magics)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _check_name(name: Any) -> None:
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise NotebookError(
            f"A parameter's name must be a Python identifier. Got {name!r} instead.",
            hint="e.g. -p folds=3 -p model=forest",
        )


def _check_value(name: str, value: Any) -> None:
    try:
        same = ast.literal_eval(repr(value)) == value
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        same = False
    if not same:
        raise NotebookError(
            f"The value of parameter {name!r} must be a Python literal (number, text, bool, "
            f"None, list, dict). Got {type(value).__name__} {value!r} instead.",
            hint="pass plain values; a notebook reads anything bigger from a file",
        )
