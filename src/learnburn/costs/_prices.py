"""The price table: a CSV of ``service,item,unit,usd,region,source_url,as_of`` rows, and two
optional columns: ``sku`` (the AWS Price List SKU a row was read from) and ``confirmed``.

Each row of the table shipped with learnburn (``data/aws-prices.csv``) cites the AWS pricing page
or Price List offer it comes from and the date it was read. ``confirmed`` is ``yes`` when the figure
was read from AWS's own list (``learnburn prices update`` writes such rows) and ``no`` when it
could not be checked there; the cost verdict leaves unconfirmed rows out unless told otherwise.
A table without the column makes no such claim and counts as confirmed by whoever passes it.

The ``item`` column is free text: the name the cost model looks up comes first, then notes in
parentheses. Bracketed notes (``[C: ...]``, written by hand while compiling a table) are dropped
when the table is read and never shown. The ``as_of`` column is free text too;
its date is the latest one it mentions (``2021-04-22 (same rate ... as of 2026-03)`` is
2026-03-01; a month or a year alone counts from its first day, so an age is never understated).

When one service, item and region has several rows, the first one is used and the others are
kept as ``alternatives``: put the figure you trust first.
"""

from __future__ import annotations

import csv
import io
import math
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from importlib import resources
from pathlib import Path

from learnburn._records import Record
from learnburn.costs._formula import number
from learnburn.errors import CostError, CostWarning

COLUMNS = ("service", "item", "unit", "usd", "region", "source_url", "as_of")
OPTIONAL_COLUMNS = ("sku", "confirmed")
_YES, _NO = ("yes", "true", "1", "y"), ("no", "false", "0", "n")
DEFAULT_REGION = "us-east-1"
MAX_AGE_DAYS = 180
_SHOWN_PROBLEMS = 10
_INSTANCE = re.compile(
    r"^(?:ml\.)?[a-z][a-z0-9-]*\.(?:[0-9]*(?:nano|micro|small|medium|large|xlarge)|metal)$",
    re.IGNORECASE,
)
_DATE = re.compile(r"(?<!\d)(\d{4})(?:-(\d{2})(?!\d)(?:-(\d{2})(?!\d))?)?(?!\d)")


@dataclass(frozen=True)
class Price(Record):
    """One row of the price table, its ``item`` split into the name and notes."""

    service: str
    item: str
    unit: str
    usd: float
    region: str
    source: str
    as_of_text: str
    as_of: date | None
    note: str = ""
    file: str = ""
    line: int = 0
    alternatives: tuple[float, ...] = field(default=())
    sku: str = ""
    confirmed: bool = True

    @property
    def is_instance(self) -> bool:
        """Whether the item names an instance type (``ml.m5.large``, ``c7i.large``)."""
        return bool(_INSTANCE.match(self.item))

    def summary(self) -> str:
        """``$0.115 USD per instance-hour: sagemaker-realtime ml.m5.large, us-east-1, as of ...``"""
        when = self.as_of_text or "undated"
        if self.as_of is not None:
            when = f"as of {when}"
        elif not when.lower().startswith("undated"):
            when = f"undated ({when})"
        text = (
            f"${number(self.usd)} {self.unit.removeprefix('USD ')}: {self.service} {self.item}, "
            f"{self.region}, {when}; source {self.source or '—'}"
        )
        if self.sku:
            text += f"; SKU {self.sku}"
        if not self.confirmed:
            text += "; not confirmed against AWS's price list"
        if self.alternatives:
            text += "; other figures: " + ", ".join(f"${number(a)}" for a in self.alternatives)
        return f"{text} ({Path(self.file).name} line {self.line})"

    def to_dict(self) -> dict:
        return {
            "service": self.service,
            "item": self.item,
            "unit": self.unit,
            "usd": self.usd,
            "region": self.region,
            "source": self.source,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "as_of_text": self.as_of_text,
            "note": self.note,
            "sku": self.sku,
            "confirmed": self.confirmed,
            "alternatives": list(self.alternatives),
            "file": self.file,
            "line": self.line,
        }


class MissingPrice(CostError):
    """The table has no price a computation needs; the option is reported as not priced."""


