"""The types a skops file names, read from its JSON tree alone: the cheap check of a model that
is not loaded (a bundle scored by its fast path).

``skops.io.get_untrusted_types`` builds skops's whole node tree to answer, reading every array
in the file on the way: for a forest of 200 trees that costs nearly what loading the model does.
The tree's JSON (``schema.json`` inside the skops zip) already names every node's loader and
type. For the node kinds listed in ``_defaults`` below, skops trusts by default exactly the
types listed there (its ``_get_trusted`` defaults, skops 0.10 to 0.13); a type is untrusted when
neither that default, learnburn's allow-list nor the caller names it.

Importing skops's lists (``skops.io._trusted_types``) imports every module of scikit-learn to
find its estimators: seconds, at the start of a server that never loads the model. So the
types learnburn's own pipelines name are first looked up in ``USUAL`` (below): the part of
skops's defaults they use, written out (``test_trust.py`` checks that each is in skops's lists,
and that every registered candidate's pipeline needs nothing more). Only a file naming a type
outside ``USUAL`` and the allow-list costs the import of skops's lists.

The answer is "clean" or "ask skops": a node of any other kind, a tree this reading does not
understand, or any type it finds untrusted sends the question to ``get_untrusted_types``, so a
refusal always names what skops itself reports. Loading the model (``_trust.load_model``)
always asks skops, whatever this said.
"""

from __future__ import annotations

import functools
import io
import json
import zipfile

from learnburn.bundles._limits import MAX_MODEL_MEMBERS


def looks_trusted(data: bytes, allowed: frozenset[str]) -> bool:
    """Whether every node of the skops file ``data`` is of a kind read here and of a type its
    kind trusts by default or ``allowed`` names. False means: ask skops."""
    nodes = _nodes(data)
    if nodes is None:
        return False
    if _all_trusted(nodes, USUAL, allowed):
        return True
    defaults = _defaults()
    return defaults is not None and _all_trusted(nodes, defaults, allowed)


def _nodes(data: bytes) -> set[tuple[object, object, object]] | None:
    """(loader, module, class) of every node in the file's JSON tree; None when it cannot be
    read or holds no node or too many."""
    nodes: list[tuple[object, object, object]] = []

    def collect(item: dict) -> dict:  # called by the parser for every JSON object
        if "__loader__" in item:
            nodes.append((item["__loader__"], item.get("__module__"), item.get("__class__")))
        return item

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            json.loads(archive.read("schema.json"), object_hook=collect)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, RecursionError, EOFError):
        return None
    if not nodes or len(nodes) > MAX_MODEL_MEMBERS:
        return None
    return set(nodes)


def _all_trusted(
    nodes: set[tuple[object, object, object]],
    defaults: dict[str, frozenset[str]],
    allowed: frozenset[str],
) -> bool:
    for loader, module, kind in nodes:
        trusted = defaults.get(loader) if isinstance(loader, str) else None
        if trusted is None or not isinstance(module, str) or not isinstance(kind, str):
            return False
        name = f"{module}.{kind}"
        if name not in trusted and name not in allowed:
            return False
    return True


