import pytest
from notebook_helpers import code_cell, make_notebook

from learnburn.errors import NotebookError
from learnburn.notebooks import inject_parameters, parse_parameter
from learnburn.notebooks._cells import cell_source


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("folds=3", ("folds", 3)),
        ("rate = 0.5", ("rate", 0.5)),
        ("fast=True", ("fast", True)),
        ("limit=None", ("limit", None)),
        ("names=['a', 'b']", ("names", ["a", "b"])),
        ("model=forest", ("model", "forest")),
        ("label='3'", ("label", "3")),
        ("path=data/x.csv", ("path", "data/x.csv")),
        ("empty=", ("empty", "")),
    ],
)
def test_parse_parameter_reads_literals_and_keeps_other_text(text, expected):
    """Values are Python literals when they parse as one, else the text itself."""
    assert parse_parameter(text) == expected


@pytest.mark.parametrize("text", ["folds", "2x=1", "class=1", "a-b=1"])
def test_parse_parameter_refuses_what_is_not_name_equals_value(text):
    """A missing '=' or a name that is not an identifier is an error with an example."""
    with pytest.raises(NotebookError) as info:
        parse_parameter(text)
    assert "-p folds=3" in info.value.hint


def _notebook():
    return make_notebook(
        code_cell("import math"),
        code_cell("folds = 2\nlabel = 'default'", tags=("parameters",)),
        code_cell("print(folds, label)"),
    )


def test_inject_parameters_adds_a_tagged_cell_right_after_the_parameters_cell():
    """The injected cell follows the parameters cell and sets each value as a literal."""
    injected = inject_parameters(_notebook(), {"folds": 5, "label": "tuned"})
    cells = injected["cells"]
    assert len(cells) == 4
    assert cells[2]["metadata"]["tags"] == ["injected-parameters"]
    assert "folds = 5\nlabel = 'tuned'\n" in cell_source(cells[2])
    assert cells[2]["id"] and cells[2]["outputs"] == []
    assert cell_source(cells[3]) == "print(folds, label)"


def test_inject_parameters_replaces_a_cell_injected_before_and_leaves_the_input_alone():
    """Injecting into an already injected notebook keeps one injected cell."""
    original = _notebook()
    once = inject_parameters(original, {"folds": 5})
    twice = inject_parameters(once, {"folds": 7})
    assert len(original["cells"]) == 3
    injected = [c for c in twice["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert len(injected) == 1 and "folds = 7" in cell_source(injected[0])


def test_inject_parameters_names_the_known_parameters_when_one_is_unknown():
    """A name the parameters cell does not set is refused, listing the ones it sets."""
    with pytest.raises(NotebookError, match=r"no parameter 'fold'.*folds, label"):
        inject_parameters(_notebook(), {"fold": 5})


def test_inject_parameters_needs_a_cell_tagged_parameters():
    """Without the tag, the error says how to add it."""
    notebook = make_notebook(code_cell("folds = 2"))
    with pytest.raises(NotebookError) as info:
        inject_parameters(notebook, {"folds": 5})
    assert "tag" in info.value.hint and "'parameters'" in info.value.hint
    assert inject_parameters(notebook, {}) == notebook  # nothing to inject: no tag needed


def test_inject_parameters_refuses_values_that_are_not_literals():
    """An object or NaN cannot be written as a literal in the injected cell."""
    with pytest.raises(NotebookError, match="must be a Python literal"):
        inject_parameters(_notebook(), {"folds": object()})
    with pytest.raises(NotebookError, match="must be a Python literal"):
        inject_parameters(_notebook(), {"folds": float("nan")})
