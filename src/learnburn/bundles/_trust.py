"""Save the model with skops and load it back only when every type in it is allowed.

Loading never unpickles and never falls back: ``model.skops`` must be a skops zip within the
size limits; ``skops.io.get_untrusted_types`` lists the types skops does not trust by itself;
each must be on ``ALLOWED`` (below) or named by the caller in ``trusted``; only then does
``skops.io.loads`` run, trusting exactly the types listed. The bytes checked are the bytes
loaded (already verified against the manifest), so nothing can change in between.

``ALLOWED`` holds exact type names, no wildcards: the types skops reports when it saves the
pipeline of any registered candidate, under each preprocessing it supports, binary and
multiclass, with the parameter values the registry lets a spec set (``knn``'s ``metric`` among
them). ``tests/bundles/derive_allow_list.py`` lists them again; ``test_trust.py`` checks that
every registered candidate's pipeline loads with them and nothing more.
skops itself trusts scikit-learn's public estimators and plain containers; those are not here.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from typing import Any

from learnburn.bundles._format import MODEL
from learnburn.bundles._limits import (
    MAX_MODEL_MEMBERS,
    MAX_MODEL_SCHEMA_SIZE,
    check_size,
    check_sizes,
)
from learnburn.bundles._types import looks_trusted
from learnburn.errors import BundleError

_TYPE_NAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")


def dump_model(model: Any) -> bytes:
    """The fitted model as skops bytes (a compressed zip)."""
    import skops.io

    try:
        return skops.io.dumps(model, compression=zipfile.ZIP_DEFLATED)
    except Exception as exc:  # skops raises many kinds for objects it cannot store
        raise BundleError(
            f"the model cannot be saved with skops: {type(exc).__name__}: {exc}",
            hint="a bundle holds models skops can store; see which part of the pipeline fails",
        ) from exc


def load_model(data: bytes, where: str, trusted: Iterable[str] = ()) -> Any:
    """The model in ``data``, when every type it holds is allowed or trusted by name."""
    import skops.io

    names = check_trusted(trusted)
    _check_archive(data, where)
    found = _checked_types(data, where, names)
    try:
        return skops.io.loads(data, trusted=sorted(found))
    except Exception as exc:  # as above, and whatever an allowed type raises while restored
        raise _invalid(where, exc) from exc


def check_model(data: bytes, where: str, trusted: Iterable[str] = ()) -> None:
    """Refuse ``data`` unless it is a skops file whose every type is allowed or trusted by
    name, without loading it: cheaply (``_types.looks_trusted``) when the types it names are
    plainly trusted, else as ``load_model`` checks them."""
    names = check_trusted(trusted)
    _check_archive(data, where)
    if not looks_trusted(data, ALLOWED | names):
        _checked_types(data, where, names)


def _checked_types(data: bytes, where: str, names: frozenset[str]) -> list[str]:
    """The types skops does not trust by itself in ``data``, once each is found allowed."""
    import skops.io

    try:
        found = skops.io.get_untrusted_types(data=data)
    except Exception as exc:  # skops raises many kinds on malformed content
        raise _invalid(where, exc) from exc
    refused = sorted(set(found) - ALLOWED - names)
    if refused:
        raise untrusted_error(where, refused)
    return found


def check_trusted(trusted: Iterable[str]) -> frozenset[str]:
    """The trusted type names, each a dotted ``module.Name``."""
    if isinstance(trusted, str):
        raise BundleError(
            f"'trusted' must be a list of type names, got the string {trusted!r}",
            hint=f"pass trusted=[{trusted!r}]",
        )
    names = list(trusted)
    bad = [name for name in names if not isinstance(name, str) or not _TYPE_NAME.match(name)]
    if bad:
        raise BundleError(
            f"'trusted' must hold full type names such as 'package.module.Class', got {bad!r}",
            hint="copy the names from the error that refused the bundle",
        )
    return frozenset(names)


def untrusted_error(where: str, refused: list[str]) -> BundleError:
    """The error for a model holding types neither allowed nor trusted."""
    flags = " ".join(f"--trust {name}" for name in refused)
    return BundleError(
        f"{where}: {MODEL} holds types that are not on learnburn's allow-list: "
        f"{', '.join(refused)}. Loading them could run code they define, so nothing was loaded.",
        hint=(
            "only if you trust where this bundle came from, allow them by name: "
            f"load_bundle(path, trusted={refused!r}), or `{flags}` on the command line"
        ),
    )


def _check_archive(data: bytes, where: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
        raise BundleError(
            f"{where}: {MODEL} is not a skops file (not a zip archive); it was not loaded, "
            "and learnburn never reads models any other way",
            hint="save the model again with save_bundle; never rename a pickle to model.skops",
        ) from exc
    check_sizes(infos, f"{where}: {MODEL}", max_members=MAX_MODEL_MEMBERS, ratio=False)
    for info in infos:
        if info.filename == "schema.json":
            check_size(info.file_size, f"{where}: {MODEL}: schema.json", MAX_MODEL_SCHEMA_SIZE)


def _invalid(where: str, exc: Exception) -> BundleError:
    return BundleError(
        f"{where}: {MODEL} cannot be loaded: {type(exc).__name__}: {exc}",
        hint="the bundle is damaged, or was saved with libraries this environment cannot read; "
        "compare meta.json's 'saved_with' with the installed versions",
    )


# -- the allow-list -----------------------------------------------------------------------------

ALLOWED: frozenset[str] = frozenset(
    {
        # learnburn's own preprocessing and estimator (learnburn.candidates)
        "learnburn.candidates._columns.as_category_strings",
        "learnburn.candidates._columns.as_float_frame",
        "learnburn.candidates._native.NativeColumns",
        "learnburn.candidates._xgboost.LabelledXGBClassifier",
        "learnburn.candidates._mlp.TabularMLPClassifier",
        "learnburn.candidates._assign.ClusterAssigner",  # a clustering bundle's model
        # scikit-learn internals of fitted trees, forests, boosting and neighbours
        "sklearn.tree._tree.Tree",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.utils.validation.check_array",  # in HistGradientBoosting's preprocessor
        "sklearn.neighbors._ball_tree.BallTree",
        "sklearn.neighbors._kd_tree.KDTree",
        # the distance metrics k-NN's ball and kd trees hold (knn's `metric`); haversine,
        # mahalanobis and seuclidean need inputs or metric_params a spec cannot give: not here
        "sklearn.metrics._dist_metrics.BrayCurtisDistance64",
        "sklearn.metrics._dist_metrics.CanberraDistance64",
        "sklearn.metrics._dist_metrics.ChebyshevDistance64",
        "sklearn.metrics._dist_metrics.DiceDistance64",
        "sklearn.metrics._dist_metrics.EuclideanDistance64",
        "sklearn.metrics._dist_metrics.HammingDistance64",
        "sklearn.metrics._dist_metrics.JaccardDistance64",
        "sklearn.metrics._dist_metrics.ManhattanDistance64",
        "sklearn.metrics._dist_metrics.MinkowskiDistance64",
        "sklearn.metrics._dist_metrics.RogersTanimotoDistance64",
        "sklearn.metrics._dist_metrics.RussellRaoDistance64",
        "sklearn.metrics._dist_metrics.SokalMichenerDistance64",
        "sklearn.metrics._dist_metrics.SokalSneathDistance64",
        # LightGBM and XGBoost: the estimators and their boosters (model text / raw bytes)
        "lightgbm.basic.Booster",
        "lightgbm.sklearn.LGBMClassifier",
        "xgboost.core.Booster",
        # numpy and the standard library
        "numpy.dtype",
        "collections.OrderedDict",
        "functools.partial",  # its function and arguments are audited as nodes of their own
    }
)
