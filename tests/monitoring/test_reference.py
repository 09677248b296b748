"""The reference profile: what it holds, that it survives JSON, that bad ones are refused."""

from __future__ import annotations

import copy
import json

import numpy as np
import pandas as pd
import pytest

from learnburn.errors import DriftError
from learnburn.monitoring import build_reference, check_reference
from learnburn.monitoring._reference import MAX_CATEGORIES, PROBABILITIES


@pytest.fixture(scope="module")
def doc(draw) -> dict:
    rng = np.random.default_rng(0)
    frame = draw(rng, 5000)
    frame.loc[:9, "a"] = np.nan
    frame.loc[10:14, "c"] = None
    scores = rng.random(5000)
    return json.loads(
        json.dumps(
            build_reference(
                frame,
                numeric=["a", "b"],
                categorical=["c"],
                scores=scores,
                importances={"a": 0.5, "b": 0.1, "c": 0.2},
            )
        )
    )


def test_build_reference_profiles_each_column_in_plain_json(doc):
    """Counts add up, quantiles match numpy's, decile bins hold a tenth of the rows each."""
    assert doc["format"] == "learnburn-reference" and doc["version"] == 1
    assert doc["rows"] == 5000
    a = doc["columns"]["a"]
    assert (a["kind"], a["count"], a["missing"]) == ("numeric", 4990, 10)
    assert len(a["quantiles"]) == len(PROBABILITIES)
    assert len(a["bins"]["edges"]) == 9
    assert a["bins"]["counts"] == pytest.approx([499] * 10, abs=1)
    assert sum(a["histogram"]["counts"]) == 4990
    assert a["values"] is None
    c = doc["columns"]["c"]
    assert (c["kind"], c["count"], c["missing"], c["other"]) == ("categorical", 4995, 5, 0)
    assert list(c["counts"]) == ["v", "w", "x", "y", "z"]  # most frequent first
    assert doc["scores"]["count"] == 5000
    assert doc["importances"] == {"a": 0.5, "b": 0.1, "c": 0.2}
    assert check_reference(doc, "test") is doc


def test_reference_is_a_few_kb_per_column(doc):
    """The whole profile of three columns and the scores stays small."""
    assert len(json.dumps(doc)) < 4 * 6000


def test_quantiles_match_numpy_on_the_present_values():
    """The stored quantile function is numpy's linear quantile of the non-missing values."""
    values = np.random.default_rng(1).exponential(size=777)
    frame = pd.DataFrame({"x": np.r_[values, [np.nan, np.inf]]})
    profile = build_reference(frame, numeric=["x"], categorical=[])["columns"]["x"]
    assert profile["missing"] == 2  # infinite counts as missing
    assert np.allclose(profile["quantiles"], np.quantile(values, PROBABILITIES))
    assert profile["std"] == pytest.approx(np.std(values))


def test_few_distinct_values_are_kept_with_their_counts():
    """A numeric column with at most 20 distinct values stores them (Evidently needs them)."""
    frame = pd.DataFrame({"k": [1, 2, 2, 3, 3, 3] * 10})
    profile = build_reference(frame, numeric=["k"], categorical=[])["columns"]["k"]
    assert profile["values"] == {"values": [1.0, 2.0, 3.0], "counts": [10, 20, 30]}
    check_reference(build_reference(frame, numeric=["k"], categorical=[]), "test")


def test_categories_are_capped_with_an_other_bucket():
    """Past 200 categories the rarest are counted together as 'other'."""
    keys = [f"k{i}" for i in range(300)]
    frame = pd.DataFrame({"c": keys + keys[:150]})
    doc = build_reference(frame, numeric=[], categorical=["c"])
    profile = doc["columns"]["c"]
    assert len(profile["counts"]) == MAX_CATEGORIES
    assert profile["other"] == 450 - sum(profile["counts"].values())
    check_reference(doc, "test")


