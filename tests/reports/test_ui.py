"""`learnburn ui` as it runs: a real uvicorn process on 127.0.0.1, browsed in headless Chromium
(runs ticked and compared, an experiment's chart, screenshots kept); bad requests answer 4xx."""

from __future__ import annotations

import subprocess

import httpx
import pytest

from learnburn.spec import load_spec
from learnburn.workflows import run_and_record

SCREEN = {"width": 1400, "height": 900}


@pytest.fixture(scope="module")
def second(recorded):
    """A second run of the same experiment from a later commit that grows the forest: the same
    data, seed and folds, a different spec. Returns (older run id, newer run id)."""
    store, run_id, _, repository = recorded
    spec = repository / "spec.toml"
    spec.write_text(spec.read_text().replace("n_estimators = 20", "n_estimators = 40"))
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "-qam",
         "grow the forest"], cwd=repository, check=True,
    )  # fmt: skip
    newer = run_and_record(load_spec(spec), store=store)
    return run_id, newer.run_id


@pytest.fixture(scope="module")
def ui(recorded, second, start_ui):
    """The UI over the recorded runs' store, started as `learnburn ui` from its repository."""
    _, _, _, repository = recorded
    with start_ui([], cwd=repository) as base:
        yield base


def test_browsing_runs_and_a_report(ui, recorded, watched_page, artifacts):
    _, run_id, _, _ = recorded
    page = watched_page
    page.set_viewport_size(SCREEN)
    page.goto(ui + "/")
    assert page.locator("table tbody tr").count() == 2
    assert "report-demo" in page.locator("table").inner_text()
    assert page.locator("input[type=checkbox][name=run]").count() == 2
    page.screenshot(path=str(artifacts / "ui-runs.png"), full_page=True)

    page.fill("input[name=experiment]", "no-such-experiment")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/?experiment=no-such-experiment*")
    assert page.locator("table tbody tr").count() == 0

    page.goto(ui + "/")
    page.click(f"a[href='/runs/{run_id}']")
    page.wait_for_url(f"**/runs/{run_id}")
    charts = page.eval_on_selector_all(
        "svg[data-chart]", "nodes => nodes.map(n => n.dataset.chart)"
    )
    assert {"leaderboard", "roc", "calibration", "confusion"} <= set(charts)
    assert page.locator("header a", has_text="All runs of report-demo").count() == 1
    page.screenshot(path=str(artifacts / "ui-run.png"), full_page=True)
    _assert_quiet(page, ui)


def test_ticking_two_runs_compares_them_on_one_screen(ui, second, watched_page, artifacts):
    """Two ticked runs open the compare page: the spec diff, the unchanged data fingerprint and
    the paired test of the chosen candidates on their shared folds, no wider than 1400 px."""
    older, newer = second
    page = watched_page
    page.set_viewport_size(SCREEN)
    page.goto(ui + "/")
    for run_id in (newer, older):
        page.check(f"input[name=run][value='{run_id}']")
    page.click("form#pick button[type=submit]")
    page.wait_for_url("**/compare?run=*")
    assert page.locator("h1").inner_text() == "Compare runs"
    assert older[:12] in page.locator("p.lead").inner_text().split("against")[0]  # a: the older
    spec = page.locator("section#spec table.diff").inner_text().replace("\xa0", " ")
    assert "n_estimators = 20" in spec and "n_estimators = 40" in spec
    assert page.locator("section#data").inner_text().count("same") >= 4
    paired = page.locator("section#paired").inner_text()
    assert "random_forest (chosen in both)" in paired and "p (corrected)" in paired
    assert "shared folds" in paired
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SCREEN["width"]  # nothing runs off a 1400 px screen
    page.screenshot(path=str(artifacts / "ui-compare.png"), full_page=True)
    _assert_quiet(page, ui)


def test_an_experiment_page_charts_the_score_across_runs(ui, second, watched_page, artifacts):
    page = watched_page
    page.set_viewport_size(SCREEN)
    page.goto(ui + "/")
    page.locator("a", has_text="report-demo").first.click()
    page.wait_for_url("**/experiment?name=report-demo")
    chart = page.locator("svg[data-chart=history]")
    assert chart.count() == 1 and chart.bounding_box()["width"] > 400
    assert "roc_auc across runs" in chart.locator("title").first.text_content()
    charted = page.locator("section#history table tbody tr")
    assert charted.count() == 2
    assert second[1][:12] in charted.first.inner_text()  # newest first
    page.screenshot(path=str(artifacts / "ui-experiment.png"), full_page=True)
    chart.screenshot(path=str(artifacts / "ui-experiment-chart.png"))
    _assert_quiet(page, ui)


def _assert_quiet(page, ui: str) -> None:
    """No console message, no script error, no request leaving the UI."""
    assert page.console_messages == [] and page.page_errors == []
    assert page.requested and all(url.startswith(ui + "/") for url in page.requested)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/runs/ffffffff0000", 404),
        ("/runs/not-an-id", 400),
        ("/runs/..%2f..%2fetc", 404),
        ("/?status=bogus", 400),
        ("/compare", 400),
        ("/compare?a=ffff0000&b=ffff0001", 404),
        ("/compare?run=ffff0000", 400),
        ("/compare?run=ffff0000&run=ffff0001&run=ffff0002", 400),
        ("/experiment", 400),
        ("/experiment?name=no-such-experiment", 404),
        ("/nowhere", 404),
    ],
)
def test_bad_requests_answer_4xx_with_a_page(ui, path, status):
    reply = httpx.get(ui + path, timeout=10)
    assert reply.status_code == status
    assert "text/html" in reply.headers["content-type"]


def test_the_ui_only_reads_and_sets_safe_headers(ui):
    reply = httpx.get(ui + "/", timeout=10)
    assert reply.headers["content-security-policy"].startswith("default-src 'none'")
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert httpx.post(ui + "/", timeout=10).status_code == 405


def test_the_compare_form_and_pages_work_without_a_browser(ui, second):
    """The runs list is a plain GET form of checkboxes; its query opens the comparison, and an
    experiment link opens the chart (checked over HTTP, so it holds where Chromium is absent)."""
    older, newer = second
    listing = httpx.get(ui + "/", timeout=30).text
    assert '<form method="get" action="/compare" id="pick">' in listing
    assert f'<input type="checkbox" name="run" value="{older}"' in listing
    assert '<a href="/experiment?name=report-demo">report-demo</a>' in listing
    reply = httpx.get(ui + "/compare", params=[("run", newer), ("run", older)], timeout=60)
    assert reply.status_code == 200
    assert "random_forest (chosen in both)" in reply.text and "<script" not in reply.text
    chart = httpx.get(ui + "/experiment", params={"name": "report-demo"}, timeout=60).text
    assert 'data-chart="history"' in chart


def test_the_models_pages_show_versions_aliases_and_history(ui, recorded):
    """/models lists the registry; /models/NAME shows the versions, where the alias points and
    the history with its reason; an unknown model answers 404."""
    from learnburn.workflows import promote_run

    store, run_id, _, _ = recorded
    promote_run(store, "demo", run_id, reason="first model", actor="ana@laptop")
    listing = httpx.get(ui + "/models", timeout=30).text
    assert '<a href="/models/demo">demo</a>' in listing and "production → v1" in listing
    shown = httpx.get(ui + "/models/demo", timeout=30).text
    assert f'<a href="/runs/{run_id}">{run_id[:12]}</a>' in shown
    assert "first model" in shown and "ana@laptop" in shown and "<script" not in shown
    assert httpx.get(ui + "/models/nobody", timeout=30).status_code == 404
