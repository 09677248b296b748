"""``learnburn nb check``, without Typer: a pre-commit hook runs it on every commit, so the
console entry point (``learnburn.cli.main``) sends a plain ``nb check [PATH ...]`` here
directly, skipping the command-line library's start-up and argument checks. Anything else
(an option such as ``--help``, another command) goes through the Typer application, whose
``nb check`` calls the same ``check_notebooks``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from learnburn.cli._errors import EXIT_ERROR, call_reporting


def check_notebooks(paths: Sequence[Path] | None) -> int:
    """Print each notebook that carries outputs and a summary; the exit code: 1 when one
    does, else 0."""
    from learnburn.notebooks import check_notebook, find_notebooks

    console = Console()
    found = find_notebooks(paths or [Path(".")])
    results = [check_notebook(path) for path in found]
    for result in results:
        if not result.ok:
            problems = "; ".join(result.problems)
            console.print(f"[red]✗[/] {escape(str(result.path))}: {escape(problems)}")
    bad = sum(not r.ok for r in results)
    if bad:
        console.print(f"{bad} of {count_notebooks(len(results))} need `learnburn nb strip`.")
        return EXIT_ERROR
    console.print(f"[green]✓[/] {count_notebooks(len(results))} carry no outputs.")
    return 0


def count_notebooks(number: int) -> str:
    return f"{number} notebook" + ("" if number == 1 else "s")


def run_check(args: Sequence[str]) -> int:
    """``learnburn nb check PATH ...`` as the Typer command runs it (messages, exit codes)."""
    paths = [Path(arg) for arg in args[2:]] or None
    return call_reporting(check_notebooks, (paths,), {}, exit_code=EXIT_ERROR)
