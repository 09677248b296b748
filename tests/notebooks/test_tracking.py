"""Tracking inside a notebook: real notebooks executed by a real kernel, as Jupyter runs them
(the server tells the kernel its notebook's path in JPY_SESSION_NAME)."""

import json

from notebook_helpers import (
    STREAM,
    code_cell,
    commit,
    git,
    kernel_env,
    make_notebook,
    write_notebook,
)
from typer.testing import CliRunner

from learnburn.cli import app
from learnburn.notebooks import (
    code_hash,
    code_script,
    execute_notebook,
    notebook_state,
    read_notebook,
    read_reports,
)
from learnburn.spec import load_spec
from learnburn.workflows import open_store, run_and_record

EXPERIMENT = """\
from learnburn import Experiment
experiment = Experiment(
    "nb", data="../data/table.csv", target="label", folds=3, repeats=2, seed=5,
    candidates={"logistic_regression": {}, "forest": {"model": "random_forest",
                                                      "params": {"n_estimators": 10}}},
)
result = experiment.run()
result
"""


def _execute(path):
    """Run the notebook as Jupyter would: in its folder, told its own path."""
    execution = execute_notebook(
        read_notebook(path), cwd=path.parent, env=kernel_env(JPY_SESSION_NAME=str(path))
    )
    assert execution.failure is None, execution.failure
    return execution


def _outputs(execution, mime):
    return [
        output["data"][mime]
        for cell in execution.notebook["cells"]
        for output in cell.get("outputs", ())
        if mime in output.get("data", {})
    ]


def test_notebook_experiment_round_trips_to_toml_and_the_cli_reproduces_its_fold_scores(
    project,
):
    """A committed notebook's run is recorded clean with the notebook; its to_toml spec, run
    by the CLI, gives the same per-fold scores."""
    notebook = make_notebook(
        code_cell(EXPERIMENT), code_cell('experiment.to_toml("../experiments/nb.toml")')
    )
    path = write_notebook(project / "notebooks" / "explore.ipynb", notebook)
    commit(project, "explore")
    execution = _execute(path)
    [run_id] = read_reports(execution.notebook)[1]
    assert _outputs(execution, "text/html")[0].startswith("<table class='learnburn'")
    assert not any("Warning" in text for text in _outputs(execution, "text/plain"))
    with open_store(start=project) as store:
        detail = store.get_run(run_id)
    assert not detail.summary.dirty
    assert detail.provenance["notebook"] == {
        "path": "notebooks/explore.ipynb",
        "code_hash": code_hash(notebook),
        "committed": True,
    }
    assert "notebook.py" not in {a.name for a in detail.artifacts}

    commit(project, "check in the notebook's spec")
    output = project / "cli.json"
    spec = project / "experiments" / "nb.toml"
    done = CliRunner().invoke(app, ["run", str(spec), "-o", str(output), "-q"])
    assert done.exit_code == 0, done.output
    from_cli = json.loads(output.read_text())["folds"]
    cli_scores = [(f["candidate"], f["repeat"], f["fold"], f["score"]) for f in from_cli]
    notebook_scores = [(f["candidate"], f["repeat"], f["fold"], f["score"]) for f in detail.folds]
    assert sorted(cli_scores) == sorted(notebook_scores)
    assert len(cli_scores) == 2 * 3 * 2  # two candidates, three folds, two repeats


