"""``learnburn ui``: a small read-only web app over the run store.

Pages: ``/`` lists runs (filter by experiment and status; tick two and press Compare),
``/runs/{id}`` is a run's report, ``/compare?run=ID&run=ID`` (or ``?a=ID&b=ID``) puts two runs
side by side with the spec diff, the data fingerprint change and the paired test, and
``/experiment?name=NAME`` charts the experiment's score across its runs, ``/models`` lists the
registry's models and ``/models/NAME`` shows one (versions, aliases, history with evidence).
Nothing writes to the store; every page is the same self-contained HTML as ``learnburn report``
(no scripts, no external requests; forms are plain GET). Bad input (an unknown run, a malformed
id) answers 4xx; it binds 127.0.0.1 unless told otherwise.

The app reads nothing itself: it asks a :class:`Pages` source (``workflows.StorePages`` over a
run store) for report records and renders them.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from learnburn._report_records import ComparedRuns, ExperimentRuns, RunLine, RunReport
from learnburn.errors import LearnburnError, RunStoreError
from learnburn.reports._compare import compare_page
from learnburn.reports._history import CHARTED, experiment_href, experiment_page
from learnburn.reports._models import model_page, models_page
from learnburn.reports._notebook import notebook_section
from learnburn.reports._page import CSP, Markup, Section, escape, link, page
from learnburn.reports._run import run_sections

STATUSES = ("", "running", "finished", "failed", "interrupted")
_RUN_ID = re.compile(r"^[0-9a-f]{4,32}$")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class Pages(Protocol):
    """What the app reads: records of the run store. Each method raises ``RunStoreError`` for
    an unknown run or model."""

    def list_runs(
        self, *, experiment: str | None, status: str | None, limit: int
    ) -> list[RunLine]: ...

    def find_run(self, run_id: str) -> RunLine: ...

    def run_report(self, run_id: str) -> RunReport: ...

    def compare(self, a: str, b: str) -> ComparedRuns: ...

    def experiment(self, name: str, *, limit: int, charted: int) -> ExperimentRuns: ...

    def models(self) -> list[dict[str, Any]]:
        """The registry's models, each as its JSON form."""
        ...

    def model(self, name: str) -> dict[str, Any]:
        """One model's versions, aliases and history (JSON form); ``RunStoreError`` if unknown."""
        ...


