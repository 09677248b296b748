"""Write the committed bundle fixture of the current format version (not run by the suite).

    .venv/bin/python tests/bundles/make_fixture.py

It writes ``tests/bundles/fixtures/v<VERSION>/``: a logistic regression on a tiny table, with a
calibrated decision, whose ``meta.json`` records a few rows and the probabilities and decisions
the model gave them when saved. ``test_format.py`` loads every committed fixture and checks that
it still gives those values. An existing fixture is never overwritten: it stands for bundles
already shipped (see ``learnburn/bundles/_format.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from learnburn.bundles import VERSION, save_bundle
from learnburn.candidates import build_pipeline
from learnburn.data import infer_schema
from learnburn.monitoring import build_reference
from learnburn.thresholds import choose_decision

FIXTURES = Path(__file__).parent / "fixtures"


def make_table(n_rows: int = 40) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(2024)
    frame = pd.DataFrame(
        {
            "income": rng.normal(50, 10, size=n_rows).round(2),
            "debt": rng.normal(size=n_rows).round(3),
            "region": rng.choice(["north", "south", "east"], size=n_rows).astype(object),
            "member": rng.random(n_rows) < 0.5,
        }
    )
    frame.loc[::6, "debt"] = np.nan
    frame.loc[::5, "region"] = None
    score = (frame["income"] - 50) / 10 + (frame["region"] == "north") - frame["member"]
    return frame, np.where(score + rng.normal(0, 0.5, n_rows) > 0, "yes", "no")


def rows_as_json(frame: pd.DataFrame) -> list[dict]:
    return [
        {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}
        for row in frame.astype(object).to_dict("records")
    ]


def main() -> int:
    target = FIXTURES / f"v{VERSION}"
    if target.exists():
        print(f"{target} exists; old fixtures are never regenerated", file=sys.stderr)
        return 1
    key = Ed25519PrivateKey.generate()  # used once, never stored: only its public half is
    frame, y = make_table()
    schema = infer_schema(frame)
    pipeline = build_pipeline("logistic_regression", {}, schema, seed=0).fit(frame, y)
    proba = pipeline.predict_proba(frame)
    policy = choose_decision(
        y, proba, ("no", "yes"), [[0, 1], [4, 0]], calibration="sigmoid", n_resamples=50
    )
    check = frame.iloc[:8]
    meta = {
        "run_id": f"fixture-v{VERSION}",
        "note": "written by tests/bundles/make_fixture.py",
        "check": {
            "rows": rows_as_json(check),
            "proba": pipeline.predict_proba(check).tolist(),
            "decisions": policy.apply(pipeline.predict_proba(check)).tolist(),
        },
    }
    reference = build_reference(
        frame,
        numeric=["income", "debt"],
        categorical=["region", "member"],
        scores=proba[:, 1],
        importances={"income": 0.6, "debt": 0.1, "region": 0.2, "member": 0.1},
    )
    save_bundle(
        pipeline,
        target,
        schema=schema.to_dict(),
        classes=["no", "yes"],
        meta=meta,
        decision=policy.to_dict(),
        calibrator=policy.calibrator.to_dict(),
        check_rows=frame,  # version 2 on: the fast path, proven on the table
        reference=reference,  # version 3 on: the drift reference and a row sample
        reference_sample=frame.iloc[:20],
        sign=key,  # version 4 on: signed; the public key is committed beside the fixtures
    )
    (FIXTURES / f"signer-v{VERSION}.pub").write_bytes(
        key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
