import sqlite3
from pathlib import Path

import pytest

from learnburn.errors import RunStoreError
from learnburn.runs import RunStore, default_store_location


def test_default_store_location_is_at_the_git_root(tmp_path):
    """From a file or folder inside a repository, the store is .learnburn at its root."""
    (tmp_path / ".git").mkdir()
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    (deep / "spec.toml").write_text("")
    assert default_store_location(deep) == tmp_path / ".learnburn"
    assert default_store_location(deep / "spec.toml") == tmp_path / ".learnburn"


def test_default_store_location_accepts_a_git_file_for_worktrees(tmp_path):
    """A `.git` file (worktrees, submodules) marks a repository root too."""
    (tmp_path / ".git").write_text("gitdir: /elsewhere\n")
    assert default_store_location(tmp_path / "x") == tmp_path / ".learnburn"


def test_default_store_location_outside_git_is_beside_start(tmp_path):
    """Outside a repository the store sits in the folder, or the file's folder."""
    (tmp_path / "spec.toml").write_text("")
    assert default_store_location(tmp_path) == tmp_path / ".learnburn"
    assert default_store_location(tmp_path / "spec.toml") == tmp_path / ".learnburn"


def test_open_without_url_uses_the_default_folder_and_hides_it_from_git(tmp_path, monkeypatch):
    """No URL: store.db and artifacts/ in .learnburn at the git root, hidden from git."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    with RunStore.open() as store:
        assert store.url == f"sqlite:///{tmp_path / '.learnburn' / 'store.db'}"
        store.artifacts.put_bytes(b"x")
    assert (tmp_path / ".learnburn" / "store.db").is_file()
    assert (tmp_path / ".learnburn" / "artifacts").is_dir()
    assert (tmp_path / ".learnburn" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_open_a_plain_path_as_an_sqlite_file_in_wal_mode(tmp_path):
    """A path without a scheme is an SQLite file; it is created in WAL mode, artifacts beside it."""
    path = tmp_path / "deep" / "runs.db"
    with RunStore.open(str(path)) as store:
        assert store.artifacts.root == path.parent / "artifacts"
        assert store.schema_version() == 3
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    connection.close()


def test_unreachable_postgresql_is_an_error_with_the_password_masked(tmp_path):
    """A server that does not answer is a RunStoreError naming the URL, never its password."""
    url = "postgresql://learnburn:s3cret-pw@127.0.0.1:1/runs"
    with pytest.raises(RunStoreError) as info:
        RunStore.open(url, folder=tmp_path)
    message = str(info.value)
    assert "s3cret-pw" not in message and "s3cret-pw" not in info.value.hint
    assert "postgresql+psycopg://learnburn:***@127.0.0.1:1/runs" in message
    assert "LEARNBURN_STORE" in info.value.hint and "--store" in info.value.hint


def test_a_file_that_is_not_a_database_is_an_error(tmp_path):
    """A corrupt or foreign file is reported as such, with a hint."""
    path = tmp_path / "store.db"
    path.write_bytes(b"this is not an SQLite database\n" * 200)
    with pytest.raises(RunStoreError, match="not a database") as info:
        RunStore.open(path)
    assert str(path) in str(info.value)


def test_other_databases_are_refused(tmp_path):
    """Only SQLite and PostgreSQL are run stores."""
    with pytest.raises(RunStoreError, match="SQLite or PostgreSQL"):
        RunStore.open("mysql://u:p@localhost/runs", folder=tmp_path)


def test_postgres_scheme_means_psycopg(tmp_path):
    """postgresql:// and postgres:// URLs are read with psycopg 3 (shown with the driver)."""
    for scheme in ("postgresql", "postgres"):
        with pytest.raises(RunStoreError) as info:
            RunStore.open(f"{scheme}://u@127.0.0.1:1/runs", folder=tmp_path)
        assert "postgresql+psycopg://u@127.0.0.1:1/runs" in str(info.value)


def test_store_is_a_context_manager(tmp_path: Path):
    """`with RunStore.open(...)` closes the store at the end of the block."""
    with RunStore.open(tmp_path / "s.db") as store:
        assert repr(store) == f"RunStore('sqlite:///{tmp_path / 's.db'}')"
