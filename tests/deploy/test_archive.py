"""The model archive: the layout SageMaker unpacks into /opt/ml/model and the entrypoint of
`learnburn package` serves, the same bytes for the same bundle, never half-written."""

from __future__ import annotations

import hashlib
import tarfile

import pytest

from learnburn.bundles import load_bundle
from learnburn.deploy import write_model_archive
from learnburn.errors import BundleError


def unpack(archive, folder):
    """Extract as SageMaker would, with tarfile's "data" filter refusing anything unsafe."""
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    return folder


def test_a_bundle_file_goes_in_as_one_lbm_at_the_top(bundle_file, tmp_path):
    """model.tar.gz of loans.lbm holds loans.lbm alone, and what unpacks loads as the bundle."""
    written = write_model_archive(bundle_file, tmp_path / "model.tar.gz")
    assert written.members == ("loans.lbm",)
    model_dir = unpack(written.path, tmp_path / "opt-ml-model")
    assert [p.name for p in model_dir.iterdir()] == ["loans.lbm"]
    assert (model_dir / "loans.lbm").read_bytes() == bundle_file.read_bytes()
    load_bundle(model_dir / "loans.lbm")


def test_a_bundle_folder_goes_in_with_its_manifest_at_the_top(bundle_dir, tmp_path):
    """A folder's verified files sit at the top, manifest.json among them: the unpacked folder
    is the bundle."""
    written = write_model_archive(bundle_dir, tmp_path / "model.tar.gz")
    assert "manifest.json" in written.members
    assert all("/" not in name for name in written.members)
    model_dir = unpack(written.path, tmp_path / "opt-ml-model")
    assert load_bundle(model_dir).manifest == load_bundle(bundle_dir).manifest


def test_a_signed_bundle_folder_keeps_its_signature(bundle_dir, tmp_path):
    """signature.json, the one file the manifest does not list, goes in too."""
    import shutil

    from learnburn.bundles import generate_key, sign_bundle

    signed = shutil.copytree(bundle_dir, tmp_path / "signed")
    private, public = generate_key(tmp_path / "k.pem")
    sign_bundle(signed, private)
    written = write_model_archive(signed, tmp_path / "model.tar.gz")
    assert "signature.json" in written.members
    model_dir = unpack(written.path, tmp_path / "opt-ml-model")
    assert load_bundle(model_dir, trusted_keys=[public]).signed_by


def test_members_are_plain_readable_files(bundle_dir, tmp_path):
    """Every member is a regular file, mode 0644, owned by root, dated 0."""
    written = write_model_archive(bundle_dir, tmp_path / "model.tar.gz")
    with tarfile.open(written.path) as tar:
        for member in tar.getmembers():
            assert member.isfile()
            assert (member.mode, member.uid, member.gid, member.mtime) == (0o644, 0, 0, 0)


def test_measuring_gives_the_digest_of_the_written_bytes(bundle_file, tmp_path):
    """Without a target the archive is only measured; its sha256 and size are the file's."""
    measured = write_model_archive(bundle_file, None)
    written = write_model_archive(bundle_file, tmp_path / "model.tar.gz")
    data = written.path.read_bytes()
    assert measured.path is None
    assert measured.sha256 == written.sha256 == hashlib.sha256(data).hexdigest()
    assert measured.size == written.size == len(data)


def test_a_damaged_bundle_is_refused_and_nothing_is_written(bundle_dir, tmp_path):
    """A bundle that fails its checks never becomes an archive."""
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    for path in bundle_dir.iterdir():
        (damaged / path.name).write_bytes(path.read_bytes())
    (damaged / "schema.json").write_text("{}")
    with pytest.raises(BundleError):
        write_model_archive(damaged, tmp_path / "model.tar.gz")
    assert not list(tmp_path.glob("*model.tar.gz*"))
