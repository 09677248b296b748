"""A notebook as tracking sees it: the hash of its code cells, and whether that code is committed.

"Committed" compares code, not files: a notebook whose code cells are those of the file in the
HEAD commit is committed, even when it was saved since with new outputs. Runs made from it are
then clean; a notebook whose code differs (or that git does not track) makes them dirty, and
its current code is stored with them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from learnburn.errors import NotebookError
from learnburn.notebooks._cells import code_hash, code_script, parse_notebook, read_notebook
from learnburn.runs import committed_version
from learnburn.workflows import RunOrigin

CODE_ARTIFACT = "notebook.py"


@dataclass(frozen=True)
class NotebookState:
    """A notebook's code, its hash, and whether it is committed."""

    path: Path
    repository_path: str | None  # relative to the git repository's root; None outside git
    code_hash: str  # sha256 of the code cells' sources
    code: str  # the code cells as a script ("# %%" cells)
    committed: bool  # the code cells are those of the file in the HEAD commit

    def provenance_entry(self, parameters: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """What a run records about the notebook (under ``provenance["notebook"]``)."""
        described = {
            "path": self.repository_path or str(self.path),
            "code_hash": self.code_hash,
            "committed": self.committed,
        }
        if parameters is not None:
            described["parameters"] = dict(parameters)
        return described

    def origin(self, *, parent_run: str | None = None) -> RunOrigin:
        """How an experiment run in this notebook is recorded: the notebook in its provenance,
        its code stored when not committed, its outputs-only changes not counted as dirty."""
        provenance: dict[str, Any] = {"notebook": self.provenance_entry()}
        if not self.committed:
            provenance["dirty"] = True  # also when git cannot see it (ignored, or no repository)
        if parent_run:
            provenance["parent_run"] = parent_run
        return RunOrigin(
            provenance=provenance,
            artifacts=self.code_artifacts(),
            read_files=(os.fspath(self.path),),
            ignored=self.ignored(),
        )

    def code_artifacts(self) -> tuple[tuple[str, bytes, str], ...]:
        """The current code as an artifact, when it is not committed."""
        return () if self.committed else ((CODE_ARTIFACT, self.code.encode(), "code"),)

    def ignored(self) -> tuple[str, ...]:
        """The notebook file, when only its outputs differ from the commit."""
        return (self.repository_path,) if self.committed and self.repository_path else ()


def notebook_state(
    path: str | os.PathLike, notebook: dict[str, Any] | None = None
) -> NotebookState:
    """The state of the notebook at ``path`` (read from disk unless ``notebook`` is given)."""
    path = Path(path).resolve()
    notebook = notebook if notebook is not None else read_notebook(path)
    digest = code_hash(notebook)
    found = committed_version(path)
    committed = False
    if found is not None and found[1] is not None:
        try:
            committed = code_hash(parse_notebook(found[1], f"{found[0]} at HEAD")) == digest
        except NotebookError:
            committed = False  # the commit holds something else under that name
    return NotebookState(
        path=path,
        repository_path=found[0] if found is not None else None,
        code_hash=digest,
        code=code_script(notebook),
        committed=committed,
    )
