"""`learnburn nb run`, `nb check` and `nb strip`, with real notebooks, a real kernel and a real
git repository."""

import json
import re
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parents[1] / "notebooks"))  # the notebook test helpers

from notebook_helpers import (
    STREAM,
    code_cell,
    commit,
    make_notebook,
    make_project,
    markdown_cell,
    write_notebook,
)

from learnburn.cli import app
from learnburn.notebooks import code_script, read_notebook
from learnburn.workflows import open_store

runner = CliRunner(env={"COLUMNS": "200", "LEARNBURN_STORE": None, "JPY_SESSION_NAME": None})

PARAMETERS = 'folds = 2\nlabel = "default"'
EXPERIMENT = """\
import learnburn
experiment = learnburn.Experiment(
    "tuned", data="data/table.csv", target="label", folds=folds, repeats=1,
    candidates=["logistic_regression"],
)
result = experiment.run()
learnburn.record_metric("cv_auc", result.candidates[0].mean)
print("label is", label)
"""


@pytest.fixture
def project(tmp_path, table_maker):
    return make_project(tmp_path / "project", table_maker())


def _artifact(store, detail, name) -> bytes:
    ref = next(a for a in detail.artifacts if a.name == name)
    return store.artifacts.read_bytes(ref.sha256)


def test_nb_run_records_parameters_the_executed_notebook_metrics_and_experiment_runs(project):
    """-p values are injected after the parameters cell; the run keeps them, the executed
    notebook, the metric it recorded and the experiment run made inside it."""
    notebook = make_notebook(code_cell(PARAMETERS, tags=("parameters",)), code_cell(EXPERIMENT))
    path = write_notebook(project / "train.ipynb", notebook)
    commit(project, "train notebook")
    output = project / "out" / "executed.ipynb"
    done = runner.invoke(
        app, ["nb", "run", str(path), "-p", "folds=3", "-p", "label=tuned", "-o", str(output), "-q"]
    )
    assert done.exit_code == 0, done.output
    assert "metric cv_auc = " in done.output
    with open_store(start=project) as store:
        [child, parent] = store.list_runs()
        detail = store.get_run(parent.id)
        executed = json.loads(_artifact(store, detail, "executed.ipynb"))
        reported = json.loads(_artifact(store, detail, "notebook.json"))
        child_detail = store.get_run(child.id)
    assert parent.experiment == "train" and parent.status == "finished"
    assert not parent.dirty
    assert detail.provenance["notebook"]["parameters"] == {"folds": 3, "label": "tuned"}
    assert detail.provenance["notebook"]["committed"] is True
    injected = executed["cells"][1]
    assert injected["metadata"]["tags"] == ["injected-parameters"]
    assert "folds = 3\nlabel = 'tuned'" in "".join(injected["source"])
    printed = [o["text"] for o in executed["cells"][2]["outputs"] if o.get("name") == "stdout"]
    assert "label is tuned\n" in printed
    assert reported["runs"] == [child.id]
    assert reported["metrics"]["cv_auc"] == pytest.approx(
        child_detail.record["candidates"][0]["mean"]
    )
    assert child_detail.provenance["parent_run"] == parent.id
    assert child_detail.record["splits"]["folds"] == 3  # the injected value, not the default
    assert read_notebook(output)["cells"][1]["metadata"]["tags"] == ["injected-parameters"]


def test_nb_run_refuses_an_uncommitted_notebook_unless_allow_dirty(project):
    """Uncommitted code stops the run before anything is recorded; --allow-dirty runs it,
    marked dirty, with its code stored."""
    path = write_notebook(project / "hello.ipynb", make_notebook(code_cell("print('hello')")))
    commit(project, "hello")
    edited = make_notebook(code_cell("print('hello again')"))
    write_notebook(path, edited)
    refused = runner.invoke(app, ["nb", "run", str(path), "-q"])
    assert refused.exit_code == 1
    assert "the code of hello.ipynb is not committed" in refused.output
    assert "--allow-dirty" in refused.output
    with open_store(start=project) as store:
        assert store.list_runs() == []

    done = runner.invoke(app, ["nb", "run", str(path), "--allow-dirty", "-q"])
    assert done.exit_code == 0, done.output
    assert "dirty" in done.output
    with open_store(start=project) as store:
        [run] = store.list_runs()
        detail = store.get_run(run.id)
        stored = _artifact(store, detail, "notebook.py").decode()
    assert run.dirty and run.status == "finished"
    assert stored == code_script(edited)
    assert {"diff.patch", "executed.ipynb"} <= {a.name for a in detail.artifacts}
    shown = runner.invoke(
        app, ["show", run.id, "--store", str(project / ".learnburn" / "store.db")]
    )
    assert shown.exit_code == 0, shown.output
    assert "artifact executed.ipynb" in shown.output
    again = runner.invoke(
        app, ["reproduce", run.id, "--store", str(project / ".learnburn" / "store.db")]
    )
    assert again.exit_code == 1
    assert "was not run from a spec file" in again.output


