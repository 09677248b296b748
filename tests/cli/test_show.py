"""`learnburn show` on a recorded run: the holdout interval, the decision threshold and its
expected cost, as `learnburn run` printed them."""

from __future__ import annotations

import re
import textwrap

import pytest
from typer.testing import CliRunner

from learnburn.cli import app
from learnburn.errors import ProvenanceWarning
from learnburn.spec import load_spec
from learnburn.workflows import open_store, run_and_record

runner = CliRunner(env={"COLUMNS": "200", "LEARNBURN_STORE": None})

COSTS = """
[decision.costs]
false_positive = 1.0
false_negative = 5.0
"""


def test_show_prints_the_holdout_interval_threshold_and_expected_cost(
    tmp_path, table_maker, small_spec_text
):
    """The run's holdout score with its bootstrap interval, the threshold and the expected
    cost per 1,000 decisions with its interval, and the cost realised on the holdout."""
    table_maker().to_csv(tmp_path / "table.csv", index=False)
    spec_path = tmp_path / "small.toml"
    spec_path.write_text(small_spec_text + textwrap.dedent(COSTS))
    with open_store(start=tmp_path) as store:
        with pytest.warns(ProvenanceWarning):
            recorded = run_and_record(load_spec(spec_path), store=store)
        detail = store.get_run(recorded.run_id)
        url = store.url
    decision, holdout = detail.record["decision"], detail.record["holdout"]
    shown = runner.invoke(app, ["show", recorded.run_id, "--store", url])
    assert shown.exit_code == 0, shown.output
    text = " ".join(shown.output.split())
    interval = holdout["interval"]
    assert re.search(
        rf"holdout \({holdout['rows']} rows\): roc_auc of \w+ = [0-9.]+, 95% "
        rf"{interval['method']} bootstrap interval \[[0-9.]+, [0-9.]+\]",
        text,
    )
    assert f">= {decision['threshold']:.3f}" in text
    cost = decision["expected_cost"]
    assert (
        f"expected cost {cost['per_1000']:.1f} per 1,000 decisions, 95% interval "
        f"[{cost['low']:.1f}, {cost['high']:.1f}]" in text
    )
    assert "cost on the holdout:" in text


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
search = { n_trials = 3, inner_folds = 2, space = { C = "log-uniform(0.01, 10)" } }
"""


def test_show_prints_each_tuned_candidates_line_as_run_does(tmp_path, table_maker):
    """A tuned candidate's trials and the params its refit chose, in the line `run` prints."""
    table_maker().to_csv(tmp_path / "table.csv", index=False)
    spec_path = tmp_path / "tuned.toml"
    spec_path.write_text(TUNED)
    with open_store(start=tmp_path) as store:
        with pytest.warns(ProvenanceWarning):
            recorded = run_and_record(load_spec(spec_path), store=store)
        url = store.url
    shown = runner.invoke(app, ["show", recorded.run_id, "--store", url])
    assert shown.exit_code == 0, shown.output
    text = " ".join(shown.output.split())
    refit = recorded.result.tuning["refit"]["lr"]["best_params"]["C"]
    assert "Tuned lr: 6 trials in 2 outer folds (each on its training rows only)" in text
    assert f"refit with C={refit:.4g}" in text
