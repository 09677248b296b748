"""One self-contained HTML page: inline CSS, inline SVG charts, real tables, no scripts.

The page's Content-Security-Policy forbids every fetch (``default-src 'none'``), so a report
opened from disk or served by ``learnburn ui`` never reaches the network, and a value that
slipped through escaping could not load anything either. Every value is escaped with
``html.escape``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from learnburn._version import __version__
from learnburn.reports._charts import Chart

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'"
STYLE = """
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de;
        --accent: #1f5a96; --bad: #b42318; --good: #1a7f37; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 1320px; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
p.lead { color: var(--muted); margin: 0 0 1rem; }
nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .4rem 1rem; }
a { color: var(--accent); }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border: 1px solid var(--line); padding: .25rem .55rem; text-align: left;
         vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0; }
figure svg { max-width: 100%; height: auto; }
.note { color: var(--muted); font-size: .9rem; }
.bad { color: var(--bad); font-weight: 600; }
.good { color: var(--good); font-weight: 600; }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5rem; }
form.filters { display: flex; gap: 1rem; align-items: end; flex-wrap: wrap; margin: 1rem 0; }
label { display: flex; flex-direction: column; font-size: .85rem; }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; }
.wide { overflow-x: auto; max-width: 100%; }
code, .hash { font: .85em/1.4 ui-monospace, "SFMono-Regular", Menlo, monospace; }
.hash { overflow-wrap: anywhere; }
tr.differs th, tr.differs td { background: #fff8e1; }
table.diff { table-layout: fixed; width: 100%; font: .8rem/1.35 ui-monospace, Menlo, monospace; }
table.diff col.next { width: 0; }
table.diff col.line { width: 2.8rem; }
table.diff td, table.diff th { white-space: pre-wrap; overflow-wrap: anywhere; border: 0;
                               padding: 0 .4rem; }
table.diff th { font: 600 .85rem/1.6 system-ui, sans-serif; border-bottom: 1px solid var(--line); }
table.diff .diff_next { padding: 0; overflow: hidden; }
table.diff td.diff_header { color: var(--muted); text-align: right; }
table.diff .diff_add { background: #dafbe1; }
table.diff .diff_chg { background: #fff1c2; }
table.diff .diff_sub { background: #ffe1e0; }
"""


def escape(value: object) -> str:
    return html.escape("" if value is None else str(value))


@dataclass
class Section:
    """A titled part of the page: paragraphs, tables and charts, already rendered."""

    id: str
    title: str
    parts: list[str] = field(default_factory=list)

    def text(self, sentence: str, *, css: str = "") -> Section:
        klass = f' class="{css}"' if css else ""
        self.parts.append(f"<p{klass}>{escape(sentence)}</p>")
        return self

    def heading(self, title: str) -> Section:
        self.parts.append(f"<h3>{escape(title)}</h3>")
        return self

    def table(
        self,
        header: Sequence[str],
        rows: Iterable[Sequence[object]],
        *,
        caption: str = "",
        numeric: Sequence[int] = (),
    ) -> Section:
        self.parts.append(table(header, rows, caption=caption, numeric=numeric))
        return self

    def charts(self, *charts: Chart | None) -> Section:
        shown = [c for c in charts if c is not None]
        if shown:
            figures = "".join(f"<figure>{c.svg}</figure>" for c in shown)
            self.parts.append(f'<div class="charts">{figures}</div>')
        return self

    def raw(self, markup: str) -> Section:
        """Markup built here from escaped values (links, forms)."""
        self.parts.append(markup)
        return self

    def render(self) -> str:
        body = "".join(self.parts)
        return f'<section id="{escape(self.id)}"><h2>{escape(self.title)}</h2>{body}</section>'


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    caption: str = "",
    numeric: Sequence[int] = (),
) -> str:
    """A real table: a caption, header cells with scope, numbers right-aligned."""
    head = "".join(f'<th scope="col">{escape(name)}</th>' for name in header)
    body = []
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            klass = ' class="num"' if index in numeric else ""
            cells.append(f"<td{klass}>{_cell(value)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def page(title: str, lead: str, sections: Sequence[Section], *, nav: str = "") -> str:
    """The whole document."""
    toc = "".join(f'<li><a href="#{escape(s.id)}">{escape(s.title)}</a></li>' for s in sections)
    made = datetime.now(UTC).isoformat(timespec="seconds")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f'<header>{nav}<h1>{escape(title)}</h1><p class="lead">{escape(lead)}</p></header>'
        f'<nav aria-label="Sections"><ul>{toc}</ul></nav>'
        f"<main>{''.join(s.render() for s in sections)}</main>"
        f"<footer>Written by learnburn {escape(__version__)} on {escape(made)}. "
        "Self-contained: no scripts, no network.</footer></body></html>"
    )


def number(value: object, digits: int = 4) -> str:
    """A number as a person reads it: scores with ``digits`` decimals, large values with fewer
    (``13,210`` rather than ``13,210.0000``)."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value != value:  # NaN
            return "–"
        size = abs(value)
        places = 0 if size >= 1_000 else min(digits, 1) if size >= 100 else digits
        return f"{value:,.{places}f}"
    return str(value)


def significant(value: float | None, digits: int = 3) -> str:
    """A measurement to ``digits`` significant digits: ``0.0123``, ``4.56``, ``13,210``."""
    if value is None or value != value:
        return "–"
    if value == 0 or abs(value) >= 10 ** (digits - 1):
        return f"{value:,.0f}"
    return f"{value:.{digits}g}" if abs(value) >= 1e-4 else f"{value:.1e}"


def size(n_bytes: int | None) -> str:
    """Bytes in words: ``3.6 KB``, ``1.2 MB``, ``812 bytes``, or ``unmeasured``."""
    if n_bytes is None:
        return "unmeasured"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.3g} {unit}"
    return f"{n_bytes:,} bytes"


def _cell(value: object) -> str:
    if isinstance(value, Markup):
        return value.text
    if isinstance(value, float | int) and not isinstance(value, bool):
        return escape(number(value))
    return escape(value)


@dataclass(frozen=True)
class Markup:
    """Markup already escaped (a link in a table cell)."""

    text: str


def link(href: str, text: str) -> Markup:
    return Markup(f'<a href="{escape(href)}">{escape(text)}</a>')
