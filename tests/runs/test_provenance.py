"""Tests of git provenance against real repositories in a temporary folder."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from learnburn.errors import ProvenanceError
from learnburn.runs._git import strip_credentials
from learnburn.runs._provenance import (
    Provenance,
    capture_diff,
    checkout_worktree,
    collect_provenance,
)

BINARY = bytes(range(256)) * 4


@pytest.fixture(autouse=True)
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user or system git config, and no repository above tmp_path is ever found."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=True, timeout=30)
    return result.stdout.decode()


def init_repo(root: Path) -> Path:
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Test")
    git(root, "config", "user.email", "test@example.com")
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository (with a space and a non-ASCII letter in its path) holding one commit."""
    root = init_repo(tmp_path / "my repo ü")
    (root / "spec.toml").write_text('[data]\npath = "data.csv"\n')
    (root / "data.csv").write_text("a,b\n1,2\n")
    (root / "model.bin").write_bytes(BINARY)
    (root / ".gitignore").write_text("*.log\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first")
    return root


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def test_clean_repository_is_not_dirty_and_names_commit_and_branch(repo: Path) -> None:
    """A clean checkout records its commit, branch and root, and is not dirty."""
    found = collect_provenance(repo / "spec.toml", read_files=[repo / "spec.toml"])
    assert found.in_git
    assert Path(found.root).resolve() == repo.resolve()
    assert (found.commit, found.branch) == (head(repo), "main")
    assert (found.dirty, found.changed, found.untracked_read) == (False, (), ())


@pytest.mark.parametrize("staged", [False, True], ids=["unstaged", "staged"])
def test_modified_tracked_file_makes_tree_dirty(repo: Path, staged: bool) -> None:
    """A changed tracked file, staged or not, is dirty and listed in changed."""
    (repo / "data.csv").write_text("a,b\n1,3\n")
    if staged:
        git(repo, "add", "data.csv")
    found = collect_provenance(repo / "spec.toml")
    assert found.dirty
    assert found.changed == ("data.csv",)


def test_untracked_file_counts_only_when_the_run_read_it(repo: Path) -> None:
    """An untracked file the run read makes the tree dirty; one it did not read does not."""
    (repo / "new data é.csv").write_text("a\n1\n")
    (repo / "notes.txt").write_text("scratch\n")
    unread = collect_provenance(repo, read_files=[repo / "spec.toml"])
    read = collect_provenance(repo, read_files=[repo / "spec.toml", repo / "new data é.csv"])
    assert not unread.dirty
    assert read.dirty
    assert read.untracked_read == ("new data é.csv",)
    assert read.changed == ()


def test_ignored_file_never_counts(repo: Path) -> None:
    """A file matched by .gitignore is not dirty even when the run read it."""
    (repo / "train.log").write_text("log\n")
    found = collect_provenance(repo, read_files=[repo / "train.log"])
    assert not found.dirty
    assert found.untracked_read == ()


def test_read_file_outside_the_repository_is_ignored(repo: Path, tmp_path: Path) -> None:
    """A data file outside the repository neither dirties the tree nor breaks collection."""
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("a\n1\n")
    assert not collect_provenance(repo, read_files=[outside]).dirty


def test_detached_head_has_no_branch(repo: Path) -> None:
    """With HEAD detached, branch is None and commit is still recorded."""
    git(repo, "checkout", "-q", "--detach")
    found = collect_provenance(repo)
    assert found.branch is None
    assert found.commit == head(repo)


def test_outside_git_records_nothing(tmp_path: Path) -> None:
    """A spec outside any repository gives in_git False and no other facts."""
    spec = tmp_path / "plain" / "spec.toml"
    spec.parent.mkdir()
    spec.write_text("")
    assert collect_provenance(spec, read_files=[spec]) == Provenance(in_git=False)


def test_missing_git_is_treated_as_outside_git_with_a_note(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without git on PATH the run is recorded as outside git, and the note says why."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    found = collect_provenance(repo)
    assert not found.in_git
    assert "git is not on PATH" in found.note


def test_repository_without_commits_has_no_commit(tmp_path: Path) -> None:
    """A freshly initialised repository is in git, on its branch, with commit None."""
    root = init_repo(tmp_path / "fresh")
    (root / "spec.toml").write_text("")
    found = collect_provenance(root / "spec.toml", read_files=[root / "spec.toml"])
    assert (found.in_git, found.commit, found.branch) == (True, None, "main")
    assert found.untracked_read == ("spec.toml",)


def test_the_repository_holding_start_counts_not_an_enclosing_one(repo: Path) -> None:
    """A spec in a nested repository is attributed to that repository."""
    inner = init_repo(repo / "vendor" / "inner")
    (inner / "spec.toml").write_text("")
    git(inner, "add", ".")
    git(inner, "commit", "-q", "-m", "inner")
    found = collect_provenance(inner / "spec.toml")
    assert Path(found.root).resolve() == inner.resolve()
    assert found.commit == head(inner)


def test_first_remote_is_used_when_there_is_no_origin(repo: Path) -> None:
    """Without an 'origin' remote the first remote's URL is recorded."""
    git(repo, "remote", "add", "upstream", "https://example.com/org/repo.git")
    assert collect_provenance(repo).remote_url == "https://example.com/org/repo.git"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://user:s3cr3t@github.com/org/repo.git", "https://github.com/org/repo.git"),
        ("https://s3cr3t@github.com/org/repo.git", "https://github.com/org/repo.git"),
        ("https://oauth2:s3cr3t@gitlab.com:8443/org/repo", "https://gitlab.com:8443/org/repo"),
        ("ssh://git:s3cr3t@host.example/org/repo.git", "ssh://git@host.example/org/repo.git"),
        ("https://host.example/repo.git?access_token=s3cr3t", "https://host.example/repo.git"),
        ("https://host.example/repo.git#s3cr3t", "https://host.example/repo.git"),
        ("git@github.com:org/repo.git", "git@github.com:org/repo.git"),
        ("git:s3cr3t@github.com:org/repo.git", "git@github.com:org/repo.git"),
        ("ssh://git@host.example:2222/repo.git", "ssh://git@host.example:2222/repo.git"),
        ("/srv/git/repo.git", "/srv/git/repo.git"),
        ("https://u:s3cr3t@[::1/repo", "https://[::1/repo"),
        ("", ""),
    ],
)
def test_strip_credentials_removes_passwords_and_tokens(url: str, expected: str) -> None:
    """Credentials, tokens in queries and fragments go; hosts, ssh users and paths stay."""
    assert strip_credentials(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://user:s3cr3t@github.com/org/repo.git",
        "https://s3cr3t@github.com/org/repo.git",
        "ssh://git:s3cr3t@host.example/org/repo.git",
        "https://host.example/org/repo.git?private_token=s3cr3t",
    ],
)
def test_recorded_provenance_never_contains_the_token(repo: Path, url: str) -> None:
    """The remote's token appears nowhere in the JSON of the provenance record."""
    git(repo, "remote", "add", "origin", url)
    found = collect_provenance(repo)
    assert found.remote_url
    assert "s3cr3t" not in json.dumps(found.to_dict())


