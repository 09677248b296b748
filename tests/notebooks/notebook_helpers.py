"""Notebooks written as plain JSON, and real git repositories to hold them (shared by the
notebook and CLI tests)."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def code_cell(source: str, *, tags: tuple[str, ...] = (), outputs=(), count=None) -> dict:
    return {
        "cell_type": "code",
        "execution_count": count,
        "id": uuid.uuid4().hex[:8],
        "metadata": {"tags": list(tags)} if tags else {},
        "outputs": list(outputs),
        "source": source,
    }


def markdown_cell(source: str) -> dict:
    return {"cell_type": "markdown", "id": uuid.uuid4().hex[:8], "metadata": {}, "source": source}


def make_notebook(*cells: dict, metadata: dict | None = None) -> dict:
    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return {
        "cells": list(cells),
        "metadata": {"kernelspec": kernelspec, **(metadata or {})},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def write_notebook(path: Path, notebook: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notebook, indent=1))
    return path


STREAM = {"output_type": "stream", "name": "stdout", "text": "42\n"}


def kernel_env(**extra: str) -> dict[str, str]:
    """This process's environment for a kernel, without any notebook a caller ran in."""
    names = ("JPY_SESSION_NAME", "LEARNBURN_NOTEBOOK", "LEARNBURN_RUN", "LEARNBURN_STORE")
    return {k: v for k, v in os.environ.items() if k not in names} | extra


def make_project(root: Path, table) -> Path:
    """A git repository at ``root`` with one commit; its data (data/table.csv) is ignored."""
    (root / "data").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "test@example.com")
    git(root, "config", "user.name", "Test")
    table.to_csv(root / "data" / "table.csv", index=False)
    (root / ".gitignore").write_text("data/\n.learnburn/\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "start")
    return root


def commit(repo: Path, message: str = "change") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
