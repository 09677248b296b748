"""A small table with numeric, categorical and boolean columns, and bundles fitted on it: one
without a decision (argmax) and one with a cost-based threshold."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import uvicorn

from learnburn.bundles import load_bundle, save_bundle
from learnburn.candidates import build_pipeline
from learnburn.data import infer_schema
from learnburn.thresholds import choose_decision

CLASSES = ["no", "yes"]


@pytest.fixture(scope="session")
def features(mixed_features_maker) -> pd.DataFrame:
    return mixed_features_maker(120)


@pytest.fixture(scope="session")
def bundles(tmp_path_factory, features, mixed_target_maker) -> dict[str, Path]:
    """Saved bundles: "plain" (no decision), "decided" (a calibrated threshold) and "fast" (the
    decided one with its fast path proven on the table)."""
    folder = tmp_path_factory.mktemp("bundles")
    schema = infer_schema(features)
    target = mixed_target_maker(features)
    model = build_pipeline("logistic_regression", {}, schema, seed=0).fit(features, target)
    common = {"schema": schema.to_dict(), "classes": CLASSES, "meta": {"run_id": "r1"}}
    plain = save_bundle(model, folder / "plain.lbm", **common)
    proba = model.predict_proba(features)
    cost = [[0, 1], [5, 0]]  # a missed "yes" costs five times a false alarm
    policy = choose_decision(target, proba, CLASSES, cost, calibration="isotonic", n_resamples=20)
    decided = save_bundle(
        model,
        folder / "decided.lbm",
        decision=policy.to_dict(),
        calibrator=policy.calibrator.to_dict(),
        **common,
    )
    fast = save_bundle(
        model,
        folder / "fast.lbm",
        decision=policy.to_dict(),
        calibrator=policy.calibrator.to_dict(),
        check_rows=features,
        **common,
    )
    return {"plain": plain, "decided": decided, "fast": fast}


@pytest.fixture(scope="session")
def bundle(bundles):
    return load_bundle(bundles["plain"])


@pytest.fixture
def table(features) -> pd.DataFrame:
    """The features with an id column first (ids not in row order)."""
    return features.assign(row_id=np.arange(len(features)) * 3 + 100)[["row_id", *features.columns]]


@contextlib.contextmanager
def running(app, **options) -> Iterator[str]:
    """A real uvicorn server for ``app`` on a free loopback port, in a thread: its base URL.
    ``options`` go to ``uvicorn.Config`` (``http="h11"`` for the pure-Python parser)."""
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that name it, and without
    # it every answer with a body waits 40 ms for a delayed ACK (Nagle)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=5, **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture(scope="session")
def serve():
    """``serve(app, **uvicorn_options)``: a context manager running ``app`` on a real uvicorn
    server in a thread, giving its base URL."""
    return running


SLEEPY_SOURCE = '''
"""A classifier that sleeps before each prediction (written out by tests/serving/conftest.py)."""

import time

from sklearn.base import BaseEstimator, ClassifierMixin


class SleepyClassifier(ClassifierMixin, BaseEstimator):
    """``model``'s probabilities, each call after sleeping ``delay`` seconds."""

    def __init__(self, model=None, delay=0.0):
        self.model = model
        self.delay = delay

    def fit(self, X=None, y=None):
        self.classes_ = self.model.classes_
        return self

    def predict_proba(self, X):
        time.sleep(self.delay)
        return self.model.predict_proba(X)
'''


@pytest.fixture(scope="session")
def sleepy(tmp_path_factory, bundle):
    """``(module, bundles_folder)``: a module ``sleepy_model`` with ``SleepyClassifier``,
    importable from ``module.__file__``'s folder (put it on PYTHONPATH for a subprocess)."""
    folder = tmp_path_factory.mktemp("sleepy")
    (folder / "sleepy_model.py").write_text(SLEEPY_SOURCE)
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(folder))
        import sleepy_model

        yield sleepy_model


@pytest.fixture(scope="session")
def slow_bundle_path(sleepy, bundle, tmp_path_factory) -> Path:
    """A saved bundle whose model sleeps 2 s per prediction; load it trusting
    ``sleepy_model.SleepyClassifier``."""
    model = sleepy.SleepyClassifier(bundle.model, delay=2.0).fit()
    folder = tmp_path_factory.mktemp("slow")
    return save_bundle(
        model, folder / "slow.lbm", schema=bundle.schema, classes=CLASSES, meta={"run_id": "slow"}
    )
