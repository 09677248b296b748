"""Small tables with known groups, and clustering specs that point at them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_wine, make_blobs


def blobs(n_rows: int = 320, seed: int = 3) -> pd.DataFrame:
    """Four well separated groups in four numeric columns, and a categorical column that
    follows them; ``group`` holds the true group."""
    X, y = make_blobs(n_rows, centers=4, n_features=4, cluster_std=1.0, random_state=seed)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    frame["channel"] = np.where(y == 0, "web", "shop")
    frame["group"] = y
    return frame


def elongated(seed: int = 0, sizes: tuple[int, int, int] = (500, 250, 80)) -> pd.DataFrame:
    """Three groups of unequal size: two long thin parallel ones close together (3 wide, 0.3
    thick, 2.5 apart) and a small round one far away; ``group`` holds the true group. The
    silhouette, which favours round and equal groups, prefers two clusters here."""
    rng = np.random.default_rng(seed)
    long = rng.normal(size=(sizes[0] + sizes[1], 2)) * [3.0, 0.3]
    long[sizes[0] :, 1] += 2.5
    small = rng.normal(size=(sizes[2], 2)) * 0.5 + [10.0, 7.0]
    frame = pd.DataFrame(np.vstack([long, small]), columns=["x", "y"])
    frame["group"] = np.repeat([0, 1, 2], sizes)
    return frame


def clustering_spec(path: Path, data: Path, body: str, *, target: str | None = None) -> Path:
    """A clustering spec at ``path`` reading ``data`` (an absolute path), with ``body``
    (tables) appended."""
    known = f'target = "{target}"\n' if target else ""
    text = (
        f'[experiment]\nname = "segments"\ntask = "clustering"\n\n'
        f'[data]\npath = "{data.as_posix()}"\n{known}\n' + textwrap.dedent(body)
    )
    path.write_text(text)
    return path


@pytest.fixture(scope="session")
def blobs_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("blobs") / "blobs.csv"
    blobs().to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def elongated_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("elongated") / "elongated.csv"
    elongated().to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def wine_csv(tmp_path_factory) -> Path:
    """scikit-learn's wine table (178 wines, 13 measurements) with its cultivar as a column."""
    wine = load_wine(as_frame=True)
    path = tmp_path_factory.mktemp("wine") / "wine.csv"
    wine.frame.rename(columns={"target": "cultivar"}).to_csv(path, index=False)
    return path
