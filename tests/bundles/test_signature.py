"""Signed bundles: an Ed25519 signature over the manifest says who wrote the bundle; with a
signature required, an unsigned, re-signed, tampered or foreign bundle is refused."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from learnburn.bundles import (
    VERSION,
    generate_key,
    load_bundle,
    pack_bundle,
    read_public_key,
    save_bundle,
    sign_bundle,
    unpack_bundle,
)
from learnburn.errors import BundleError

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """Two key pairs: "team" (trusted) and "other"; name -> (private PEM, public PEM)."""
    folder = tmp_path_factory.mktemp("keys")
    return {name: generate_key(folder / f"{name}.pem") for name in ("team", "other")}


@pytest.fixture
def signed(bundle_dir, keys) -> Path:
    return sign_bundle(bundle_dir, keys["team"][0])


def test_a_signed_bundle_loads_with_its_signers_public_key(signed, keys, features, logistic):
    bundle = load_bundle(signed, trusted_keys=[keys["team"][1]])
    assert bundle.signed_by == _key_id(keys["team"][1])
    assert np.array_equal(bundle.predict_proba(features), logistic.predict_proba(features))


def test_save_bundle_signs_a_packed_bundle_and_the_signature_survives_unpacking(
    tmp_path, keys, logistic, schema
):
    packed = save_bundle(
        logistic, tmp_path / "b.lbm", schema=schema, classes=["no", "yes"], meta={},
        sign=keys["team"][0],
    )  # fmt: skip
    assert load_bundle(packed, trusted_keys=[keys["team"][1]]).signed_by
    unpacked = unpack_bundle(packed, tmp_path / "unpacked")
    assert (unpacked / "signature.json").is_file()
    repacked = pack_bundle(unpacked, tmp_path / "again.lbm")
    assert load_bundle(repacked, trusted_keys=[keys["team"][1]]).signed_by


def test_an_unsigned_bundle_is_refused_when_a_signature_is_required(bundle_dir, keys):
    with pytest.raises(BundleError, match="is not signed") as caught:
        load_bundle(bundle_dir, trusted_keys=[keys["team"][1]])
    assert "--sign" in caught.value.hint


def test_a_signed_bundle_loads_without_a_required_signature(signed):
    assert load_bundle(signed).signed_by is None


def test_a_bundle_signed_by_another_key_is_refused(bundle_dir, keys):
    sign_bundle(bundle_dir, keys["other"][0])
    with pytest.raises(BundleError, match="signed by a key that is not trusted here"):
        load_bundle(bundle_dir, trusted_keys=[keys["team"][1]])


def test_a_tampered_file_resealed_in_the_manifest_is_refused(signed, keys, reseal):
    """The attacker rewrites a file and its sha256 in the manifest (integrity holds again),
    but cannot sign the new manifest with the team's key."""
    meta = json.loads((signed / "meta.json").read_text())
    meta["run_id"] = "forged"
    (signed / "meta.json").write_text(json.dumps(meta))
    reseal(signed)
    assert load_bundle(signed).meta["run_id"] == "forged"  # unsigned checks pass
    with pytest.raises(BundleError, match="made for another manifest"):
        load_bundle(signed, trusted_keys=[keys["team"][1]])


def test_a_tampered_file_without_resealing_is_refused_by_its_digest(signed, keys):
    (signed / "schema.json").write_text((signed / "schema.json").read_text() + " ")
    with pytest.raises(BundleError, match="does not match its sha256"):
        load_bundle(signed, trusted_keys=[keys["team"][1]])


def test_a_forged_signature_is_refused(signed, keys):
    document = json.loads((signed / "signature.json").read_text())
    entry = document["dsseEnvelope"]["signatures"][0]
    raw = bytearray(base64.b64decode(entry["sig"]))
    raw[0] ^= 0x01
    entry["sig"] = base64.b64encode(bytes(raw)).decode()
    (signed / "signature.json").write_text(json.dumps(document))
    with pytest.raises(BundleError, match="does not verify"):
        load_bundle(signed, trusted_keys=[keys["team"][1]])


def test_a_signature_copied_from_another_bundle_is_refused(
    signed, keys, tmp_path, logistic, schema
):
    other = save_bundle(
        logistic, tmp_path / "other", schema=schema, classes=["no", "yes"], meta={"x": 1},
        sign=keys["team"][0],
    )  # fmt: skip
    shutil.copyfile(other / "signature.json", signed / "signature.json")
    with pytest.raises(BundleError, match="made for another manifest"):
        load_bundle(signed, trusted_keys=[keys["team"][1]])


def test_any_of_several_trusted_keys_may_sign(signed, keys):
    trusted = [keys["other"][1], keys["team"][1]]
    assert load_bundle(signed, trusted_keys=trusted).signed_by == _key_id(keys["team"][1])


def test_signing_a_version_3_bundle_brings_it_to_the_current_version(tmp_path, keys):
    old = shutil.copytree(FIXTURES / "v3", tmp_path / "v3")
    sign_bundle(old, keys["team"][0])
    manifest = json.loads((old / "manifest.json").read_text())
    assert manifest["version"] == VERSION
    assert (
        manifest["created_at"]
        == json.loads((FIXTURES / "v3" / "manifest.json").read_text())["created_at"]
    )
    assert load_bundle(old, trusted_keys=[keys["team"][1]]).signed_by


def test_a_signature_file_in_a_version_3_bundle_is_refused(tmp_path, signed):
    """Version 3 had no signature: there the file is one the manifest does not list."""
    old = shutil.copytree(FIXTURES / "v3", tmp_path / "v3")
    shutil.copyfile(signed / "signature.json", old / "signature.json")
    with pytest.raises(BundleError, match=r"does not list: signature\.json"):
        load_bundle(old)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_keys_made_by_openssl_sign_and_verify(bundle_dir, tmp_path):
    private, public = tmp_path / "key.pem", tmp_path / "key.pub"
    subprocess.run(
        ["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(private)], check=True
    )
    subprocess.run(
        ["openssl", "pkey", "-in", str(private), "-pubout", "-out", str(public)], check=True
    )
    sign_bundle(bundle_dir, private)
    assert load_bundle(bundle_dir, trusted_keys=[public]).signed_by


def test_generate_key_writes_a_private_key_only_its_owner_reads(tmp_path):
    private, public = generate_key(tmp_path / "k.pem")
    assert private.stat().st_mode & 0o077 == 0
    assert b"PRIVATE KEY" in private.read_bytes() and b"PUBLIC KEY" in public.read_bytes()
    with pytest.raises(BundleError, match="already exists"):
        generate_key(tmp_path / "k.pem")


def test_a_key_that_is_not_ed25519_is_refused(tmp_path, bundle_dir):
    rsa = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.rsa")
    from cryptography.hazmat.primitives import serialization

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "rsa.pub"
    path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    with pytest.raises(BundleError, match="not an Ed25519 public key"):
        load_bundle(bundle_dir, trusted_keys=[path])


def _key_id(public: Path) -> str:
    from learnburn.bundles._signature import key_id

    return key_id(read_public_key(public))
