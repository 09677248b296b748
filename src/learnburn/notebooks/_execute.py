"""Executing a notebook headless with a real kernel (nbclient), and, when a cell fails, which
cell it was, its source and its traceback.

The kernel talks to this process over Unix sockets in a private temporary folder (not over TCP
on loopback, where any local user could connect), and starts in the notebook's folder, as
Jupyter starts it.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from learnburn.errors import NotebookError
from learnburn.notebooks._cells import cell_source

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_EXTRA = "install the notebook extra: pip install 'learnburn[notebook]'"


@dataclass(frozen=True)
class CellFailure:
    """The cell that stopped a notebook: its position (1-based, among all cells), source and
    error."""

    index: int | None
    source: str
    error: str  # "ZeroDivisionError: division by zero"
    traceback: str  # as the kernel printed it, without colour codes

    def message(self, where: str) -> str:
        """A message naming the cell, with its source and traceback."""
        cell = f"cell {self.index}" if self.index else "a cell"
        source = _indented(self.source or "(source not found)")
        traceback = _indented(self.traceback or self.error)
        return (
            f"{cell} of {where} failed with {self.error}\n"
            f"--- cell source ---\n{source}\n--- traceback ---\n{traceback}"
        )


@dataclass(frozen=True)
class Execution:
    """An executed notebook (outputs included; up to the failing cell when one failed)."""

    notebook: dict[str, Any]
    failure: CellFailure | None
    seconds: float


def execute_notebook(
    notebook: dict[str, Any],
    *,
    cwd: str | os.PathLike,
    env: Mapping[str, str],
    kernel: str | None = None,
    timeout: float | None = None,
    where: str = "the notebook",
    on_cell: Callable[[int, int], None] | None = None,
) -> Execution:
    """Run every cell in a fresh kernel (``kernel``, else the notebook's own kernelspec, else
    python3) with ``env`` as its environment; ``timeout``: seconds per cell (None: no limit);
    ``on_cell(done, total)`` is called after each code cell."""
    nbformat, client_class, exceptions, config_class, no_such_kernel = _nbclient()
    node = _node(nbformat, notebook)
    name = kernel or _kernel_name(notebook)
    started = time.perf_counter()
    failure = None
    with tempfile.TemporaryDirectory(prefix="learnburn-kernel-") as folder:
        config = config_class(
            {"KernelManager": {"transport": "ipc", "ip": os.path.join(folder, "kernel")}}
        )
        client = client_class(
            node, timeout=timeout, kernel_name=name, config=config,
            resources={"metadata": {"path": os.fspath(Path(cwd))}},
        )  # fmt: skip
        if on_cell is not None:
            total = len(node.cells)
            client.on_cell_executed = lambda cell_index, **_: on_cell(cell_index + 1, total)
        try:
            client.execute(env=dict(env))
        except exceptions.CellTimeoutError as error:
            failure = _timed_out(node, error, timeout)
        except exceptions.CellExecutionError as error:
            failure = _failed(node, error)
        except exceptions.DeadKernelError as error:
            raise NotebookError(
                f"the kernel died while running {where}: {error}",
                hint="it may have run out of memory; run the notebook in Jupyter to see where",
            ) from error
        except no_such_kernel as error:
            raise NotebookError(
                f"no Jupyter kernel named {name!r} is installed (the kernel {where} asks for)",
                hint="pass --kernel python3, or install it: python -m ipykernel install --user "
                f"--name {name}",
            ) from error
    executed = json.loads(json.dumps(node))  # a plain document again
    return Execution(executed, failure, time.perf_counter() - started)


def _node(nbformat, notebook: dict[str, Any]):
    """The notebook as nbformat reads a file that Jupyter or VS Code saved: sources stored as
    lists of lines joined, any 4.x minor accepted, a missing cell id (format 4.5) filled in."""
    from nbformat.warnings import MissingIDFieldWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingIDFieldWarning)  # ids are added, not needed
        return nbformat.reads(json.dumps(notebook), as_version=4)


def _kernel_name(notebook: dict[str, Any]) -> str:
    spec = (notebook.get("metadata") or {}).get("kernelspec") or {}
    return str(spec.get("name") or "python3")


def _failed(node, error) -> CellFailure:
    for index, cell in enumerate(node.cells, 1):
        for output in cell.get("outputs", ()):
            if output.get("output_type") == "error":
                return CellFailure(
                    index=index,
                    source=cell_source(cell),
                    error=f"{output.get('ename')}: {output.get('evalue')}",
                    traceback=_plain("\n".join(output.get("traceback", ()))),
                )
    return CellFailure(None, "", f"{error.ename}: {error.evalue}", _plain(error.traceback))


def _timed_out(node, error, timeout) -> CellFailure:
    """The cell that was running when the time ran out: the last one the kernel started."""
    started = [
        (i, c)
        for i, c in enumerate(node.cells, 1)
        if "iopub.execute_input" in ((c.get("metadata") or {}).get("execution") or {})
    ]
    index, cell = started[-1] if started else (None, {})
    message = f"TimeoutError: the cell ran past the {timeout} s limit"
    return CellFailure(index, cell_source(cell) if cell else "", message, _plain(str(error)))


def _plain(text: str) -> str:
    return _ANSI.sub("", text)


def _indented(text: str) -> str:
    return "\n".join("    " + line for line in text.rstrip().splitlines())


def _nbclient():
    try:
        import nbformat
        from jupyter_client.kernelspec import NoSuchKernel
        from nbclient import NotebookClient, exceptions
        from traitlets.config import Config
    except ImportError as error:
        raise NotebookError(
            f"running a notebook needs nbclient and a kernel: {error}", hint=_EXTRA
        ) from error
    return nbformat, NotebookClient, exceptions, Config, NoSuchKernel