@dataclass(frozen=True)
class PriceTable:
    """The rows of one price file, in file order."""

    file: str
    prices: tuple[Price, ...]

    @property
    def newest(self) -> date | None:
        dates = [p.as_of for p in self.prices if p.as_of is not None]
        return max(dates) if dates else None

    def find(
        self, service: str, item: str, *, unit: str, region: str = DEFAULT_REGION
    ) -> Price | None:
        """The price of ``item`` in ``region`` (else one for ``all`` regions, else any region);
        None when the table has none. A row in another unit is an error, not a guess."""
        rows = [
            p
            for p in self.prices
            if p.service.lower() == service.lower() and _key(p.item) == _key(item)
        ]
        for wanted in (region, "all", None):
            matching = [p for p in rows if wanted is None or p.region.lower() == wanted.lower()]
            if matching:
                return _check_unit(matching[0], unit)
        return None

    def require(self, service: str, item: str, *, unit: str, region: str = DEFAULT_REGION) -> Price:
        """Like :meth:`find`, but a missing price is a :class:`MissingPrice` error."""
        price = self.find(service, item, unit=unit, region=region)
        if price is None:
            raise MissingPrice(
                f"{self.file} has no price for {service} '{item}' ({unit})",
                hint=f"add a line: {service},{item},{unit},USD,{region},SOURCE,DATE",
            )
        return price

    @property
    def unconfirmed(self) -> tuple[Price, ...]:
        return tuple(p for p in self.prices if not p.confirmed)

    def confirmed_only(self) -> PriceTable:
        """The same table without the rows not confirmed against AWS's price list."""
        return replace(self, prices=tuple(p for p in self.prices if p.confirmed))

    def instances(self, service: str, *, region: str = DEFAULT_REGION) -> tuple[Price, ...]:
        """One price per instance type the table lists for ``service``, in file order."""
        names = dict.fromkeys(
            _key(p.item) for p in self.prices if p.service.lower() == service and p.is_instance
        )
        found = (self.find(service, name, unit=INSTANCE_HOUR, region=region) for name in names)
        return tuple(p for p in found if p is not None)


INSTANCE_HOUR = "USD per instance-hour"


def load_prices(
    path: str | Path | None = None, *, today: date | None = None, max_age_days: int = MAX_AGE_DAYS
) -> PriceTable:
    """Read a price table (default: the one shipped with learnburn) and check it.

    Every malformed line is reported with its line number and column. When the newest price is
    older than ``max_age_days`` before ``today``, a :class:`CostWarning` says so.
    """
    if path is None:
        resource = resources.files("learnburn.costs").joinpath("data/aws-prices.csv")
        name, text = str(resource), resource.read_text(encoding="utf-8-sig")
    else:
        name, text = str(path), _read(Path(path))
    table = PriceTable(name, _mark_alternatives(_parse(text, name)))
    age_problem = check_table_age(table, today or date.today(), max_age_days)
    if age_problem:
        warnings.warn(age_problem, CostWarning, stacklevel=2)
    return table


def check_table_age(table: PriceTable, today: date, max_age_days: int = MAX_AGE_DAYS) -> str:
    """A sentence when the table's newest price is older than ``max_age_days``, else ``""``."""
    newest = table.newest
    if newest is None:
        return f"{table.file} has no dated price; check every figure before relying on it"
    age = (today - newest).days
    if age <= max_age_days:
        return ""
    return (
        f"{table.file}: the newest price is from {newest.isoformat()}, {age} days before "
        f"{today.isoformat()} (more than {max_age_days}); refresh the table or pass a current "
        "one with --prices"
    )


def parse_item(text: str) -> tuple[str, str, str]:
    """``(name, note, bracketed)`` of an item: ``ml.c5.large [C: may be training rate]`` is
    ``("ml.c5.large", "", "C: may be training rate")``. Only the name and the note are kept."""
    confidence = "; ".join(part.strip() for part in re.findall(r"\[([^\[\]]*)\]", text))
    rest = re.sub(r"\[[^\[\]]*\]", " ", text)
    notes: list[str] = []
    while True:
        found = re.findall(r"\(([^()]*)\)", rest)
        if not found:
            break
        notes = [part.strip() for part in found] + notes
        rest = re.sub(r"\([^()]*\)", " ", rest)
    name = " ".join(rest.split()).strip(" ,;:")
    return name, "; ".join(notes), confidence


