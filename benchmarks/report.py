"""Benchmark: the HTML report of the demo run: its size, and how long Chromium takes to open it.

The demo experiment (``examples/loans/loans.toml``, 2 jobs) is run and recorded in a temporary
store, and ``learnburn report`` of its bundle is written with the run's sections. Targets: the
file is <= 2 MB, and Debian's headless Chromium reaches the page's load event in <= 1 s (the
median of 5 fresh pages, from navigation start), with a blank page's load time in the same
browser printed as the baseline. Without Chromium the load target is reported as not measured.

    .venv/bin/python benchmarks/report.py
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

from learnburn.reports import render_bundle_report
from learnburn.runs import RunStore
from learnburn.spec import load_spec
from learnburn.workflows import export_bundle, gather_bundle_report, run_and_record

ROOT = Path(__file__).resolve().parents[1]
SIZE_MB = 2.0
LOAD_S = 1.0


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="learnburn-bench-report-") as folder:
        store = RunStore.open(folder=Path(folder))
        start = time.perf_counter()
        run = run_and_record(
            load_spec(ROOT / "examples" / "loans" / "loans.toml"), store=store, jobs=2,
            allow_dirty=True,
        )  # fmt: skip
        print(f"demo run recorded in {time.perf_counter() - start:.1f} s")
        bundle = export_bundle(store, run.run_id, Path(folder) / "loans.lbm")
        start = time.perf_counter()
        html = render_bundle_report(gather_bundle_report(bundle, store=store))
        print(f"report built in {time.perf_counter() - start:.2f} s")
        path = Path(folder) / "report.html"
        path.write_text(html, encoding="utf-8")
        blank = Path(folder) / "blank.html"
        blank.write_text("<!doctype html><title>blank</title>", encoding="utf-8")
        size_mb = path.stat().st_size / 1e6
        loads = _load_seconds([blank, path])
        store.close()
    print(f"report size: {size_mb:.3f} MB")
    met = "met" if size_mb <= SIZE_MB else "missed"
    print(f"target report_size_mb: {size_mb:.3f} (goal <= {SIZE_MB:g}) {met}")
    if loads is None:
        print(f"target report_load_s: not measured: no chromium (goal <= {LOAD_S:g}) missed")
        return 0
    blank_s, report_s = loads
    print(f"Chromium load event: blank page {blank_s * 1e3:.1f} ms, report {report_s * 1e3:.1f} ms "
          f"({report_s / blank_s:.1f}x the blank page)")  # fmt: skip
    met = "met" if report_s <= LOAD_S else "missed"
    print(f"target report_load_s: {report_s:.3f} (goal <= {LOAD_S:g}) {met}")
    return 0


def _load_seconds(pages: list[Path]) -> list[float] | None:
    executable = shutil.which("chromium")
    if executable is None:
        return None
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    results = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=executable, args=args)
        for page_path in pages:
            times = []
            for _ in range(5):
                page = browser.new_page()
                page.goto(page_path.as_uri(), wait_until="load")
                times.append(
                    page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
                    / 1e3
                )
                page.close()
            results.append(statistics.median(times))
        browser.close()
    return results


if __name__ == "__main__":
    raise SystemExit(main())
