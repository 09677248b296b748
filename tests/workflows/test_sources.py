"""A spec whose table is a query: read from the real PostgreSQL server through the workflows."""

from __future__ import annotations

import pytest

from learnburn.errors import DataError
from learnburn.spec import parse_spec
from learnburn.workflows import check_experiment, with_window

SPEC = """
[experiment]
name = "loans"

[data]
sql = "SELECT * FROM {table} ORDER BY day"
url = "env:LB_TEST_LOANS_DB"
target = "label"
time_column = "day"

[evaluation]
folds = 2
repeats = 1

[candidates.logistic_regression]
"""


@pytest.fixture
def loans(postgres, sql_table, monkeypatch) -> str:
    """A 60-row table of loans with a day per row, and the URL exported as LB_TEST_LOANS_DB."""
    monkeypatch.setenv("LB_TEST_LOANS_DB", postgres)
    return sql_table(
        "CREATE TABLE {table} AS SELECT DATE '2024-01-01' + g AS day, g * 0.1 AS x, "
        "mod(g * 7, 5) AS z, CASE WHEN mod(g, 2) = 0 THEN 'yes' ELSE 'no' END AS label "
        "FROM generate_series(0, 59) AS g"
    )


def test_a_query_spec_is_read_from_the_database_with_its_origin(loans):
    """The spec's query runs; the data record names the variable, never the URL."""
    spec = parse_spec(SPEC.replace("{table}", loans))
    data = check_experiment(spec)["data"]
    assert data["rows"] == 60
    assert data["origin"]["url"] == "env:LB_TEST_LOANS_DB"
    assert data["source"].startswith("SQL on postgresql+psycopg://")


def test_since_and_until_keep_the_window_of_the_time_column(loans):
    """Without {since} in the query, the window is applied to the time column's values."""
    text = SPEC.replace("{table}", loans).replace(
        'time_column = "day"', 'time_column = "day"\nsince = 2024-01-11\nuntil = 2024-01-31'
    )
    data = check_experiment(parse_spec(text))["data"]
    assert data["rows"] == 20
    assert data["origin"]["window"] == {"since": "2024-01-11", "until": "2024-01-31"}


def test_a_window_with_no_rows_is_an_error(loans):
    """A window outside the data is a DataError naming it, not an empty table."""
    text = SPEC.replace("{table}", loans).replace(
        'time_column = "day"', 'time_column = "day"\nsince = 2030-01-01'
    )
    with pytest.raises(DataError, match=r"no rows with day in the window \[2030-01-01"):
        check_experiment(parse_spec(text))


S3_SPEC = """
[experiment]
name = "loans"

[data]
path = "s3://lb-train/loans/"
partitions = { year = 2024 }
target = "label"
drop = ["year"]

[evaluation]
folds = 2
repeats = 1

[candidates.logistic_regression]
"""


def test_a_spec_reads_a_partitioned_s3_prefix_with_its_filter(s3, table_maker):
    """path = "s3://bucket/prefix/" with partitions reads only the chosen partitions and
    records each object with its ETag."""
    import boto3

    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket="lb-train")
    table = table_maker(120)
    for year, part in ((2023, table.iloc[:60]), (2024, table.iloc[60:])):
        key = f"loans/year={year}/part-0.parquet"
        client.put_object(Bucket="lb-train", Key=key, Body=part.to_parquet(index=False))
    data = check_experiment(parse_spec(S3_SPEC))["data"]
    assert data["rows"] == 60
    [record] = data["origin"]["objects"]
    assert record["key"] == "loans/year=2024/part-0.parquet" and record["etag"]


def test_since_in_the_query_is_bound_and_recorded(loans):
    """``{since}`` in the SQL is the spec's since, bound as a parameter, not a row filter."""
    text = SPEC.replace("{table}", loans).replace(
        "ORDER BY day", "WHERE day >= {since} ORDER BY day"
    )
    text = text.replace('time_column = "day"', 'time_column = "day"\nsince = 2024-02-20')
    data = check_experiment(parse_spec(text))["data"]
    assert data["rows"] == 10
    assert data["origin"]["params"] == {"since": "2024-02-20"}
    assert "window" not in data["origin"]


def test_with_window_replaces_the_specs_window_without_editing_it(loans):
    """--since/--until (with_window) read the newest rows of the same spec."""
    spec = parse_spec(SPEC.replace("{table}", loans))
    data = check_experiment(with_window(spec, since="2024-02-10"))["data"]
    assert data["rows"] == 20 and spec.data.since is None


def test_a_window_on_a_query_without_placeholder_or_time_column_is_an_error(loans):
    """since/until that could apply to nothing are refused, not silently ignored."""
    text = SPEC.replace("{table}", loans).replace('time_column = "day"\n', "")
    spec = parse_spec(text)
    with pytest.raises(DataError, match="the spec names no time_column"):
        check_experiment(with_window(spec, since="2024-02-10"))


def test_a_checked_in_sql_file_is_read_relative_to_the_spec(loans, tmp_path):
    """sql_file names a query file beside the spec; its result is the table."""
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "loans.sql").write_text(f"SELECT * FROM {loans}\nORDER BY day\n")
    text = SPEC.replace(
        'sql = "SELECT * FROM {table} ORDER BY day"', 'sql_file = "queries/loans.sql"'
    )
    spec = parse_spec(text, source=str(tmp_path / "loans.toml"))
    assert check_experiment(spec)["data"]["rows"] == 60
