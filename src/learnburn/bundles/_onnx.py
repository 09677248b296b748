"""The check every ONNX model passes before ONNX Runtime sees it: no tensor may live outside
the file.

ONNX lets any tensor keep its bytes in another file (``data_location: EXTERNAL`` and an
``external_data`` list naming ``location``, ``offset``, ``length``). ONNX Runtime refuses
absolute and ``../`` locations but reads relative ones, from the folder the server runs in, so
a bundle naming ``etc/passwd`` and served from ``/`` would turn that file into weights, and the
weights into probabilities. Tensors sit in many places: a graph's initializers and sparse
initializers (values and indices), the attributes of any node (``t``, ``tensors``,
``sparse_tensor``, ``sparse_tensors``: ``Constant`` and others), the subgraphs of ``If``,
``Loop`` and ``Scan`` (attributes ``g`` and ``graphs``), the functions of the model (their nodes
and default attributes) and its training graphs.

So the check does not list those places: it walks every message of the parsed model, whatever
field holds it, and refuses any ``TensorProto`` that names external data. A field added to ONNX
later is walked too.

The check needs only ONNX's protobuf messages, not the ``onnx`` package, whose import (its
helpers, ``ml_dtypes``) costs a second of CPU at a server's start. So ``_messages`` executes the
installed package's generated ``onnx_ml_pb2.py`` alone (the very code ``import onnx`` runs to
define ``onnx.ModelProto``; both register the same descriptors in protobuf's pool), and imports
``onnx`` only when that file is not where it is expected.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from types import ModuleType

from learnburn.bundles._format import FAST_ONNX as ONNX
from learnburn.errors import BundleError

_HINT = "a bundle's ONNX model must keep every tensor inside the file; save the bundle again"
MAX_MESSAGES = 5_000_000  # a bound on the walk (a tabular model holds thousands)


def check_onnx(data: bytes, where: str) -> None:
    """Refuse ``data`` unless it is an ONNX model whose every tensor is stored inside it."""
    messages = _messages()
    try:
        model = messages.ModelProto()
        read = model.ParseFromString(data)
        if read is not None and read != len(data):
            raise ValueError(f"the model is {len(data)} bytes long, but only {read} were read")
    except Exception as exc:  # protobuf raises DecodeError and others
        raise BundleError(
            f"{where}: {ONNX} is not a valid ONNX model: {exc}",
            hint="save the bundle again, or remove its fast path",
        ) from exc
    found = external_tensors(model)
    if found:
        shown = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
        raise BundleError(
            f"{where}: {ONNX} references external data files, which a bundle may not hold "
            f"({shown})",
            hint=_HINT,
        )


def external_tensors(model: object) -> list[str]:
    """Where each tensor of ``model`` (any protobuf message of ONNX) that names external data
    sits, as ``path.to.field[i] -> 'location'``."""
    messages = _messages()
    external = messages.TensorProto.EXTERNAL
    tensor_type = messages.TensorProto.DESCRIPTOR
    found: list[str] = []
    stack: list[tuple[str, object]] = [("model", model)]
    seen = 0
    while stack:
        path, message = stack.pop()
        seen += 1
        if seen > MAX_MESSAGES:
            raise BundleError(
                f"the ONNX model holds more than {MAX_MESSAGES:,} messages", hint=_HINT
            )
        if message.DESCRIPTOR is tensor_type and (
            message.data_location == external or len(message.external_data)
        ):
            found.append(f"{path} -> {_location(message)!r}")
        for field, value in message.ListFields():
            if field.message_type is None:
                continue
            name = f"{path}.{field.name}"
            if hasattr(value, "ListFields"):  # one message
                stack.append((name, value))
            elif hasattr(value, "items"):  # a map (ONNX has none today)
                pairs = value.items()
                stack.extend((f"{name}[{k!r}]", v) for k, v in pairs if hasattr(v, "ListFields"))
            else:  # a repeated field of messages
                stack.extend((f"{name}[{i}]", item) for i, item in enumerate(value))
    return sorted(found)


def _location(tensor: object) -> str:
    for entry in tensor.external_data:
        if entry.key == "location":
            return entry.value
    return "" if not tensor.name else f"(tensor {tensor.name})"


@functools.cache
def _messages() -> ModuleType:
    """ONNX's protobuf messages (``ModelProto``, ``TensorProto``): the installed ``onnx``
    package's ``onnx_ml_pb2`` module, executed without the rest of the package when found."""
    spec = importlib.util.find_spec("onnx")  # finds the package without importing it
    folders = list(spec.submodule_search_locations or ()) if spec is not None else []
    generated = [Path(folder) / "onnx_ml_pb2.py" for folder in folders]
    if generated and generated[0].is_file():
        module_spec = importlib.util.spec_from_file_location(
            "learnburn.bundles._onnx_ml_pb2", generated[0]
        )
        if module_spec is not None and module_spec.loader is not None:
            module = importlib.util.module_from_spec(module_spec)
            try:
                module_spec.loader.exec_module(module)
            except Exception:  # another protobuf or ONNX layout: the package's own way
                pass
            else:
                return module
    import onnx

    return onnx
