"""``--since`` and ``--until``: read another time window of the spec's source without editing
the spec (the newest weeks for a retrain, a backtest over one year)."""

from __future__ import annotations

import datetime as dt

import typer


def _moment(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"must be an ISO date or date-time, got {value!r}") from None
    return value


SINCE = typer.Option(
    None,
    "--since",
    callback=_moment,
    help="Keep the rows from this time on (an ISO date); replaces [data] since, and is the "
    "query's {since}.",
)
UNTIL = typer.Option(
    None,
    "--until",
    callback=_moment,
    help="Keep the rows before this time (an ISO date); replaces [data] until, and is the "
    "query's {until}.",
)
