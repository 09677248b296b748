"""The one protocol for values that have a JSON form in a run record, a bundle or a report.

A class whose ``to_dict`` is that JSON form subclasses :class:`Record` explicitly, so the family
is greppable (``class .*\\(Record\\)``) and checked (``isinstance(x, Record)``). ``to_dict``
returns plain JSON types only (str, int, float, bool, None, lists and dicts of them); a method
that returns anything else is named for what it returns (``summary`` for one human line).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Record(Protocol):
    """A value with a JSON form: ``to_dict()`` returns plain JSON types."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of this value (plain JSON types only)."""
        ...
