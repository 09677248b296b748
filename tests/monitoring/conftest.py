"""Tables for drift tests: known distributions, drawn fresh from a seed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

SHARES = [0.4, 0.3, 0.15, 0.1, 0.05]
LETTERS = list("vwxyz")


def _draw(rng: np.random.Generator, n: int, *, shift: float = 0.0) -> pd.DataFrame:
    """Two numeric columns (normal, lognormal) and one categorical; ``shift`` moves ``a``."""
    return pd.DataFrame(
        {
            "a": rng.normal(size=n) + shift,
            "b": rng.lognormal(size=n),
            "c": rng.choice(LETTERS, size=n, p=SHARES),
        }
    )


def _butterfly(rng: np.random.Generator, n: int, rho: float) -> pd.DataFrame:
    """Two standard normal columns with correlation ``rho`` (marginals never change)."""
    x = rng.multivariate_normal([0.0, 0.0], [[1.0, rho], [rho, 1.0]], size=n)
    return pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "g": rng.choice(["p", "q"], size=n)})


@pytest.fixture(scope="session")
def draw():
    """``draw(rng, n, shift=0.0)``: the three-column table (see ``_draw``)."""
    return _draw


@pytest.fixture(scope="session")
def butterfly():
    """``butterfly(rng, n, rho)``: two correlated normals and a coin (see ``_butterfly``)."""
    return _butterfly
