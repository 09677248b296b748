import json

import pytest
from notebook_helpers import STREAM, code_cell, make_notebook, markdown_cell, write_notebook

from learnburn.errors import NotebookError
from learnburn.notebooks import check_notebook, find_notebooks, jupytext_pairing, strip_notebook


def _ran(tmp_path, name="ran.ipynb", **metadata):
    notebook = make_notebook(
        markdown_cell("# Title"),
        code_cell("x = 42", count=1),
        code_cell("print(x)", outputs=[STREAM], count=2),
        metadata=metadata,
    )
    notebook["cells"][2]["metadata"]["execution"] = {"iopub.execute_input": "2024-01-01"}
    return write_notebook(tmp_path / name, notebook)


def test_check_reports_outputs_and_execution_counts(tmp_path):
    """A notebook saved after running fails, counting the cells that carry results."""
    result = check_notebook(_ran(tmp_path))
    assert not result.ok
    assert result.problems == (
        "1 code cell with outputs",
        "2 code cells with an execution count",
    )


def test_strip_removes_outputs_counts_and_timings_and_then_check_passes(tmp_path):
    """strip leaves code and markdown, and the notebook then passes the check."""
    path = _ran(tmp_path)
    assert strip_notebook(path) is True
    notebook = json.loads(path.read_text())
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert [c["source"] for c in code] == ["x = 42", "print(x)"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert all("execution" not in c["metadata"] for c in code)
    assert notebook["cells"][0]["source"] == "# Title"
    assert check_notebook(path).ok
    assert strip_notebook(path) is False  # nothing left to strip: the file is not rewritten


def test_a_notebook_paired_by_jupytext_passes_with_its_outputs(tmp_path):
    """Pairing ("ipynb,py:percent") with an existing text file passes; strip leaves it."""
    path = _ran(tmp_path, jupytext={"formats": "ipynb,py:percent"})
    (tmp_path / "ran.py").write_text("# %%\nx = 42\n")
    result = check_notebook(path)
    assert result.ok and result.paired == "py:percent"
    before = path.read_text()
    assert strip_notebook(path) is False
    assert path.read_text() == before


def test_a_paired_notebook_whose_text_file_is_missing_fails(tmp_path):
    """The text version named by the pairing must exist beside the notebook."""
    result = check_notebook(_ran(tmp_path, jupytext={"formats": "ipynb,md"}))
    assert result.problems == ("paired by jupytext with ran.md, which is missing",)


@pytest.mark.parametrize(
    ("formats", "expected"),
    [
        ("ipynb,py:percent", "py:percent"),
        ("py:light,ipynb", "py:light"),
        ("notebooks//ipynb,scripts//py:percent", "scripts//py:percent"),
        ("ipynb", None),
        (None, None),
    ],
)
def test_jupytext_pairing_names_the_other_formats(formats, expected):
    """The pairing is read from jupytext.formats, whatever the order or path prefixes."""
    metadata = {"jupytext": {"formats": formats}} if formats else {}
    assert jupytext_pairing(make_notebook(metadata=metadata)) == expected


def test_check_reports_a_file_that_is_not_a_notebook(tmp_path):
    """An unreadable notebook fails the check instead of stopping it."""
    path = tmp_path / "broken.ipynb"
    path.write_text("{")
    assert "invalid JSON" in check_notebook(path).problems[0]


def test_find_notebooks_searches_folders_and_skips_checkpoints_and_hidden_folders(tmp_path):
    """Folders are searched; checkpoints, hidden folders and other files are not returned."""
    for name in ("a.ipynb", "sub/b.ipynb", ".ipynb_checkpoints/a-checkpoint.ipynb",
                 ".venv/c.ipynb", "notes.txt"):  # fmt: skip
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    found = find_notebooks([tmp_path, tmp_path / "a.ipynb"])
    assert found == [tmp_path / "a.ipynb", tmp_path / "sub" / "b.ipynb"]
    with pytest.raises(NotebookError, match="does not exist"):
        find_notebooks([tmp_path / "nope.ipynb"])
