from pathlib import Path

import pytest

from learnburn.errors import NotebookError
from learnburn.notebooks import record_metric
from learnburn.notebooks._display import dirty_warning
from learnburn.notebooks._state import NotebookState
from learnburn.workflows import RecordedRun


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("", 1.0, "non-empty string"),
        ("auc", "0.9", "real number"),
        ("auc", True, "real number"),
        ("auc", float("inf"), "finite"),
    ],
)
def test_record_metric_refuses_bad_names_and_values(name, value, message):
    """A metric is a named, finite real number."""
    with pytest.raises(NotebookError, match=message):
        record_metric(name, value)


def test_record_metric_outside_a_kernel_shows_nothing(capsys):
    """In a script nothing is displayed or printed."""
    record_metric("auc", 0.9)
    assert capsys.readouterr() == ("", "")


def _state(committed: bool) -> NotebookState:
    path = Path("/repo/nb/explore.ipynb")
    return NotebookState(path, "nb/explore.ipynb", "0" * 64, "# %%\n", committed)


def _recorded(**provenance) -> RecordedRun:
    return RecordedRun("abc123", None, {"in_git": True, **provenance}, "sqlite:///x.db")


def test_dirty_warning_says_what_is_uncommitted_and_how_to_fix_it():
    """The notebook's own code, and other changed files, are named; a clean run has none."""
    warning = dirty_warning(
        _recorded(dirty=True, changed=["nb/explore.ipynb", "src/features.py"]), _state(False)
    )
    assert "explore.ipynb's code is not committed: run abc123 is marked dirty" in warning
    assert "(notebook.py)" in warning
    assert "stored with it as diff.patch: src/features.py." in warning
    assert "learnburn nb strip" in warning
    assert dirty_warning(_recorded(dirty=False), _state(True)) == ""


def test_dirty_warning_outside_git_says_the_run_cannot_be_rebuilt():
    """A notebook outside a repository is warned about, without a commit hint."""
    warning = dirty_warning(RecordedRun("abc", None, {"in_git": False}, "x"), _state(False))
    assert "not in a git repository" in warning and "Commit the notebook" not in warning
