"""Names that users choose (experiments, artifacts) and run ids they type.

Names are display labels, never file paths: on-disk paths come from sha256 digests and
server-generated ids only. A name is still checked, so that one that looks like a path (``../x``,
``/etc``, ``C:\\x``, a NUL byte, a leading dot) is refused where it enters instead of surprising a
later reader that trusts it.
"""

from __future__ import annotations

import re

from learnburn.errors import RunStoreError

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
_RUN_PREFIX = re.compile(r"[0-9a-f]{4,32}")
NAME_RULE = (
    "1 to 128 characters: letters, digits, '_', '.' and '-', starting with a letter or digit, "
    "without '..'"
)


def validate_name(name: str, what: str = "experiment name") -> str:
    """Return ``name`` when it is a safe label; else raise :class:`RunStoreError`."""
    if not isinstance(name, str):
        raise RunStoreError(
            f"The {what} must be a string. Got {type(name).__name__} instead.",
            hint=f"use {NAME_RULE}",
        )
    if _NAME.fullmatch(name) is None or ".." in name:
        shown = name if len(name) <= 80 else name[:77] + "..."
        raise RunStoreError(
            f"The {what} must be {NAME_RULE}. Got {shown!r} instead.",
            hint=f"rename it, e.g. {_suggest(name)!r}; names are labels, never paths",
        )
    return name


def run_id_prefix(run_id: str) -> str:
    """The run id (or unique prefix) a user typed, normalised; refuse anything that is not one."""
    key = run_id.strip().lower() if isinstance(run_id, str) else ""
    if _RUN_PREFIX.fullmatch(key) is None:
        raise RunStoreError(
            f"{run_id!r} is not a run id: expected 4 to 32 hexadecimal characters",
            hint="copy an id (or its first characters) from `learnburn runs`",
        )
    return key


def unknown_run(run_id: str) -> RunStoreError:
    return RunStoreError(f"no run {run_id!r} in the store", hint="`learnburn runs` lists the runs")


def not_one_run(run_id: str, found: list[str]) -> RunStoreError:
    if not found:
        return unknown_run(run_id)
    shown = ", ".join(found[:5]) + (", ..." if len(found) > 5 else "")
    return RunStoreError(
        f"{run_id!r} matches {'several' if len(found) > 5 else len(found)} runs: {shown}",
        hint="give more characters of the id (`learnburn runs` lists them)",
    )


def _suggest(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "-", name)
    cleaned = re.sub(r"\.{2,}", ".", cleaned).strip(".-_")
    return cleaned[:128] or "experiment"
