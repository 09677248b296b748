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
"""

from __future__ import annotations

from learnburn.bundles._format import FAST_ONNX as ONNX
from learnburn.errors import BundleError

_HINT = "a bundle's ONNX model must keep every tensor inside the file; save the bundle again"
MAX_MESSAGES = 5_000_000  # a bound on the walk (a tabular model holds thousands)


def check_onnx(data: bytes, where: str) -> None:
    """Refuse ``data`` unless it is an ONNX model whose every tensor is stored inside it."""
    import onnx

    try:
        model = onnx.load_model_from_string(data)
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
    import onnx

    external = onnx.TensorProto.EXTERNAL
    tensor_type = onnx.TensorProto.DESCRIPTOR
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
