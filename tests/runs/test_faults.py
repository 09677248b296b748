"""Faults around the run store: a full disk under the artifacts or the database, an explicit
SQLite store used from another folder, and artifacts deleted behind the store's back."""

import errno
import os
import sqlite3
import warnings
from pathlib import Path

import pytest
from store_helpers import fake_record, fill, start
from typer.testing import CliRunner

from learnburn.cli import app
from learnburn.errors import RunStoreError
from learnburn.runs import ArtifactStore, RunStore
from learnburn.runs._location import locate_store
from learnburn.runs._space import database_full_hint

runner = CliRunner(env={"COLUMNS": "200"})


def _recorded_run(store: RunStore, contents: list[bytes]) -> str:
    """A finished run with one artifact per content; its id."""
    run_id = start(store)
    for index, content in enumerate(contents):
        sha, size = store.artifacts.put_bytes(content)
        store.add_artifact(run_id, f"file-{index}", sha, size)
    store.finish_run(run_id, fake_record())
    return run_id


def _integrity(database: Path) -> str:
    with sqlite3.connect(database) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]


def test_a_full_artifact_disk_is_a_store_error_naming_the_folder_and_the_size(tiny_disk):
    """ENOSPC on a real (tmpfs) disk: a RunStoreError naming the folder and the space needed;
    no partial file is left, and what was stored before is intact."""
    artifacts = ArtifactStore(tiny_disk / "artifacts")
    kept, _ = artifacts.put_bytes(b"stored before the disk filled up")
    with pytest.raises(RunStoreError) as info:
        artifacts.put_bytes(os.urandom(2_000_000))
    assert "no space left" in info.value.message
    assert str(artifacts.root) in info.value.message and "2.0 MB" in info.value.message
    assert "free at least 2.0 MB" in info.value.hint
    assert isinstance(info.value.__cause__, OSError)
    assert info.value.__cause__.errno == errno.ENOSPC
    assert [check.sha256 for check in artifacts.verify()] == [kept]
    assert all(check.ok for check in artifacts.verify())


def test_a_full_artifact_disk_while_copying_a_file_is_a_store_error(tiny_disk, tmp_path):
    """put_file (a bundle) on a full disk: the same error, with the file's size, no temp file."""
    source = tmp_path / "bundle.lbm"
    source.write_bytes(os.urandom(1_500_000))
    artifacts = ArtifactStore(tiny_disk / "artifacts")
    with pytest.raises(RunStoreError, match=r"no space left.*needs 1\.5 MB") as info:
        artifacts.put_file(source)
    assert str(artifacts.root) in info.value.message
    assert artifacts.verify() == []


def test_a_failed_artifact_write_is_a_store_error_without_a_special_disk(tmp_path, monkeypatch):
    """ENOSPC raised while the bytes are sealed (where a full disk shows on any system): a
    RunStoreError with the same message, and no temporary file left."""
    from learnburn.runs import _artifacts

    def full(out):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(_artifacts, "_seal", full)
    artifacts = ArtifactStore(tmp_path / "artifacts")
    with pytest.raises(RunStoreError, match="no space left on the device holding") as info:
        artifacts.put_bytes(b"x" * 1500)
    assert "1.5 kB" in info.value.message and "df -h" in info.value.hint
    assert not [p for p in artifacts.root.rglob("*") if p.is_file()]


def test_a_full_sqlite_database_gets_a_hint_about_disk_space(tmp_path):
    """SQLite's own "database or disk is full" (a real one, from max_page_count) gets a hint
    that names the disk and says to free space, not the generic store hint."""
    database = tmp_path / "store.db"
    connection = sqlite3.connect(database)
    connection.execute("CREATE TABLE t (x BLOB)")
    connection.execute("PRAGMA max_page_count = 2")
    with pytest.raises(sqlite3.OperationalError, match="full") as info:
        connection.execute("INSERT INTO t VALUES (?)", (b"\0" * 100_000,))
    connection.close()
    hint = database_full_hint(locate_store(str(database), None).database, info.value)
    assert "disk" in hint and "free disk space" in hint and str(database) in hint
    other = sqlite3.OperationalError("no such table: runs")
    assert database_full_hint(locate_store(str(database), None).database, other) == ""


