"""The one place where errors become messages and exit codes.

Exit codes: 0 success; 1 a learnburn error (bad spec, bad data, every candidate failed...);
2 a usage error (unknown option, missing argument), as Click does; 130 interrupted.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.markup import escape

from learnburn.errors import BackendError, LearnburnError, LearnburnWarning, SpecError

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

stderr = Console(stderr=True, highlight=False)


def report_error(error: LearnburnError) -> None:
    """Print ``Error: ... / Hint: ...`` to stderr."""
    if isinstance(error, SpecError):
        stderr.print(f"[bold red]Error:[/] {escape(error.file or 'spec')} is not a valid spec:")
        for problem in error.problems:
            stderr.print(f"  [red]•[/] [bold]{escape(problem.path)}[/]: {escape(problem.message)}")
            if problem.hint:
                stderr.print(f"    [dim]Hint: {escape(problem.hint)}[/]")
        return
    stderr.print(f"[bold red]Error:[/] {escape(error.message)}")
    if error.hint:
        stderr.print(f"[yellow]Hint:[/] {escape(error.hint)}")


def cluster_error(error: BaseException) -> BackendError | None:
    """A Dask scheduler, worker or connection error that escaped the code which should have
    translated it (it was raised inside dask.distributed) as a BackendError; else None."""
    if isinstance(error, LearnburnError) or not isinstance(error, Exception):
        return None
    frame = error.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    module = frame.tb_frame.f_globals.get("__name__", "") if frame is not None else ""
    if not module.startswith(("distributed.", "dask.")):
        return None
    return BackendError(
        f"the Dask cluster failed: {type(error).__name__}: {error}",
        hint="check that the scheduler and its workers are still running (their logs say why "
        "one stopped), then run the command again",
    )


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    stderr.print(f"[yellow]Warning:[/] {escape(str(message))}")


def handles_errors(
    command: Callable[..., Any] | None = None, *, exit_code: int = EXIT_ERROR
) -> Any:
    """Run a command with learnburn errors mapped to messages and exit codes.

    ``@handles_errors`` exits 1 on a learnburn error; ``@handles_errors(exit_code=2)`` suits a
    command whose exit code 1 means something else (``learnburn drift``: 1 is "drift")."""
    if command is None:
        return functools.partial(handles_errors, exit_code=exit_code)

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import typer

        return call_reporting(command, args, kwargs, exit_code=exit_code, stop=typer.Exit)

    return wrapper


def call_reporting(
    command: Callable[..., Any],
    args: tuple,
    kwargs: dict[str, Any],
    *,
    exit_code: int = EXIT_ERROR,
    stop: Callable[[int], BaseException] = SystemExit,
) -> Any:
    """``command(*args, **kwargs)`` with learnburn's warnings shown and its errors reported,
    then ``stop(code)`` raised (``typer.Exit`` in a Typer command; ``SystemExit`` without
    Typer, as ``learnburn nb check`` runs)."""
    with warnings.catch_warnings():
        # learnburn's own warnings are for the user: always shown, whatever the filters
        warnings.simplefilter("always", LearnburnWarning)
        warnings.showwarning = _show_warning
        try:
            return command(*args, **kwargs)
        except LearnburnError as error:
            report_error(error)
            raise stop(exit_code) from error
        except Exception as error:
            translated = cluster_error(error)
            if translated is None:
                raise
            report_error(translated)
            raise stop(exit_code) from error
        except KeyboardInterrupt:
            stderr.print("[yellow]Interrupted.[/]")
            raise stop(EXIT_INTERRUPTED) from None
