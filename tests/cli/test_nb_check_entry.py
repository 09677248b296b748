"""The `learnburn` command runs a plain `nb check` (the pre-commit hook) without building the
Typer application: the same output, messages and exit codes, without Typer's start-up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parents[1] / "notebooks"))  # the notebook test helpers

from notebook_helpers import STREAM, code_cell, make_notebook, write_notebook

from learnburn.cli import app

# learnburn.cli.main as the console script runs it; then, on stderr's last line, the exit code,
# whether Typer was imported and whether the nb check module was.
MAIN = """
import json, sys
from learnburn.cli import main
sys.argv = ["learnburn", *sys.argv[1:]]
try:
    main()
    code = 0
except SystemExit as stop:
    code = stop.code
loaded = ["typer" in sys.modules, "learnburn.cli._nb_check" in sys.modules]
print(json.dumps([code, *loaded]), file=sys.stderr)
"""


def entry_point(*args: str) -> tuple[int, bool, str, str]:
    """(exit code, Typer imported, stdout, stderr without the last line) of ``learnburn ARGS``."""
    done = subprocess.run(
        [sys.executable, "-c", MAIN, *args], capture_output=True, text=True, timeout=120
    )
    *errors, last = done.stderr.splitlines()
    code, typer_loaded, _ = json.loads(last)
    return code, typer_loaded, done.stdout, "\n".join(errors)


def test_a_clean_notebook_passes_without_typer(tmp_path):
    write_notebook(tmp_path / "clean.ipynb", make_notebook(code_cell("x = 1")))
    code, typer_loaded, out, _ = entry_point("nb", "check", str(tmp_path))
    assert (code, typer_loaded) == (0, False)
    assert out == CliRunner().invoke(app, ["nb", "check", str(tmp_path)]).output


def test_a_notebook_with_outputs_fails_with_the_typer_commands_message(tmp_path):
    ran = make_notebook(code_cell("print(42)", outputs=[STREAM], count=1))
    write_notebook(tmp_path / "ran.ipynb", ran)
    code, typer_loaded, out, _ = entry_point("nb", "check", str(tmp_path / "ran.ipynb"))
    assert (code, typer_loaded) == (1, False)
    assert "ran.ipynb: 1 code cell with outputs" in " ".join(out.split())
    assert out == CliRunner().invoke(app, ["nb", "check", str(tmp_path / "ran.ipynb")]).output


def test_a_missing_path_is_an_error_with_a_hint_and_exit_code_1(tmp_path):
    code, typer_loaded, _, errors = entry_point("nb", "check", str(tmp_path / "absent.ipynb"))
    assert (code, typer_loaded) == (1, False)
    errors = " ".join(errors.split())
    assert "Error:" in errors and "does not exist" in errors and "Hint:" in errors


def test_an_option_goes_through_the_typer_application():
    code, typer_loaded, out, _ = entry_point("nb", "check", "--help")
    assert (code, typer_loaded) == (0, True)
    assert "Check that notebooks carry no outputs" in out


def test_help_does_not_import_the_nb_check_module():
    done = subprocess.run(
        [sys.executable, "-c", MAIN, "--help"], capture_output=True, text=True, timeout=120
    )
    assert json.loads(done.stderr.splitlines()[-1]) == [0, True, False]
