"""A notebook file as plain JSON: its code cells, their hash, a script of them, and writing it
back the way Jupyter does (one-space indent, sorted keys, a final newline), so that a stripped
notebook diffs cleanly. Only the standard library: tracking and ``nb check`` need no extra."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from learnburn._atomic import install, open_new, staged
from learnburn.errors import NotebookError

_HINT = "pass a Jupyter notebook (.ipynb, nbformat 4)"


def read_notebook(path: str | os.PathLike) -> dict[str, Any]:
    """The notebook at ``path``, as its JSON document."""
    try:
        text = Path(path).read_bytes()
    except OSError as error:
        raise NotebookError(
            f"cannot read the notebook {path}: {error.strerror}", hint=_HINT
        ) from error
    return parse_notebook(text, str(path))


def parse_notebook(text: bytes | str, where: str) -> dict[str, Any]:
    """A notebook from its JSON text; ``where`` names it in errors."""
    try:
        notebook = json.loads(text)
    except ValueError as error:
        raise NotebookError(
            f"{where} is not a notebook: invalid JSON ({error})", hint=_HINT
        ) from error
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise NotebookError(f"{where} is not a notebook: it has no list of cells", hint=_HINT)
    if notebook.get("nbformat") != 4:
        raise NotebookError(
            f"{where} is in notebook format {notebook.get('nbformat')!r}; learnburn reads format 4",
            hint="open and save it in a current Jupyter to upgrade it",
        )
    return notebook


def cell_source(cell: dict[str, Any]) -> str:
    """A cell's source as one string (the format allows a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def code_sources(notebook: dict[str, Any]) -> list[str]:
    """The sources of the code cells, in order."""
    return [cell_source(c) for c in notebook["cells"] if c.get("cell_type") == "code"]


def code_hash(notebook: dict[str, Any]) -> str:
    """sha256 of the code cells' sources: outputs, counts, markdown and metadata do not count."""
    encoded = json.dumps(code_sources(notebook), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def code_script(notebook: dict[str, Any]) -> str:
    """The code cells as one Python script, each cell opened by a ``# %%`` line."""
    return "".join(f"# %%\n{source.rstrip()}\n\n" for source in code_sources(notebook))


def notebook_text(notebook: dict[str, Any]) -> str:
    """The notebook serialised as Jupyter writes it."""
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_notebook(path: str | os.PathLike, notebook: dict[str, Any]) -> None:
    """Replace the file at ``path`` atomically (a crash leaves the old or the new notebook)."""
    target = Path(path)
    with staged(target.parent, f".{target.name}.", suffix=".tmp") as temp:
        with os.fdopen(open_new(temp, 0o600), "w", encoding="utf-8", newline="\n") as out:
            out.write(notebook_text(notebook))
        if target.exists():
            os.chmod(temp, target.stat().st_mode & 0o777)
        install(temp, target)
