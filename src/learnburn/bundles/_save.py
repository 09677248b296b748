"""Save a fitted model with its schema, classes, decision and metadata as a bundle."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from learnburn.bundles._archive import read_archive, write_archive
from learnburn.bundles._compile import compile_fast_path
from learnburn.bundles._compiled import CompiledModel
from learnburn.bundles._directory import read_directory, write_directory
from learnburn.bundles._documents import write_documents
from learnburn.bundles._format import (
    MANIFEST,
    MODEL,
    REFERENCE_SAMPLE,
    SIGNATURE,
    SUFFIX,
    VERSION,
    upgrade,
)
from learnburn.bundles._manifest import make_manifest
from learnburn.bundles._reference import write_reference
from learnburn.bundles._signature import make_signature, read_private_key
from learnburn.bundles._trust import dump_model
from learnburn.errors import BundleError

if TYPE_CHECKING:
    import pandas as pd


def save_bundle(
    model: Any,
    path: str | Path,
    *,
    schema: Mapping[str, Any],
    classes: Sequence,
    meta: Mapping[str, Any],
    decision: Mapping[str, Any] | None = None,
    calibrator: Mapping[str, Any] | None = None,
    check_rows: pd.DataFrame | None = None,
    reference: Mapping[str, Any] | None = None,
    reference_sample: pd.DataFrame | None = None,
    overwrite: bool = False,
    sign: Any = None,
    compiled: CompiledModel | None = None,
    timings: MutableMapping[str, float] | None = None,
    model_file: bytes | None = None,
) -> Path:
    """Write a bundle at ``path``: a directory, or one packed file when ``path`` ends in ".lbm".

    ``schema`` is ``Schema.to_dict()`` of the model's input columns; ``classes`` the labels in
    the order ``Bundle.predict_proba`` gives them; ``meta`` any plain JSON dict (the library
    versions are added under "saved_with"); ``decision`` is ``DecisionPolicy.to_dict()`` and
    ``calibrator`` its ``calibrator.to_dict()``. Nothing appears at ``path`` until the bundle is
    complete; an existing bundle there is replaced only with ``overwrite=True``.

    With ``check_rows`` (rows the model did not train on, such as the holdout), the pipeline is
    also compiled to the scoring fast path, kept only when it matches the model on those rows;
    ``fast.json`` records the outcome either way. ``compiled`` (``compile_model(model, rows)``)
    is that fast path compiled already: its files are written as they are, not compiled again.

    ``reference`` is the training data's drift profile (``learnburn.monitoring.build_reference``)
    and ``reference_sample`` a few training rows (at most 5,000) for the multivariate drift
    check; ``learnburn drift`` needs the first.

    ``sign``, an Ed25519 private key (or the path of its PEM file), signs the manifest
    (``signature.json``; ``load_bundle(trusted_keys=...)`` checks it).

    ``timings``, a dict, receives the seconds of each part: "model" (the skops file),
    "fast_path" (compiling it; 0 when ``compiled`` was given) and "write" (the rest: documents,
    reference, manifest and the file or directory). The model is serialised once: the manifest's
    sha256 and the file written are of the same bytes. ``model_file``, the model's skops bytes
    serialised already (``dump_model(model)``, e.g. on a thread while the fast path compiled),
    is written as it is ("model" then counts none of its time).
    """
    target = Path(path)
    documents = write_documents(schema, classes, meta, decision, calibrator)
    _check_model_classes(model, classes)
    with _timed(timings, "model"):
        files = {**documents, MODEL: model_file if model_file is not None else dump_model(model)}
    with _timed(timings, "fast_path"):
        if compiled is not None:
            files.update(compiled.files)
        elif check_rows is not None:
            files.update(compile_fast_path(model, check_rows))
    with _timed(timings, "write"):
        columns = [column["name"] for column in schema.get("columns", [])]
        files.update(write_reference(reference, reference_sample, columns))
        files[MANIFEST] = make_manifest(files)
        if sign is not None:
            files[SIGNATURE] = make_signature(files[MANIFEST], _private_key(sign))
        return _write(files, target, overwrite=overwrite)


def sign_bundle(path: str | Path, key: Any) -> Path:
    """Sign the bundle at ``path`` (a directory or a packed file) in place with ``key``, an
    Ed25519 private key or the path of its PEM file; it is verified first, and a bundle of an
    older format version is brought to the current one (its manifest rewritten, its files as
    the upgrade leaves them). An existing signature is replaced."""
    source = Path(path)
    private = _private_key(key)
    manifest, files = read_directory(source) if source.is_dir() else read_archive(source)
    files.pop(SIGNATURE, None)
    raw = files.pop(MANIFEST)
    if manifest["version"] != VERSION:
        files = upgrade(manifest["version"], files)
        raw = make_manifest(files, created_at=manifest.get("created_at"))
    files[MANIFEST] = raw
    files[SIGNATURE] = make_signature(raw, private)
    return _write(files, source, overwrite=True)


def copy_without_reference_sample(path: str | Path, target: str | Path) -> Path:
    """Copy the bundle at ``path`` to ``target`` (a new directory, or a NAME.lbm file) without
    its training rows (``reference.parquet``): verified first, its manifest rewritten at the
    current format version; the aggregate drift profile stays. A signed bundle is refused, as
    the copy's manifest would no longer match the signature."""
    source = Path(path)
    manifest, files = read_directory(source) if source.is_dir() else read_archive(source)
    if SIGNATURE in files:
        raise BundleError(
            f"bundle '{source}' is signed; leaving its training rows out would change its "
            "manifest and void the signature",
            hint="write the bundle without rows (learnburn run SPEC --reference-rows 0), sign "
            "it, and package that",
        )
    files.pop(MANIFEST)
    files = upgrade(manifest["version"], files)
    files.pop(REFERENCE_SAMPLE, None)
    files[MANIFEST] = make_manifest(files, created_at=manifest.get("created_at"))
    return _write(files, Path(target), overwrite=False)


def _write(files: dict[str, bytes], target: Path, *, overwrite: bool) -> Path:
    if target.name.endswith(SUFFIX) and not target.is_dir():
        return write_archive(files, target, overwrite=overwrite)
    return write_directory(files, target, overwrite=overwrite)


@contextmanager
def _timed(timings: MutableMapping[str, float] | None, name: str) -> Iterator[None]:
    """Add the block's seconds to ``timings[name]`` (when ``timings`` is given)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        if timings is not None:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - started


def _private_key(key: Any) -> Any:
    return read_private_key(key) if isinstance(key, str | Path) else key


def _check_model_classes(model: Any, classes: Sequence) -> None:
    """The model is fitted, can give probabilities, and knows no class outside ``classes``."""
    fitted = getattr(model, "classes_", None)
    if fitted is None or not callable(getattr(model, "predict_proba", None)):
        raise BundleError(
            f"the model ({type(model).__name__}) is not a fitted classifier: it lacks "
            "classes_ or predict_proba",
            hint="fit the pipeline before saving it",
        )
    unknown = [_plain(label) for label in list(fitted) if label not in list(classes)]
    if unknown:
        raise BundleError(
            f"the model predicts classes {unknown!r} that are not in classes={list(classes)!r}",
            hint="pass every class the model was fitted on",
        )


def _plain(label: Any) -> Any:
    return label.item() if isinstance(label, np.generic) else label
