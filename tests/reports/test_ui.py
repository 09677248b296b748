"""`learnburn ui` as it runs: a real uvicorn process on 127.0.0.1, browsed in headless Chromium;
bad requests answer 4xx."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import pytest

from learnburn.profiling._profile import free_port


@pytest.fixture(scope="module")
def ui(recorded):
    """The UI over the recorded run's store, started as `learnburn ui` from its repository."""
    _, _, _, repository = recorded
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "learnburn", "ui", "--port", str(port)],
        cwd=repository, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(base + "/", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"learnburn ui did not start: {process.stderr.read().decode()}")
        time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=10)
    process.stderr.close()


def test_browsing_runs_a_report_and_a_comparison(ui, recorded, watched_page, artifacts):
    _, run_id, _, _ = recorded
    page = watched_page
    page.goto(ui + "/")
    assert page.locator("table tbody tr").count() == 1
    assert "report-demo" in page.locator("table").inner_text()
    page.screenshot(path=str(artifacts / "ui-runs.png"), full_page=True)

    page.fill("input[name=experiment]", "no-such-experiment")
    page.click("button[type=submit]")
    page.wait_for_url("**/?experiment=no-such-experiment*")
    assert page.locator("table tbody tr").count() == 0

    page.goto(ui + "/")
    page.click(f"a[href='/runs/{run_id}']")
    page.wait_for_url(f"**/runs/{run_id}")
    charts = page.eval_on_selector_all(
        "svg[data-chart]", "nodes => nodes.map(n => n.dataset.chart)"
    )
    assert {"leaderboard", "roc", "calibration", "confusion"} <= set(charts)
    page.screenshot(path=str(artifacts / "ui-run.png"), full_page=True)

    page.goto(f"{ui}/compare?a={run_id}&b={run_id[:8]}")
    assert page.locator("h1").inner_text() == "Compare runs"
    assert page.locator("section#compare table").first.inner_text().count(run_id[:12]) >= 0
    page.screenshot(path=str(artifacts / "ui-compare.png"), full_page=True)

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
