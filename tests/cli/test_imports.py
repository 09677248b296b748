"""The command line imports each stage only when a command needs it: `learnburn serve` (and
every cold start of a served model) pays for the bundle and the server, not for the run store,
the spec model, the fold engine, notebooks or drift; `learnburn --help` and `learnburn nb check`
(a pre-commit hook) import none of the numerical or storage libraries at all."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from learnburn.cli._app import COMMANDS, load_command

NOT_AT_START = [
    "learnburn.workflows", "learnburn.evaluation", "learnburn.spec", "learnburn.runs",
    "learnburn.notebooks", "learnburn.monitoring", "learnburn._experiment", "sqlalchemy",
    "pydantic", "nbclient", "matplotlib", "distributed", "boto3", "pandas", "pyarrow",
]  # fmt: skip
HEAVY = [
    "numpy", "pandas", "pyarrow", "scipy", "sklearn", "skops", "onnx", "onnxruntime",
    "sqlalchemy", "nbformat", "nbclient", "jupyter_client", "matplotlib", "dask", "distributed",
    "torch", "uvicorn", "starlette", "orjson", "boto3", "learnburn.bundles", "learnburn.serving",
    "learnburn.workflows", "learnburn.runs", "learnburn.spec", "learnburn.evaluation",
    "learnburn.candidates", "learnburn.profiling", "learnburn.costs", "learnburn.monitoring",
    "learnburn.deploy",
]  # fmt: skip
# After a command runs, what it imported, as JSON on the last line of stdout.
RUN_AND_LIST = """
import contextlib, io, json, sys
from learnburn.cli import app
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    app(sys.argv[1:], prog_name="learnburn")
print(json.dumps(sorted(sys.modules)))
"""


def imported_by(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST, *args], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_loading_the_command_line_leaves_the_other_stages_unimported():
    script = (
        "import json, sys; from learnburn.cli import app, _serve; "
        f"print(json.dumps([m for m in {NOT_AT_START!r} if m in sys.modules]))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_help_imports_no_command_and_no_heavy_library():
    """`learnburn --help` lists the commands without importing their modules."""
    modules = imported_by("--help")
    commands = {f"learnburn.cli.{module}" for module, _, _ in COMMANDS.values()}
    assert sorted(modules & {*HEAVY, "pydantic", *commands}) == []


def test_nb_check_imports_no_heavy_library(tmp_path: Path):
    """`learnburn nb check` (a pre-commit hook) reads notebooks as JSON: no kernel client,
    run store, pandas or numpy."""
    notebook = tmp_path / "clean.ipynb"
    cells = [{"cell_type": "code", "metadata": {}, "source": "1", "outputs": [],
              "execution_count": None}]  # fmt: skip
    notebook.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                    "nbformat_minor": 5}))  # fmt: skip
    modules = imported_by("nb", "check", str(notebook))
    assert "learnburn.notebooks._clean" in modules  # the check did run
    assert sorted(modules & {*HEAVY, "learnburn.notebooks._run"}) == []


def test_help_lists_each_command_with_its_own_summary():
    """The summaries `learnburn --help` lists without importing the commands are the first
    paragraphs of the commands' own help."""
    summaries = {name: load_command(name, None).get_short_help_str(10**6) for name in COMMANDS}
    assert summaries == {name: summary for name, (_, _, summary) in COMMANDS.items()}
