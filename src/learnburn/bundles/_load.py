"""Load a bundle: verify it completely, then read its documents, then load its model."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from learnburn.bundles._archive import read_archive
from learnburn.bundles._bundle import Bundle
from learnburn.bundles._directory import read_directory
from learnburn.bundles._documents import read_documents
from learnburn.bundles._fast import load_fast_path, read_report
from learnburn.bundles._format import FAST, MODEL, upgrade
from learnburn.bundles._trust import check_trusted, load_model
from learnburn.errors import BundleError


def load_bundle(path: str | Path, *, trusted: Sequence[str] = ()) -> Bundle:
    """The bundle at ``path`` (a directory or a packed file), verified and loaded.

    Every file is checked against the manifest before any is read; the model is loaded with
    skops only when every type in it is on learnburn's allow-list or named in ``trusted``.
    Never unpickles; a bundle that fails any check is a BundleError naming the problem.
    """
    names = check_trusted(trusted)
    source = Path(path)
    if not source.exists():
        raise BundleError(f"no bundle at '{source}'", hint="check the path")
    manifest, files = read_directory(source) if source.is_dir() else read_archive(source)
    where = f"bundle '{source}'"
    files = upgrade(manifest["version"], files)
    documents = read_documents(files, where)
    model = load_model(files[MODEL], where, names)
    fitted = [
        str(label) for label in getattr(model, "classes_", ()) if label not in documents.classes
    ]
    if fitted:
        raise BundleError(
            f"{where}: the model predicts classes {fitted!r} that schema.json does not list",
            hint="the bundle is inconsistent; save it again",
        )
    fast = load_fast_path(files, where)
    return Bundle(
        model=model,
        schema=documents.schema,
        classes=documents.classes,
        meta=documents.meta,
        decision=documents.decision,
        calibrator=documents.calibrator,
        manifest=manifest,
        path=source,
        fast=fast,
        fast_report=read_report(files.get(FAST), where),
    )
