import json

import pytest
from notebook_helpers import STREAM, code_cell, make_notebook, markdown_cell, write_notebook

from learnburn.errors import NotebookError
from learnburn.notebooks import code_hash, code_script, read_notebook
from learnburn.notebooks._cells import notebook_text


def test_code_hash_counts_code_only_not_outputs_counts_or_markdown():
    """Outputs, execution counts and markdown leave the hash alone; a code change does not."""
    plain = make_notebook(markdown_cell("# Title"), code_cell("x = 1"), code_cell("print(x)"))
    ran = make_notebook(
        markdown_cell("# Another title"),
        code_cell("x = 1", count=1),
        code_cell("print(x)", outputs=[STREAM], count=2),
    )
    edited = make_notebook(code_cell("x = 2"), code_cell("print(x)"))
    assert code_hash(plain) == code_hash(ran)
    assert code_hash(plain) != code_hash(edited)


def test_code_hash_keeps_cell_boundaries():
    """Moving a line from one cell to the next changes the hash."""
    one = make_notebook(code_cell("a = 1\nb = 2"), code_cell("c = 3"))
    two = make_notebook(code_cell("a = 1"), code_cell("b = 2\nc = 3"))
    assert code_hash(one) != code_hash(two)


def test_code_script_opens_each_code_cell_with_a_percent_line():
    """The stored code reads as a percent-format script; list sources are joined."""
    notebook = make_notebook(code_cell("x = 1\n"), markdown_cell("text"), code_cell("y = 2"))
    notebook["cells"][2]["source"] = ["y = 2\n", "print(y)"]
    assert code_script(notebook) == "# %%\nx = 1\n\n# %%\ny = 2\nprint(y)\n\n"


def test_read_notebook_refuses_what_is_not_a_format_4_notebook(tmp_path):
    """Invalid JSON, a JSON without cells and an old format each raise NotebookError."""
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json")
    with pytest.raises(NotebookError, match="invalid JSON"):
        read_notebook(bad)
    bad.write_text(json.dumps({"metadata": {}}))
    with pytest.raises(NotebookError, match="no list of cells"):
        read_notebook(bad)
    bad.write_text(json.dumps({"cells": [], "nbformat": 3}))
    with pytest.raises(NotebookError, match="format 3"):
        read_notebook(bad)
    with pytest.raises(NotebookError, match="cannot read"):
        read_notebook(tmp_path / "missing.ipynb")


def test_notebook_text_is_written_as_jupyter_writes_it(tmp_path):
    """One-space indent, sorted keys, non-ASCII kept, a final newline."""
    notebook = make_notebook(code_cell("print('héllo')"))
    path = write_notebook(tmp_path / "n.ipynb", notebook)
    text = notebook_text(read_notebook(path))
    assert text.endswith("}\n") and '\n "cells": [' in text and "héllo" in text
    assert text.index('"cells"') < text.index('"metadata"') < text.index('"nbformat"')


def test_code_hash_and_script_are_the_same_for_sources_stored_as_lists_of_lines(tmp_path):
    """Jupyter stores a source as a list of lines: the same code, the same hash and script."""
    source = "x = 1\nprint(x)\n"
    as_text = make_notebook(code_cell(source))
    as_lines = make_notebook(code_cell(source.splitlines(keepends=True)))  # type: ignore[arg-type]
    read = read_notebook(write_notebook(tmp_path / "lines.ipynb", as_lines))
    assert read["cells"][0]["source"] == ["x = 1\n", "print(x)\n"]
    assert code_hash(read) == code_hash(as_text)
    assert code_script(read) == code_script(as_text) == "# %%\nx = 1\nprint(x)\n\n"
