"""Notebooks as tracked experiments: which notebook a run came from (and whether its code is
committed), a notebook executed headless as a recorded run, and notebooks checked and stripped
of outputs before they are committed."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Each name is imported from its module on first use: `learnburn nb check` (a pre-commit hook)
# needs only the cleaning module, not the kernel client, the run store or pandas.
_WHERE = {
    "code_hash": "learnburn.notebooks._cells",
    "code_script": "learnburn.notebooks._cells",
    "notebook_text": "learnburn.notebooks._cells",
    "read_notebook": "learnburn.notebooks._cells",
    "write_notebook": "learnburn.notebooks._cells",
    "NotebookCheck": "learnburn.notebooks._clean",
    "check_notebook": "learnburn.notebooks._clean",
    "find_notebooks": "learnburn.notebooks._clean",
    "jupytext_pairing": "learnburn.notebooks._clean",
    "strip_notebook": "learnburn.notebooks._clean",
    "stripped": "learnburn.notebooks._clean",
    "NotebookContext": "learnburn.notebooks._context",
    "current_notebook": "learnburn.notebooks._context",
    "find_notebook": "learnburn.notebooks._context",
    "warn_untracked": "learnburn.notebooks._context",
    "METRIC_MIME": "learnburn.notebooks._display",
    "RUN_MIME": "learnburn.notebooks._display",
    "record_metric": "learnburn.notebooks._display",
    "show_recorded": "learnburn.notebooks._display",
    "CellFailure": "learnburn.notebooks._execute",
    "Execution": "learnburn.notebooks._execute",
    "execute_notebook": "learnburn.notebooks._execute",
    "inject_parameters": "learnburn.notebooks._parameters",
    "parse_parameter": "learnburn.notebooks._parameters",
    "NotebookRun": "learnburn.notebooks._run",
    "read_reports": "learnburn.notebooks._run",
    "run_notebook": "learnburn.notebooks._run",
    "NotebookState": "learnburn.notebooks._state",
    "notebook_state": "learnburn.notebooks._state",
}

if TYPE_CHECKING:
    from learnburn.notebooks._cells import (
        code_hash,
        code_script,
        notebook_text,
        read_notebook,
        write_notebook,
    )
    from learnburn.notebooks._clean import (
        NotebookCheck,
        check_notebook,
        find_notebooks,
        jupytext_pairing,
        strip_notebook,
        stripped,
    )
    from learnburn.notebooks._context import (
        NotebookContext,
        current_notebook,
        find_notebook,
        warn_untracked,
    )
    from learnburn.notebooks._display import METRIC_MIME, RUN_MIME, record_metric, show_recorded
    from learnburn.notebooks._execute import CellFailure, Execution, execute_notebook
    from learnburn.notebooks._parameters import inject_parameters, parse_parameter
    from learnburn.notebooks._run import NotebookRun, read_reports, run_notebook
    from learnburn.notebooks._state import NotebookState, notebook_state


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'learnburn.notebooks' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})


__all__ = [
    "METRIC_MIME",
    "RUN_MIME",
    "CellFailure",
    "Execution",
    "NotebookCheck",
    "NotebookContext",
    "NotebookRun",
    "NotebookState",
    "check_notebook",
    "code_hash",
    "code_script",
    "current_notebook",
    "execute_notebook",
    "find_notebook",
    "find_notebooks",
    "inject_parameters",
    "jupytext_pairing",
    "notebook_state",
    "notebook_text",
    "parse_parameter",
    "read_notebook",
    "read_reports",
    "record_metric",
    "run_notebook",
    "show_recorded",
    "strip_notebook",
    "stripped",
    "warn_untracked",
    "write_notebook",
]
