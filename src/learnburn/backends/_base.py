"""The interface every backend implements: run independent tasks, report each as it finishes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")

TaskFunction = Callable[[Any, T], R]
"""A module-level function ``fn(shared, task) -> result``; it must be picklable by reference."""


class Backend(Protocol):
    """Where fold tasks run.

    ``shared`` is sent to each worker once (not once per task), then every task is called as
    ``fn(shared, task)``. Results come back in task order; ``on_result(index, result)`` is called
    in the caller's process as each one finishes, in completion order, for progress bars.
    """

    name: str

    def map(
        self,
        fn: TaskFunction,
        tasks: Sequence[Any],
        *,
        shared: Any,
        on_result: Callable[[int, Any], None] | None = None,
    ) -> list[Any]: ...