def test_nb_run_reports_the_failing_cell_its_source_and_the_error(project):
    """A cell that raises fails the command with the cell's number, source and traceback;
    the run is recorded failed, with the notebook as executed up to there."""
    notebook = make_notebook(
        markdown_cell("# Divide"),
        code_cell("numerator = 1"),
        code_cell("def ratio(x):\n    return numerator / x\n\nratio(0)"),
        code_cell("print('never')"),
    )
    path = write_notebook(project / "divide.ipynb", notebook)
    commit(project, "divide")
    done = runner.invoke(app, ["nb", "run", str(path), "-q"])
    assert done.exit_code == 1
    assert "cell 3 of divide.ipynb failed with ZeroDivisionError: division by zero" in done.output
    assert "    return numerator / x" in done.output  # the cell's source
    assert "ratio(0)" in done.output and "Traceback" in done.output
    assert "\x1b[" not in done.output  # no colour codes from the kernel
    with open_store(start=project) as store:
        [run] = store.list_runs()
        detail = store.get_run(run.id)
        executed = json.loads(_artifact(store, detail, "executed.ipynb"))
    assert run.status == "failed" and "ZeroDivisionError" in detail.error
    assert executed["cells"][3]["outputs"] == []  # the cell after the failure never ran


def test_nb_run_refuses_an_unknown_parameter_before_starting_a_kernel(project):
    """A -p name the parameters cell does not set is a usage mistake: nothing is recorded."""
    notebook = make_notebook(code_cell(PARAMETERS, tags=("parameters",)))
    path = write_notebook(project / "train.ipynb", notebook)
    commit(project, "train")
    done = runner.invoke(app, ["nb", "run", str(path), "-p", "fold=3"])
    assert done.exit_code == 1
    assert "no parameter 'fold'" in done.output
    with open_store(start=project) as store:
        assert store.list_runs() == []


def test_nb_check_fails_on_a_notebook_with_outputs_and_passes_after_nb_strip(tmp_path):
    """check exits 1 naming the notebook with outputs; strip fixes it; check then exits 0."""
    clean = write_notebook(tmp_path / "clean.ipynb", make_notebook(code_cell("x = 1")))
    ran = make_notebook(code_cell("print(42)", outputs=[STREAM], count=1))
    dirty = write_notebook(tmp_path / "sub" / "ran.ipynb", ran)
    failed = runner.invoke(app, ["nb", "check", str(tmp_path)])
    assert failed.exit_code == 1
    assert "ran.ipynb: 1 code cell with outputs; 1 code cell with an execution count" in (
        failed.output
    )
    assert "clean.ipynb" not in failed.output
    stripped = runner.invoke(app, ["nb", "strip", str(clean), str(dirty)])
    assert stripped.exit_code == 0, stripped.output
    assert f"stripped {dirty}" in stripped.output and "1 of 2 notebooks stripped" in stripped.output
    passed = runner.invoke(app, ["nb", "check", str(tmp_path)])
    assert passed.exit_code == 0, passed.output
    assert "2 notebooks carry no outputs" in passed.output


def test_the_pre_commit_hooks_run_nb_check_and_nb_strip():
    """.pre-commit-hooks.yaml names the two commands, for notebooks only; both run."""
    yaml = pytest.importorskip("yaml")
    hooks_file = Path(__file__).parents[2] / ".pre-commit-hooks.yaml"
    hooks = {hook["id"]: hook for hook in yaml.safe_load(hooks_file.read_text())}
    assert set(hooks) == {"learnburn-nb-check", "learnburn-nb-strip"}
    assert all(h["language"] == "python" and h["types"] == ["jupyter"] for h in hooks.values())
    assert hooks["learnburn-nb-check"]["entry"] == "learnburn nb check"
    assert hooks["learnburn-nb-strip"]["entry"] == "learnburn nb strip"


# -- notebooks as Jupyter, VS Code and jupytext save them -----------------------------------------

METRIC = (
    'import learnburn\nlearnburn.record_metric("auc", 0.5 + folds / 100)\nprint("folds", folds)\n'
)


def _saved_by_nbformat(path: Path) -> None:
    """nbformat.write, as Jupyter saves: every source a list of lines, format 4.5 with ids."""
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    parameters = nbformat.v4.new_code_cell("folds = 2\n")
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [nbformat.v4.new_markdown_cell("# AUC\nby folds"), parameters]
    notebook.cells.append(nbformat.v4.new_code_cell(METRIC))
    nbformat.write(notebook, path)
    assert isinstance(json.loads(path.read_text())["cells"][2]["source"], list)


def _lines(source: str) -> list[str]:
    return source.splitlines(keepends=True)