def test_an_uncommitted_notebook_run_is_dirty_with_its_code_stored_and_a_warning_shown(project):
    """Edited, uncommitted code: the run is recorded dirty, with the current code and diff,
    and the cell shows a warning."""
    path = write_notebook(
        project / "notebooks" / "explore.ipynb", make_notebook(code_cell(EXPERIMENT))
    )
    commit(project, "explore")
    edited = make_notebook(code_cell(EXPERIMENT.replace("seed=5", "seed=6")))
    write_notebook(path, edited)
    execution = _execute(path)
    [run_id] = read_reports(execution.notebook)[1]
    [warning] = [t for t in _outputs(execution, "text/plain") if t.startswith("Warning:")]
    assert "explore.ipynb's code is not committed" in warning and run_id in warning
    [html] = [h for h in _outputs(execution, "text/html") if "not committed" in h]
    assert "&#9888;" in html
    with open_store(start=project) as store:
        detail = store.get_run(run_id)
        code = next(a for a in detail.artifacts if a.name == "notebook.py")
        stored = store.artifacts.read_bytes(code.sha256).decode()
    assert detail.summary.dirty and detail.summary.status == "finished"
    assert stored == code_script(edited) and "seed=6" in stored
    assert {a.name for a in detail.artifacts} >= {"diff.patch", "notebook.py", "result.json"}
    assert detail.provenance["notebook"]["committed"] is False
    assert detail.provenance["notebook"]["code_hash"] == code_hash(edited)


def test_a_committed_notebook_saved_with_outputs_does_not_make_a_run_dirty(project, monkeypatch):
    """The notebook's origin ignores its outputs-only change; another change still counts."""
    path = write_notebook(project / "explore.ipynb", make_notebook(code_cell("print(42)")))
    (project / "experiments").mkdir()
    spec_text = (
        '[experiment]\nname = "small"\n[data]\npath = "../data/table.csv"\ntarget = "label"\n'
        "[evaluation]\nfolds = 5\nrepeats = 1\n[candidates.logistic_regression]\n"
    )
    (project / "experiments" / "small.toml").write_text(spec_text)
    commit(project, "notebook and spec")
    ran = make_notebook(code_cell("print(42)", outputs=[STREAM], count=1))
    write_notebook(path, ran)
    assert git(project, "status", "--porcelain") == "M explore.ipynb"
    spec = load_spec(project / "experiments" / "small.toml")
    origin = notebook_state(path).origin(parent_run="f" * 32)
    with open_store(start=project) as store:
        recorded = run_and_record(spec, store=store, origin=origin)
        detail = store.get_run(recorded.run_id)
    assert not detail.summary.dirty
    assert detail.provenance["parent_run"] == "f" * 32
    assert detail.provenance["notebook"]["committed"] is True


def _stderr(execution) -> str:
    return "".join(
        output.get("text", "")
        for cell in execution.notebook["cells"]
        for output in cell.get("outputs", ())
        if output.get("name") == "stderr"
    )


def test_experiment_run_in_a_kernel_not_told_its_notebook_warns_that_it_records_nothing(project):
    """Under papermill, nbclient or `jupyter execute` the kernel is not told its notebook:
    the run is not recorded, and the cell says so and how to record it."""
    path = write_notebook(
        project / "notebooks" / "headless.ipynb", make_notebook(code_cell(EXPERIMENT))
    )
    commit(project, "headless")
    execution = execute_notebook(read_notebook(path), cwd=path.parent, env=kernel_env())
    assert execution.failure is None, execution.failure
    warning = _stderr(execution)
    assert "ProvenanceWarning: this run is not recorded" in warning
    assert "Experiment.run(notebook='NAME.ipynb')" in warning
    assert "learnburn nb run NAME.ipynb" in warning
    with open_store(start=project) as store:
        assert store.list_runs() == []


def test_experiment_run_given_its_notebook_records_with_it_in_any_kernel(project):
    """Experiment.run(notebook=...) records the run with that notebook where the kernel
    cannot tell it (nbclient here), without a warning."""
    source = EXPERIMENT.replace("experiment.run()", 'experiment.run(notebook="headless.ipynb")')
    notebook = make_notebook(code_cell(source))
    path = write_notebook(project / "notebooks" / "headless.ipynb", notebook)
    commit(project, "headless")
    execution = execute_notebook(read_notebook(path), cwd=path.parent, env=kernel_env())
    assert execution.failure is None, execution.failure
    assert "Warning" not in _stderr(execution)
    [run_id] = read_reports(execution.notebook)[1]
    with open_store(start=project) as store:
        detail = store.get_run(run_id)
    assert not detail.summary.dirty
    assert detail.provenance["notebook"] == {
        "path": "notebooks/headless.ipynb",
        "code_hash": code_hash(notebook),
        "committed": True,
    }
