"""Load a bundle: verify it completely, then read its documents, then load its model."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from learnburn.bundles._archive import read_archive
from learnburn.bundles._bundle import Bundle, Deferred, scoring_summary
from learnburn.bundles._directory import read_directory
from learnburn.bundles._documents import read_documents
from learnburn.bundles._fast import load_fast_path, read_report
from learnburn.bundles._format import (
    FAST,
    MANIFEST,
    MODEL,
    REFERENCE,
    REFERENCE_SAMPLE,
    SIGNATURE,
    upgrade,
)
from learnburn.bundles._reference import read_reference
from learnburn.bundles._signature import read_public_key, verify_signature
from learnburn.bundles._trust import check_model, check_trusted, load_model
from learnburn.errors import BundleError


def load_bundle(
    path: str | Path,
    *,
    trusted: Sequence[str] = (),
    lazy: bool = False,
    trusted_keys: Sequence[Any] = (),
) -> Bundle:
    """The bundle at ``path`` (a directory or a packed file), verified and loaded.

    Every file is checked against the manifest before any is read; the model is loaded with
    skops only when every type in it is on learnburn's allow-list or named in ``trusted``.
    Never unpickles; a bundle that fails any check is a BundleError naming the problem.

    With ``lazy=True`` and a proven fast path, the fitted pipeline is loaded only when first
    needed (``Bundle.model``): a server that scores with the fast path starts without
    deserialising it at all. Its types are still checked against the allow-list at once, from
    the skops file's JSON tree, so an untrusted or non-skops model is refused at load either
    way; nothing in ``model.skops`` runs before its check.

    With ``trusted_keys`` (Ed25519 public keys, or paths of PEM files holding them), the bundle
    must also carry a signature by one of them over its manifest (``_signature.py``); an
    unsigned bundle, or one signed by another key or over another manifest, is refused before
    any of its documents is read.
    """
    names = check_trusted(trusted)
    source = Path(path)
    if not source.exists():
        raise BundleError(f"no bundle at '{source}'", hint="check the path")
    keys = [read_public_key(key) if isinstance(key, str | Path) else key for key in trusted_keys]
    manifest, files = read_directory(source) if source.is_dir() else read_archive(source)
    where = f"bundle '{source}'"
    signature = files.pop(SIGNATURE, None)
    signer = verify_signature(files[MANIFEST], signature, keys, where) if keys else None
    files = upgrade(manifest["version"], files)
    documents = read_documents(files, where)
    report = read_report(files.get(FAST), where)
    proving = _Background(load_fast_path, report, files, where)  # waits on a child process
    try:
        reference = read_reference(files.get(REFERENCE), where)
        if lazy and report and report.get("status") == "ready":
            check_model(files[MODEL], where, names)  # refused now, though loaded when needed
    except BundleError:
        proving.result()  # the fast path's own error, when it has one, comes first
        raise
    fast, refused = proving.result()

    def load_native() -> object:
        model = load_model(files[MODEL], where, names)
        _check_classes(getattr(model, "classes_", ()), documents.classes, where)
        return model

    if fast is not None:
        _check_classes(fast.classes, documents.classes, where)
    if lazy and fast is not None:  # model.skops was checked above, while the proof ran
        model: object = Deferred(load_native)
    else:
        model = load_native()
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
        fast_report=report,
        fast_refused=refused,
        signed_by=signer,
        has_signature=signature is not None,
        reference=reference,
        reference_sample_bytes=files.get(REFERENCE_SAMPLE),
    )


def saved_scoring_summary(path: str | Path) -> str:
    """``Bundle.scoring_summary`` of the bundle at ``path`` (verified against its manifest) as
    its fast path was proven when it was saved, without starting the fast path's runtime or
    proving it again: for a bundle this process has just saved, whose proof has just run.
    ``load_bundle`` proves the fast path again wherever the bundle is loaded."""
    source = Path(path)
    manifest, files = read_directory(source) if source.is_dir() else read_archive(source)
    files = upgrade(manifest["version"], files)
    report = read_report(files.get(FAST), f"bundle '{source}'")
    ready = report is not None and report.get("status") == "ready"
    return scoring_summary(report, report.get("runtime") if ready else None)


class _Background:
    """``function(*args)`` on a thread: the fast path's proof waits on its child process while
    this one checks the model file. ``result()`` returns its value or raises its error."""

    def __init__(self, function: Callable[..., Any], *args: Any) -> None:
        self._outcome: tuple[Any, BaseException | None] = (None, None)
        self._thread = threading.Thread(target=self._run, args=(function, args), daemon=True)
        self._thread.start()

    def _run(self, function: Callable[..., Any], args: tuple) -> None:
        try:
            self._outcome = (function(*args), None)
        except BaseException as exc:  # handed to the caller by result()
            self._outcome = (None, exc)

    def result(self) -> Any:
        self._thread.join()
        value, error = self._outcome
        if error is not None:
            raise error
        return value


def _check_classes(fitted: Sequence, listed: Sequence, where: str) -> None:
    unknown = [str(label) for label in fitted if label not in listed]
    if unknown:
        raise BundleError(
            f"{where}: the model predicts classes {unknown!r} that schema.json does not list",
            hint="the bundle is inconsistent; save it again",
        )
