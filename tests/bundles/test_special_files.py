"""A FIFO, a symlink or a folder in place of any file a loader reads is refused before it is
opened: loading never waits on a pipe and never follows a link out of the bundle."""

from __future__ import annotations

import contextlib
import os
import stat
import threading
import zipfile

import pytest

from learnburn.bundles import load_bundle, pack_bundle, unpack_bundle
from learnburn.errors import BundleError

NAMES = ["manifest.json", "model.skops", "schema.json", "meta.json"]
WAIT_S = 120  # far longer than a load takes on a loaded machine; a FIFO open would wait forever

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX feature")


def refused_without_waiting(path, *, lazy: bool = False) -> BundleError:
    """load_bundle(path) raises a BundleError, in a thread that must end; a thread stuck
    opening a FIFO is released at the end (by opening the FIFO's other end)."""
    outcome: dict[str, BaseException | None] = {}

    def load() -> None:
        try:
            load_bundle(path, lazy=lazy)
        except BaseException as exc:  # handed to the test thread below
            outcome["error"] = exc
        else:
            outcome["error"] = None

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(WAIT_S)
    if thread.is_alive():
        _release_fifos(path)
        thread.join(WAIT_S)
        pytest.fail(f"loading {path} waited on a FIFO for {WAIT_S} s")
    error = outcome["error"]
    assert isinstance(error, BundleError), error
    return error


def _release_fifos(path) -> None:
    folder = path if path.is_dir() else path.parent
    for entry in [path, *folder.iterdir()]:
        if stat.S_ISFIFO(os.lstat(entry).st_mode):
            with contextlib.suppress(OSError):
                os.close(os.open(entry, os.O_WRONLY | os.O_NONBLOCK))


@pytest.mark.parametrize("name", NAMES)
def test_a_fifo_in_place_of_a_bundle_file_is_refused_without_waiting(name, bundle_dir):
    (bundle_dir / name).unlink()
    os.mkfifo(bundle_dir / name)
    error = refused_without_waiting(bundle_dir)
    assert name in str(error) and "FIFO" in str(error)


@pytest.mark.parametrize("name", NAMES)
def test_a_symlink_in_place_of_a_bundle_file_is_refused(name, bundle_dir, tmp_path):
    """Even a link to the file's own bytes, elsewhere: a bundle's files are its own."""
    outside = tmp_path / f"outside-{name}"
    outside.write_bytes((bundle_dir / name).read_bytes())
    (bundle_dir / name).unlink()
    os.symlink(outside, bundle_dir / name)
    error = refused_without_waiting(bundle_dir)
    assert name in str(error) and "symlink" in str(error)


@pytest.mark.parametrize("name", NAMES)
def test_a_folder_in_place_of_a_bundle_file_is_refused(name, bundle_dir):
    (bundle_dir / name).unlink()
    (bundle_dir / name).mkdir()
    error = refused_without_waiting(bundle_dir)
    assert name in str(error) and ("folder" in str(error) or "not a regular file" in str(error))


def test_a_fifo_named_as_a_bundle_file_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "model.lbm"
    os.mkfifo(fifo)
    assert "FIFO" in str(refused_without_waiting(fifo))


def test_a_fifo_named_as_a_bundle_file_is_refused_by_unpack(tmp_path):
    fifo = tmp_path / "model.lbm"
    os.mkfifo(fifo)
    with pytest.raises(BundleError, match="FIFO"):
        unpack_bundle(fifo, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_bundle_file_named_through_a_symlink_loads(bundle_dir, tmp_path):
    """The path the operator names may be a link (a "current" release); the files inside the
    bundle may not."""
    packed = pack_bundle(bundle_dir, tmp_path / "v1.lbm")
    current = tmp_path / "current.lbm"
    os.symlink(packed, current)
    assert load_bundle(current).classes == ("no", "yes")


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        (stat.S_IFIFO, "is not a regular file"),
        (stat.S_IFCHR, "is not a regular file"),
        (stat.S_IFBLK, "is not a regular file"),
        (stat.S_IFLNK, "is a symlink"),
    ],
)
def test_a_special_member_of_a_bundle_file_is_refused(kind, said, bundle_dir, tmp_path):
    """Zip members carrying a Unix FIFO, device or link mode are refused, never recreated."""
    file = tmp_path / "special.lbm"
    with zipfile.ZipFile(file, "w") as archive:
        for path in sorted(bundle_dir.iterdir()):
            info = zipfile.ZipInfo(path.name)
            info.create_system = 3
            mode = kind if path.name == "meta.json" else stat.S_IFREG
            info.external_attr = (mode | 0o644) << 16
            archive.writestr(info, path.read_bytes())
    with pytest.raises(BundleError, match=f"'meta.json' {said}"):
        unpack_bundle(file, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    refused_without_waiting(file)
