"""The types a skops file names, read from its JSON tree alone: the cheap check of a model that
is not loaded (a bundle scored by its fast path).

``skops.io.get_untrusted_types`` builds skops's whole node tree to answer, reading every array
in the file on the way: for a forest of 200 trees that costs nearly what loading the model does.
The tree's JSON (``schema.json`` inside the skops zip) already names every node's loader and
type. For the node kinds listed in ``_DEFAULTS`` below, skops trusts by default exactly the
types listed there (its ``_get_trusted`` defaults, skops 0.10 to 0.13); a type is untrusted when
neither that default, learnburn's allow-list nor the caller names it.

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
    defaults = _defaults()
    if defaults is None:
        return False
    nodes: list[tuple[object, object, object]] = []

    def collect(item: dict) -> dict:  # called by the parser for every JSON object
        if "__loader__" in item:
            nodes.append((item["__loader__"], item.get("__module__"), item.get("__class__")))
        return item

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            json.loads(archive.read("schema.json"), object_hook=collect)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, RecursionError, EOFError):
        return False
    if not nodes or len(nodes) > MAX_MODEL_MEMBERS:
        return False
    for loader, module, kind in set(nodes):
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
