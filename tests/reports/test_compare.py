"""The compare page as HTML: what it says when the runs cannot be paired, and that the spec diff
is escaped like every other value."""

from __future__ import annotations

import dataclasses

from learnburn._report_records import ComparedRuns
from learnburn.reports._compare import compare_page
from learnburn.runs import RunStore
from learnburn.workflows import diff_runs, run_facts


def _page(store, a, b, **changes) -> str:
    diff = dataclasses.replace(diff_runs(store, a.summary.id, b.summary.id), **changes)
    return compare_page(ComparedRuns(run_facts(a), run_facts(b), diff), nav="")


def test_runs_on_different_folds_get_no_paired_test_and_say_why(recorded):
    store, run_id, _, _ = recorded
    detail = store.get_run(run_id)
    html = _page(store, detail, detail, same_folds=False, comparisons=(), chosen=None)
    paired = html.split('<section id="paired">')[1].split("</section>")[0]
    assert "No paired test" in paired and "the seed or the splits differ" in paired
    assert "<table" not in paired


def test_the_spec_diff_is_side_by_side_and_escaped(recorded):
    store, run_id, _, _ = recorded
    a = store.get_run(run_id)
    b = dataclasses.replace(a, spec_text=a.spec_text + '\n# <img src="https://x.test/a.png">\n')
    html = _page(store, a, b, spec=("+# the unified diff",))
    spec = html.split('<section id="spec">')[1].split("</section>")[0]
    assert '<table class="diff"><colgroup>' in spec
    assert "<img" not in spec and "&lt;img" in spec
    assert "<img" not in html  # text, not a tag: nothing to fetch


def test_identical_specs_say_so_instead_of_an_empty_diff(recorded):
    store, run_id, _, _ = recorded
    detail = store.get_run(run_id)
    spec = _page(store, detail, detail).split('<section id="spec">')[1].split("</section>")[0]
    assert "The specs are the same" in spec and "<table" not in spec


def test_runs_without_a_result_record_still_compare(tmp_path):
    """Two failed runs (no result record, as a notebook run has none) compare: the spec diff,
    and no paired test."""
    with RunStore.open(tmp_path / "store.db") as store:
        ids = []
        for text in ("x = 1\n", "x = 2\n"):
            run_id = store.start_run(experiment="nb", spec_text=text, spec_hash=text, seed=None,
                                     provenance={}, environment={})  # fmt: skip
            store.fail_run(run_id, status="failed", error="cell 2 raised")
            ids.append(run_id)
        a, b = (run_facts(store.get_run(i)) for i in ids)
        html = compare_page(ComparedRuns(a, b, diff_runs(store, *ids)), nav="")
    assert "No paired test" in html and "x = 2" in html
