"""``is_frame`` and ``is_pandas_na`` answer for pandas objects without importing pandas: before
pandas is imported no value can be one, and after it they agree with ``isinstance`` and ``is``."""

from __future__ import annotations

import json
import subprocess
import sys
import types

import numpy as np
import pandas as pd

from learnburn._frames import is_frame, is_pandas_na


def test_is_frame_knows_a_data_frame_from_records_and_other_tables():
    assert is_frame(pd.DataFrame({"a": [1]}))
    assert is_frame(pd.DataFrame())
    assert not is_frame([{"a": 1}])
    assert not is_frame(pd.Series([1]))
    assert not is_frame(np.zeros((1, 1)))
    assert not is_frame(None)


def test_is_pandas_na_is_true_for_pd_na_only():
    assert is_pandas_na(pd.NA)
    for value in (None, float("nan"), np.nan, pd.NaT, "", 0, "NA"):
        assert not is_pandas_na(value), value


def test_neither_imports_pandas():
    script = (
        "import json, sys; from learnburn._frames import is_frame, is_pandas_na; "
        "answers = [is_frame([{'a': 1}]), is_pandas_na(None)]; "
        "print(json.dumps([answers, 'pandas' in sys.modules]))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [[False, False], False]


def test_a_pandas_half_imported_by_another_thread_is_no_error(monkeypatch):
    """While one thread imports pandas, its modules sit in ``sys.modules`` before their names
    are defined; a request thread asking then gets False, not an AttributeError."""
    monkeypatch.setitem(sys.modules, "pandas", types.ModuleType("pandas"))
    monkeypatch.setitem(sys.modules, "pandas.core.frame", types.ModuleType("pandas.core.frame"))
    monkeypatch.setitem(
        sys.modules, "pandas._libs.missing", types.ModuleType("pandas._libs.missing")
    )
    assert not is_frame([{"a": 1}])
    assert not is_pandas_na(None)
    assert not is_pandas_na("x")
