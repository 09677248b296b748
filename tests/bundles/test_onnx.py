"""ONNX models that would read a file beside the server: refused wherever the tensor naming the
file sits (initializers, sparse initializers, node attributes, subgraphs, functions)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from learnburn.bundles import load_bundle, unpack_bundle
from learnburn.bundles._onnx import check_onnx
from learnburn.errors import BundleError

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper  # noqa: E402
from onnx.external_data_helper import set_external_data  # noqa: E402

SECRET = b"ABCDEFGHIJKLMNOP"  # 16 bytes: four float32 values
FILE = "secret.bin"  # relative: ONNX Runtime reads it from the folder the server runs in


def external(name: str, dtype: int = TensorProto.FLOAT) -> TensorProto:
    """A tensor of four values whose bytes are to be read from ``FILE``."""
    kind = np.float32 if dtype == TensorProto.FLOAT else np.int64
    tensor = helper.make_tensor(name, dtype, [4], np.zeros(4, kind).tobytes(), raw=True)
    set_external_data(tensor, location=FILE, offset=0, length=4 * np.dtype(kind).itemsize)
    tensor.data_location = TensorProto.EXTERNAL
    tensor.ClearField("raw_data")
    return tensor


def indices() -> TensorProto:
    return helper.make_tensor("indices", TensorProto.INT64, [4], [0, 1, 2, 3])


def graph(nodes, name: str = "g", **fields) -> onnx.GraphProto:
    """A graph Y = X + w, where the nodes given make w."""
    add = helper.make_node("Add", ["X", "w"], ["Y"])
    return helper.make_graph(
        [*nodes, add],
        name,
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [4])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [4])],
        **fields,
    )


def model(main: onnx.GraphProto, **fields) -> onnx.ModelProto:
    made = helper.make_model(main, opset_imports=[helper.make_opsetid("", 17)], **fields)
    made.ir_version = 8
    return made


def _initializer():
    return model(graph([], initializer=[external("w")]))


def _sparse_values():
    values = external("w")
    return model(graph([], sparse_initializer=[helper.make_sparse_tensor(values, indices(), [4])]))


def _sparse_indices():
    values = helper.make_tensor("w", TensorProto.FLOAT, [1], [1.0])
    sparse = helper.make_sparse_tensor(values, external("i", TensorProto.INT64), [4])
    return model(graph([], sparse_initializer=[sparse]))


def _constant_value():
    return model(graph([helper.make_node("Constant", [], ["w"], value=external("c"))]))


def _constant_sparse_value():
    sparse = helper.make_sparse_tensor(external("c"), indices(), [4])
    return model(graph([helper.make_node("Constant", [], ["w"], sparse_value=sparse)]))


def _attribute_tensors_list():
    node = helper.make_node("Identity", ["X"], ["w"])
    node.attribute.append(helper.make_attribute("tables", [external("a")]))
    return model(graph([node]))


def _attribute_sparse_tensors_list():
    node = helper.make_node("Identity", ["X"], ["w"])
    sparse = helper.make_sparse_tensor(external("a"), indices(), [4])
    node.attribute.append(helper.make_attribute("tables", [sparse]))
    return model(graph([node]))


def _if_branch():
    stolen = graph([], "then", initializer=[external("w")])
    plain = graph([helper.make_node("Identity", ["X"], ["w"])], "else")
    condition = helper.make_tensor("c", TensorProto.BOOL, [], [True])
    node = helper.make_node("If", ["cond"], ["w"], then_branch=stolen, else_branch=plain)
    return model(graph([helper.make_node("Constant", [], ["cond"], value=condition), node]))


def _nested_loop_body():
    inner = graph([helper.make_node("Constant", [], ["w"], value=external("c"))], "inner")
    outer = graph([helper.make_node("Scan", ["X"], ["w"], body=inner, num_scan_inputs=1)], "o")
    node = helper.make_node("Loop", ["", "", "X"], ["w"], body=outer)
    return model(graph([node]))


def _function_node():
    body = [helper.make_node("Constant", [], ["w"], value=external("c"))]
    function = helper.make_function(
        "custom", "Steal", [], ["w"], body, [helper.make_opsetid("", 17)]
    )
    call = helper.make_node("Steal", [], ["w"], domain="custom")
    return model(graph([call]), functions=[function])


def _function_default_attribute():
    function = helper.make_function("custom", "Steal", [], ["w"], [], [helper.make_opsetid("", 17)])
    function.attribute_proto.append(helper.make_attribute("table", external("d")))
    call = helper.make_node("Steal", [], ["w"], domain="custom")
    return model(graph([call]), functions=[function])


def _training_graph():
    made = _clean()
    info = made.training_info.add()
    info.initialization.CopyFrom(graph([], "init", initializer=[external("w")]))
    return made


def _clean():
    weights = helper.make_tensor("w", TensorProto.FLOAT, [4], [1.0, 2.0, 3.0, 4.0])
    return model(graph([], initializer=[weights]))


KINDS: dict[str, Callable[[], onnx.ModelProto]] = {
    "initializer": _initializer,
    "sparse initializer values": _sparse_values,
    "sparse initializer indices": _sparse_indices,
    "Constant value": _constant_value,
    "Constant sparse_value": _constant_sparse_value,
    "node attribute tensors list": _attribute_tensors_list,
    "node attribute sparse_tensors list": _attribute_sparse_tensors_list,
    "If branch": _if_branch,
    "Scan body inside a Loop body": _nested_loop_body,
    "function node": _function_node,
    "function default attribute": _function_default_attribute,
    "training graph": _training_graph,
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_tensor_naming_external_data_is_refused_wherever_it_sits(kind):
    """Each place an ONNX model can hold a tensor is checked."""
    with pytest.raises(BundleError, match=r"external data files.*secret\.bin"):
        check_onnx(KINDS[kind]().SerializeToString(), "here")


def test_an_external_data_entry_without_the_external_flag_is_refused():
    """A tensor listing external data is refused even when its location flag says default."""
    made = _clean()
    entry = made.graph.initializer[0].external_data.add()
    entry.key, entry.value = "location", FILE
    assert made.graph.initializer[0].data_location == TensorProto.DEFAULT
    with pytest.raises(BundleError, match="external data"):
        check_onnx(made.SerializeToString(), "here")


def test_a_model_keeping_every_tensor_inside_passes():
    check_onnx(_clean().SerializeToString(), "here")


@pytest.mark.parametrize("kind", ["sparse initializer values", "Constant sparse_value"])
def test_onnx_runtime_reads_the_file_a_sparse_tensor_names(kind, tmp_path, monkeypatch):
    """The attack is real: unchecked, ONNX Runtime reads the file into the answer."""
    ort = pytest.importorskip("onnxruntime")
    monkeypatch.chdir(tmp_path)
    (tmp_path / FILE).write_bytes(SECRET)
    session = ort.InferenceSession(
        KINDS[kind]().SerializeToString(), providers=["CPUExecutionProvider"]
    )
    (answer,) = session.run(None, {"X": np.zeros(4, np.float32)})
    assert answer.tobytes() == SECRET


def test_a_bundle_whose_fast_path_reads_a_file_through_a_sparse_tensor_is_refused(
    saved_onnx_bundle, tmp_path, monkeypatch, reseal
):
    """Loading refuses the bundle; the file beside the server is never read into a model."""
    directory = unpack_bundle(saved_onnx_bundle, tmp_path / "bundle")
    (directory / "fast.onnx").write_bytes(_sparse_values().SerializeToString())
    reseal(directory)
    monkeypatch.chdir(tmp_path)
    (tmp_path / FILE).write_bytes(SECRET)
    with pytest.raises(BundleError, match=r"fast\.onnx references external data"):
        load_bundle(directory)
    with pytest.raises(BundleError, match=r"fast\.onnx references external data"):
        load_bundle(directory, lazy=True)


@pytest.fixture(scope="module")
def saved_onnx_bundle(tmp_path_factory, logistic, schema, features):
    from learnburn.bundles import save_bundle

    path = tmp_path_factory.mktemp("onnx") / "logistic.lbm"
    save_bundle(logistic, path, schema=schema, classes=["no", "yes"], meta={}, check_rows=features)
    assert load_bundle(path).scoring_path == "onnxruntime"
    return path
