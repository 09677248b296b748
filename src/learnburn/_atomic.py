"""All-or-nothing writes: build a file or a folder under a hidden name beside its target, then
rename it into place, so a reader sees the old target or the new one and never a part of one.

::

    with staged(target.parent, f".{target.name}.") as staging:
        write(staging)                        # anything that fails here leaves nothing behind
        install(staging, target, durable=True)

``staged`` names the staging file or folder in the folder it is given (the target's own folder,
so the rename is atomic) and removes whatever is left of it when the block ends: after an
error, an interrupt, or a block that chose not to install it. ``install`` is the rename; with
``durable`` the names are fsynced so the new target survives a crash (a file's bytes are the
writer's to fsync: ``open_new`` and ``os.fsync``). Every stage-then-rename write in learnburn
goes through here: bundles, batch and cluster predictions, the package folder, the artifact
store and notebooks.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from learnburn._fsync import sync_dir

SUFFIX = ".partial"


@contextmanager
def staged(
    folder: Path, prefix: str, *, directory: bool = False, suffix: str = SUFFIX
) -> Iterator[Path]:
    """A new hidden name in ``folder`` (``prefix``, a random part, ``suffix``) to build in: an
    empty folder when ``directory``, else a name the writer creates (``open_new``). Whatever is
    still there when the block ends is removed; an error in the block propagates."""
    path = Path(folder) / f"{prefix}{uuid.uuid4().hex}{suffix}"
    if directory:
        path.mkdir(mode=0o755)
        path.chmod(0o755)  # whatever the umask
    try:
        yield path
    finally:
        remove(path)


def open_new(path: Path, mode: int = 0o644) -> int:
    """A descriptor of a new file at ``path`` for writing: never through an existing file or a
    link (``O_EXCL``, ``O_NOFOLLOW``)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    return os.open(path, flags, mode)


def install(staging: Path, target: Path, *, durable: bool = False) -> None:
    """Move the finished ``staging`` file or folder to ``target``, replacing what is there.

    A file replaces a file in one rename. A folder there (or a folder staged over anything)
    takes two: the old one aside, the new one in place (the old one is put back if that fails),
    and the old one deleted only then. With ``durable``, a staged folder is fsynced before the
    rename and the target's folder after it."""
    if durable and staging.is_dir():
        sync_dir(staging)
    if _is_folder(target) or (staging.is_dir() and os.path.lexists(target)):
        aside = target.with_name(f".{target.name}.{uuid.uuid4().hex}.old")
        os.rename(target, aside)
        try:
            os.rename(staging, target)
        except OSError:
            os.rename(aside, target)  # put the old one back
            raise
        remove(aside)
    else:
        os.replace(staging, target)
    if durable:
        sync_dir(target.parent)


def remove(path: Path) -> None:
    """Remove a file, a link or a folder (not what a link points to); nothing if absent."""
    if _is_folder(path):
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.lexists(path):
        Path(path).unlink(missing_ok=True)


def _is_folder(path: Path) -> bool:
    return Path(path).is_dir() and not Path(path).is_symlink()
