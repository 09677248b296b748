"""All-or-nothing writes: a write that fails leaves neither a partial target nor its staging
file; a finished one replaces the target whole, file or folder."""

from __future__ import annotations

import os

import pytest

from learnburn._atomic import install, open_new, staged


class Interrupted(Exception):
    """Stands for anything that stops a write halfway (a full disk, a signal, a bug)."""


def _write(path, data: bytes) -> None:
    with open(open_new(path), "wb") as out:
        out.write(data)


def test_a_failure_mid_write_leaves_no_partial_target_and_no_staging_file(tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(Interrupted), staged(tmp_path, f".{target.name}.") as staging:
        _write(staging, b"a,b\n1,")
        raise Interrupted
    assert sorted(tmp_path.iterdir()) == []


def test_a_failure_mid_write_keeps_the_old_target(tmp_path):
    target = tmp_path / "out.csv"
    target.write_bytes(b"old\n")
    with pytest.raises(Interrupted), staged(tmp_path, f".{target.name}.") as staging:
        _write(staging, b"new, half")
        raise Interrupted
    assert target.read_bytes() == b"old\n"
    assert sorted(tmp_path.iterdir()) == [target]


def test_a_failure_mid_write_of_a_folder_removes_the_staged_folder(tmp_path):
    target = tmp_path / "parts"
    with pytest.raises(Interrupted), staged(tmp_path, ".parts.", directory=True) as staging:
        _write(staging / "part-00000.parquet", b"x")
        raise Interrupted
    assert sorted(tmp_path.iterdir()) == []
    assert not target.exists()


def test_the_staging_name_is_hidden_in_the_given_folder(tmp_path):
    with staged(tmp_path, ".out.csv.") as staging:
        assert staging.parent == tmp_path
        assert staging.name.startswith(".out.csv.") and staging.name.endswith(".partial")
        assert not staging.exists()  # the writer creates it


def test_an_installed_file_replaces_the_target(tmp_path):
    target = tmp_path / "out.csv"
    target.write_bytes(b"old\n")
    with staged(tmp_path, ".out.csv.") as staging:
        _write(staging, b"new\n")
        install(staging, target, durable=True)
    assert target.read_bytes() == b"new\n"
    assert sorted(tmp_path.iterdir()) == [target]


def test_an_installed_folder_replaces_the_old_folder_whole(tmp_path):
    target = tmp_path / "parts"
    target.mkdir()
    (target / "stale").write_bytes(b"old")
    with staged(tmp_path, ".parts.", directory=True) as staging:
        _write(staging / "part-00000.parquet", b"new")
        install(staging, target, durable=True)
    assert sorted(p.name for p in target.iterdir()) == ["part-00000.parquet"]
    assert sorted(tmp_path.iterdir()) == [target]  # no staging, no old folder set aside


def test_a_block_that_does_not_install_leaves_nothing_behind(tmp_path):
    with staged(tmp_path, ".tmp-", suffix="") as staging:
        _write(staging, b"already stored elsewhere")
    assert sorted(tmp_path.iterdir()) == []


def test_a_failed_rename_puts_the_old_folder_back(tmp_path, monkeypatch):
    target = tmp_path / "parts"
    target.mkdir()
    (target / "old").write_bytes(b"old")
    rename = os.rename
    calls = []

    def failing_second_rename(source, destination):
        calls.append(source)
        if len(calls) == 2:  # the old folder is aside; moving the new one in fails
            raise OSError(28, "No space left on device")
        rename(source, destination)

    with pytest.raises(OSError), staged(tmp_path, ".parts.", directory=True) as staging:
        _write(staging / "new", b"new")
        monkeypatch.setattr(os, "rename", failing_second_rename)
        install(staging, target)
    monkeypatch.undo()
    assert (target / "old").read_bytes() == b"old"
    assert sorted(tmp_path.iterdir()) == [target]


def test_open_new_refuses_an_existing_file_and_a_link(tmp_path):
    existing = tmp_path / "existing"
    existing.write_bytes(b"keep")
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "elsewhere")
    for path in (existing, link):
        with pytest.raises(FileExistsError):
            open_new(path)
    assert existing.read_bytes() == b"keep" and not (tmp_path / "elsewhere").exists()