def _saved_by_jupyterlab(path: Path, *, minor: int = 4, metadata: dict | None = None) -> None:
    """Raw JSON as JupyterLab and VS Code write it: sources as lists of lines, no cell ids
    before format 4.5, editor metadata."""
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": _lines("# AUC\nby folds")},
        {"cell_type": "code", "execution_count": 3, "metadata": {"tags": ["parameters"]},
         "outputs": [], "source": _lines("folds = 2\n")},
        {"cell_type": "code", "execution_count": 4, "metadata": {}, "outputs": [STREAM],
         "source": _lines(METRIC)},
    ]  # fmt: skip
    meta = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python", "version": "3.11.0"},
        "vscode": {"interpreter": {"hash": "0" * 64}},
        **(metadata or {}),
    }
    document = {"cells": cells, "metadata": meta, "nbformat": 4, "nbformat_minor": minor}
    path.write_text(json.dumps(document, indent=1) + "\n")


def _jupytext_pair(path: Path) -> None:
    """A notebook paired by jupytext with a percent-format script beside it, written by hand."""
    _saved_by_jupyterlab(path, minor=5, metadata={"jupytext": {"formats": "ipynb,py:percent"}})
    document = json.loads(path.read_text())
    for index, cell in enumerate(document["cells"]):
        cell["id"] = f"cell{index}"  # 4.5 needs ids
    path.write_text(json.dumps(document, indent=1) + "\n")
    path.with_suffix(".py").write_text(
        "# ---\n# jupyter:\n#   jupytext:\n#     formats: ipynb,py:percent\n# ---\n\n"
        f'# %% [markdown]\n# # AUC\n# by folds\n\n# %% tags=["parameters"]\nfolds = 2\n\n'
        f"# %%\n{METRIC}"
    )


@pytest.mark.parametrize(
    "save", [_saved_by_nbformat, _saved_by_jupyterlab, _jupytext_pair],
    ids=["nbformat-write", "jupyterlab-lines", "jupytext-pair"],
)  # fmt: skip
def test_nb_run_runs_notebooks_that_jupyter_vs_code_and_jupytext_saved(project, save):
    """Sources stored as lists of lines, any 4.x minor, ids or none: the notebook runs with
    its parameters and passes nb check once stripped (a jupytext pair as it is)."""
    path = project / "auc.ipynb"
    save(path)
    assert runner.invoke(app, ["nb", "strip", str(path)]).exit_code == 0
    checked = runner.invoke(app, ["nb", "check", str(path)])
    assert checked.exit_code == 0, checked.output
    commit(project, "auc notebook")
    done = runner.invoke(app, ["nb", "run", str(path), "-p", "folds=5", "-q"])
    assert done.exit_code == 0, done.output
    assert "metric auc = 0.55" in done.output
    with open_store(start=project) as store:
        [run] = store.list_runs()
        executed = json.loads(_artifact(store, store.get_run(run.id), "executed.ipynb"))
    assert run.status == "finished" and not run.dirty
    printed = [o["text"] for c in executed["cells"] for o in c.get("outputs", ()) if "text" in o]
    assert "folds 5\n" in printed


# -- notebook runs in runs, show and show --json --------------------------------------------------


@pytest.fixture
def notebook_run(project) -> str:
    """The id of a finished notebook run with a -p parameter and a recorded metric."""
    notebook = make_notebook(code_cell("folds = 2", tags=("parameters",)), code_cell(METRIC))
    path = write_notebook(project / "auc.ipynb", notebook)
    commit(project, "auc notebook")
    done = runner.invoke(app, ["nb", "run", str(path), "-p", "folds=7", "-q"])
    assert done.exit_code == 0, done.output
    with open_store(start=project) as store:
        [run] = store.list_runs()
    return run.id


def test_runs_lists_a_notebook_runs_metrics_and_parameters(project, notebook_run, monkeypatch):
    """`learnburn runs` shows the metric and -p value; --json holds them under "notebook"."""
    monkeypatch.chdir(project)
    listed = runner.invoke(app, ["runs"])
    assert listed.exit_code == 0, listed.output
    assert "auc=0.57 -p folds=7" in listed.output
    as_json = runner.invoke(app, ["runs", "--json"])
    [row] = json.loads(as_json.output)
    assert row["id"] == notebook_run
    assert row["notebook"]["metrics"] == {"auc": pytest.approx(0.57)}
    assert row["notebook"]["parameters"] == {"folds": 7}


def test_show_prints_a_notebook_runs_parameters_and_metrics_as_text_and_json(project, notebook_run):
    """show lists the parameters and metrics; show --json prints them, not an empty object."""
    store = str(project / ".learnburn" / "store.db")  # its artifacts beside it, not in the cwd
    shown = runner.invoke(app, ["show", notebook_run, "--store", store])
    assert shown.exit_code == 0, shown.output
    assert "notebook auc.ipynb (code committed" in shown.output
    assert re.search(r"parameter\s+folds\s+7", shown.output)
    assert re.search(r"metric\s+auc\s+0\.57", shown.output)
    as_json = runner.invoke(app, ["show", notebook_run, "--json", "--store", store])
    record = json.loads(as_json.output)
    assert record["notebook"] == "auc.ipynb" and record["status"] == "finished"
    assert record["parameters"] == {"folds": 7}
    assert record["metrics"] == {"auc": pytest.approx(0.57)}
    assert record["runs"] == []