def create_ui(pages: Pages, *, limit: int = 200) -> Starlette:
    """The app, rendering what ``pages`` reads."""

    @functools.lru_cache(maxsize=32)
    def report_of(run_id: str, status: str) -> str:  # a finished run's report never changes
        report = pages.run_report(run_id)
        line = report.run.line
        return page(
            f"{line.experiment}: run {line.id[:12]}",
            f"{line.status} · started {line.started_at} · chosen {line.winner or '–'}",
            _with_notebook(report, run_sections(report)),
            nav=_nav(line.experiment),
        )

    async def runs(request: Request) -> Response:
        experiment = request.query_params.get("experiment", "").strip()
        status = request.query_params.get("status", "")
        if status not in STATUSES or len(experiment) > 200:
            return _error(400, "bad filter", "status must be one of: " + ", ".join(STATUSES[1:]))
        found = await run_in_threadpool(
            pages.list_runs, experiment=experiment or None, status=status or None, limit=limit
        )
        return _html(_runs_page(found, experiment, status))

    async def run(request: Request) -> Response:
        run_id = request.path_params["run_id"]
        if not _RUN_ID.match(run_id):
            return _error(400, "bad run id", "a run id is 4 to 32 hexadecimal characters")
        try:
            line = await run_in_threadpool(pages.find_run, run_id)
            html = await run_in_threadpool(report_of, line.id, line.status)
        except RunStoreError as error:
            return _error(404, "no such run", error.message)
        return _html(html)

    async def compare(request: Request) -> Response:
        ids = request.query_params.getlist("run") or [
            request.query_params.get(key, "") for key in ("a", "b")
        ]
        if len(ids) != 2 or not all(_RUN_ID.match(i) for i in ids):
            return _error(
                400, "choose two runs",
                f"tick exactly two runs in the list (got {len(ids)}), or pass ?a=RUN&b=RUN "
                "(4 to 32 hex characters)",
            )  # fmt: skip
        try:
            compared = await run_in_threadpool(pages.compare, *ids)  # a: the older, b: the newer
        except RunStoreError as error:
            return _error(404, "no such run", error.message)
        return _html(compare_page(compared, _nav(compared.b.line.experiment)))

    async def experiment(request: Request) -> Response:
        name = request.query_params.get("name", "").strip()
        if not name or len(name) > 200:
            return _error(400, "choose an experiment", "pass ?name=EXPERIMENT")
        found = await run_in_threadpool(
            functools.partial(pages.experiment, name, limit=limit, charted=CHARTED)
        )
        if not found.runs:
            return _error(404, "no such experiment", f"the store has no run of '{name}'")
        return _html(await run_in_threadpool(experiment_page, found, _nav(name)))

    async def models(request: Request) -> Response:
        return _html(models_page(await run_in_threadpool(pages.models)))

    async def model(request: Request) -> Response:
        name = request.path_params["name"]
        try:
            detail = await run_in_threadpool(pages.model, name)
        except RunStoreError as error:
            return _error(404, "no such model", error.message)
        return _html(model_page(detail))

    async def favicon(request: Request) -> Response:
        return Response(status_code=204)

    return Starlette(
        routes=[
            Route("/", runs),
            Route("/runs/{run_id}", run),
            Route("/compare", compare),
            Route("/experiment", experiment),
            Route("/models", models),
            Route("/models/{name}", model),
            Route("/favicon.ico", favicon),
        ],
        exception_handlers={
            LearnburnError: _learnburn_error,
            404: _not_found,
            405: _not_allowed,
        },
    )


# -- pages ----------------------------------------------------------------------------------------


def _runs_page(found: list[RunLine], experiment: str, status: str) -> str:
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
    section.raw('<form method="get" action="/compare" id="pick">')
    rows = [
        (
            _pick(r.id), link(f"/runs/{r.id}", r.id[:12]),
            link(experiment_href(r.experiment), r.experiment), r.status,
            r.started_at[:19].replace("T", " "), r.metric,
            r.winner, r.score, r.holdout, (r.commit or "")[:10], "yes" if r.dirty else "no",
        )
        for r in found
    ]  # fmt: skip
    section.table(
        ["compare", "run", "experiment", "status", "started (UTC)", "metric", "chosen",
         "mean score", "holdout", "commit", "dirty"],
        rows, caption=f"{len(rows)} run(s), newest first", numeric=(7, 8),
    )  # fmt: skip
    if len(found) >= 2:
        section.raw(
            '<p><button type="submit">Compare the two ticked runs</button> '
            '<span class="note">Tick two runs; the older one is run a.</span></p>'
        )
    section.raw("</form>")
    lead = (
        "Read-only view of the run store. Tick two runs to compare them; open an experiment to "
        "chart its score across runs."
    )
    return page("learnburn runs", lead, [section], nav=_nav())


def _pick(run_id: str) -> Markup:
    return Markup(
        f'<input type="checkbox" name="run" value="{escape(run_id)}" '
        f'aria-label="compare run {escape(run_id[:12])}">'
    )


def _with_notebook(report: RunReport, sections):
    """A notebook run's parameters, metrics and experiment runs, after its summary."""
    if report.notebook is None:
        return sections
    return [*sections[:1], notebook_section(report.notebook), *sections[1:]]


def _nav(experiment: str | None = None) -> str:
    more = ""
    if experiment:
        more = (
            f' · <a href="{escape(experiment_href(experiment))}">All runs of '
            f"{escape(experiment)}</a>"
        )
    return f'<p><a href="/">All runs</a> · <a href="/models">Models</a>{more}</p>'


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
