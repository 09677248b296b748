"""Benchmark: does a GPU pay off? XGBoost and learnburn's MLP, fitted and scored on the CPU and
on the CUDA GPU, on one generated table; the ratios are CPU time / GPU time (above 1: the GPU
is faster). The baseline is the same model on this machine's CPU, measured in the same run.

The table: ``sklearn.datasets.make_classification`` with ``--rows`` rows (200,000) and 40
features, 3/4 fitted, 1/4 scored. XGBoost: 200 trees of depth 6 (``tree_method="hist"``,
``device="cuda"`` on the GPU, every core on the CPU). MLP: 3 layers of 256 units, 10 epochs of
batches of 1,024 (no early stopping, so both devices do the same work). Scoring: the median time
of calls of 1, 100 and 10,000 rows. The holdout AUC shows that both devices learn the same.

On a machine without a CUDA GPU (``nvidia-smi -L`` lists none) it says so and exits 0; a model
whose library cannot reach the GPU (a CPU build of torch, say) is named with the reason and the
others still run. Run it through ``benchmarks/gpu_check.sh`` (which also checks the set-up):

    bash benchmarks/gpu_check.sh            # or: .venv/bin/python benchmarks/gpu_check.py
"""

from __future__ import annotations

import argparse
import sys
import time

from sklearn.datasets import make_classification

from learnburn.profiling._devices import compare_devices, cuda_devices, gpu_listing

LIMIT_MINUTES = 8.0  # the check must fit a short lease on a GPU machine


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="rows in the generated table")
    parser.add_argument(
        "--cpu-only", action="store_true", help="measure the CPU side only (to try the script)"
    )
    args = parser.parse_args()
    start = time.perf_counter()
    if args.cpu_only:
        usable, on = ["xgboost", "mlp"], ("cpu",)
    else:
        devices = gpu_listing()
        if not devices:
            print("no CUDA GPU on this machine (nvidia-smi -L lists none): nothing to compare")
            return 0
        print(f"GPU: {devices[0]}")
        reasons = cuda_devices()
        for model, reason in reasons.items():
            if reason:
                print(f"{model}: not compared: {reason}")
        usable, on = [model for model, reason in reasons.items() if reason is None], ("cpu", "cuda")
        if not usable:
            print("no model library here can use the GPU: nothing to compare")
            return 0
    X, y = make_classification(n_samples=args.rows, n_features=40, n_informative=20, random_state=0)
    result = compare_devices(
        X, y, devices=on, models=usable, progress=lambda message: print(f"  {message}", flush=True)
    )
    print(f"\n{'model':8} {'device':6} {'fit s':>8} {'1 row ms':>10} {'100 ms':>9} "
          f"{'10k ms':>9} {'AUC':>6}")  # fmt: skip
    for r in result["records"]:
        p50 = [c["p50_ms"] for c in r["scoring"]]
        print(f"{r['model']:8} {r['device']:6} {r['fit_s']:8.2f} {p50[0]:10.3f} {p50[1]:9.3f} "
              f"{p50[2]:9.3f} {r['holdout_auc']:6.3f}")  # fmt: skip
    print("\nCPU time / GPU time (above 1: the GPU is faster)")
    for s in result["speedups"]:
        scoring = ", ".join(f"{n} rows {v:.2f}x" for n, v in s["scoring_by_batch_rows"].items())
        print(f"  {s['model']}: fit {s['fit']:.2f}x; scoring {scoring}")
    minutes = (time.perf_counter() - start) / 60
    for s in result["speedups"]:
        print(f"target {s['model']}_gpu_fit_speedup: {s['fit']:.2f}x (goal >= 1) "
              f"{'met' if s['fit'] >= 1 else 'missed'}")  # fmt: skip
    met = "met" if minutes <= LIMIT_MINUTES else "missed"
    print(f"target gpu_check_minutes: {minutes:.2f} (goal <= {LIMIT_MINUTES:g}) {met}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
