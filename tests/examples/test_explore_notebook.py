"""examples/loans/explore.ipynb: committed without outputs, and it runs top to bottom in a real
kernel, showing the leaderboard."""

import os
from pathlib import Path

from learnburn.notebooks import check_notebook, execute_notebook, read_notebook, read_reports

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "loans" / "explore.ipynb"
# Without these the kernel knows no notebook: the example's run is not recorded in this repository.
_NOTEBOOK_VARIABLES = ("JPY_SESSION_NAME", "LEARNBURN_NOTEBOOK", "LEARNBURN_RUN", "LEARNBURN_STORE")


def test_explore_notebook_is_committed_without_outputs():
    """The example passes `learnburn nb check`: no outputs, no execution counts."""
    result = check_notebook(NOTEBOOK)
    assert result.ok, result.problems


def test_explore_notebook_runs_in_a_real_kernel_and_shows_the_leaderboard():
    """Every cell runs; the leaderboard renders as HTML and the holdout metric is reported."""
    env = {k: v for k, v in os.environ.items() if k not in _NOTEBOOK_VARIABLES}
    execution = execute_notebook(read_notebook(NOTEBOOK), cwd=NOTEBOOK.parent, env=env)
    assert execution.failure is None, execution.failure and execution.failure.message("explore")
    outputs = [o for c in execution.notebook["cells"] for o in c.get("outputs", ())]
    tables = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any(t.startswith("<table class='learnburn'") and "loans-explore: roc_auc" in t
               for t in tables)  # fmt: skip
    metrics, runs = read_reports(execution.notebook)
    assert 0.5 < metrics["holdout_roc_auc"] <= 1.0
    assert runs == []  # no notebook known to the kernel: nothing recorded
    printed = "".join(o.get("text", "") for o in outputs if o.get("name") == "stdout")
    assert "[candidates.hist_gradient_boosting]" in printed and 'target = "approve"' in printed
