"""Snapshots of what a run read from PostgreSQL and S3, and `reproduce` after the source changed:
a real git repository, the real PostgreSQL server and moto's S3 server."""

from __future__ import annotations

import subprocess
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from learnburn.cli import app
from learnburn.errors import ProvenanceError, ProvenanceWarning
from learnburn.spec import load_spec
from learnburn.workflows import open_store, reproduce_run, run_and_record, with_window

SPEC = """
[experiment]
name = "loans"

[data]
sql = "SELECT x, z, label FROM {table} ORDER BY id"
url = "env:LB_TEST_LOANS_DB"
target = "label"

[evaluation]
folds = 2
repeats = 1
seed = 1

[candidates.logistic_regression]
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, capture_output=True, check=True)


def _repo(root: Path, spec: str) -> Path:
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.email", "test@example.com")
    _git(root, "config", "user.name", "Test")
    (root / ".gitignore").write_text(".learnburn/\n")
    (root / "loans.toml").write_text(spec)
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "loans from the database")
    return root


@pytest.fixture
def loans(postgres, sql_table, monkeypatch, tmp_path) -> tuple[Path, str]:
    """A committed spec reading an 80-row PostgreSQL table; the repository and the table."""
    monkeypatch.setenv("LB_TEST_LOANS_DB", postgres)
    table = sql_table(
        "CREATE TABLE {table} AS SELECT g AS id, sin(g) AS x, mod(g * 7, 5) AS z, "
        "CASE WHEN sin(g) + mod(g, 3) * 0.3 > 0.2 THEN 'yes' ELSE 'no' END AS label "
        "FROM generate_series(1, 80) AS g"
    )
    return _repo(tmp_path / "project", SPEC.replace("{table}", table)), table


def _record(repo: Path, **kwargs):
    with open_store(start=repo) as store:
        return run_and_record(load_spec(repo / "loans.toml"), store=store, **kwargs)


def _snapshots(repo: Path, run_id: str) -> list:
    with open_store(start=repo) as store:
        return [a for a in store.get_run(run_id).artifacts if a.kind == "snapshot"]


def test_a_run_on_a_query_keeps_one_snapshot_shared_by_runs_on_the_same_data(loans):
    """Each run stores what it read; the same data gives the same content-addressed snapshot."""
    repo, _ = loans
    first, second = _record(repo), _record(repo)
    [one], [two] = _snapshots(repo, first.run_id), _snapshots(repo, second.run_id)
    assert one.name == "data-snapshot.parquet" and one.sha256 == two.sha256


def test_reproduce_after_the_table_changed_uses_the_snapshot_and_says_so(loans, sql_table):
    """Changing a row changes the source's fingerprint: the snapshot reproduces the run."""
    repo, _ = loans
    recorded = _record(repo)
    sql_table("UPDATE {table} SET x = x + 1 WHERE id < 20")
    with open_store(start=repo) as store:
        outcome = reproduce_run(store, recorded.run_id)
    assert outcome.exact and outcome.data_from == "snapshot"
    assert "no longer matches run" in outcome.data_note and "snapshot" in outcome.data_note


def test_reproduce_with_the_table_unchanged_reads_the_source(loans):
    """While the source still matches, reproduce reads it and the snapshot stays unused."""
    repo, _ = loans
    recorded = _record(repo)
    with open_store(start=repo) as store:
        outcome = reproduce_run(store, recorded.run_id)
    assert outcome.exact and outcome.data_from == "source" and outcome.data_note == ""


def test_reproduce_when_the_database_is_gone_uses_the_snapshot(loans, monkeypatch):
    """A source that cannot be read any more (its URL unset) is replaced by the snapshot."""
    repo, _ = loans
    recorded = _record(repo)
    monkeypatch.delenv("LB_TEST_LOANS_DB")
    with open_store(start=repo) as store:
        outcome = reproduce_run(store, recorded.run_id)
    assert outcome.exact and outcome.data_from == "snapshot"
    assert outcome.data_note.startswith("the source could not be read (")


