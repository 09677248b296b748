"""A notebook run's page in `learnburn ui` (a real uvicorn process on 127.0.0.1): its
parameters, the metrics it recorded and links to the experiment runs made inside it."""

from __future__ import annotations

import json

import httpx
import pytest

from learnburn.runs import RunStore
from learnburn.workflows import NOTEBOOK_SUMMARY


def _notebook_run(store: RunStore, child: str) -> str:
    """A finished notebook run, recorded as `learnburn nb run` records one."""
    notebook = {"path": "auc.ipynb", "code_hash": "0" * 64, "committed": True}
    run_id = store.start_run(
        experiment="auc", spec_text="# %%\nfolds = 7\n", spec_hash="1" * 64, seed=None,
        provenance={"notebook": notebook | {"parameters": {"folds": 7}}, "dirty": False},
        environment={},
    )  # fmt: skip
    reported = {"notebook": "auc.ipynb", "parameters": {"folds": 7},
                "metrics": {"holdout_auc": 0.875}, "runs": [child], "seconds": 1.5,
                "failed_cell": None}  # fmt: skip
    sha, size = store.artifacts.put_bytes(json.dumps(reported).encode())
    store.add_artifact(run_id, NOTEBOOK_SUMMARY, sha, size, "record")
    store.finish_run(run_id, None)
    return run_id


@pytest.fixture
def ui_store(tmp_path, start_ui):
    """(base URL, notebook run id, child run id) of the UI over a store with a notebook run."""
    path = tmp_path / "store.db"
    with RunStore.open(path) as store:
        child = "c" * 32
        run_id = _notebook_run(store, child)
    with start_ui(["--store", str(path)], cwd=tmp_path) as base:
        yield base, run_id, child


def test_a_notebook_runs_page_shows_its_parameters_metrics_and_experiment_runs(ui_store):
    """The run page lists the -p parameters and recorded metrics, and links its experiment runs."""
    base, run_id, child = ui_store
    page = httpx.get(f"{base}/runs/{run_id}", timeout=30)
    assert page.status_code == 200
    html = page.text
    assert '<section id="notebook"><h2>Notebook</h2>' in html
    assert "<p>Notebook auc.ipynb, its code committed.</p>" in html
    assert "<td>folds</td><td>7</td>" in html
    assert '<td>holdout_auc</td><td class="num">0.8750</td>' in html
    assert f'<a href="/runs/{child}">{child[:12]}</a>' in html
