"""Benchmark: `learnburn predict` of a big file against plain pandas + ``predict_proba``.

For a 200-tree random forest, LightGBM and logistic regression fitted on the loans demo, the
demo's holdout rows are repeated (with a little noise on the numbers) to ``--rows`` rows and
written once as CSV and once as Parquet. Each file is then scored two ways, in this process:

- **baseline**: what a user writes by hand: ``pd.read_csv`` (or ``pd.read_parquet``), the fitted
  pipeline's ``predict_proba`` on the feature columns, the probabilities and decision written to
  the same output format with pandas;
- **ours**: ``predict_file`` on the bundle loaded as ``learnburn predict`` loads it
  (``lazy=True``), the code path the command runs.

The outputs are compared (the same probabilities within 1e-4). Prints rows/s for both and one
target line per model and format: ours / baseline >= 1.0.

    python benchmarks/batch.py             # 1,000,000 rows (about 15 minutes on 2 busy cores)
    python benchmarks/batch.py --rows 200000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from serve import SEED, demo_split

from learnburn.bundles import load_bundle, save_bundle
from learnburn.candidates import build_pipeline
from learnburn.serving import predict_file

MODELS = {
    "random_forest": {"n_estimators": 200},
    "lightgbm": {},
    "logistic_regression": {},
}
FORMATS = (".csv", ".parquet")
GOAL = 1.0


def build(folder: Path) -> tuple[pd.DataFrame, dict, dict]:
    """The demo's holdout features, and each model fitted and saved as a bundle."""
    split = demo_split()
    holdout, x_train = split.holdout, split.features.iloc[split.train].reset_index(drop=True)
    pipelines, paths = {}, {}
    for name, params in MODELS.items():
        pipeline = build_pipeline(name, params, split.schema, seed=SEED)
        pipeline.fit(x_train, split.target[split.train])
        paths[name] = save_bundle(
            pipeline, folder / name, schema=split.schema.to_dict(), classes=split.classes,
            meta={}, check_rows=holdout,
        )  # fmt: skip
        pipelines[name] = pipeline
    return holdout, pipelines, paths


def big_table(holdout: pd.DataFrame, rows: int) -> pd.DataFrame:
    """``rows`` rows drawn from the holdout, numeric columns jittered so values vary."""
    rng = np.random.default_rng(SEED)
    frame = holdout.iloc[rng.integers(0, len(holdout), rows)].reset_index(drop=True)
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_float_dtype(column):
            frame[name] = (column * rng.uniform(0.95, 1.05, rows)).round(3)
    frame.insert(0, "row_id", np.arange(rows))
    return frame


def baseline(pipeline, columns: list[str], source: Path, target: Path) -> float:
    """Seconds of plain pandas: read, predict_proba, write probabilities and decision."""
    started = time.perf_counter()
    frame = pd.read_parquet(source) if source.suffix == ".parquet" else pd.read_csv(source)
    proba = pipeline.predict_proba(frame[columns])
    out = pd.DataFrame({"row_id": frame["row_id"]})
    for index, label in enumerate(pipeline.classes_):
        out[f"proba_{label}"] = proba[:, index]
    out["decision"] = pipeline.classes_[proba.argmax(axis=1)]
    if target.suffix == ".parquet":
        out.to_parquet(target, index=False)
    else:
        out.to_csv(target, index=False)
    return time.perf_counter() - started


def ours(path: Path, source: Path, target: Path) -> float:
    """Seconds of ``learnburn predict``'s path: lazy load, then predict_file."""
    started = time.perf_counter()
    bundle = load_bundle(path, lazy=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        predict_file(bundle, source, target, id_column="row_id")
    return time.perf_counter() - started


def same(ours_out: Path, theirs_out: Path) -> float:
    """The largest difference between the two outputs' probabilities (ids must match)."""
    read = pd.read_parquet if ours_out.suffix == ".parquet" else pd.read_csv
    a, b = read(ours_out), read(theirs_out)
    assert a["row_id"].astype(str).tolist() == b["row_id"].astype(str).tolist()
    proba = [c for c in b.columns if c.startswith("proba_")]
    return float(np.abs(a[proba].to_numpy() - b[proba].to_numpy()).max())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        holdout, pipelines, paths = build(folder)
        columns = list(holdout.columns)
        table = big_table(holdout, args.rows)
        for kind in FORMATS:
            source = folder / f"big{kind}"
            if kind == ".parquet":
                table.to_parquet(source, index=False)
            else:
                table.to_csv(source, index=False)
            print(f"\n{args.rows:,} rows, {kind[1:]} input ({source.stat().st_size / 1e6:.0f} MB)")
            for name, pipeline in pipelines.items():
                theirs_out, ours_out = folder / f"theirs{kind}", folder / f"ours{kind}"
                theirs_s = baseline(pipeline, columns, source, theirs_out)
                ours_s = ours(paths[name], source, ours_out)
                difference = same(ours_out, theirs_out)
                ratio = theirs_s / ours_s
                print(
                    f"  {name:<20} pandas {args.rows / theirs_s:>10,.0f} rows/s ({theirs_s:5.1f} s)"
                    f"   learnburn predict {args.rows / ours_s:>10,.0f} rows/s ({ours_s:5.1f} s)"
                    f"   x{ratio:.2f}   max |diff| {difference:.1e}"
                )
                verdict = "met" if ratio >= GOAL else "missed"
                lines.append(
                    f"target batch_{name}_{kind[1:]}_vs_pandas: {ratio:.2f} "
                    f"(goal >= {GOAL}) {verdict}"
                )
    print()
    print("\n".join(lines))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
