"""Tests of the frozen spec types: grid expansion and the content hash."""

from __future__ import annotations

from learnburn.spec import parse_spec

SPEC = """\
[experiment]
name = "loans"

[data]
path = "loans.csv"
target = "approve"

[candidates.logistic_regression]

[candidates.gbm]
model = "lightgbm"
params = { n_estimators = 50 }
grid = { max_depth = [3, 6], learning_rate = [0.05, 0.1] }
"""

REFORMATTED = """\
# the same experiment, written differently
[candidates.logistic_regression]

[candidates.gbm]
grid.learning_rate = [ 0.05, 0.1 ]   # inline comment
grid.max_depth = [
    3,
    6,
]
params.n_estimators = 50
model = 'lightgbm'

[data]
target = "approve"
path   = "loans.csv"

[experiment]
name = "loans"
task = "classification"
"""


def test_grid_expands_into_named_candidates_with_fixed_params():
    """Each grid point becomes a candidate named after its values, grid keys sorted."""
    spec = parse_spec(SPEC)
    expanded = spec.expanded_candidates()
    assert [c.name for c in expanded] == [
        "logistic_regression",
        "gbm[learning_rate=0.05,max_depth=3]",
        "gbm[learning_rate=0.05,max_depth=6]",
        "gbm[learning_rate=0.1,max_depth=3]",
        "gbm[learning_rate=0.1,max_depth=6]",
    ]
    assert expanded[2].params == {"n_estimators": 50, "learning_rate": 0.05, "max_depth": 6}
    assert all(c.grid == {} for c in expanded)


def test_content_hash_ignores_comments_formatting_and_key_order():
    """The same content written differently has the same hash; the text still differs."""
    first, second = parse_spec(SPEC), parse_spec(REFORMATTED)
    assert first.text != second.text
    assert first.content_hash() == second.content_hash()


def test_content_hash_changes_with_the_content():
    """Changing a value changes the hash."""
    changed = parse_spec(SPEC.replace("n_estimators = 50", "n_estimators = 51"))
    assert changed.content_hash() != parse_spec(SPEC).content_hash()


def test_content_of_a_spec_without_the_text_options_is_as_it_always_was():
    """Unset categorical, encoding, delimiter and missing_values stay out of the hashed content,
    so specs recorded before these keys existed keep their hash."""
    data = parse_spec(SPEC).to_dict()["data"]
    assert set(data) == {"path", "target", "time_column", "id_column", "drop"}


def test_content_hash_changes_with_each_text_option():
    """Each [data] key that changes how the table is read changes the hash."""
    base = parse_spec(SPEC).content_hash()
    for key in ('categorical = ["zip"]', 'encoding = "cp1252"', 'delimiter = ";"',
                'missing_values = ["?"]'):  # fmt: skip
        changed = parse_spec(SPEC.replace('target = "approve"', f'target = "approve"\n{key}'))
        assert changed.content_hash() != base, key
