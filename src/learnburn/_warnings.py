"""Warnings that point at the user's line, not at learnburn's source.

A warning raised deep inside learnburn (a column left out, a run recorded outside git) is shown
by Python with the file and line that called ``warnings.warn``: a learnburn source line that
tells a notebook user nothing. The public entry points run inside :func:`warnings_at_caller`,
which re-issues learnburn's warnings from the first frame outside learnburn (the user's cell or
script), through the ordinary filters. Warnings from other libraries keep their own location.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

_PACKAGE = str(Path(__file__).resolve().parent) + os.sep
_SKIPPED = (_PACKAGE, str(Path(contextlib.__file__).resolve()))
_FOREIGN_REGISTRY: dict = {}  # "once per location" for re-issued warnings of other libraries


@contextlib.contextmanager
def warnings_at_caller() -> Iterator[None]:
    """Re-issue the warnings learnburn raises inside this block from the caller's line."""
    if getattr(_STATE, "active", False):  # an outer block re-issues them
        yield
        return
    _STATE.active = True
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
    finally:
        _STATE.active = False
        _reissue(caught)


def shows_warnings_at_caller(function: Callable) -> Callable:
    """``function``, running inside :func:`warnings_at_caller`."""

    @functools.wraps(function)
    def call(*args, **kwargs):
        with warnings_at_caller():
            return function(*args, **kwargs)

    return call


def _reissue(caught: list[warnings.WarningMessage]) -> None:
    frame = _caller_frame()
    for message in caught:
        if _from_learnburn(message.filename) and frame is not None:
            globals_ = frame.f_globals
            warnings.warn_explicit(
                message.message,
                message.category,
                frame.f_code.co_filename,
                frame.f_lineno,
                module=globals_.get("__name__", "__main__"),
                registry=globals_.setdefault("__warningregistry__", {}),
                module_globals=globals_,
            )
        else:
            warnings.warn_explicit(
                message.message,
                message.category,
                message.filename,
                message.lineno or 0,
                registry=_FOREIGN_REGISTRY,
                source=message.source,
            )


def _caller_frame():
    frame = sys._getframe(1)
    while frame is not None and _from_learnburn(frame.f_code.co_filename):
        frame = frame.f_back
    return frame


def _from_learnburn(filename: str) -> bool:
    try:
        resolved = str(Path(filename).resolve())
    except (OSError, ValueError):
        return False
    return resolved.startswith(_SKIPPED)


_STATE = threading.local()  # whether this thread is inside a warnings_at_caller block
