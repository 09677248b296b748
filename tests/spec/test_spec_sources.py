"""The [data] keys of SQL and object-storage sources: parsed, checked, and hashed as before."""

from __future__ import annotations

import pytest

from learnburn.errors import SpecError
from learnburn.spec import parse_spec

TOP = '[experiment]\nname = "x"\n[data]\ntarget = "y"\n'
CANDIDATE = "[candidates.knn]\n"


def problems_of(data: str) -> dict[str, tuple[str, str]]:
    with pytest.raises(SpecError) as caught:
        parse_spec(TOP + data + CANDIDATE)
    return {p.path: (p.message, p.hint) for p in caught.value.problems}


def test_sql_source_parses_with_an_env_url_and_a_window():
    """sql, url = "env:NAME", since and until (a TOML date) become the DataSpec's."""
    spec = parse_spec(
        TOP + 'sql = "SELECT * FROM loans WHERE day >= {since}"\nurl = "env:LOANS_DB"\n'
        "since = 2024-01-01\n" + CANDIDATE
    )
    assert spec.data.is_query and spec.data.url == "env:LOANS_DB"
    assert spec.data.since == "2024-01-01" and spec.data.path == ""


def test_a_spec_without_the_new_keys_hashes_as_before():
    """Specs that use none of the source keys keep the content hash they always had."""
    spec = parse_spec(TOP.replace("[data]\n", '[data]\npath = "x.csv"\n') + CANDIDATE)
    assert set(spec.to_dict()["data"]) == {
        "path", "target", "time_column", "id_column", "drop",
    }  # fmt: skip


def test_path_and_sql_together_are_one_problem():
    """A table comes from one place."""
    message, _ = problems_of('path = "x.csv"\nsql = "SELECT 1"\nurl = "env:DB"\n')["data"]
    assert message == "needs exactly one of path, sql or sql_file, got path and sql"


def test_sql_without_a_url_says_how_to_give_one():
    """A query needs the database it runs on, named by an environment variable."""
    message, hint = problems_of('sql = "SELECT 1"\n')["data.url"]
    assert message == "is required to run the query"
    assert 'url = "env:LOANS_DB"' in hint


def test_a_url_with_a_password_is_refused_without_repeating_it():
    """Credentials never go in a checked-in spec; the problem does not echo them."""
    problems = problems_of('sql = "SELECT 1"\nurl = "postgresql://me:hunter2@db/loans"\n')
    message, hint = problems["data.url"]
    assert message.startswith("holds a password")
    assert "hunter2" not in message + hint and 'url = "env:NAME"' in hint


def test_since_without_a_time_column_or_placeholder_is_a_problem():
    """A window bounds a time column (or the query's {since}); without either it cannot apply."""
    message, _ = problems_of('path = "x.csv"\nsince = 2024-01-01\n')["data.since"]
    assert message.startswith("needs data.time_column")


def test_until_before_since_is_a_problem():
    """The window must not be empty by construction."""
    body = 'path = "x.csv"\ntime_column = "day"\nsince = 2024-02-01\nuntil = "2024-01-01"\n'
    assert problems_of(body)["data.until"][0] == "must be later than since"


def test_partitions_need_a_folder_path():
    """Partition filters apply to a prefix of partitioned Parquet, not to one file."""
    message, _ = problems_of('path = "s3://b/x.parquet"\npartitions = { year = 2024 }\n')[
        "data.partitions"
    ]
    assert message.startswith("applies to an s3:// folder of partitioned Parquet")


def test_partition_values_become_text():
    """Partition values compare with the text of the key=value folder names."""
    spec = parse_spec(
        TOP
        + 'path = "s3://b/loans/"\npartitions = { year = [2024, 2025], region = "north" }\n'
        + CANDIDATE
    )
    assert spec.data.partitions == {"year": ("2024", "2025"), "region": ("north",)}


def test_relocated_rewrites_a_relative_sql_file_for_the_new_folder(tmp_path, monkeypatch):
    """A spec written elsewhere still names its query file, and keeps an empty path empty."""
    monkeypatch.chdir(tmp_path)
    source = "experiments/loans.toml"
    spec = parse_spec(
        TOP + 'sql_file = "queries/loans.sql"\nurl = "env:DB"\n' + CANDIDATE, source=source
    )
    moved = spec.relocated("elsewhere/loans.toml")
    assert moved.data.sql_file == "../experiments/queries/loans.sql"
    assert moved.data.path == ""


def test_a_query_spec_written_as_toml_parses_back_the_same():
    """spec_to_toml writes the source keys, so the spec round-trips."""
    from learnburn.spec import spec_to_toml

    spec = parse_spec(
        TOP
        + 'sql = "SELECT * FROM t WHERE d >= {since}"\nurl = "env:DB"\nsince = 2024-01-01\n'
        + CANDIDATE
    )
    again = parse_spec(spec_to_toml(spec))
    assert again.to_dict() == spec.to_dict()
