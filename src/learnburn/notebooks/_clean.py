"""``learnburn nb check`` and ``nb strip``: committed notebooks carry code, not results.

A notebook passes when no code cell has outputs or an execution count, or when it is paired
with a text version by jupytext (its ``jupytext.formats`` metadata names another format; the
text file is what is reviewed, so its outputs may stay). ``strip`` removes outputs, execution
counts and execution timings, leaving paired notebooks as they are.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from learnburn.errors import NotebookError
from learnburn.notebooks._cells import read_notebook, write_notebook

_SKIPPED_FOLDERS = {".ipynb_checkpoints", "__pycache__", "node_modules"}


@dataclass(frozen=True)
class NotebookCheck:
    """One notebook checked: what is wrong with it (nothing when ``ok``) and its pairing."""

    path: Path
    problems: tuple[str, ...] = ()
    paired: str | None = None  # the text version jupytext pairs it with

    @property
    def ok(self) -> bool:
        return not self.problems


def find_notebooks(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """The notebooks among ``paths``: files as given, folders searched (hidden folders and
    checkpoints skipped), in order and without repeats."""
    found: dict[Path, None] = {}
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for folder, names, files in os.walk(path):
                names[:] = sorted(n for n in names if not _skipped(n))
                found.update((Path(folder) / f, None) for f in sorted(files) if _is_notebook(f))
        elif path.exists() and _is_notebook(path.name):
            found[path] = None
        elif not path.exists():
            raise NotebookError(f"{path} does not exist", hint="pass notebooks or folders")
    return list(found)


def check_notebook(path: str | os.PathLike) -> NotebookCheck:
    """Whether the notebook at ``path`` is fit to commit."""
    path = Path(path)
    try:
        notebook = read_notebook(path)
    except NotebookError as error:
        return NotebookCheck(path, (error.message,))
    paired = jupytext_pairing(notebook)
    if paired is not None:
        return NotebookCheck(path, _missing_pair(path, paired), paired)
    code = [c for c in notebook["cells"] if c.get("cell_type") == "code"]
    with_outputs = sum(1 for c in code if c.get("outputs"))
    counted = sum(1 for c in code if c.get("execution_count") is not None)
    problems = []
    if with_outputs:
        problems.append(f"{with_outputs} code cell{_s(with_outputs)} with outputs")
    if counted:
        problems.append(f"{counted} code cell{_s(counted)} with an execution count")
    return NotebookCheck(path, tuple(problems))


def strip_notebook(path: str | os.PathLike) -> bool:
    """Remove outputs, execution counts and timings; return whether the file changed. A
    notebook paired by jupytext is left as it is."""
    notebook = read_notebook(path)
    if jupytext_pairing(notebook) is not None:
        return False
    cleaned = stripped(notebook)
    if cleaned == notebook:
        return False
    write_notebook(path, cleaned)
    return True


def stripped(notebook: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``notebook`` without outputs, execution counts or execution timings."""
    cells = []
    for cell in notebook["cells"]:
        cell = dict(cell)
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        metadata = cell.get("metadata")
        if isinstance(metadata, dict) and "execution" in metadata:
            cell["metadata"] = {k: v for k, v in metadata.items() if k != "execution"}
        cells.append(cell)
    return {**notebook, "cells": cells}


def jupytext_pairing(notebook: dict[str, Any]) -> str | None:
    """The formats jupytext pairs this notebook with ("py:percent"), or None when unpaired."""
    jupytext = (notebook.get("metadata") or {}).get("jupytext") or {}
    formats = jupytext.get("formats") if isinstance(jupytext, dict) else None
    if isinstance(formats, list):
        formats = ",".join(map(str, formats))
    if not isinstance(formats, str):
        return None
    others = [f.strip() for f in formats.split(",") if f.strip() and not _is_ipynb(f)]
    return ",".join(others) or None


def _missing_pair(path: Path, paired: str) -> tuple[str, ...]:
    """A problem for each simply paired text file (same folder and name) that is missing."""
    problems = []
    for fmt in paired.split(","):
        extension = fmt.split(":")[0].strip().lstrip(".")
        if not extension or "/" in extension or extension == "auto":
            continue  # a prefixed pairing ("scripts//py") or the language's own: trust it
        text = path.with_suffix("." + extension)
        if not text.exists():
            problems.append(f"paired by jupytext with {text.name}, which is missing")
    return tuple(problems)


def _is_ipynb(fmt: str) -> bool:
    return fmt.strip().split(":")[0].rsplit("/", 1)[-1].lstrip(".") == "ipynb"


def _is_notebook(name: str) -> bool:
    return name.endswith(".ipynb")


def _skipped(name: str) -> bool:
    return name.startswith(".") or name in _SKIPPED_FOLDERS


def _s(count: int) -> str:
    return "" if count == 1 else "s"
