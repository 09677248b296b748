"""Signed bundles: an Ed25519 signature over the manifest, which holds every file's sha256.

The manifest proves integrity (nothing changed since it was written) but not authenticity:
whoever can write the bundle can rewrite a file and its digest. A signature by a key the team
holds says who wrote the manifest; with it verified and every file verified against the
manifest, the whole bundle is the one that key signed.

The shape follows the OpenSSF model-signing format (sigstore/model-transparency): a detached
signature file, ``signature.json``, beside ``manifest.json`` and not listed in it, holding a
DSSE envelope whose payload is an in-toto Statement v1:

- ``subject``: ``[{"name": "manifest.json", "digest": {"sha256": <the manifest's bytes>}}]``;
- ``predicateType``: ``PREDICATE``; ``predicate``: ``{"resources": [{"name", "algorithm":
  "sha256", "digest"}, ...]}`` (the manifest's files, for a reader that knows only this
  format) and ``"serialization": {"method": "files", "hash_type": "sha256",
  "allow_symlinks": false, "ignore_paths": ["signature.json"]}``;
- the envelope's signature is Ed25519 over DSSE's pre-authentication encoding of the payload
  (``DSSEv1 <len(type)> <type> <len(payload)> <payload>``), with ``keyid``: the sha256 of the
  raw 32-byte public key, in hex.

``signature.json`` is ``{"mediaType": MEDIA_TYPE, "verificationMaterial": {"publicKey":
{"hint": keyid}}, "dsseEnvelope": {...}}``, as a sigstore bundle lays out a key-signed
envelope. Keys are PEM files: ``learnburn keygen`` writes a pair, and OpenSSL's do as well
(``openssl genpkey -algorithm ed25519 -out key.pem``; ``openssl pkey -in key.pem -pubout -out
key.pub``). Verification trusts only the public keys it is given.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from learnburn.bundles._format import MANIFEST, SIGNATURE
from learnburn.bundles._json import dump_json, load_json
from learnburn.bundles._limits import MAX_DOCUMENT_SIZE, check_size
from learnburn.errors import BundleError

MEDIA_TYPE = "application/vnd.learnburn.bundle-signature.v1+json"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT = "https://in-toto.io/Statement/v1"
PREDICATE = "https://learnburn.dev/bundle-signature/v1"

_UNSIGNED_HINT = (
    "sign the bundle with a trusted key (learnburn bundle RUN -o OUT --sign KEY.pem, or "
    "learnburn sign BUNDLE --key KEY.pem), or drop --require-signature to serve unsigned bundles"
)


def read_private_key(path: str | Path) -> Any:
    """The Ed25519 private key in the PEM file ``path`` (unencrypted PKCS#8)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    data = _read_key_file(path, "private key")
    try:
        key = load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise _key_error(path, "private", exc) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise _key_error(path, "private", f"it is a {type(key).__name__}, not Ed25519")
    return key


def read_public_key(path: str | Path) -> Any:
    """The Ed25519 public key in the PEM file ``path`` (SubjectPublicKeyInfo); a private key
    file gives its public half."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )
    from cryptography.hazmat.primitives.serialization import (
        load_pem_private_key,
        load_pem_public_key,
    )

    data = _read_key_file(path, "public key")
    try:
        if b"PRIVATE KEY" in data:
            private = load_pem_private_key(data, password=None)
            key = private.public_key() if isinstance(private, Ed25519PrivateKey) else private
        else:
            key = load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise _key_error(path, "public", exc) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise _key_error(path, "public", f"it is a {type(key).__name__}, not Ed25519")
    return key


def generate_key(private_path: str | Path) -> tuple[Path, Path]:
    """Write a new Ed25519 key pair: ``private_path`` (PEM, mode 0600) and ``.pub`` beside it;
    neither may exist."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Path(private_path)
    public = private.with_name(private.name + ".pub")
    for path in (private, public):
        if path.exists() or path.is_symlink():
            raise BundleError(f"'{path}' already exists", hint="choose another name for the key")
    key = Ed25519PrivateKey.generate()
    secret = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    shared = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    try:
        private.parent.mkdir(parents=True, exist_ok=True)
        with open(private, "xb", opener=_private_opener) as stream:
            stream.write(secret)
        public.write_bytes(shared)
    except OSError as exc:
        raise BundleError(
            f"cannot write the key '{private}': {exc}", hint="check that the folder is writable"
        ) from exc
    return private, public


def key_id(public_key: Any) -> str:
    """The key's id: the sha256 of its raw 32 bytes, in hex."""
    from cryptography.hazmat.primitives import serialization

    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def make_signature(manifest: bytes, private_key: Any) -> bytes:
    """``signature.json`` for the bundle whose manifest is ``manifest`` (its exact bytes)."""
    described = load_json(manifest, MANIFEST)
    statement = {
        "_type": STATEMENT,
        "subject": [{"name": MANIFEST, "digest": {"sha256": hashlib.sha256(manifest).hexdigest()}}],
        "predicateType": PREDICATE,
        "predicate": {
            "resources": [
                {"name": name, "algorithm": "sha256", "digest": entry["sha256"]}
                for name, entry in sorted(described["files"].items())
            ],
            "serialization": {
                "method": "files",
                "hash_type": "sha256",
                "allow_symlinks": False,
                "ignore_paths": [SIGNATURE],
            },
        },
    }
    payload = json.dumps(statement, sort_keys=True, separators=(",", ":")).encode()
    keyid = key_id(private_key.public_key())
    signature = private_key.sign(_pae(PAYLOAD_TYPE, payload))
    return dump_json(
        {
            "mediaType": MEDIA_TYPE,
            "verificationMaterial": {"publicKey": {"hint": keyid}},
            "dsseEnvelope": {
                "payloadType": PAYLOAD_TYPE,
                "payload": base64.b64encode(payload).decode(),
                "signatures": [{"keyid": keyid, "sig": base64.b64encode(signature).decode()}],
            },
        },
        SIGNATURE,
    )


def verify_signature(
    manifest: bytes, signature: bytes | None, trusted_keys: Iterable[Any], where: str
) -> str:
    """The id of the trusted key that signed ``manifest`` (its exact bytes); a BundleError when
    the bundle is unsigned, or not signed by any of ``trusted_keys`` over this manifest."""
    from cryptography.exceptions import InvalidSignature

    keys = {key_id(key): key for key in trusted_keys}
    if signature is None:
        raise BundleError(
            f"{where} is not signed (it has no {SIGNATURE}), and a signature by a trusted key "
            "is required",
            hint=_UNSIGNED_HINT,
        )
    check_size(len(signature), f"{where}: {SIGNATURE}", MAX_DOCUMENT_SIZE)
    payload, signatures = _envelope(load_json(signature, f"{where}: {SIGNATURE}"), where)
    message = _pae(PAYLOAD_TYPE, payload)
    signers = []
    for entry in signatures:
        keyid, raw = _signature_entry(entry, where)
        signers.append(keyid[:16])
        key = keys.get(keyid)
        if key is None:
            continue
        try:
            key.verify(raw, message)
        except InvalidSignature:
            raise _bad(where, "its signature does not verify with the key it names") from None
        _check_statement(payload, manifest, where)
        return keyid
    raise BundleError(
        f"{where} is signed by a key that is not trusted here (key id "
        f"{', '.join(signers) or 'none'}...; trusted: "
        f"{', '.join(k[:16] for k in sorted(keys)) or 'none'}...)",
        hint="pass the signer's public key to --require-signature (or LEARNBURN_TRUSTED_KEYS) "
        "if you trust it, or get the bundle from its source",
    )


def _check_statement(payload: bytes, manifest: bytes, where: str) -> None:
    """The signed statement names this manifest by its sha256."""
    statement = load_json(payload, f"{where}: {SIGNATURE} payload")
    digest = hashlib.sha256(manifest).hexdigest()
    ok = (
        isinstance(statement, dict)
        and statement.get("_type") == STATEMENT
        and statement.get("predicateType") == PREDICATE
        and statement.get("subject") == [{"name": MANIFEST, "digest": {"sha256": digest}}]
    )
    if not ok:
        raise _bad(where, "it was made for another manifest (the bundle changed after signing)")


def _envelope(document: object, where: str) -> tuple[bytes, list]:
    envelope = document.get("dsseEnvelope") if isinstance(document, Mapping) else None
    if (
        not isinstance(document, Mapping)
        or document.get("mediaType") != MEDIA_TYPE
        or not isinstance(envelope, Mapping)
        or envelope.get("payloadType") != PAYLOAD_TYPE
        or not isinstance(envelope.get("payload"), str)
        or not isinstance(envelope.get("signatures"), list)
    ):
        raise _bad(where, f"{SIGNATURE} is not a learnburn bundle signature")
    try:
        payload = base64.b64decode(envelope["payload"], validate=True)
    except ValueError:
        raise _bad(where, "its payload is not base64") from None
    return payload, envelope["signatures"]


def _signature_entry(entry: object, where: str) -> tuple[str, bytes]:
    if not isinstance(entry, Mapping) or not all(
        isinstance(entry.get(key), str) for key in ("keyid", "sig")
    ):
        raise _bad(where, "a signature entry lacks its keyid or sig")
    try:
        return entry["keyid"], base64.b64decode(entry["sig"], validate=True)
    except ValueError:
        raise _bad(where, "a signature is not base64") from None


def _pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE's pre-authentication encoding: what the signature is over."""
    kind = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


def _bad(where: str, problem: str) -> BundleError:
    return BundleError(
        f"{where}: the signature is not valid: {problem}",
        hint="the bundle or its signature was changed after signing; get it again from its "
        "source, or sign it again",
    )


def _read_key_file(path: str | Path, what: str) -> bytes:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise BundleError(
            f"cannot read the {what} '{path}': {exc}", hint="give the path of a PEM key file"
        ) from exc
    if len(data) > 64 * 1024:
        raise BundleError(f"'{path}' is too large to be a key", hint="give a PEM key file")
    return data


def _key_error(path: str | Path, kind: str, problem: object) -> BundleError:
    return BundleError(
        f"'{path}' is not an Ed25519 {kind} key in PEM form: {problem}",
        hint="make a key pair with `learnburn keygen KEY.pem` (or `openssl genpkey -algorithm "
        "ed25519 -out KEY.pem`; its public half: `openssl pkey -in KEY.pem -pubout`)",
    )


def _private_opener(path: str, flags: int) -> int:
    import os

    return os.open(path, flags, 0o600)
