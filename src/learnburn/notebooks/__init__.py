"""Notebooks as tracked experiments: which notebook a run came from (and whether its code is
committed), a notebook executed headless as a recorded run, and notebooks checked and stripped
of outputs before they are committed."""

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
