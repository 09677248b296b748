"""Which notebook this code runs in, when it runs in a Jupyter kernel.

The notebook's path is looked up in this order; the first that names an existing ``.ipynb``
file wins:

1. ``LEARNBURN_NOTEBOOK``: set by ``learnburn nb run`` for the kernel it starts, together with
   ``LEARNBURN_RUN`` (the id of the notebook's run, which experiments run inside it attach to);
2. ``__session__`` in the kernel's namespace: ipykernel sets it from ``JPY_SESSION_NAME``, the
   notebook's path that Jupyter Server (2 and later) gives the kernel it starts;
3. ``__vsc_ipynb_file__`` in the kernel's namespace: set by VS Code's notebook editor;
4. the ``JPY_SESSION_NAME`` variable itself.

A relative path is tried against the kernel's working folder, and then by its file name there
(Jupyter starts a kernel in its notebook's folder). Outside a Jupyter kernel (a script, the CLI,
a test) there is no notebook, whatever the variables say. ``LEARNBURN_STORE`` names the run store,
as for the CLI. This is the notebook front end: like the CLI, it reads the environment.

A kernel started by papermill, nbclient or ``jupyter execute`` is told none of these, so
``Experiment.run()`` there warns that it records nothing, and how to record: pass the notebook's
path (``Experiment.run(notebook="train.ipynb")``) or run it with ``learnburn nb run``.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from learnburn.errors import NotebookError, ProvenanceWarning

NOTEBOOK_VARIABLE = "LEARNBURN_NOTEBOOK"
RUN_VARIABLE = "LEARNBURN_RUN"
STORE_VARIABLE = "LEARNBURN_STORE"


@dataclass(frozen=True)
class NotebookContext:
    """The notebook a kernel runs, and, under ``learnburn nb run``, the run it belongs to."""

    path: Path
    parent_run: str | None = None  # the notebook's run, under `learnburn nb run`
    store: str | None = None  # the run store to record in (None: the default one)


def current_notebook(notebook: str | os.PathLike | None = None) -> NotebookContext | None:
    """The notebook this code runs in; None outside a Jupyter kernel or when none is found.

    ``notebook``: its path, given by the caller (when the kernel cannot tell, as under
    papermill); it must be an existing ``.ipynb`` file."""
    shell = _kernel_shell()
    if notebook is not None:
        return NotebookContext(
            path=_given_notebook(notebook),
            parent_run=(os.environ.get(RUN_VARIABLE) or None) if shell is not None else None,
            store=(os.environ.get(STORE_VARIABLE) or None) if shell is not None else None,
        )
    if shell is None:
        return None
    path = find_notebook(os.environ, shell.user_ns, Path.cwd())
    if path is None:
        return None
    return NotebookContext(
        path=path,
        parent_run=os.environ.get(RUN_VARIABLE) or None,
        store=os.environ.get(STORE_VARIABLE) or None,
    )


def find_notebook(
    environ: Mapping[str, str], namespace: Mapping[str, Any], cwd: Path
) -> Path | None:
    """The notebook's path from these variables, in the order of the module docstring."""
    candidates = (
        environ.get(NOTEBOOK_VARIABLE),
        namespace.get("__session__"),
        namespace.get("__vsc_ipynb_file__"),
        environ.get("JPY_SESSION_NAME"),
    )
    for value in candidates:
        found = _existing_notebook(value, cwd)
        if found is not None:
            return found
    return None


def warn_untracked(*, stacklevel: int = 2) -> None:
    """In a kernel that cannot tell which notebook it runs, warn that an experiment run in it
    is not recorded, and how to record it. Nothing outside a kernel."""
    if not in_kernel():
        return
    warnings.warn(
        "this run is not recorded: the Jupyter kernel does not say which notebook it runs "
        "(papermill, nbclient and `jupyter execute` do not tell it). To record it with its "
        "notebook, pass the notebook's path: Experiment.run(notebook='NAME.ipynb'), or run the "
        "notebook with `learnburn nb run NAME.ipynb`; record=False silences this warning.",
        ProvenanceWarning,
        stacklevel=stacklevel + 1,
    )


def in_kernel() -> bool:
    """Whether this code runs in a Jupyter (IPython) kernel."""
    return _kernel_shell() is not None


def _existing_notebook(value: Any, cwd: Path) -> Path | None:
    if not isinstance(value, str) or not value.strip():
        return None
    path = Path(value.strip()).expanduser()
    tries = [path] if path.is_absolute() else [cwd / path, cwd / path.name]
    for candidate in tries:
        if candidate.suffix == ".ipynb" and candidate.is_file():
            return candidate.resolve()
    return None


def _given_notebook(value: str | os.PathLike) -> Path:
    path = Path(value).expanduser()
    if path.suffix != ".ipynb" or not path.is_file():
        raise NotebookError(
            f"The 'notebook' parameter must be the path of an existing .ipynb file. Got "
            f"{os.fspath(value)!r} instead (looked in {Path.cwd()}).",
            hint="pass the notebook's path, relative to the folder the kernel runs in",
        )
    return path.resolve()


def _kernel_shell():
    if "ipykernel" not in sys.modules:  # never import IPython where no kernel runs
        return None
    from IPython import get_ipython

    shell = get_ipython()
    return shell if getattr(shell, "kernel", None) is not None else None
