"""A bundle packed as one file: packing, unpacking, and every archive attack refused before
anything is written."""

from __future__ import annotations

import pickle
import stat
import zipfile

import numpy as np
import pytest

from learnburn.bundles import load_bundle, pack_bundle, unpack_bundle
from learnburn.errors import BundleError


def _members(directory) -> list[tuple[str, bytes]]:
    return [(path.name, path.read_bytes()) for path in sorted(directory.iterdir())]


def _write_zip(path, members) -> None:
    """A zip of (name or ZipInfo, bytes) members, written as given."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)


def _unix(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = mode << 16
    return info


def _refused_unpack(file, target) -> BundleError:
    """Unpacking and loading ``file`` both fail; the target and its folder stay empty."""
    before = sorted(target.parent.iterdir())
    with pytest.raises(BundleError) as caught:
        unpack_bundle(file, target)
    with pytest.raises(BundleError):
        load_bundle(file)
    assert not target.exists()
    assert sorted(target.parent.iterdir()) == before
    return caught.value


@pytest.fixture
def out(tmp_path):
    """An empty folder to unpack into: out / "bundle"."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder / "bundle"


def test_pack_and_unpack_give_back_the_same_files(bundle_dir, tmp_path, features, logistic):
    """pack -> unpack reproduces every file byte for byte, and both forms load."""
    packed = pack_bundle(bundle_dir, tmp_path / "b.lbm")
    unpacked = unpack_bundle(packed, tmp_path / "again")
    assert _members(unpacked) == _members(bundle_dir)
    for path in (packed, unpacked):
        proba = load_bundle(path).predict_proba(features)
        assert np.array_equal(proba, logistic.predict_proba(features))


def test_packing_the_same_bundle_twice_gives_the_same_bytes(bundle_dir, tmp_path):
    """Member times are fixed, so a bundle packs reproducibly."""
    first = pack_bundle(bundle_dir, tmp_path / "1.lbm").read_bytes()
    assert pack_bundle(bundle_dir, tmp_path / "2.lbm").read_bytes() == first


def test_the_members_not_compressed_already_are_deflated_at_level_3(bundle_dir, tmp_path):
    """Level 3, not zlib's default 6: a big fast.onnx packs in a third of the time for a few
    percent more bytes."""
    import zlib

    packed = pack_bundle(bundle_dir, tmp_path / "b.lbm")
    with zipfile.ZipFile(packed) as archive:
        info = archive.getinfo("schema.json")
        raw = archive.read("schema.json")
        with open(packed, "rb") as stream:
            stream.seek(info.header_offset + 26)
            skip = int.from_bytes(stream.read(2), "little") + int.from_bytes(
                stream.read(2), "little"
            )
            stream.seek(skip, 1)
            stored = stream.read(info.compress_size)
    deflate = zlib.compressobj(3, zlib.DEFLATED, -15)
    assert info.compress_type == zipfile.ZIP_DEFLATED
    assert stored == deflate.compress(raw) + deflate.flush()


def test_unpack_refuses_an_existing_directory(bundle_dir, tmp_path):
    """Unpacking never writes into an existing path."""
    packed = pack_bundle(bundle_dir, tmp_path / "b.lbm")
    with pytest.raises(BundleError, match="already exists"):
        unpack_bundle(packed, bundle_dir)


@pytest.mark.parametrize(
    "name",
    ["../evil", "../../evil", "sub/../../evil", "..\\evil", "/tmp/learnburn-evil", "C:\\evil"],
)
def test_a_member_escaping_the_bundle_is_refused(name, bundle_dir, tmp_path, out):
    """'..', absolute and drive paths are refused; nothing appears outside (or inside)."""
    file = tmp_path / "evil.lbm"
    _write_zip(file, [*_members(bundle_dir), (name, b"owned")])
    error = _refused_unpack(file, out)
    assert repr(name) in str(error)
    assert not (tmp_path / "evil").exists() and not (out.parent.parent / "evil").exists()


def test_a_symlink_member_is_refused(bundle_dir, tmp_path, out):
    """A member that is a symlink (here pretending to be meta.json) is refused."""
    file = tmp_path / "link.lbm"
    members = [m for m in _members(bundle_dir) if m[0] != "meta.json"]
    link = _unix("meta.json", stat.S_IFLNK | 0o777)
    _write_zip(file, [*members, (link, b"/etc/passwd")])
    assert "is a symlink" in str(_refused_unpack(file, out))