def test_no_snapshot_warns_and_reproduce_then_refuses_changed_data(loans, sql_table):
    """--no-snapshot keeps nothing (with a warning); after a change, reproduce refuses."""
    repo, _ = loans
    with pytest.warns(ProvenanceWarning, match="no snapshot is kept"):
        recorded = _record(repo, snapshot=False)
    assert _snapshots(repo, recorded.run_id) == []
    sql_table("DELETE FROM {table} WHERE id = 1")
    with open_store(start=repo) as store, pytest.raises(ProvenanceError) as caught:
        reproduce_run(store, recorded.run_id)
    assert "no longer matches run" in caught.value.message
    assert "--no-snapshot" in caught.value.hint


def test_the_cli_reproduce_prints_where_the_data_came_from(loans, sql_table, monkeypatch):
    """`learnburn reproduce` says that it used the snapshot, and why."""
    repo, _ = loans
    recorded = _record(repo)
    sql_table("UPDATE {table} SET z = z + 1")
    monkeypatch.chdir(repo)
    result = CliRunner(env={"COLUMNS": "300"}).invoke(
        app, ["reproduce", recorded.run_id, "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert "Data:" in result.output and "reproduced on the run's snapshot" in result.output


def test_the_run_record_names_the_url_variable_never_the_password(loans, postgres):
    """The recorded origin holds env:NAME; the database password appears in no record."""
    from sqlalchemy.engine import make_url

    repo, _ = loans
    recorded = _record(repo)
    with open_store(start=repo) as store:
        detail = store.get_run(recorded.run_id)
    assert detail.record["data"]["origin"]["url"] == "env:LB_TEST_LOANS_DB"
    password = make_url(postgres).password
    text = str(detail.record) + str(detail.provenance)
    assert f":{password}@" not in text


S3_SPEC = """
[experiment]
name = "loans"

[data]
path = "s3://lb-snap/loans.parquet"
target = "label"

[evaluation]
folds = 2
repeats = 1

[candidates.logistic_regression]
"""


def test_reproduce_after_an_s3_object_changed_uses_the_snapshot(s3, tmp_path, table_maker):
    """An object rewritten after the run (a new ETag) is reproduced from the run's snapshot."""
    import boto3

    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket="lb-snap")
    body = table_maker(120).to_parquet(index=False)
    client.put_object(Bucket="lb-snap", Key="loans.parquet", Body=body)
    repo = _repo(tmp_path / "project", S3_SPEC)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvenanceWarning)
        recorded = _record(repo)
    changed = table_maker(120, seed=5).to_parquet(index=False)
    client.put_object(Bucket="lb-snap", Key="loans.parquet", Body=changed)
    with open_store(start=repo) as store:
        etag = store.get_run(recorded.run_id).record["data"]["origin"]["objects"][0]["etag"]
        outcome = reproduce_run(store, recorded.run_id)
    assert etag and outcome.exact and outcome.data_from == "snapshot"


def test_a_window_given_on_the_command_line_is_recorded_and_reproduced(loans, sql_table):
    """A run on --since rows records the window; reproduce reads the same window from the
    unchanged source (not the snapshot), however the spec's own window reads."""
    repo, _ = loans
    sql_table(
        "ALTER TABLE {table} ADD COLUMN day date; UPDATE {table} SET day = DATE '2023-12-01' + id"
    )
    text = (
        (repo / "loans.toml").read_text().replace("ORDER BY id", "WHERE day >= {since} ORDER BY id")
    )
    (repo / "loans.toml").write_text(text + "\n")
    _git(repo, "commit", "-qam", "a window on the day")
    spec = with_window(load_spec(repo / "loans.toml"), since="2024-01-01")
    with open_store(start=repo) as store:
        recorded = run_and_record(spec, store=store)
        detail = store.get_run(recorded.run_id)
        assert detail.provenance["data_window"] == {"since": "2024-01-01", "until": None}
        assert detail.record["data"]["rows"] == 50
        outcome = reproduce_run(store, recorded.run_id)
    assert outcome.exact and outcome.data_from == "source"