def parse_as_of(text: str) -> date | None:
    """The latest date ``text`` mentions (YYYY, YYYY-MM or YYYY-MM-DD), None when there is none."""
    dates = []
    for year, month, day in _DATE.findall(text):
        try:
            dates.append(date(int(year), int(month or 1), int(day or 1)))
        except ValueError:
            continue
    dates = [d for d in dates if 2000 <= d.year <= 2100]
    return max(dates) if dates else None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CostError(
            f"price table '{path}' not found",
            hint=f"pass --prices with a CSV file of columns {','.join(COLUMNS)}",
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise CostError(
            f"price table '{path}' cannot be read: {error}",
            hint="save it as a UTF-8 CSV file",
        ) from error


def _parse(text: str, name: str) -> tuple[Price, ...]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise CostError(f"{name} is empty", hint=f"line 1 must be the header {','.join(COLUMNS)}")
    header = [column.strip().lower() for column in header]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise CostError(
            f"{name} line 1: the header lacks column{'s' * (len(missing) > 1)} "
            f"{', '.join(missing)} (found {','.join(header)})",
            hint=f"the header must name the columns {','.join(COLUMNS)}",
        )
    prices, problems = [], []
    for fields in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in fields):
            continue
        if len(fields) != len(header):
            problems.append(
                f"line {line}: {len(fields)} fields where the header has {len(header)}; "
                "quote a field that holds a comma"
            )
            continue
        row = {column: cell.strip() for column, cell in zip(header, fields, strict=True)}
        price = _row(row, name, line, problems)
        if price is not None:
            prices.append(price)
    if problems:
        shown = problems[:_SHOWN_PROBLEMS]
        more = len(problems) - len(shown)
        raise CostError(
            f"{name} has {len(problems)} malformed line{'s' * (len(problems) > 1)}:\n  - "
            + "\n  - ".join(shown)
            + (f"\n  ... and {more} more" if more else ""),
            hint="fix those lines: usd is a number of dollars, service, item, unit and region "
            "are not empty",
        )
    if not prices:
        raise CostError(f"{name} has no prices", hint="add rows below the header")
    return tuple(prices)


def _row(row: dict[str, str], name: str, line: int, problems: list[str]) -> Price | None:
    before = len(problems)
    for column in ("service", "item", "unit", "region"):
        if not row[column]:
            problems.append(f"line {line}, column '{column}': empty")
    try:
        usd = float(row["usd"])
    except ValueError:
        usd = math.nan
    if not math.isfinite(usd) or usd < 0:
        problems.append(f"line {line}, column 'usd': expected a number >= 0, got {row['usd']!r}")
    if len(problems) > before:
        return None
    confirmed = row.get("confirmed", "yes").lower() or "yes"
    if confirmed not in _YES + _NO:
        problems.append(f"line {line}, column 'confirmed': expected yes or no, got {confirmed!r}")
        return None
    item, note, _ = parse_item(row["item"])
    return Price(
        service=row["service"],
        item=item,
        unit=row["unit"],
        usd=usd,
        region=row["region"],
        source=row["source_url"],
        as_of_text=row["as_of"],
        as_of=parse_as_of(row["as_of"]),
        note=note,
        file=name,
        line=line,
        sku=row.get("sku", ""),
        confirmed=confirmed in _YES,
    )


def _mark_alternatives(prices: tuple[Price, ...]) -> tuple[Price, ...]:
    groups: dict[tuple[str, str, str], list[float]] = {}
    for p in prices:
        groups.setdefault((p.service.lower(), _key(p.item), p.region.lower()), []).append(p.usd)
    marked, seen = [], set()
    for p in prices:
        group = (p.service.lower(), _key(p.item), p.region.lower())
        others = () if group in seen else tuple(groups[group][1:])
        seen.add(group)
        marked.append(replace(p, alternatives=others) if others else p)
    return tuple(marked)


def _check_unit(price: Price, unit: str) -> Price:
    if _key(price.unit) != _key(unit):
        raise CostError(
            f"{price.file} line {price.line}: {price.service} '{price.item}' is priced "
            f"in '{price.unit}', but the cost model needs '{unit}'",
            hint=f"convert the figure to {unit}, or remove the line",
        )
    return price


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def check_prices_used(
    prices: Iterable[Price], today: date, max_age_days: int = MAX_AGE_DAYS
) -> str:
    """A sentence when any of ``prices`` is older than ``max_age_days`` or undated, else ``""``."""
    used = list(dict.fromkeys(prices))
    old = [p for p in used if p.as_of is not None and (today - p.as_of).days > max_age_days]
    undated = [p for p in used if p.as_of is None]
    if not old and not undated:
        return ""
    parts = []
    if old:
        oldest = min(old, key=lambda p: p.as_of)
        parts.append(
            f"{len(old)} older than {max_age_days} days (oldest: {oldest.service} {oldest.item}, "
            f"as of {oldest.as_of_text})"
        )
    if undated:
        names = ", ".join(f"{p.service} {p.item}" for p in undated[:3])
        parts.append(f"{len(undated)} undated ({names}{', ...' if len(undated) > 3 else ''})")
    return (
        f"of the {len(used)} prices this estimate uses, {' and '.join(parts)}; check them "
        "(--explain shows each source) or pass a current table with --prices"
    )
