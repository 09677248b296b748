import hashlib
import os

import pytest

from learnburn.errors import RunStoreError
from learnburn.runs import ArtifactCheck, ArtifactStore


@pytest.fixture
def artifacts(tmp_path):
    return ArtifactStore(tmp_path / "artifacts")


def test_put_bytes_stores_content_under_its_sha256(artifacts):
    """put_bytes returns (sha256, size) and files the bytes at root/ab/cdef..."""
    data = b"diff --git a/x b/x\n"
    sha, size = artifacts.put_bytes(data)
    assert (sha, size) == (hashlib.sha256(data).hexdigest(), len(data))
    path = artifacts.path_of(sha)
    assert path == artifacts.root / sha[:2] / sha[2:]
    assert path.read_bytes() == data
    assert artifacts.read_bytes(sha) == data


def test_put_bytes_is_idempotent(artifacts):
    """Storing the same bytes twice keeps one file and leaves no temporary file."""
    first = artifacts.put_bytes(b"same")
    assert artifacts.put_bytes(b"same") == first
    files = [p for p in artifacts.root.rglob("*") if p.is_file()]
    assert files == [artifacts.path_of(first[0])]


def test_put_file_streams_a_large_file(artifacts, tmp_path):
    """put_file hashes and copies in chunks; a file larger than a chunk round-trips."""
    source = tmp_path / "big.bin"
    data = os.urandom(3 * (1 << 20) + 17)
    source.write_bytes(data)
    sha, size = artifacts.put_file(source)
    assert (sha, size) == (hashlib.sha256(data).hexdigest(), len(data))
    assert artifacts.read_bytes(sha) == data
    assert artifacts.put_file(source) == (sha, size)
    assert all(check.ok for check in artifacts.verify())


@pytest.mark.parametrize(
    "digest",
    [
        "../../etc/passwd",
        "ab/../../" + "0" * 55,
        "A" * 64,
        "0" * 63,
        "0" * 65,
        "/" + "0" * 63,
        "0" * 63 + "\x00",
        "",
        None,
    ],
)
def test_path_of_accepts_only_a_sha256_digest(artifacts, digest):
    """Anything but 64 lowercase hex characters is refused: no path ever comes from a name."""
    with pytest.raises(RunStoreError, match="sha256"):
        artifacts.path_of(digest)


def test_path_of_refuses_a_shard_linked_outside_the_root(artifacts, tmp_path):
    """A shard folder that is a symlink to elsewhere is refused (the resolved path is checked)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    artifacts.root.mkdir()
    (artifacts.root / "ab").symlink_to(outside)
    with pytest.raises(RunStoreError, match="outside the artifact store"):
        artifacts.path_of("ab" + "0" * 62)


def test_read_bytes_detects_a_corrupt_or_missing_artifact(artifacts):
    """Reading checks the sha256: a changed byte or a missing file is an error with a hint."""
    sha, _ = artifacts.put_bytes(b"the record")
    path = artifacts.path_of(sha)
    path.chmod(0o644)
    path.write_bytes(b"the recorD")
    with pytest.raises(RunStoreError, match="corrupt") as info:
        artifacts.read_bytes(sha)
    assert "--verify" in info.value.hint
    with pytest.raises(RunStoreError, match="missing"):
        artifacts.read_bytes("0" * 64)


def test_verify_reports_corrupt_files_stray_temporaries_and_strangers(artifacts):
    """verify checks every file: intact, corrupt, a temp file left by a killed write, or foreign."""
    good, _ = artifacts.put_bytes(b"good")
    bad, _ = artifacts.put_bytes(b"bad")
    artifacts.path_of(bad).write_bytes(b"BAD")
    stray = artifacts.path_of(good).parent / ".tmp-abc123"
    stray.write_bytes(b"half a wri")
    stranger = artifacts.root / "notes.txt"
    stranger.write_text("hello")

    checks = {check.path: check for check in artifacts.verify()}
    assert checks[artifacts.path_of(good)] == ArtifactCheck(good, artifacts.path_of(good), True)
    assert not checks[artifacts.path_of(bad)].ok
    assert checks[artifacts.path_of(bad)].problem.startswith("corrupt")
    assert not checks[stray].ok and "temporary" in checks[stray].problem
    assert not checks[stranger].ok and "unexpected" in checks[stranger].problem
    assert len(checks) == 4


def test_verify_of_an_empty_store_finds_nothing(artifacts):
    """A store with no artifacts (not even a folder yet) verifies clean."""
    assert artifacts.verify() == []


def test_a_failed_write_leaves_neither_the_artifact_nor_a_temp_file(artifacts, monkeypatch):
    """If the rename fails, the target does not exist, the temporary file is removed, and the
    error is a RunStoreError naming the folder."""
    artifacts.put_bytes(b"first")  # creates the folders

    def broken_replace(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(RunStoreError, match=f"into {artifacts.root}: disk full"):
        artifacts.put_bytes(b"second")
    monkeypatch.undo()
    sha = hashlib.sha256(b"second").hexdigest()
    assert not artifacts.path_of(sha).exists()
    assert all(check.ok for check in artifacts.verify())


def test_a_truncated_artifact_is_rewritten(artifacts):
    """A file of the wrong size under a digest is not taken as stored: put_bytes replaces it."""
    sha, _ = artifacts.put_bytes(b"complete content")
    artifacts.path_of(sha).write_bytes(b"compl")
    artifacts.put_bytes(b"complete content")
    assert artifacts.read_bytes(sha) == b"complete content"
