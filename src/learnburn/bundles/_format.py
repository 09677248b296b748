"""The bundle format: its name, its version, the files each version holds, and how old versions
are brought up to date.

A bundle is one flat directory (or a zip archive of it, ``.lbm``):

- ``manifest.json``: ``{"format": "learnburn-bundle", "version": N, "created_at": ...,
  "files": {name: {"sha256": ..., "size": ...}}}``, covering every other file;
- ``model.skops``: the fitted pipeline, saved with ``skops.io`` (never pickle);
- ``schema.json``: ``{"columns": [...], "classes": [...]}``, the input columns as
  ``learnburn.data.Schema.to_dict()`` writes them, and the class labels in column order;
- ``decision.json`` (optional): the decision policy dict, with ``"calibrator"`` holding the
  calibrator's dict or null;
- ``meta.json``: the caller's plain JSON dict, plus ``"saved_with"``: library versions;
- ``fast.json`` (optional, version 2): the scoring fast path's feature plan and the record of
  each runtime tried on the check rows (``learnburn/bundles/_fast.py``), with ``fast.onnx`` or
  ``fast.treelite`` holding the compiled estimator when one was proven.
- ``reference.json`` (optional, version 3): the training data's drift profile (quantiles, bins,
  category counts, the predicted scores' profile, feature importances; ``learnburn.monitoring``),
  and ``reference.parquet`` (optional): a small sample of training rows for the multivariate
  drift check (``learnburn/bundles/_reference.py``).
- ``signature.json`` (optional, version 4): an Ed25519 signature over ``manifest.json``'s bytes
  (``learnburn/bundles/_signature.py``); it is the one file the manifest does not list.

Changing the format
-------------------
Any change a reader of the current version would not understand (a file added, removed or
renamed, a key renamed or given a new meaning, a different skops layout of the model) is a new
version. Adding a key that readers ignore is not. To change it:

1. Bump ``VERSION`` below and list the new version's files in ``FILES``.
2. Write the upgrade step from the previous version: a function taking the verified files of a
   bundle of that version (``{name: bytes}``) and returning the files as the new version has
   them. Register it in ``UPGRADES`` under the version it upgrades *from*. A step never loads
   the model with anything but skops, and never executes what the bundle holds.
3. Keep a bundle of the old version: ``tests/bundles/make_fixture.py`` writes
   ``tests/bundles/fixtures/v<N>/``; commit the old fixture unchanged and add the new one.
4. ``tests/bundles/test_format.py`` loads every committed fixture and checks that its
   predictions equal those recorded in its ``meta.json``; keep it passing. Never edit or
   regenerate an old fixture: it stands for bundles already shipped.

A bundle newer than ``VERSION`` is refused (the reader cannot know what it means); an older one
is verified against its own version's manifest, then upgraded in memory, one step at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from learnburn.errors import BundleError

FORMAT = "learnburn-bundle"
VERSION = 4

MANIFEST = "manifest.json"
MODEL = "model.skops"
SCHEMA = "schema.json"
DECISION = "decision.json"
META = "meta.json"
FAST = "fast.json"
FAST_ONNX = "fast.onnx"
FAST_TREELITE = "fast.treelite"
REFERENCE = "reference.json"
REFERENCE_SAMPLE = "reference.parquet"
SIGNATURE = "signature.json"  # beside the manifest, not listed in it
SIGNED_FROM = 4  # the first version that may hold SIGNATURE

SUFFIX = ".lbm"  # a bundle packed as one file

Files = dict[str, bytes]
Upgrade = Callable[[Files], Files]


def files_of(version: int) -> tuple[frozenset[str], frozenset[str]]:
    """The (required, optional) files of a bundle of that version, the manifest aside."""
    return FILES[version]


def check_version(version: object, where: str) -> int:
    """The version, when this code can read it; a BundleError otherwise."""
    whole = isinstance(version, int) and not isinstance(version, bool)
    if whole and version > VERSION:
        raise BundleError(
            f"{where} is a bundle of format version {version}; this learnburn reads "
            f"versions up to {VERSION}",
            hint="upgrade learnburn (pip install -U learnburn) to load this bundle",
        )
    if not whole or version not in FILES:
        raise BundleError(
            f"{where} names format version {version!r}, which does not exist",
            hint="the manifest is damaged or was not written by learnburn; save the bundle again",
        )
    return version


def upgrade(version: int, files: Files) -> Files:
    """The files of a verified bundle of ``version``, brought to the current ``VERSION``."""
    for old in range(version, VERSION):
        files = UPGRADES[old](dict(files))
    return files


# -- the files of each version, and the step that upgrades each old version ---------------------

FILES: Mapping[int, tuple[frozenset[str], frozenset[str]]] = {
    1: (frozenset({MODEL, SCHEMA, META}), frozenset({DECISION})),
    2: (frozenset({MODEL, SCHEMA, META}), frozenset({DECISION, FAST, FAST_ONNX, FAST_TREELITE})),
    3: (
        frozenset({MODEL, SCHEMA, META}),
        frozenset({DECISION, FAST, FAST_ONNX, FAST_TREELITE, REFERENCE, REFERENCE_SAMPLE}),
    ),
    4: (  # as version 3, and SIGNATURE may sit beside the manifest
        frozenset({MODEL, SCHEMA, META}),
        frozenset({DECISION, FAST, FAST_ONNX, FAST_TREELITE, REFERENCE, REFERENCE_SAMPLE}),
    ),
}


def _from_1(files: Files) -> Files:
    """Version 1 had no fast path; its files mean the same in version 2 (scored natively)."""
    return files


def _from_2(files: Files) -> Files:
    """Version 2 had no drift reference; its files mean the same in version 3 (drift checks
    say the bundle has no reference)."""
    return files


def _from_3(files: Files) -> Files:
    """Version 3 could not be signed; its files mean the same in version 4 (unsigned)."""
    return files


UPGRADES: Mapping[int, Upgrade] = {
    # version N -> the function that turns a version N bundle's files into version N + 1's
    1: _from_1,
    2: _from_2,
    3: _from_3,
}