def test_provenance_round_trips_through_a_dict(repo: Path) -> None:
    """from_dict(to_dict()) gives back an equal record."""
    (repo / "data.csv").write_text("changed\n")
    found = collect_provenance(repo)
    assert Provenance.from_dict(json.loads(json.dumps(found.to_dict()))) == found


def snapshot(root: Path, paths: list[str]) -> dict[str, bytes | None]:
    return {p: (root / p).read_bytes() if (root / p).exists() else None for p in paths}


def test_diff_and_worktree_rebuild_the_exact_working_tree(repo: Path) -> None:
    """Modified, staged, binary and untracked-read files come back byte for byte; the user's
    index and working tree are untouched."""
    (repo / "data.csv").write_text("a,b\n1,3\n")
    (repo / "spec.toml").write_text('[data]\npath = "new data é.csv"\n')
    git(repo, "add", "spec.toml")
    (repo / "model.bin").write_bytes(BINARY[::-1])
    (repo / "new data é.csv").write_text("a\n1\n")
    (repo / "weights é.bin").write_bytes(b"\0\xff" * 300)
    (repo / "unread.txt").write_text("not read\n")
    read = [repo / "spec.toml", repo / "new data é.csv", repo / "weights é.bin"]
    before = git(repo, "status", "--porcelain")
    found = collect_provenance(repo / "spec.toml", read_files=read)
    diff = capture_diff(found)
    paths = ["data.csv", "spec.toml", "model.bin", "new data é.csv", "weights é.bin"]
    with checkout_worktree(repo, found.commit, diff=diff) as tree:
        assert snapshot(tree, paths) == snapshot(repo, paths)
        assert not (tree / "unread.txt").exists()
    assert git(repo, "status", "--porcelain") == before


def test_clean_tree_has_an_empty_diff(repo: Path) -> None:
    """capture_diff of a clean tree is empty bytes."""
    assert capture_diff(collect_provenance(repo)) == b""


def test_dirty_tree_without_commits_cannot_be_diffed(tmp_path: Path) -> None:
    """A dirty repository with no commit gives a ProvenanceError, not a useless patch."""
    root = init_repo(tmp_path / "fresh")
    (root / "spec.toml").write_text("")
    with pytest.raises(ProvenanceError, match="no commit"):
        capture_diff(collect_provenance(root, read_files=[root / "spec.toml"]))


def test_worktree_is_removed_even_when_the_body_raises(repo: Path) -> None:
    """The temporary worktree and git's record of it are gone after an error in the body."""
    with pytest.raises(RuntimeError), checkout_worktree(repo, head(repo)) as tree:
        assert (tree / "spec.toml").exists()
        raise RuntimeError("boom")
    assert not tree.exists()
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1


def test_unknown_commit_is_a_provenance_error_with_a_hint(repo: Path) -> None:
    """A commit the repository does not have is reported with a hint to fetch it."""
    with (
        pytest.raises(ProvenanceError, match="not in the repository") as caught,
        checkout_worktree(repo, "0" * 40),
    ):
        pass
    assert "fetch" in caught.value.hint.lower()


def test_diff_that_does_not_apply_names_the_commit(repo: Path) -> None:
    """A patch that does not fit the commit gives a ProvenanceError naming it; no worktree
    is left behind."""
    patch = b"--- a/data.csv\n+++ b/data.csv\n@@ -1 +1 @@\n-nothing like this\n+x\n"
    commit = head(repo)
    with pytest.raises(ProvenanceError, match=commit), checkout_worktree(repo, commit, diff=patch):
        pass
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1


def test_same_size_change_in_the_second_of_the_commit_is_in_the_diff(repo: Path) -> None:
    """A file edited in the same second as the commit, keeping its size, is still captured a
    second later (git's "racy" check needs the index copy to keep the index's mtime)."""
    path = repo / "racy.toml"
    path.write_text("n = 20\n")
    git(repo, "add", path.name)
    git(repo, "commit", "-q", "-m", "racy")
    before = path.stat()
    path.write_text("n = 25\n")  # same size, same inode
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    time.sleep(1.05 - time.time() % 1)  # capture in a later second than the commit
    found = collect_provenance(repo / "spec.toml", read_files=[repo / "spec.toml"])
    assert found.dirty
    assert b"+n = 25" in capture_diff(found)
