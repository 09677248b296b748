import json

from notebook_helpers import STREAM, code_cell, commit, git, make_notebook, write_notebook

from learnburn.notebooks import code_hash, notebook_state


def _notebook(source="x = 1"):
    return make_notebook(code_cell(source), code_cell("print(x)"))


def test_a_committed_notebook_stays_committed_when_saved_with_outputs(project):
    """Committed means the code cells match HEAD: new outputs do not count."""
    path = write_notebook(project / "nb" / "explore.ipynb", _notebook())
    commit(project)
    ran = _notebook()
    ran["cells"][1]["outputs"] = [STREAM]
    ran["cells"][1]["execution_count"] = 1
    write_notebook(path, ran)
    state = notebook_state(path)
    assert state.committed
    assert state.repository_path == "nb/explore.ipynb"
    assert state.code_hash == code_hash(ran)
    assert state.ignored() == ("nb/explore.ipynb",)  # its outputs do not make a run dirty
    assert state.code_artifacts() == ()
    assert "dirty" not in state.origin().provenance  # git's own answer stands


def test_a_code_change_or_an_untracked_notebook_is_not_committed(project):
    """Edited code, and a notebook git does not track, are both uncommitted."""
    path = write_notebook(project / "explore.ipynb", _notebook())
    assert not notebook_state(path).committed  # untracked
    commit(project)
    write_notebook(path, _notebook("x = 2"))
    state = notebook_state(path)
    assert not state.committed
    assert state.ignored() == ()
    [(name, content, kind)] = state.code_artifacts()
    assert (name, kind) == ("notebook.py", "code")
    assert content.decode() == "# %%\nx = 2\n\n# %%\nprint(x)\n\n"


def test_a_notebook_outside_git_has_no_repository_path(tmp_path):
    """Outside a repository nothing is committed and the path is kept as it is."""
    path = write_notebook(tmp_path / "loose.ipynb", _notebook())
    state = notebook_state(path)
    assert state.repository_path is None and not state.committed
    assert state.origin().provenance["dirty"] is True  # no commit holds its code
    assert state.provenance_entry({"folds": 3}) == {
        "path": str(path.resolve()),
        "code_hash": state.code_hash,
        "committed": False,
        "parameters": {"folds": 3},
    }


def test_the_commit_check_reads_head_without_touching_the_index(project):
    """A staged but uncommitted code change is still uncommitted; the index is unchanged."""
    path = write_notebook(project / "explore.ipynb", _notebook())
    commit(project)
    write_notebook(path, _notebook("x = 3"))
    git(project, "add", "explore.ipynb")
    staged = git(project, "diff", "--cached", "--name-only")
    assert not notebook_state(path).committed
    assert git(project, "diff", "--cached", "--name-only") == staged == "explore.ipynb"
    assert json.loads(path.read_text())["cells"][0]["source"] == "x = 3"
