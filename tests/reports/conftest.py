"""A recorded run (binary, with costs) in a fresh store, its bundle, and a headless Chromium.

Chromium is Debian's package (``tests/fixtures/install_chromium.sh``, run by ``make test``),
driven by Playwright with the system browser: Playwright never downloads a browser here."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from learnburn.profiling._profile import free_port
from learnburn.spec import load_spec
from learnburn.workflows import export_bundle, open_store, run_and_record

SPEC = """
    [experiment]
    name = "report-demo"
    [data]
    path = "table.csv"
    target = "label"
    [evaluation]
    folds = 3
    repeats = 2
    seed = 3
    holdout = 0.25
    [decision.costs]
    false_positive = 1.0
    false_negative = 4.0
    [candidates.logistic_regression]
    [candidates.random_forest]
    params = { n_estimators = 20 }
"""
ROOT = Path(__file__).resolve().parents[2]
BROWSER_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


@contextlib.contextmanager
def running_ui(options: list[str], cwd: Path):
    """`learnburn ui OPTIONS` started in ``cwd`` on a free loopback port; yields its base URL
    once it answers, and stops it after."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "learnburn", "ui", "--port", str(port), *options],
        cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
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
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()


@pytest.fixture(scope="session")
def start_ui():
    """:func:`running_ui`, for the tests that browse a store."""
    return running_ui


@pytest.fixture(scope="session")
def recorded(tmp_path_factory, table_maker):
    """(store, run id, bundle path, repository folder) of one recorded run, in the default
    store of a git repository (``.learnburn/`` at its root)."""
    folder = tmp_path_factory.mktemp("report")
    table_maker(400).to_csv(folder / "table.csv", index=False)
    (folder / "spec.toml").write_text(SPEC)
    (folder / ".gitignore").write_text("store.db*\n.learnburn/\n*.lbm\n")
    for command in (
        ["init", "-q", "-b", "main"],
        ["add", "."],
        ["-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "-qm", "x"],
    ):
        subprocess.run(["git", *command], cwd=folder, check=True)  # fmt: skip
    store = open_store(start=folder)
    run = run_and_record(load_spec(folder / "spec.toml"), store=store)
    bundle = export_bundle(store, run.run_id, folder / "model.lbm")
    yield store, run.run_id, bundle, folder
    store.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go: $LEARNBURN_TEST_ARTIFACTS, else test-artifacts/ in the checkout."""
    folder = Path(os.environ.get("LEARNBURN_TEST_ARTIFACTS") or ROOT / "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium through Playwright."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("Debian's chromium is not installed: run tests/fixtures/install_chromium.sh")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def watched_page(browser):
    """A page that records console messages, page errors and every request it makes."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.console_messages, page.page_errors, page.requested = [], [], []
    page.on("console", lambda message: page.console_messages.append(message))
    page.on("pageerror", lambda error: page.page_errors.append(str(error)))
    page.on("request", lambda request: page.requested.append(request.url))
    yield page
    page.close()
