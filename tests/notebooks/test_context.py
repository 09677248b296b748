import pytest
from notebook_helpers import code_cell, make_notebook, write_notebook

from learnburn.errors import NotebookError
from learnburn.notebooks import NotebookContext, current_notebook, find_notebook


def test_find_notebook_prefers_nb_run_then_jupyter_then_vs_code(tmp_path):
    """LEARNBURN_NOTEBOOK, then __session__, then __vsc_ipynb_file__, then JPY_SESSION_NAME."""
    a, b, c, d = (write_notebook(tmp_path / f"{n}.ipynb", make_notebook()) for n in "abcd")
    env = {"LEARNBURN_NOTEBOOK": str(a), "JPY_SESSION_NAME": str(d)}
    namespace = {"__session__": str(b), "__vsc_ipynb_file__": str(c)}
    assert find_notebook(env, namespace, tmp_path) == a
    assert find_notebook({"JPY_SESSION_NAME": str(d)}, namespace, tmp_path) == b
    assert find_notebook({}, {"__vsc_ipynb_file__": str(c)}, tmp_path) == c
    assert find_notebook({"JPY_SESSION_NAME": str(d)}, {}, tmp_path) == d


def test_find_notebook_skips_paths_that_are_not_existing_notebooks(tmp_path):
    """A missing file or another kind of file is skipped for the next candidate."""
    real = write_notebook(tmp_path / "real.ipynb", make_notebook(code_cell("x = 1")))
    (tmp_path / "script.py").write_text("")
    env = {"LEARNBURN_NOTEBOOK": str(tmp_path / "gone.ipynb")}
    namespace = {"__session__": str(tmp_path / "script.py"), "__vsc_ipynb_file__": str(real)}
    assert find_notebook(env, namespace, tmp_path) == real
    assert find_notebook({}, {}, tmp_path) is None


def test_find_notebook_resolves_a_server_relative_path_in_the_kernel_folder(tmp_path):
    """Jupyter gives a path relative to its root; the kernel runs in the notebook's folder."""
    real = write_notebook(tmp_path / "explore.ipynb", make_notebook())
    assert find_notebook({}, {"__session__": "projects/x/explore.ipynb"}, tmp_path) == real


def test_outside_a_kernel_there_is_no_notebook(tmp_path, monkeypatch):
    """A script or test is never tracked as a notebook, whatever the variables say."""
    path = write_notebook(tmp_path / "a.ipynb", make_notebook())
    monkeypatch.setenv("LEARNBURN_NOTEBOOK", str(path))
    assert current_notebook() is None


def test_a_notebook_given_by_path_must_be_an_existing_notebook(tmp_path, monkeypatch):
    """current_notebook(path) names the file it could not use and how to fix the call."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "script.py").write_text("")
    for given in ("gone.ipynb", "script.py"):
        with pytest.raises(NotebookError) as info:
            current_notebook(given)
        assert f"Got {given!r} instead" in info.value.message
        assert "relative to the folder the kernel runs in" in info.value.hint


def test_a_notebook_given_by_path_is_used_outside_a_kernel_too(tmp_path, monkeypatch):
    """A script that names its notebook records with it (no parent run, no store override)."""
    path = write_notebook(tmp_path / "a.ipynb", make_notebook())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEARNBURN_RUN", "f" * 32)
    assert current_notebook("a.ipynb") == NotebookContext(path=path.resolve())