def test_category_keys_ignore_int_float_and_bool_spelling():
    """3 and 3.0 are one category; booleans are 'True' / 'False'."""
    frame = pd.DataFrame({"n": [3, 3.0, 4.5, None], "b": [True, False, True, True]})
    doc = build_reference(frame, numeric=[], categorical=["n", "b"])
    assert doc["columns"]["n"]["counts"] == {"3": 2, "4.5": 1}
    assert doc["columns"]["b"]["counts"] == {"True": 3, "False": 1}


def test_a_column_with_no_value_still_profiles():
    """An all-missing numeric column gets an empty profile that validates."""
    frame = pd.DataFrame({"x": [np.nan] * 4, "y": [1.0, 2.0, 3.0, 4.0]})
    doc = build_reference(frame, numeric=["x", "y"], categorical=[])
    assert doc["columns"]["x"]["count"] == 0 and doc["columns"]["x"]["quantiles"] == []
    check_reference(json.loads(json.dumps(doc)), "test")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"numeric": ["a"], "categorical": ["a"]}, "both numeric and categorical"),
        ({"numeric": ["nope"], "categorical": []}, "not in the reference"),
        ({"numeric": [], "categorical": []}, "no column"),
        ({"numeric": ["c"], "categorical": []}, "must be numeric"),
        ({"numeric": ["a"], "categorical": [], "scores": np.ones((2, 2))}, "1-D array"),
        ({"numeric": ["a"], "categorical": [], "importances": {"a": np.nan}}, "finite"),
    ],
)
def test_build_reference_refuses_bad_arguments(kwargs, message, draw):
    """Wrong columns, scores or importances raise DriftError with a hint."""
    frame = draw(np.random.default_rng(2), 50)
    with pytest.raises(DriftError, match=message) as caught:
        build_reference(frame, **kwargs)
    assert caught.value.hint


def _broken(doc: dict, path: str, value) -> dict:
    bad = copy.deepcopy(doc)
    *parents, last = path.split(".")
    target = bad
    for key in parents:
        target = target[key]
    if value is _DELETE:
        del target[last]
    else:
        target[last] = value
    return bad


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("format", "other", "format must be"),
        ("version", 99, "newer than this learnburn"),
        ("version", True, "version must be a positive integer"),
        ("rows", -1, "rows must be an integer"),
        ("columns", {}, "at least one column"),
        ("columns.a.kind", "text", "kind must be"),
        ("columns.a.quantiles", [0.0, 1.0], "points"),
        ("columns.a.mean", float("nan"), "finite number"),
        ("columns.a.std", -1.0, "std must be >= 0"),
        ("columns.a.count", 4000, "plus missing must equal the rows"),
        ("columns.a.bins.edges", [1.0, 0.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], "increasing"),
        ("columns.a.bins.counts", [1, 2], "list of 10 counts"),
        ("columns.a.histogram", _DELETE, "lacks the keys"),
        ("columns.c.counts.v", "many", "integer"),
        ("columns.c.other", 3, "add up"),
        ("scores.quantiles", "x", "list of numbers"),
        ("importances", {"a": "high"}, "finite number"),
    ],
)
def test_check_reference_refuses_malformed_documents(doc, path, value, message):
    """Every malformed key raises DriftError naming where, the key path and a hint."""
    with pytest.raises(DriftError, match=message) as caught:
        check_reference(_broken(doc, path, value), "bundle.lbm")
    assert str(caught.value).startswith("bundle.lbm: ")
    assert caught.value.hint


def test_check_reference_refuses_non_documents(draw):
    """A list, or quantiles that go down, are refused."""
    with pytest.raises(DriftError, match="JSON object"):
        check_reference([1, 2], "x")
    rng = np.random.default_rng(3)
    doc = build_reference(draw(rng, 200), numeric=["a"], categorical=[])
    doc["columns"]["a"]["quantiles"][5] = 1e9
    with pytest.raises(DriftError, match="non-decreasing"):
        check_reference(doc, "x")


def test_check_reference_ignores_keys_added_later(doc):
    """A key this version does not know is not an error (adding a key keeps the version)."""
    check_reference(_broken(doc, "columns.a.note", "added later"), "x")
