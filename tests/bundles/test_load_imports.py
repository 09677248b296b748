"""Loading a bundle to score it by its fast path (``lazy=True``, as ``learnburn serve`` does)
imports none of the heavy libraries the fast path makes unnecessary: a server starts in a
fraction of a second, not the seconds scikit-learn, SciPy, skops's trust lists and the onnx
package cost. Nor pandas and pyarrow: the fast path reads JSON records and plain CSV in Python,
and only a table that needs pandas (a DataFrame, an odd CSV body) imports it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from learnburn.bundles import save_bundle

HEAVY = ("sklearn", "scipy", "skops", "onnx", "pandas", "pyarrow")

LOAD = """
import json, sys
from learnburn.bundles import load_bundle
bundle = load_bundle(sys.argv[1], lazy=True)
print(json.dumps({"path": bundle.scoring_path, "modules": sorted(sys.modules)}))
"""


@pytest.mark.parametrize("family", ["random_forest", "logistic_regression"])
def test_a_lazy_load_with_a_fast_path_imports_no_heavy_library(
    family, tmp_path, fit, target, schema, features
):
    folder = save_bundle(
        fit(family, target), tmp_path / family, schema=schema, classes=["no", "yes"], meta={},
        check_rows=features,
    )  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", LOAD, str(folder)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    assert loaded["path"] != "native"
    heavy = sorted({m.partition(".")[0] for m in loaded["modules"]} & set(HEAVY))
    assert heavy == []