def test_a_directory_member_is_refused(bundle_dir, tmp_path, out):
    """A bundle archive is flat: folder entries are refused."""
    file = tmp_path / "dir.lbm"
    _write_zip(file, [*_members(bundle_dir), (_unix("extra/", stat.S_IFDIR | 0o755), b"")])
    assert "'extra/'" in str(_refused_unpack(file, out))


def test_duplicate_member_names_are_refused(bundle_dir, tmp_path, out):
    """Two members named schema.json are refused (which one would be meant?)."""
    file = tmp_path / "twice.lbm"
    with pytest.warns(UserWarning, match="Duplicate name"):
        _write_zip(file, [*_members(bundle_dir), ("schema.json", b"{}")])
    assert "more than once" in str(_refused_unpack(file, out))


def test_a_member_not_in_the_manifest_is_refused(bundle_dir, tmp_path, out):
    """A well-formed extra member is still refused by name."""
    file = tmp_path / "extra.lbm"
    _write_zip(file, [*_members(bundle_dir), ("notes.txt", b"hello")])
    assert "does not list: notes.txt" in str(_refused_unpack(file, out))


def test_a_member_with_a_control_character_is_refused(bundle_dir, tmp_path, out):
    """Names with control characters are refused."""
    file = tmp_path / "control.lbm"
    _write_zip(file, [*_members(bundle_dir), ("meta\n.json", b"{}")])
    assert "control characters" in str(_refused_unpack(file, out))


def test_a_zip_bomb_member_is_refused_before_it_is_decompressed(bundle_dir, tmp_path, out):
    """A member that would expand more than 200-fold is refused from the archive's directory."""
    file = tmp_path / "bomb.lbm"
    _write_zip(file, [*_members(bundle_dir), ("bomb", bytes(8 * 1024**2))])
    assert "zip bomb" in str(_refused_unpack(file, out))


def test_an_archive_with_too_many_members_is_refused(bundle_dir, tmp_path, out):
    """More members than a bundle can hold are refused."""
    file = tmp_path / "many.lbm"
    _write_zip(file, [*_members(bundle_dir), *((f"f{i}", b"") for i in range(20))])
    assert "at most 16 are allowed" in str(_refused_unpack(file, out))


def test_a_pickle_named_lbm_is_refused_without_unpickling(tmp_path, out):
    """A file that is not a zip is refused; there is no fallback to any other reader."""
    file = tmp_path / "model.lbm"
    marker = tmp_path / "marker"
    file.write_bytes(pickle.dumps({"marker": str(marker)}))
    assert "not a zip archive" in str(_refused_unpack(file, out))
    assert not marker.exists()


def test_an_archive_without_a_manifest_is_refused(bundle_dir, tmp_path, out):
    """The manifest is required; a zip of the other files is refused."""
    file = tmp_path / "bare.lbm"
    _write_zip(file, [m for m in _members(bundle_dir) if m[0] != "manifest.json"])
    assert "holds no manifest.json" in str(_refused_unpack(file, out))


@pytest.mark.parametrize("eighth", range(1, 8))
def test_a_truncated_archive_is_refused_cleanly(eighth, bundle_dir, tmp_path, out):
    """Cut at any eighth of its length, the archive gives a BundleError, nothing else."""
    data = pack_bundle(bundle_dir, tmp_path / "b.lbm").read_bytes()
    file = tmp_path / "cut.lbm"
    file.write_bytes(data[: len(data) * eighth // 8])
    _refused_unpack(file, out)


@pytest.mark.parametrize("seed", range(8))
def test_an_archive_with_flipped_bytes_is_refused_cleanly(seed, bundle_dir, tmp_path, out):
    """Random bytes flipped anywhere: a BundleError, never another exception."""
    data = bytearray(pack_bundle(bundle_dir, tmp_path / "b.lbm").read_bytes())
    rng = np.random.default_rng(seed)
    for position in rng.choice(len(data), size=4, replace=False):
        data[position] ^= 0xFF
    file = tmp_path / "flipped.lbm"
    file.write_bytes(bytes(data))
    _refused_unpack(file, out)
