"""The fast path compiled once per bundle: its files for the bundle, and its scorer for the work
done before the bundle is written (the permutation importances of the drift reference).

``compile_model`` compiles once (``compile_fast_path``); ``save_bundle(compiled=...)`` writes
the same files instead of compiling again. The scorer is the proven runtime, the very runner the
proof ran (built from the bytes the bundle will hold, not built again); a model with no proven
fast path has none (callers use the model).
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from learnburn.bundles._compile import compile_and_keep_runner
from learnburn.bundles._fast import RUNTIME_FILES, Feature, FeaturePlan, read_report
from learnburn.bundles._format import FAST

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, eq=False)
class CompiledModel:
    """``files``: ``fast.json`` and the proven runtime's model file, as the bundle holds them.
    ``plan`` and ``runner``: the proven fast path (None when there is none), whose
    probabilities follow ``classes``."""

    files: dict[str, bytes]
    plan: FeaturePlan | None = None
    runner: Any = None
    classes: tuple = ()

    @property
    def runtime(self) -> str | None:
        return None if self.runner is None else self.runner.name

    def encode(self, rows: pd.DataFrame) -> np.ndarray:
        """The model's float matrix of ``rows`` (only with a proven fast path)."""
        if self.plan is None:
            raise ValueError("the model has no proven fast path")
        return self.plan.encode_frame(rows)

    def matrix_columns(self) -> dict[str, list[int]]:
        """Each input column's columns in the matrix (e.g. its one-hot block)."""
        if self.plan is None:
            raise ValueError("the model has no proven fast path")
        blocks: dict[str, list[int]] = {}
        offset = 0
        for feature in self.plan.features:
            blocks.setdefault(feature.column, []).extend(range(offset, offset + feature.width))
            offset += feature.width
        return blocks

    def predict_proba_matrix(self, matrix: np.ndarray) -> np.ndarray:
        if self.runner is None:
            raise ValueError("the model has no proven fast path")
        return self.runner.predict_proba(matrix)


def compile_model(model: Any, check_rows: pd.DataFrame | None) -> CompiledModel:
    """Compile ``model`` to the fast path, proven on ``check_rows`` (see ``_compile.py``)."""
    files, runner = compile_and_keep_runner(model, check_rows)
    report = read_report(files[FAST], "the compiled model") or {}
    runtime = report.get("runtime")
    if report.get("status") != "ready" or RUNTIME_FILES.get(runtime) not in files:
        return CompiledModel(files)
    plan = FeaturePlan([Feature.from_dict(feature) for feature in report["plan"]])
    return CompiledModel(files, plan, runner, tuple(report.get("classes") or ()))


# what saving a bundle imports: skops (which imports every scikit-learn estimator to know which
# it trusts) and the fast path's converters and runtimes; seconds of work done once a process
_BUNDLE_IMPORTS = ("skops.io", "skl2onnx", "onnxmltools", "onnxruntime", "treelite")


def import_in_background() -> threading.Thread:
    """Start importing what saving a bundle needs on a daemon thread, and return it: a caller
    whose main thread would otherwise wait (on worker processes) calls this first and joins the
    thread before saving. A module that fails to import is left for the save to report."""

    def work() -> None:
        for name in _BUNDLE_IMPORTS:
            try:
                importlib.import_module(name)
            except Exception:  # absent or broken: the save reports it, in its place
                continue

    thread = threading.Thread(target=work, name="learnburn-bundle-imports", daemon=True)
    thread.start()
    return thread
