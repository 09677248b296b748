"""``learnburn ui``: a small read-only web app over the run store.

Pages: ``/`` lists runs (filter by experiment and status), ``/runs/{id}`` is a run's report,
``/compare?a=ID&b=ID`` puts two runs side by side. Nothing writes to the store; every page is
the same self-contained HTML as ``learnburn report`` (no scripts, no external requests). Bad
input (an unknown run, a malformed id) answers 4xx; it binds 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from learnburn.errors import LearnburnError, RunStoreError
from learnburn.reports._notebook import notebook_section
from learnburn.reports._page import CSP, Section, escape, link, number, page, table
from learnburn.reports._run import provenance, run_sections
from learnburn.runs import RunStore
from learnburn.workflows import notebook_results

STATUSES = ("", "running", "finished", "failed", "interrupted")
_RUN_ID = re.compile(r"^[0-9a-f]{4,32}$")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def create_ui(store: RunStore, *, limit: int = 200) -> Starlette:
    """The app, reading ``store``."""

    @functools.lru_cache(maxsize=32)
    def report_of(run_id: str, status: str) -> str:  # a finished run's report never changes
        detail = store.get_run(run_id)
        summary = detail.summary
        return page(
            f"{summary.experiment}: run {summary.id[:12]}",
            f"{summary.status} · started {summary.started_at} · chosen {summary.winner or '–'}",
            _with_notebook(store, detail, run_sections(store, detail)),
            nav=_nav(),
        )

    async def runs(request: Request) -> Response:
        experiment = request.query_params.get("experiment", "").strip()
        status = request.query_params.get("status", "")
        if status not in STATUSES or len(experiment) > 200:
            return _error(400, "bad filter", "status must be one of: " + ", ".join(STATUSES[1:]))
        found = await run_in_threadpool(
            store.list_runs, experiment=experiment or None, status=status or None, limit=limit
        )
        return _html(_runs_page(found, experiment, status))

    async def run(request: Request) -> Response:
        run_id = request.path_params["run_id"]
        if not _RUN_ID.match(run_id):
            return _error(400, "bad run id", "a run id is 4 to 32 hexadecimal characters")
        try:
            detail = await run_in_threadpool(store.get_run, run_id)
            html = await run_in_threadpool(report_of, detail.summary.id, detail.summary.status)
        except RunStoreError as error:
            return _error(404, "no such run", error.message)
        return _html(html)

    async def compare(request: Request) -> Response:
        ids = [request.query_params.get(key, "") for key in ("a", "b")]
        if not all(_RUN_ID.match(i) for i in ids):
            return _error(400, "choose two runs", "pass ?a=RUN&b=RUN (4 to 32 hex characters)")
        try:
            details = [await run_in_threadpool(store.get_run, i) for i in ids]
        except RunStoreError as error:
            return _error(404, "no such run", error.message)
        return _html(await run_in_threadpool(_compare_page, details))

    async def favicon(request: Request) -> Response:
        return Response(status_code=204)

    return Starlette(
        routes=[
            Route("/", runs),
            Route("/runs/{run_id}", run),
            Route("/compare", compare),
            Route("/favicon.ico", favicon),
        ],
        exception_handlers={
            LearnburnError: _learnburn_error,
            404: _not_found,
            405: _not_allowed,
        },
    )


# -- pages ----------------------------------------------------------------------------------------


def _runs_page(found, experiment: str, status: str) -> str:
    section = Section("runs", "Runs")
    options = "".join(
        f'<option value="{escape(s)}"{" selected" if s == status else ""}>{escape(s or "any")}'
        "</option>"
        for s in STATUSES
    )
    section.raw(
        '<form class="filters" method="get" action="/">'
        f'<label>Experiment<input name="experiment" value="{escape(experiment)}"></label>'
        f'<label>Status<select name="status">{options}</select></label>'
        '<button type="submit">Filter</button></form>'
    )
    rows = [
        (
            link(f"/runs/{r.id}", r.id[:12]), r.experiment, r.status,
            r.started_at[:19].replace("T", " "), r.metric,
            r.winner, r.score, r.holdout, (r.commit or "")[:10], "yes" if r.dirty else "no",
        )
        for r in found
    ]  # fmt: skip
    section.table(
        ["run", "experiment", "status", "started (UTC)", "metric", "chosen", "mean score",
         "holdout", "commit", "dirty"],
        rows, caption=f"{len(rows)} run(s), newest first", numeric=(6, 7),
    )  # fmt: skip
    if len(found) >= 2:
        a, b = found[1].id, found[0].id
        section.raw(
            f'<p><a href="/compare?{escape(urlencode({"a": a, "b": b}))}">Compare the two '
            "newest runs side by side</a> (or open /compare?a=RUN&amp;b=RUN).</p>"
        )
    return page("learnburn runs", "Read-only view of the run store.", [section], nav=_nav())


def _compare_page(details) -> str:
    section = Section("compare", "Side by side")
    rows = []
    for label, get in [
        ("experiment", lambda d: d.summary.experiment),
        ("status", lambda d: d.summary.status),
        ("started", lambda d: d.summary.started_at),
        ("metric", lambda d: d.summary.metric),
        ("chosen", lambda d: d.summary.winner),
        ("mean score", lambda d: number(d.summary.score)),
        ("holdout", lambda d: number(d.summary.holdout)),
        ("commit", lambda d: d.summary.commit),
        ("dirty", lambda d: "yes" if d.summary.dirty else "no"),
        ("data hash", lambda d: d.summary.data_hash),
        ("spec hash", lambda d: d.spec_hash),
        ("seed", lambda d: d.seed),
    ]:
        values = [get(d) for d in details]
        marker = "" if values[0] == values[1] else " (differs)"
        rows.append((label + marker, *values))
    heads = [link(f"/runs/{d.summary.id}", d.summary.id[:12]).text for d in details]
    section.table(["", "run A", "run B"], rows, caption="The two runs")
    section.raw(
        '<div class="columns">'
        + "".join(_candidates_table(d, head) for d, head in zip(details, heads, strict=True))
        + "</div>"
    )
    sections = [section]
    for name, detail in zip(("A", "B"), details, strict=True):
        part = provenance(detail)
        part.id, part.title = f"provenance-{name.lower()}", f"Provenance of run {name}"
        sections.append(part)
    return page("Compare runs", " against ".join(d.summary.id[:12] for d in details), sections,
                nav=_nav())  # fmt: skip


def _candidates_table(detail, head: str) -> str:
    record = detail.record or {}
    ranked = sorted(record.get("candidates") or [], key=lambda c: (c["rank"] is None, c["rank"]))
    rows = [(c["rank"], c["name"], c["mean"], c["ci_low"], c["ci_high"]) for c in ranked]
    body = table(["rank", "candidate", "mean", "low", "high"], rows, caption="Candidates",
                 numeric=(0, 2, 3, 4))  # fmt: skip
    return f"<div><h3>Run {head}</h3>{body}</div>"


def _with_notebook(store, detail, sections):
    """A notebook run's parameters, metrics and experiment runs, after its summary."""
    results = notebook_results(store, detail)
    if results is None:
        return sections
    return [*sections[:1], notebook_section(results), *sections[1:]]


def _nav() -> str:
    return '<p><a href="/">All runs</a></p>'


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers=HEADERS)


def _error(status: int, title: str, detail: str) -> HTMLResponse:
    section = Section("error", title).text(detail)
    return _html(page(f"{status}: {title}", detail, [section], nav=_nav()), status)


async def _not_found(request: Request, exc: Exception) -> Response:
    return _error(404, "not found", "there is no page here; the list of runs is at /")


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return _error(405, "read-only", "learnburn ui only answers GET")


async def _learnburn_error(request: Request, exc: Exception) -> Response:
    message = exc.message if isinstance(exc, LearnburnError) else str(exc)
    return _error(400, "cannot show this", message)
