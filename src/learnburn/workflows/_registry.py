"""The model registry's workflows: promote a run's bundle under an alias, roll an alias back,
and turn a reference such as ``models:/loans@production`` (or ``models:/loans/3``) into the
exact bundle it names, so that a deploy names an alias, not a file.

A reference resolves in the store to a version, whose bundle is read from the artifact store by
its sha256 (verified on the way out): the bytes that were promoted, whatever happened since.
"""

from __future__ import annotations

import getpass
import re
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from learnburn.errors import BundleError, RunStoreError
from learnburn.runs import AliasMove, ArtifactRef, ModelVersion, RunDetail, RunStore, validate_name

PREFIX = "models:/"
ARTIFACT = "bundle.lbm"  # the name of a run's bundle among its artifacts
_REFERENCE = re.compile(r"(?:models:/)?(?P<name>[^@/]+)(?:@(?P<alias>[^@/]+)|/(?P<version>\d+))")


@dataclass(frozen=True)
class ModelReference:
    """``models:/NAME@ALIAS`` or ``models:/NAME/VERSION``: a model version, named."""

    name: str
    alias: str | None = None
    version: int | None = None

    def __str__(self) -> str:
        tail = f"@{self.alias}" if self.alias is not None else f"/{self.version}"
        return f"{PREFIX}{self.name}{tail}"


def is_model_reference(text: object) -> bool:
    """Whether ``text`` is a ``models:/`` reference rather than a path or a run id."""
    return str(text).startswith(PREFIX)


def parse_model_reference(text: str) -> ModelReference:
    """``models:/NAME@ALIAS``, ``models:/NAME/VERSION`` or (as ``--against`` takes it)
    ``NAME@ALIAS`` as a :class:`ModelReference`."""
    found = _REFERENCE.fullmatch(str(text).strip())
    if found is None:
        raise RunStoreError(
            f"{text!r} is not a model reference",
            hint="write models:/NAME@ALIAS (e.g. models:/loans@production) or "
            "models:/NAME/VERSION (e.g. models:/loans/3)",
        )
    name = validate_name(found["name"], "model name")
    if found["alias"] is not None:
        return ModelReference(name, alias=validate_name(found["alias"], "alias"))
    return ModelReference(name, version=int(found["version"]))


def resolve_model(store: RunStore, reference: str | ModelReference) -> ModelVersion:
    """The version a reference names now."""
    ref = reference if isinstance(reference, ModelReference) else parse_model_reference(reference)
    if ref.alias is not None:
        return store.registry.resolve(ref.name, ref.alias)
    return store.registry.get_version(ref.name, ref.version)


@contextmanager
def model_bundle(store: RunStore, reference: str | ModelReference) -> Iterator[Path]:
    """The bundle a reference names, as a packed file in a private folder removed afterwards."""
    version = resolve_model(store, reference)
    folder = Path(tempfile.mkdtemp(prefix="learnburn-model-"))
    try:
        path = folder / ARTIFACT
        path.write_bytes(store.artifacts.read_bytes(version.bundle_sha256))
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def current_actor() -> str:
    """Who is acting, as the history records it: user@host."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment (a bare container)
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def bundle_artifact(detail: RunDetail) -> ArtifactRef | None:
    """The run's bundle among its artifacts, or None when it kept none."""
    return next((a for a in detail.artifacts if a.name == ARTIFACT), None)


def register_run(store: RunStore, model: str, run_id: str) -> ModelVersion:
    """Make the bundle of a finished run (id or unique prefix) a version of ``model``."""
    detail = store.get_run(run_id)
    bundle = bundle_artifact(detail)
    if bundle is None:
        raise BundleError(
            f"run {detail.summary.id[:8]} ({detail.summary.status}) has no bundle to promote",
            hint="only a finished run keeps one; `learnburn show RUN` lists a run's artifacts",
        )
    return store.registry.register(model, detail.summary.id, bundle.sha256)


def promote_run(
    store: RunStore,
    model: str,
    run_id: str,
    *,
    alias: str = "production",
    reason: str = "",
    actor: str | None = None,
    evidence: dict | None = None,
) -> AliasMove:
    """Register the run's bundle as a version of ``model`` (if it is not one yet) and point
    ``alias`` at it; the move, who made it and why go into the alias's history."""
    version = register_run(store, model, run_id)
    return store.registry.move_alias(
        model, alias, version.version, actor=actor or current_actor(), reason=reason,
        evidence=evidence,
    )  # fmt: skip


def rollback_model(
    store: RunStore,
    model: str,
    *,
    alias: str = "production",
    reason: str = "",
    actor: str | None = None,
) -> AliasMove:
    """Move ``alias`` back to the version it named before its last promote."""
    return store.registry.rollback(model, alias, actor=actor or current_actor(), reason=reason)
