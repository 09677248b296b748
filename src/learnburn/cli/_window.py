"""``--since`` and ``--until``: read another time window of the spec's source without editing
the spec (the newest weeks for a retrain, a backtest over one year).

Either an ISO date or date-time, or an age: ``12w``/``12 weeks``, ``30d``/``30 days``, counted
back from today (UTC) and turned into the ISO date it names here, so that what a run records
and ``reproduce`` reads is a date, not "12 weeks before whenever"."""

from __future__ import annotations

import datetime as dt
import re

import typer

_AGE = re.compile(r"(\d+)\s*(d|days?|w|weeks?)", re.IGNORECASE)


def _moment(value: str | None) -> str | None:
    if value is None:
        return None
    age = _AGE.fullmatch(value.strip())
    if age is not None:
        days = int(age[1]) * (7 if age[2].lower().startswith("w") else 1)
        return (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=days)).isoformat()
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"must be an ISO date or date-time, or an age such as 12w or 30d, got {value!r}"
        ) from None
    return value


SINCE = typer.Option(
    None,
    "--since",
    callback=_moment,
    help="Keep the rows from this time on: an ISO date, or an age (12w, 30d: that long before "
    "today); replaces [data] since, and is the query's {since}.",
)
UNTIL = typer.Option(
    None,
    "--until",
    callback=_moment,
    help="Keep the rows before this time: an ISO date, or an age (1w: a week before today); "
    "replaces [data] until, and is the query's {until}.",
)
