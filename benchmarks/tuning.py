"""Benchmark: a tuned LightGBM against the fixed one on the demo table, and the cost per trial.

1. Nested evaluation on the demo (``examples/loans/loans.toml``: the loans table, its seed and
   holdout): the demo's fixed LightGBM and a tuned one (``search`` over learning rate, leaves,
   leaf size, column sample and L2, ``--trials`` trials each, 3 inner folds) are evaluated on
   the same outer folds (5 folds x ``--repeats``). Each outer fold's search sees that fold's
   training rows only. Reported: both means, the mean per-fold difference tuned - fixed with its
   Nadeau-Bengio corrected t-test, and P(tuned better) from the Bayesian correlated t-test with
   the demo's ROPE (0.01 AUC), the same statistics as the leaderboard.

2. Cost per trial, on the training rows of the first outer fold: learnburn's search
   (``tune_candidate``: TPE, median pruner, per-trial records, fANOVA importance at the end)
   against a plain Optuna loop over the same inner folds with the same sampler seed and the same
   pipeline (clone, fit, predict_proba, roc_auc_score per inner fold; no pruning, no records).
   Each side runs twice, interleaved, and its faster run counts. Times are CPU seconds of this
   process (every fit runs single-threaded in it): on a shared machine, wall time mostly
   measures the neighbours. Pruning lets learnburn skip
   inner fits, which would flatter it per trial; the target is therefore the time per inner fit
   (seconds / inner fits run), the work both sides share. The time per trial is printed too.

Targets: the tuned candidate's outer-fold scores are complete (no failed fold); overhead per
inner fit <= 1.15x the plain loop.

    PYTHONPATH=src .venv/bin/python benchmarks/tuning.py [--trials 20] [--repeats 2]
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SPEC = HERE.parent / "examples" / "loans" / "loans.toml"
OVERHEAD_GOAL = 1.15
SPACE = {
    "learning_rate": "log-uniform(0.01, 0.3)",
    "num_leaves": "log-int(7, 63)",
    "min_child_samples": "log-int(5, 100)",
    "colsample_bytree": "uniform(0.5, 1.0)",
    "reg_lambda": "log-uniform(0.001, 10)",
}
FIXED = {"n_estimators": 200, "learning_rate": 0.05, "num_leaves": 15}


def demo_spec(trials: int, repeats: int):
    """The demo spec with two candidates, the fixed LightGBM and a tuned one, no costs."""
    from learnburn.spec import load_spec

    text = SPEC.read_text()
    text = re.sub(r"(?m)^repeats = \d+", f"repeats = {repeats}", text)
    text = text[: text.index("[decision.costs]")]
    space = ", ".join(f'{k} = "{v}"' for k, v in SPACE.items())
    text += (
        "[candidates.lightgbm]\nparams = { n_estimators = 200, learning_rate = 0.05, "
        'num_leaves = 15 }\n\n[candidates.lightgbm_tuned]\nmodel = "lightgbm"\n'
        "params = { n_estimators = 200 }\n"
        f"search = {{ n_trials = {trials}, inner_folds = 3, space = {{ {space} }} }}\n"
    )
    copy = Path(tempfile.mkdtemp(prefix="learnburn-bench-")) / SPEC.name
    copy.write_text(text)
    return load_spec(copy)


def nested(spec) -> dict:
    """Run the spec; the per-fold difference tuned - fixed and its statistics."""
    from learnburn.evaluation import bayesian_correlated_ttest, corrected_ttest
    from learnburn.workflows import run_experiment

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the demo data's own notes, the same every run
        result = run_experiment(spec)
    seconds = time.perf_counter() - start
    tuned, fixed = result.fold_scores("lightgbm_tuned"), result.fold_scores("lightgbm")
    folds = [f for f in result.folds if f.candidate == "lightgbm"]
    n_train = float(np.mean([f.n_train for f in folds]))
    n_test = float(np.mean([f.n_test for f in folds]))
    difference = tuned - fixed
    test = corrected_ttest(difference, n_train, n_test)
    rope = spec.evaluation.effective_rope
    bayes = bayesian_correlated_ttest(difference, n_train, n_test, rope=rope)
    failed = [f for f in result.folds if f.error]
    return {
        "result": result, "seconds": seconds, "tuned": tuned, "fixed": fixed, "test": test,
        "bayes": bayes, "failed": failed, "rope": rope,
    }  # fmt: skip


def plain_loop(pipeline, X, y, splits, seed: int, n_trials: int) -> tuple[float, int]:
    """A plain Optuna loop over the same inner folds: seconds and inner fits."""
    import optuna
    from sklearn.base import clone
    from sklearn.metrics import roc_auc_score

    from learnburn.candidates import parse_distribution
    from learnburn.evaluation._tuning import _suggest

    space = {k: parse_distribution(v) for k, v in SPACE.items()}

    def objective(trial) -> float:
        params = {k: _suggest(trial, k, d) for k, d in space.items()}
        model = clone(pipeline).set_params(**{f"model__{k}": v for k, v in params.items()})
        scores = []
        for train, test in splits:
            model.fit(X.iloc[train], y[train])
            scores.append(roc_auc_score(y[test], model.predict_proba(X.iloc[test])[:, 1]))
        return float(np.mean(scores))

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    start = time.process_time()
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=n_trials)
    return time.process_time() - start, n_trials * len(splits)


def per_trial(spec, trials: int) -> dict:
    """learnburn's search and the plain loop on the first outer fold's training rows."""
    from learnburn.candidates import build_pipeline
    from learnburn.evaluation import make_splits, tune_candidate
    from learnburn.evaluation._tuning import _inner_splits, search_seed
    from learnburn.workflows._stages import read_data

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the demo data's own notes
        dataset = read_data(spec)
    splits = make_splits(dataset.target, spec.evaluation)
    fold = splits.folds[0]
    rows = splits.development[fold.train]
    X, y = dataset.features.iloc[rows], dataset.target.to_numpy()[rows]
    candidate = next(c for c in spec.candidates if c.search is not None)
    seed = search_seed(spec.evaluation.seed, candidate.name, fold.repeat, fold.fold)
    _, inner = _inner_splits(y, 3, seed, walk_forward=False)
    pipeline = build_pipeline(candidate.model, {**candidate.params, **FIXED}, dataset.schema,
                              seed=spec.evaluation.seed)  # fmt: skip
    ours, plain = [], []
    for _ in range(2):
        plain.append(plain_loop(pipeline, X, y, inner, seed, trials))
        start = time.process_time()
        search = tune_candidate(candidate, dataset.schema, X, y, dataset.classes,
                                metric="roc_auc", seed=spec.evaluation.seed, repeat=fold.repeat,
                                fold=fold.fold)  # fmt: skip
        fits = sum(len(t.inner_scores) for t in search.trials)
        ours.append((time.process_time() - start, fits, search))
    best_ours = min(ours, key=lambda run: run[0] / run[1])
    best_plain = min(plain, key=lambda run: run[0] / run[1])
    return {"ours": best_ours, "plain": best_plain, "trials": trials, "rows": len(rows)}


def target(name: str, measured: float, op: str, goal: float) -> str:
    met = measured >= goal if op == ">=" else measured <= goal
    return f"target {name}: {measured:.3f} (goal {op} {goal:g}) {'met' if met else 'missed'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    spec = demo_spec(args.trials, args.repeats)

    found = nested(spec)
    tuning = found["result"].tuning["candidates"]["lightgbm_tuned"]
    print(f"nested evaluation on the demo: {len(found['tuned'])} outer folds, "
          f"{args.trials} trials per search, {tuning['trials_run']} trials, "
          f"{found['seconds']:.1f} s")  # fmt: skip
    print(f"  fixed lightgbm  mean roc_auc {found['fixed'].mean():.4f}")
    print(f"  tuned lightgbm  mean roc_auc {found['tuned'].mean():.4f}")
    test, bayes = found["test"], found["bayes"]
    print(f"  difference tuned - fixed: {test.mean:+.4f} (corrected SE {test.std_error:.4f}, "
          f"t = {test.statistic:.2f}, df {test.df}, p = {test.p_value:.3f})")  # fmt: skip
    print(f"  P(tuned better) = {bayes.p_better:.3f}, P(equivalent) = {bayes.p_equivalent:.3f}, "
          f"P(worse) = {bayes.p_worse:.3f} (ROPE {found['rope']:g})")  # fmt: skip
    importances = ", ".join(f"{k} {v:.2f}" for k, v in tuning["importances"].items())
    print(f"  importance (mean fANOVA over outer folds): {importances}")
    refit = found["result"].tuning["refit"].get("lightgbm_tuned")
    if refit is not None:
        print(f"  refit on all development rows chose: {refit['best_params']}")
    print(f"  chosen by the spec's policy: {found['result'].winner}")

    cost = per_trial(spec, args.trials)
    seconds, fits, search = cost["ours"]
    plain_seconds, plain_fits = cost["plain"]
    pruned = sum(t.state == "pruned" for t in search.trials)
    print(f"cost per trial on {cost['rows']} training rows, {args.trials} trials, 3 inner folds:")
    print(f"  learnburn: {seconds:.2f} CPU s, {seconds / args.trials:.3f} s/trial, "
          f"{fits} inner fits ({pruned} trials pruned), {seconds / fits:.4f} s/fit")  # fmt: skip
    print(f"  plain optuna loop: {plain_seconds:.2f} CPU s, "
          f"{plain_seconds / args.trials:.3f} s/trial, {plain_fits} inner fits, "
          f"{plain_seconds / plain_fits:.4f} s/fit")  # fmt: skip
    overhead = (seconds / fits) / (plain_seconds / plain_fits)
    print(f"  per-trial ratio learnburn / plain: {seconds / plain_seconds:.3f}")

    complete = 1.0 if not found["failed"] else 0.0
    print(target("tuned outer folds complete", complete, ">=", 1.0))
    print(target("search overhead per inner fit vs plain Optuna", overhead, "<=", OVERHEAD_GOAL))


if __name__ == "__main__":
    main()
