"""The run report's tuning section: each tuned candidate's trials, best inner score and chosen
params, the hyperparameters' importances, every trial of the refit's search and a chart of the
inner score by trial, all from the recorded run's ``tuning`` part."""

from __future__ import annotations

import re
import textwrap

import pytest

from learnburn.errors import ProvenanceWarning
from learnburn.reports import render_run_report
from learnburn.spec import load_spec
from learnburn.workflows import gather_run_report, open_store, run_and_record

TUNED = """
[experiment]
name = "tuned"
[data]
path = "table.csv"
target = "label"
[evaluation]
folds = 2
repeats = 1
seed = 2
holdout = 0.25
[candidates.lr]
model = "logistic_regression"
search = { n_trials = 6, inner_folds = 2, space = { C = "log-uniform(0.01, 10)" } }
[candidates.dummy]
"""


@pytest.fixture(scope="module")
def tuned_run(tmp_path_factory, table_maker):
    """A recorded run whose lr candidate was tuned (6 trials a search), with its report."""
    tmp_path = tmp_path_factory.mktemp("tuned")
    table_maker().to_csv(tmp_path / "table.csv", index=False)
    (tmp_path / "tuned.toml").write_text(textwrap.dedent(TUNED))
    with open_store(start=tmp_path) as store:
        with pytest.warns(ProvenanceWarning):
            recorded = run_and_record(load_spec(tmp_path / "tuned.toml"), store=store)
        report = gather_run_report(store, recorded.run_id)
    return report, render_run_report(report)


def _section(html: str, name: str) -> str:
    return html.split(f'<section id="{name}">')[1].split("</section>")[0]


def test_the_report_shows_each_tuned_candidate_with_its_best_score_and_chosen_params(tuned_run):
    report, html = tuned_run
    tuning = report.run.record["tuning"]
    section = _section(html, "tuning")
    refit = tuning["refit"]["lr"]  # lr beats the dummy: chosen, its refit's search picked C
    row = re.search(r"<tr><td>lr</td>(.*?)</tr>", section)[1]
    assert f'<td class="num">{tuning["candidates"]["lr"]["trials_run"]}</td>' in row
    assert f"C={refit['best_params']['C']:.4g}" in row
    assert f"{refit['best_score']:.4f}" in row
    assert "<tr><td>dummy</td>" not in section  # an untuned candidate is not listed


def test_the_report_lists_hyperparameter_importances_and_charts_the_trials(tuned_run):
    report, html = tuned_run
    section = _section(html, "tuning")
    importances = report.run.record["tuning"]["candidates"]["lr"]["importances"]
    assert importances  # 6 completed trials a search: enough to estimate them
    assert "<td>lr</td><td>C</td>" in section
    assert 'data-chart="tuning"' in section
    assert "Inner roc_auc by trial" in section


def test_the_report_lists_every_trial_of_the_refit_search(tuned_run):
    report, html = tuned_run
    refit = report.run.record["tuning"]["refit"]
    table = _section(html, "tuning").split("Every trial of lr")[1].split("</table>")[0]
    assert table.count("<tr><td") == len(refit["lr"]["trials"]) == 6


def test_a_run_without_tuned_candidates_has_no_tuning_section(recorded):
    store, run_id, _, _ = recorded
    html = render_run_report(gather_run_report(store, run_id))
    assert '<section id="tuning">' not in html
