"""Where a run's code came from: the git commit, whether the tree was dirty, and how to rebuild it.

:func:`collect_provenance` records the repository that holds the spec; :func:`capture_diff` turns
the uncommitted changes (and the untracked files the run read) into one binary-safe patch; and
:func:`checkout_worktree` rebuilds that exact tree in a temporary ``git worktree``. None of them
touches the user's index or working tree.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from learnburn._records import Record
from learnburn.errors import ProvenanceError
from learnburn.runs._git import (
    git_failure,
    git_output,
    run_git,
    stderr_text,
    strip_credentials,
)

_DIFF_OPTIONS = (
    "--binary",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--no-renames",
    "--no-relative",
    "--src-prefix=a/",
    "--dst-prefix=b/",
)


@dataclass(frozen=True)
class Provenance(Record):
    """The git state of the code a run used; ``note`` says why it is missing when git is."""

    in_git: bool
    root: str | None = None
    commit: str | None = None
    branch: str | None = None
    remote_url: str | None = None
    dirty: bool = False
    changed: tuple[str, ...] = ()
    untracked_read: tuple[str, ...] = ()
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (tuples become lists)."""
        record = asdict(self)
        record["changed"] = list(self.changed)
        record["untracked_read"] = list(self.untracked_read)
        return record

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> Provenance:
        """The inverse of :meth:`to_dict`; unknown keys are ignored, missing ones take defaults."""
        fields = {k: record[k] for k in cls.__dataclass_fields__ if k in record}
        for key in ("changed", "untracked_read"):
            fields[key] = tuple(fields.get(key, ()))
        return cls(**fields)


def collect_provenance(start: str | Path, *, read_files: Sequence[str | Path] = ()) -> Provenance:
    """The git state of the repository holding ``start`` (a spec file or a folder).

    Tracked changes, staged or not, make the tree dirty; so does an untracked file in
    ``read_files``. Untracked files the run did not read, and ignored files, do not.
    """
    if shutil.which("git") is None:
        return Provenance(in_git=False, note="git is not on PATH, so no provenance was recorded.")
    found = run_git(["rev-parse", "--show-toplevel"], _existing_folder(Path(start)))
    if found.returncode != 0:
        message = stderr_text(found)
        if "not a git repository" in message:
            return Provenance(in_git=False)
        return Provenance(in_git=False, note=f"git could not read the repository: {message}")
    root = os.fsdecode(found.stdout).rstrip("\n")
    changed = _changed_paths(root)
    untracked_read = _untracked_among(root, read_files)
    return Provenance(
        in_git=True,
        root=root,
        commit=_head_commit(root),
        branch=_branch(root),
        remote_url=_remote_url(root),
        dirty=bool(changed or untracked_read),
        changed=changed,
        untracked_read=untracked_read,
    )


def committed_version(path: str | Path) -> tuple[str, bytes | None] | None:
    """Where ``path`` is in its git repository (repository-relative) and its content in the
    HEAD commit: None when that commit lacks it; None for the whole when ``path`` is not in a
    git repository. Reads the object database only: the working tree and index are untouched."""
    if shutil.which("git") is None:
        return None
    found = run_git(["rev-parse", "--show-toplevel"], _existing_folder(Path(path)))
    if found.returncode != 0:
        return None
    root = Path(os.path.realpath(os.fsdecode(found.stdout).rstrip("\n")))
    relative = _repo_relative(Path(path), root)
    if relative is None:
        return None
    shown = run_git(["cat-file", "blob", f"HEAD:{relative}"], root)
    return relative, (shown.stdout if shown.returncode == 0 else None)


def _existing_folder(start: Path) -> Path:
    """``start`` if it is a folder, else the nearest folder above it that exists."""
    path = Path(os.path.abspath(start))
    while not path.is_dir() and path != path.parent:
        path = path.parent
    return path


def _head_commit(root: str) -> str | None:
    result = run_git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], root)
    return os.fsdecode(result.stdout).strip() if result.returncode == 0 else None


def _branch(root: str) -> str | None:
    result = run_git(["symbolic-ref", "--quiet", "--short", "HEAD"], root)
    return os.fsdecode(result.stdout).rstrip("\n") if result.returncode == 0 else None


def _remote_url(root: str) -> str | None:
    names = git_output(["remote"], root).split()
    if not names:
        return None
    name = "origin" if "origin" in names else names[0]
    result = run_git(["remote", "get-url", "--", name], root)
    if result.returncode != 0:
        return None
    return strip_credentials(os.fsdecode(result.stdout).rstrip("\n"))


def _changed_paths(root: str) -> tuple[str, ...]:
    """Tracked paths that differ from HEAD or the index (repo-relative, sorted)."""
    args = ["status", "--porcelain=v1", "-z", "--no-renames", "--untracked-files=no"]
    result = run_git(args, root)
    if result.returncode != 0:
        raise git_failure(args, root, result)
    entries = (e for e in result.stdout.split(b"\0") if len(e) > 3)
    return tuple(sorted({os.fsdecode(e[3:]) for e in entries}))


