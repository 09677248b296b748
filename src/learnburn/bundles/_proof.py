"""Prove a compiled model at load, in a child process, before this process touches it.

Treelite and ONNX Runtime are native code reading bytes from the bundle. Bytes that pass the
manifest can still be corrupt or crafted (whoever writes the bundle can reseal it): a damaged
Treelite checkpoint deserialises, answers ``/ping``, then crashes the server on the first
request. So before the loading process deserialises the compiled model, a child process
(``python -I``: no ``PYTHONPATH``, no user site, not the current folder) deserialises it and
scores the proof rows. The fast path is used only when the child exits cleanly with
probabilities of the right shape that match those ``fast.json`` records for the rows (within
``TOLERANCE``); a bundle saved before proofs were recorded is proven on neutral rows (zeros and
missing values), whose probabilities must be finite and within [0, 1]. Otherwise the bundle is
scored by its native model, and ``Bundle.scoring_summary`` says why.

The proof rows are a few rows of the model's input matrix and the native pipeline's
probabilities for them, recorded in ``fast.json`` under ``"proof"`` at save time (a key older
readers ignore). One child per load, about half a second, mostly its imports; a proof already
passed in this process for the same bytes is not run again.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

import numpy as np

TOLERANCE = 1e-4  # the largest difference in any probability a fast path may show
PROOF_ROWS = 16  # rows recorded in fast.json
TIMEOUT_S = 120.0  # generous: a loaded two-core machine imports slowly
_REMEMBERED = 256  # proofs passed in this process, by what they depend on (see _key)
_PROVEN: set[str] = set()  # a bundle loaded again (the server's app, a test) is not re-proven

# Run by ``python -I -c``: reads {"runtime", "width", "rows"} as one JSON line, then the model's
# bytes, from stdin; writes the raw probabilities as JSON to stdout. Imports only the runtime.
CHILD = r"""
import json, sys
import numpy as np
header, _, model = sys.stdin.buffer.read().partition(b"\n")
request = json.loads(header)
rows = np.array(
    [[float("nan") if v is None else float(v) for v in row] for row in request["rows"]],
    dtype=np.float64,
).reshape(len(request["rows"]), request["width"])
if request["runtime"] == "treelite":
    import treelite, treelite.gtil
    proba = treelite.gtil.predict(treelite.Model.deserialize_bytes(model), rows, nthread=1)
else:
    import onnxruntime
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(
        model, sess_options=options, providers=["CPUExecutionProvider"]
    )
    names = [o.name for o in session.get_outputs()]
    output = "probabilities" if "probabilities" in names else names[-1]
    feed = {session.get_inputs()[0].name: rows.astype(np.float32)}
    (proba,) = session.run([output], feed)
proba = np.asarray(proba, dtype=np.float64).reshape(len(rows), -1)
sys.stdout.write(json.dumps(proba.tolist()))
"""


def proof_record(matrix: np.ndarray, expected: np.ndarray) -> dict[str, Any]:
    """``fast.json``'s ``"proof"``: up to ``PROOF_ROWS`` rows of the model's input matrix,
    spread over the check rows (the probes with missing and unseen values are at the end), and
    the native pipeline's probabilities for them."""
    usable = np.flatnonzero(~np.isinf(matrix).any(axis=1))  # JSON holds NaN as null, not inf
    count = min(PROOF_ROWS, len(usable))
    spread = np.unique(np.linspace(0, len(usable) - 1, count).astype(int)) if count else []
    picked = usable[spread]
    return {
        "rows": [[_plain(v) for v in row] for row in matrix[picked].tolist()],
        "proba": expected[picked].tolist(),
    }


def prove(runtime: str, model: bytes, width: int, proof: object) -> str | None:
    """None when the compiled model, scored by ``runtime`` in a child process, survives the
    proof rows and agrees with them; else why it is not to be used."""
    rows, expected = _rows(proof, width)
    request = json.dumps({"runtime": runtime, "width": width, "rows": rows}).encode()
    key = _key(request, model, proof)
    if key in _PROVEN:
        return None
    failure = _prove_in_child(runtime, request, model, len(rows), expected)
    if failure is None:
        if len(_PROVEN) >= _REMEMBERED:
            _PROVEN.clear()
        _PROVEN.add(key)
    return failure


def _prove_in_child(
    runtime: str, request: bytes, model: bytes, count: int, expected: np.ndarray | None
) -> str | None:
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", CHILD],
            input=request + b"\n" + model,
            capture_output=True,
            timeout=TIMEOUT_S,
            env=_child_env(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"{runtime} did not score the proof rows within {TIMEOUT_S:.0f} s"
    except OSError as exc:
        return f"the proof process could not start: {exc}"
    if done.returncode != 0:
        return f"{runtime} {_death(done.returncode, done.stderr)} on the proof rows"
    try:
        got = np.asarray(json.loads(done.stdout), dtype=np.float64).reshape(count, -1)
    except (ValueError, TypeError) as exc:
        return f"{runtime} gave no readable probabilities for the proof rows ({exc})"
    if got.shape[1] == 1:  # binary models give the positive class only
        got = np.hstack([1.0 - got, got])
    return _disagreement(runtime, got, expected)


def _key(request: bytes, model: bytes, proof: object) -> str:
    """What a proof depends on: the child's code, the rows, the model and the expected
    probabilities."""
    digest = hashlib.sha256(CHILD.encode())
    for part in (request, model, json.dumps(proof, sort_keys=True, default=str).encode()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _rows(proof: object, width: int) -> tuple[list[list[float | None]], np.ndarray | None]:
    """The recorded proof rows and probabilities, or neutral rows (zeros, then all missing)
    and None when the bundle records none (or a malformed record)."""
    if isinstance(proof, Mapping):
        rows, proba = proof.get("rows"), proof.get("proba")
        try:
            expected = np.asarray(proba, dtype=np.float64)
            shaped = (
                isinstance(rows, list)
                and 0 < len(rows) == len(expected)
                and all(isinstance(r, list) and len(r) == width for r in rows)
                and all(v is None or isinstance(v, int | float) for r in rows for v in r)
                and expected.ndim == 2
            )
        except (ValueError, TypeError):
            shaped = False
        if shaped:
            return rows, expected
    return [[0.0] * width, [None] * width], None


def _disagreement(runtime: str, got: np.ndarray, expected: np.ndarray | None) -> str | None:
    if expected is None:
        inside = (got >= -TOLERANCE).all() and (got <= 1 + TOLERANCE).all()
        if not (np.isfinite(got).all() and inside):
            return f"{runtime} gave probabilities outside [0, 1] for neutral rows"
        return None
    if got.shape != expected.shape:
        return (
            f"{runtime} gave {got.shape[1]} probabilities a row for the proof rows, where the "
            f"native model gave {expected.shape[1]}"
        )
    difference = float(np.max(np.abs(got - expected))) if got.size else 0.0
    if not difference <= TOLERANCE:
        return (
            f"{runtime}'s probabilities for the proof rows differ from the native model's by up "
            f"to {difference:.3g}"
        )
    return None


def _death(code: int, stderr: bytes) -> str:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"crashed ({name})"
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    last = lines[-1] if lines else f"exit status {code}"
    return f"failed ({last[:200]})"


def _child_env() -> dict[str, str]:
    """The environment, with the runtimes' thread pools held to one thread."""
    env = dict(os.environ)
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    return env


def _plain(value: float) -> float | None:
    return None if math.isnan(value) else value
