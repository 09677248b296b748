"""Signing keys on the command line: ``learnburn keygen`` and ``learnburn sign``, the
``--sign KEY`` option of ``bundle`` and ``run``, and ``--require-signature PUBLIC_KEY`` of
``serve`` and ``predict`` (also ``LEARNBURN_TRUSTED_KEYS``: public key files separated by
``:``, or ``;`` on Windows)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from learnburn.bundles import generate_key, read_private_key, read_public_key, sign_bundle
from learnburn.cli._errors import handles_errors

TRUSTED_KEYS_ENV = "LEARNBURN_TRUSTED_KEYS"

SIGN = typer.Option(
    None,
    "--sign",
    metavar="KEY",
    help="Sign the bundle with this Ed25519 private key (PEM; `learnburn keygen` makes one).",
)
REQUIRE_SIGNATURE = typer.Option(
    [],
    "--require-signature",
    metavar="PUBLIC_KEY",
    help="Refuse the bundle unless it is signed by this Ed25519 public key (PEM; repeatable: "
    f"any of them). ${TRUSTED_KEYS_ENV} adds key files, separated by '{os.pathsep}'.",
)


def signing_key(path: Path | None) -> Any:
    """The private key to sign with, read before any work is done; None without ``--sign``."""
    return None if path is None else read_private_key(path)


def trusted_keys(paths: list[Path]) -> list[Any]:
    """The public keys of ``--require-signature`` and of ``$LEARNBURN_TRUSTED_KEYS``."""
    listed = [*paths, *_env_paths()]
    return [read_public_key(path) for path in listed]


def _env_paths() -> list[Path]:
    text = os.environ.get(TRUSTED_KEYS_ENV, "")
    return [Path(part) for part in text.split(os.pathsep) if part.strip()]


@handles_errors
def keygen(
    key: Path = typer.Argument(
        ..., metavar="KEY", help="Where to write the private key (PEM); KEY.pub gets its pair."
    ),
) -> None:
    """Make an Ed25519 key pair for signing bundles: KEY (private, readable only by you) and
    KEY.pub (public: give it to whoever serves the bundles)."""
    private, public = generate_key(key)
    console = Console()
    console.print(f"Wrote the private key {escape(str(private))} (keep it secret) and the public")
    console.print(f"key {escape(str(public))}. Sign: learnburn bundle RUN -o OUT --sign {private}")
    console.print(f"Serve only signed bundles: learnburn serve OUT --require-signature {public}")


@handles_errors
def sign(
    bundle_path: Path = typer.Argument(
        ..., metavar="BUNDLE", help="The bundle to sign in place: a NAME.lbm file or a directory."
    ),
    key: Path = typer.Option(
        ..., "--key", metavar="KEY", help="The Ed25519 private key (PEM) to sign with."
    ),
) -> None:
    """Sign an existing bundle (verified first; an older format version is brought up to
    date)."""
    signed = sign_bundle(bundle_path, read_private_key(key))
    Console().print(f"Signed {escape(str(signed))} with {escape(str(key))}.")