def _untracked_among(root: str, read_files: Sequence[str | Path]) -> tuple[str, ...]:
    """The untracked, not ignored files among ``read_files`` inside ``root``."""
    real_root = Path(os.path.realpath(root))
    specs = [s for s in (_repo_relative(Path(f), real_root) for f in read_files) if s is not None]
    if not specs:
        return ()
    found = _list_untracked(root, specs)
    if found is None:  # one path is in a submodule or otherwise refused: ask path by path
        found = set().union(*(_list_untracked(root, [s]) or set() for s in specs))
    return tuple(sorted(found))


def _list_untracked(root: str, specs: Sequence[str]) -> set[str] | None:
    args = ["--literal-pathspecs", "ls-files", "-z", "--others", "--exclude-standard", "--", *specs]
    result = run_git(args, root)
    if result.returncode != 0:
        return None
    return {os.fsdecode(p) for p in result.stdout.split(b"\0") if p}


def _repo_relative(path: Path, real_root: Path) -> str | None:
    """``path`` relative to the repository (the file itself not resolved), or None if outside."""
    absolute = Path(os.path.abspath(path))
    real = Path(os.path.realpath(absolute.parent)) / absolute.name
    try:
        return real.relative_to(real_root).as_posix()
    except ValueError:
        return None


def capture_diff(provenance: Provenance) -> bytes:
    """The whole change against the commit as one patch for ``git apply``; empty when clean.

    Tracked changes (staged and unstaged) and the untracked files the run read are diffed
    through a temporary index, so the user's index is never touched.
    """
    if not provenance.dirty:
        return b""
    if not provenance.in_git or provenance.root is None or provenance.commit is None:
        raise ProvenanceError(
            "The working tree has changes but no commit to record them against.",
            hint="Commit once so the run can be tied to a commit, then run it again.",
        )
    root = provenance.root
    with tempfile.TemporaryDirectory(prefix="learnburn-index-") as folder:
        env = {"GIT_INDEX_FILE": _copy_index(root, Path(folder) / "index")}
        if provenance.untracked_read:
            args = ["--literal-pathspecs", "add", "--intent-to-add", "--"]
            _checked(run_git([*args, *provenance.untracked_read], root, env=env), args, root)
        args = ["diff", *_DIFF_OPTIONS, provenance.commit, "--"]
        return _checked(run_git(args, root, env=env), args, root).stdout


def _copy_index(root: str, target: Path) -> str:
    """Copy the repository's index to ``target`` (or build one from HEAD when there is none)."""
    index = Path(root, git_output(["rev-parse", "--git-path", "index"], root))
    if index.is_file():
        # copy2 keeps the index's mtime: git then still re-reads files changed in the same
        # second as the index was written ("racy git") instead of trusting their stat data
        shutil.copy2(index, target)
    else:
        args = ["read-tree", "HEAD"]
        _checked(run_git(args, root, env={"GIT_INDEX_FILE": os.fspath(target)}), args, root)
    return os.fspath(target)


def _checked(
    result: subprocess.CompletedProcess[bytes], args: Sequence[str], cwd: str | Path
) -> subprocess.CompletedProcess[bytes]:
    """``result`` itself when git succeeded, else a ProvenanceError with git's message."""
    if result.returncode != 0:
        raise git_failure(args, cwd, result)
    return result


@contextlib.contextmanager
def checkout_worktree(root: str | Path, commit: str, *, diff: bytes = b"") -> Iterator[Path]:
    """A temporary detached worktree of ``commit`` with ``diff`` applied; removed on exit."""
    sha = _resolve_commit(Path(root), commit)
    holder = Path(tempfile.mkdtemp(prefix="learnburn-checkout-"))
    tree = holder / "tree"
    try:
        args = ["worktree", "add", "--detach", "--quiet", os.fspath(tree), sha]
        _checked(run_git(args, root), args, root)
        if diff:
            _apply(tree, sha, diff)
        yield tree
    finally:
        _remove_worktree(Path(root), tree, holder)


def _resolve_commit(root: Path, commit: str) -> str:
    """The full sha of ``commit`` in ``root``, or a ProvenanceError saying it is not there."""
    args = ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{commit}^{{commit}}"]
    result = run_git(args, root)
    if result.returncode == 0:
        return os.fsdecode(result.stdout).strip()
    message = stderr_text(result)
    if message:
        raise git_failure(args, root, result, hint="Pass the folder of the run's git repository.")
    raise ProvenanceError(
        f"Commit {commit!r} is not in the repository at {os.fspath(root)}.",
        hint=f"Fetch it ('git fetch origin {commit}'), or the commit is gone "
        "(rebased or garbage-collected) and the run cannot be rebuilt from it.",
    )


def _apply(tree: Path, sha: str, diff: bytes) -> None:
    result = run_git(["apply", "--binary", "--whitespace=nowarn", "-"], tree, stdin=diff)
    if result.returncode != 0:
        raise ProvenanceError(
            f"The recorded changes do not apply to a checkout of {sha}: {stderr_text(result)}",
            hint="The diff was captured against another commit or is damaged; "
            "check the run's provenance record.",
        )


def _remove_worktree(root: Path, tree: Path, holder: Path) -> None:
    """Best effort: remove the worktree and its folder, then forget it in the repository."""
    with contextlib.suppress(ProvenanceError):
        run_git(["worktree", "remove", "--force", "--force", os.fspath(tree)], root)
    shutil.rmtree(holder, ignore_errors=True)
    with contextlib.suppress(ProvenanceError):
        run_git(["worktree", "prune"], root)
