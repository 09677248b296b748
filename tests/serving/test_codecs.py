"""The CSV codec's two ways: a small body read as records without pandas (``csv_records``) and
the pandas table (``csv_table``) give the same probabilities, and a body the records way does
not take gets the same 4xx, with the same words, as the pandas way gives it."""

from __future__ import annotations

import csv
import io
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnburn.bundles import load_bundle
from learnburn.errors import SchemaError
from learnburn.serving import _app as app_module
from learnburn.serving import create_app
from learnburn.serving._codecs import csv_records, csv_rows, csv_table

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

CSV = {"content-type": "text/csv"}
COLUMNS = ["income", "debt", "region", "member"]
PLAIN_NUMBER = r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?"


@pytest.fixture(scope="module")
def fast(bundles):
    """The bundle with a proven fast path (the small-CSV way needs one)."""
    return load_bundle(bundles["fast"])


@pytest.fixture(scope="module")
def fast_client(fast):
    return TestClient(create_app(fast), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def pandas_client(bundles):
    """The same model without a fast path: every CSV body goes through pandas."""
    return TestClient(create_app(load_bundle(bundles["decided"])), raise_server_exceptions=False)


def write_csv(rows: list[list[str]], header: list[str] | None = COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def both_ways(body: bytes, bundle) -> tuple[np.ndarray, np.ndarray]:
    """The probabilities of the records way and of the pandas way (the records way must take
    the body)."""
    rows = csv_rows(body, bundle.columns)
    records = csv_records(rows, bundle)
    assert records is not None, "the records way did not take the body"
    return bundle.predict_proba_records(records), bundle.predict_proba(csv_table(rows, bundle))


def feature_rows(features, count: int) -> list[list[str]]:
    """``count`` rows of the test features as CSV text (NaN and None as empty fields)."""
    text = features.head(count).to_csv(index=False, header=False, lineterminator="\n")
    return [row for row in csv.reader(io.StringIO(text)) if row]


BODIES = {
    "one row with a header": (lambda f: write_csv(feature_rows(f, 1))),
    "one row without a header": (lambda f: write_csv(feature_rows(f, 1), header=None)),
    "100 rows with a header": (lambda f: write_csv(feature_rows(f, 100))),
    "100 rows without a header": (lambda f: write_csv(feature_rows(f, 100), header=None)),
    "columns reordered, one unused": (
        lambda f: write_csv(
            [[r[3], "ignored", r[1], r[0], r[2]] for r in feature_rows(f, 20)],
            ["member", "note", "debt", "income", "region"],
        )
    ),
    "missing values": (
        lambda f: write_csv([["", "", "", ""], ["51.5", "", "north", ""], ["", "0.2", "", "True"]])
    ),
    "quoted fields": (
        lambda f: (
            b'income,debt,region,member\r\n"51.5","0.25","north","True"\r\n'
            b'49,-1,"south, by the sea",False\r\n60,2,"say ""east""",True\r\n'
            b'"44",0,"two\r\nlines",False\r\n'
        )
    ),
    "numbers written every plain way": (
        lambda f: write_csv(
            [
                ["1.", ".5", "east", "True"],
                ["+51", "-0", "north", "False"],
                ["5.1e1", "1E-3", "south", "True"],
                ["007", "-.25e+1", "north", "False"],
                ["123456789012345678901234", "9007199254740993", "east", "True"],
                ["51.2000000000000000000001", "0.1", "east", "False"],
            ]
        )
    ),
    "categories unseen or number-like": (
        lambda f: write_csv(
            [["50", "0", "1", "1"], ["50", "0", "west", "yes"], ["50", "0", "", "0"]]
        )
    ),
    "a byte-order mark and a trailing blank line": (
        lambda f: b"\xef\xbb\xbfincome,debt,region,member\n51,0.5,north,True\n\n"
    ),
}


@pytest.mark.parametrize("case", list(BODIES))
def test_small_csv_records_score_exactly_like_the_pandas_table(fast, features, case):
    """A small CSV body read as records gives the probabilities the pandas table gives."""
    ours, theirs = both_ways(BODIES[case](features), fast)
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize(
    "value",
    [" 51", "51 ", "nan", "NaN", "inf", "-Infinity", "1e400", "1_000", "0x10", "\u0665", "x"],
)
def test_csv_records_leave_numbers_that_are_not_plain_decimals_to_pandas(fast, value):
    """A numeric field with spaces, nan, infinity, an overflow, underscores, hex, non-ASCII
    digits or text is not read as a record: the pandas way reads or refuses it."""
    rows = csv_rows(write_csv([[value, "0", "north", "True"]]), fast.columns)
    assert csv_records(rows, fast) is None


numeric_field = st.one_of(
    st.from_regex(PLAIN_NUMBER, fullmatch=True),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers().map(str),
    st.text(max_size=8),
    st.just(""),
)
category_field = st.one_of(
    st.sampled_from(["north", "south", "east", "", "True", "1"]), st.text(max_size=8)
)
member_field = st.sampled_from(["True", "False", "", "1", "0", "true"])
csv_row = st.tuples(numeric_field, numeric_field, category_field, member_field).map(list)


@settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=st.lists(csv_row, min_size=1, max_size=12), header=st.booleans())
def test_csv_records_and_the_pandas_table_never_disagree(fast, rows, header):
    """For generated bodies: when the records way takes a body, the pandas way reads it too and
    gives the same probabilities; when it does not, the pandas way reads or refuses it."""
    rows = [[field.replace("\x00", "") for field in row] for row in rows]
    rows = [row for row in rows if any(row)]  # a blank line is no row in either way
    if not rows:
        return
    parsed = csv_rows(write_csv(rows, COLUMNS if header else None), fast.columns)
    records = csv_records(parsed, fast)
    try:
        table = csv_table(parsed, fast)
    except SchemaError:
        assert records is None, "the records way took a body the pandas way refuses"
        return
    if records is not None:
        with np.errstate(all="ignore"):  # huge numbers overflow float32, as the app allows
            ours, theirs = fast.predict_proba_records(records), fast.predict_proba(table)
        np.testing.assert_array_equal(ours, theirs)


def test_a_small_csv_body_on_the_fast_path_is_scored_without_pandas(
    fast_client, features, monkeypatch
):
    """One row and 100 rows of CSV on a fast-path bundle never build a pandas table."""

    def no_table(*args, **kwargs):
        raise AssertionError("a small CSV body went through pandas")

    monkeypatch.setattr(app_module, "csv_table", no_table)
    for count in (1, 100):
        response = fast_client.post(
            "/invocations", content=write_csv(feature_rows(features, count)), headers=CSV
        )
        assert response.status_code == 200, response.text
        assert len(response.json()["predictions"]) == count


def test_small_csv_over_http_answers_like_the_pandas_way(fast, fast_client, features):
    """The answer of a 40-row CSV body on the records way is the pandas way's, decisions too."""
    body = write_csv(feature_rows(features, 40))
    response = fast_client.post("/invocations", content=body, headers=CSV)
    assert response.status_code == 200, response.text
    got = response.json()["predictions"]
    proba = fast.predict_proba(csv_table(csv_rows(body, fast.columns), fast))
    assert [[p["proba"][c] for c in fast.classes] for p in got] == proba.tolist()
    assert [p["decision"] for p in got] == fast.decide_proba(proba).tolist()


BAD_BODIES = {
    "text in a numeric column": b"income,debt,region,member\n51,abc,north,True\n",
    "nan in a numeric column": b"income,debt,region,member\nnan,0,north,True\n",
    "infinity in a numeric column": b"income,debt,region,member\n51,0,north,True\ninf,0,e,False\n",
    "an overflowing number": b"51,1e400,north,True\n",
    "a ragged row": b"income,debt,region,member\n51,0,north,True\n52,0,north\n",
    "a missing column": b"income,debt,region\n51,0,north\n",
    "a repeated header name": b"income,debt,region,member,debt\n51,0,north,True,1\n",
    "an unclosed quote": b'income,debt,region,member\n51,0,"north,True\n',
    "a header and no rows": b"income,debt,region,member\n",
    "no rows": b"\n\n",
    "not UTF-8": b"income,debt,region,member\n51,0,\xff,True\n",
}


@pytest.mark.parametrize("case", list(BAD_BODIES))
def test_a_bad_small_csv_body_gets_the_pandas_way_s_4xx(fast_client, pandas_client, case):
    """A bad small CSV body gets the same status, detail and hint on a fast-path bundle as on a
    bundle whose CSV bodies all go through pandas."""
    ours = fast_client.post("/invocations", content=BAD_BODIES[case], headers=CSV)
    theirs = pandas_client.post("/invocations", content=BAD_BODIES[case], headers=CSV)
    assert 400 <= ours.status_code < 500, ours.text
    assert (ours.status_code, ours.json()) == (theirs.status_code, theirs.json())