def test_cli_run_with_a_full_artifact_disk_prints_error_and_hint(
    tmp_path, mount_tiny_disk, small_spec
):
    """`learnburn run` whose artifact folder is full: Error/Hint naming the folder, exit 1 as
    for every store error, no traceback; the run is recorded as failed in an intact database."""
    store_file = tmp_path / "store" / "store.db"
    full = mount_tiny_disk(store_file.parent / "artifacts")
    fill(full)
    with warnings.catch_warnings():
        done = runner.invoke(app, ["run", str(small_spec), "-q", "--store", str(store_file)])
    assert done.exit_code == 1, done.output
    assert done.output.count("Error:") == 1 and "Hint:" in done.output
    assert "no space left" in done.output and str(full) in done.output
    assert "Traceback" not in done.output
    assert _integrity(store_file) == "ok"
    with RunStore.open(store_file) as store:
        assert [run.status for run in store.list_runs()] == ["failed"]


def test_cli_with_the_database_on_a_full_disk_hints_at_disk_space(tmp_path, tiny_disk, small_spec):
    """The SQLite file itself on a full disk: Error/Hint, exit 1, and the hint is about space."""
    store_file = tiny_disk / "store.db"
    with RunStore.open(store_file) as store:
        _recorded_run(store, [b"one"])
    fill(tiny_disk)
    with warnings.catch_warnings():
        done = runner.invoke(app, ["run", str(small_spec), "-q", "--store", str(store_file)])
    assert done.exit_code == 1, done.output
    assert "Error:" in done.output and "Hint:" in done.output and "Traceback" not in done.output
    hint = done.output.split("Hint:", 1)[1]
    assert "disk" in hint and ("free" in hint or "space" in hint)


def test_an_explicit_sqlite_store_keeps_its_artifacts_beside_it(tmp_path, monkeypatch):
    """`--store PATH`: artifacts live beside the file, so --verify from another folder (here a
    git repository of its own) checks them, and finds a corrupted one."""
    store_file = tmp_path / "kept" / "runs.db"
    with RunStore.open(store_file) as store:
        _recorded_run(store, [b"alpha", b"beta"])
        assert store.artifacts.root == store_file.parent / "artifacts"
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / ".git").mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    monkeypatch.delenv("LEARNBURN_STORE", raising=False)
    for store_option in (str(store_file), f"sqlite:///{store_file}"):
        verified = runner.invoke(app, ["runs", "--verify", "--store", store_option])
        assert verified.exit_code == 0, verified.output
        assert "2 of 2 artifacts verified" in verified.output
    assert not (elsewhere / ".learnburn").exists()
    first = next((store_file.parent / "artifacts").glob("*/*"))
    first.chmod(0o644)
    first.write_bytes(b"tampered")
    verified = runner.invoke(app, ["runs", "--verify", "--store", str(store_file)])
    assert verified.exit_code == 1 and "1 bad" in verified.output


def test_a_deleted_artifact_fails_verification_and_is_named(tmp_path, monkeypatch):
    """An artifact a run records but whose file was deleted: --verify names it, exits 1."""
    store_file = tmp_path / "store.db"
    with RunStore.open(store_file) as store:
        run_id = _recorded_run(store, [b"kept", b"deleted"])
        gone = store.get_run(run_id).artifacts[1]
        store.artifacts.path_of(gone.sha256).unlink()
    verified = runner.invoke(app, ["runs", "--verify", "--store", str(store_file)])
    assert verified.exit_code == 1, verified.output
    assert "1 of 2 artifacts verified" in verified.output and "1 bad" in verified.output
    assert "missing" in verified.output and gone.sha256[2:] in verified.output
    assert f"'file-1' of run {run_id[:8]}" in verified.output