@functools.cache
def _defaults() -> dict[str, frozenset[str]] | None:
    """The types skops trusts by default for each node kind read here; None when this skops
    does not have the lists they are made of."""
    try:
        from skops.io import _trusted_types as lists
    except ImportError:
        return None
    try:
        primitives = list(lists.PRIMITIVE_TYPE_NAMES)
        containers = list(lists.CONTAINER_TYPE_NAMES)
        dtypes = list(lists.NUMPY_DTYPE_TYPE_NAMES)
        ufuncs = list(lists.NUMPY_UFUNC_TYPE_NAMES) + list(lists.SCIPY_UFUNC_TYPE_NAMES)
        estimators = list(lists.SKLEARN_ESTIMATOR_TYPE_NAMES)
        internals = list(lists.SKLEARN_INTERNAL_TYPE_NAMES)
    except AttributeError:
        return None
    table = {
        "DictNode": ["builtins.dict", "collections.OrderedDict"],
        "ListNode": ["builtins.list"],
        "TupleNode": ["builtins.tuple"],
        "SetNode": ["builtins.set"],
        "JsonNode": primitives,
        "NdArrayNode": ["numpy.ndarray", *dtypes],
        "TypeNode": [*primitives, *containers, *dtypes],
        "FunctionNode": ufuncs,
        "ObjectNode": [*estimators, *internals],
        "SliceNode": ["builtins.slice"],
        "BytesNode": ["builtins.bytes"],
        "BytearrayNode": ["builtins.bytearray"],
        "DefaultDictNode": ["collections.defaultdict"],
        "DTypeNode": [],  # numpy.dtype: on learnburn's allow-list
        "TreeNode": [],  # sklearn.tree._tree.Tree: on learnburn's allow-list
        # not here, so asked of skops: nodes that name what they build elsewhere than in
        # __module__ and __class__ (RandomGeneratorNode's bit generator, ReduceNode and
        # LossNode's constructors, MethodNode, OperatorFuncNode, PartialNode)
    }
    return {loader: frozenset(names) for loader, names in table.items()}


# The part of skops's default trust (``_defaults``) that learnburn's registered candidates use,
# by node kind: what their pipelines name, besides learnburn's allow-list.
_SCALARS = ["builtins.bool", "builtins.float", "builtins.int", "builtins.str"]
_NUMPY_SCALARS = [
    "numpy.bool", "numpy.float32", "numpy.float64", "numpy.int32", "numpy.int64",
    "numpy.object_", "numpy.str_", "numpy.uint8", "numpy.uint32", "numpy.uint64",
]  # fmt: skip
USUAL: dict[str, frozenset[str]] = {
    loader: frozenset(names)
    for loader, names in {
        "DictNode": ["builtins.dict"],
        "ListNode": ["builtins.list"],
        "TupleNode": ["builtins.tuple"],
        "SliceNode": ["builtins.slice"],
        "BytearrayNode": ["builtins.bytearray"],
        "DefaultDictNode": ["collections.defaultdict"],
        "JsonNode": _SCALARS,
        "NdArrayNode": ["numpy.ndarray", *_NUMPY_SCALARS],
        "TypeNode": [*_SCALARS, "builtins.list", "builtins.tuple", *_NUMPY_SCALARS],
        "FunctionNode": [],  # learnburn's own functions: on the allow-list
        "DTypeNode": [],
        "TreeNode": [],
        "ObjectNode": [
            "sklearn._loss.link.Interval",
            "sklearn._loss.link.LogitLink",
            "sklearn._loss.link.MultinomialLogit",
            "sklearn._loss.loss.HalfBinomialLoss",
            "sklearn._loss.loss.HalfMultinomialLoss",
            "sklearn.compose._column_transformer.ColumnTransformer",
            "sklearn.dummy.DummyClassifier",
            "sklearn.ensemble._forest.ExtraTreesClassifier",
            "sklearn.ensemble._forest.RandomForestClassifier",
            "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
            "sklearn.ensemble._hist_gradient_boosting.gradient_boosting."
            "HistGradientBoostingClassifier",
            "sklearn.impute._base.SimpleImputer",
            "sklearn.linear_model._logistic.LogisticRegression",
            "sklearn.neighbors._classification.KNeighborsClassifier",
            "sklearn.pipeline.Pipeline",
            "sklearn.preprocessing._data.StandardScaler",
            "sklearn.preprocessing._encoders.OneHotEncoder",
            "sklearn.preprocessing._encoders.OrdinalEncoder",
            "sklearn.preprocessing._function_transformer.FunctionTransformer",
            "sklearn.preprocessing._label.LabelEncoder",
            "sklearn.tree._classes.DecisionTreeClassifier",
            "sklearn.tree._classes.ExtraTreeClassifier",
        ],
    }.items()
}
