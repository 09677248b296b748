"""A bundle directory is verified against its manifest before anything in it is read."""

from __future__ import annotations

import json
import os

import pytest

from learnburn.bundles import VERSION, load_bundle
from learnburn.errors import BundleError


def _refused(path) -> BundleError:
    with pytest.raises(BundleError) as caught:
        load_bundle(path)
    return caught.value


def _flip_byte(path, position: int = -10) -> None:
    data = bytearray(path.read_bytes())
    data[position] ^= 0x01
    path.write_bytes(bytes(data))


def _edit_manifest(directory, edit) -> None:
    path = directory / "manifest.json"
    manifest = json.loads(path.read_text())
    edit(manifest)
    path.write_text(json.dumps(manifest))


@pytest.mark.parametrize("name", ["schema.json", "model.skops", "meta.json"])
def test_a_flipped_byte_is_refused_naming_the_file(name, bundle_dir):
    """One byte changed in any file: BundleError naming that file, nothing loaded."""
    _flip_byte(bundle_dir / name)
    error = _refused(bundle_dir)
    assert f"{name} does not match its sha256" in str(error)
    assert "changed after it was saved" in error.hint


def test_a_file_grown_by_one_byte_is_refused(bundle_dir):
    """A file longer than the manifest says is refused (its size is checked too)."""
    with open(bundle_dir / "model.skops", "ab") as stream:
        stream.write(b"\0")
    assert "model.skops does not match" in str(_refused(bundle_dir))


def test_a_file_not_in_the_manifest_is_refused(bundle_dir):
    """An extra file, even a harmless one, is refused by name."""
    (bundle_dir / "notes.txt").write_text("hello")
    assert "does not list: notes.txt" in str(_refused(bundle_dir))


def test_a_missing_file_is_refused(bundle_dir):
    """A file the manifest lists but the directory lacks is refused by name."""
    (bundle_dir / "meta.json").unlink()
    assert "lacks files its manifest lists: meta.json" in str(_refused(bundle_dir))


def test_a_bundle_without_a_manifest_is_refused(bundle_dir):
    """No manifest.json: refused, never read another way."""
    (bundle_dir / "manifest.json").unlink()
    assert "lacks manifest.json" in str(_refused(bundle_dir))


def test_a_symlink_in_the_bundle_is_refused(bundle_dir, tmp_path):
    """A file replaced by a symlink (here to a copy outside the bundle) is refused."""
    outside = tmp_path / "outside.json"
    outside.write_bytes((bundle_dir / "meta.json").read_bytes())
    (bundle_dir / "meta.json").unlink()
    os.symlink(outside, bundle_dir / "meta.json")
    assert "'meta.json' is a symlink" in str(_refused(bundle_dir))


def test_a_folder_in_the_bundle_is_refused(bundle_dir):
    """A bundle is flat: a sub-folder is refused."""
    (bundle_dir / "extra").mkdir()
    assert "'extra' is not a regular file" in str(_refused(bundle_dir))


def test_a_newer_format_version_is_refused_with_the_upgrade_hint(bundle_dir):
    """A bundle from a newer learnburn is refused before its layout is trusted."""
    _edit_manifest(bundle_dir, lambda m: m.update(version=VERSION + 1, files={"model.onnx": {}}))
    error = _refused(bundle_dir)
    assert f"format version {VERSION + 1}" in str(error)
    assert "upgrade learnburn" in error.hint


@pytest.mark.parametrize("version", [0, "1", True, None])
def test_a_version_that_never_existed_is_refused(version, bundle_dir):
    """Version 0, strings, booleans and null are not versions."""
    _edit_manifest(bundle_dir, lambda m: m.update(version=version))
    assert "does not exist" in str(_refused(bundle_dir))


def test_a_manifest_of_another_format_is_refused(bundle_dir):
    """The 'format' must say learnburn-bundle."""
    _edit_manifest(bundle_dir, lambda m: m.update(format="something-else"))
    assert "does not describe a learnburn bundle" in str(_refused(bundle_dir))


def test_a_manifest_with_duplicate_keys_is_refused(bundle_dir):
    """Duplicate JSON keys could mean different things to different readers: refused."""
    path = bundle_dir / "manifest.json"
    text = path.read_text()
    path.write_text(text.replace('"format":', '"format": "x", "format":', 1))
    assert "duplicate key 'format'" in str(_refused(bundle_dir))


def test_a_manifest_listing_a_file_the_version_does_not_have_is_refused(bundle_dir, reseal):
    """Version 1 bundles hold a fixed set of files; others are refused even when listed."""
    (bundle_dir / "run.sh").write_text("echo hi")
    reseal(bundle_dir)
    assert "cannot hold: ['run.sh']" in str(_refused(bundle_dir))


def test_a_manifest_claiming_huge_files_is_refused_before_reading(bundle_dir):
    """Sizes beyond the limits are refused from the manifest alone."""
    huge = 5 * 1024**3
    _edit_manifest(bundle_dir, lambda m: m["files"]["model.skops"].update(size=huge))
    assert "more than the" in str(_refused(bundle_dir))


def test_a_resealed_document_that_is_not_json_is_refused(bundle_dir, reseal):
    """A document rewritten with a matching manifest is still parsed strictly."""
    (bundle_dir / "schema.json").write_text("{not json")
    reseal(bundle_dir)
    assert "schema.json is not valid JSON" in str(_refused(bundle_dir))


def test_a_resealed_schema_without_classes_is_refused(bundle_dir, reseal):
    """A schema.json that matches its manifest but lacks the classes is refused."""
    schema = json.loads((bundle_dir / "schema.json").read_text())
    del schema["classes"]
    (bundle_dir / "schema.json").write_text(json.dumps(schema))
    reseal(bundle_dir)
    assert "schema.json must hold 'classes'" in str(_refused(bundle_dir))


def test_a_missing_path_is_refused(tmp_path):
    """Loading a path that does not exist names it."""
    with pytest.raises(BundleError, match="no bundle at"):
        load_bundle(tmp_path / "nowhere")
