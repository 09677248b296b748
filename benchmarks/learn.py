"""Benchmark: learnburn's learn loop against a hand-written scikit-learn loop doing the same work.

Both sides read the demo's data, evaluate the demo's candidates on the same repeated folds with
the same parallelism (``--jobs``, joblib's loky processes on the baseline side), refit the best
candidate on all development rows and score the holdout once. The baseline builds the very same
pipelines, so the ratio measures what learnburn adds around them: spec handling, the backend,
records, progress events. Runs alternate (baseline, learnburn, ...) and the medians are compared.

Then the whole command: ``learnburn run SPEC --bundle FILE`` in a child process, in a fresh git
repository holding the spec (start-up, provenance, the run store, the bundle step and export
included), against the same hand-written loop in a child process that also saves the refit
model with ``joblib.dump`` (a plain loop's way to keep it). The run record's timings give the
bundle step's share of the run, and its parts. The same is done on a 50,000-row synthetic table
(``--table-rows``; 16 numeric and 4 categorical columns, a random forest and a logistic
regression on 3 folds x 1 repeat), where the bundle is large: a forest of deep trees.

Targets: learnburn's learn loop adds at most 10% (ratio <= 1.10); the whole command is at most
1.2x the plain loop; the bundle step is at most 15% of the run, on the demo and on the table.

    .venv/bin/python benchmarks/learn.py [--jobs 2] [--rounds 3] [--table-rows 50000]
                                         [--table-only]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone

from learnburn.candidates import build_pipeline
from learnburn.data import load_dataset
from learnburn.evaluation import get_metric, make_splits, score_all
from learnburn.spec import load_spec
from learnburn.workflows import run_experiment

SPEC = Path(__file__).resolve().parent.parent / "examples" / "loans" / "loans.toml"
GOAL = 1.10
COMMAND_GOAL = 1.20  # the whole command against the plain loop
BUNDLE_GOAL = 0.15  # the bundle step's share of the run

TABLE_SPEC = """
    [experiment]
    name = "table"
    [data]
    path = "table.parquet"
    target = "label"
    [evaluation]
    folds = 3
    repeats = 1
    seed = 7
    [candidates.logistic_regression]
    [candidates.random_forest]
    params = { n_estimators = 100 }
"""


def _fit_score(pipeline, X, y, train, test, classes, metric):
    fitted = clone(pipeline).fit(X.iloc[train], y[train])
    proba = fitted.predict_proba(X.iloc[test])
    return score_all(y[test], proba, classes)[metric]


def baseline(spec, jobs: int, save: Path | None = None) -> float:
    """The hand-written loop: same folds, same pipelines, joblib with the same n_jobs; with
    ``save``, the refit model is kept there with ``joblib.dump``."""
    start = time.perf_counter()
    data = spec.data
    dataset = load_dataset(
        spec.resolve_data_path(), target=data.target, drop=data.drop, task=spec.task
    )
    splits = make_splits(dataset.target, spec.evaluation)
    X = dataset.features.iloc[splits.development].reset_index(drop=True)
    y = dataset.target.to_numpy()[splits.development]
    metric, seed = spec.evaluation.metric, spec.evaluation.seed
    candidates = spec.expanded_candidates()
    pipelines = [
        build_pipeline(c.model, c.params, dataset.schema, seed=seed, preprocessing=c.preprocessing)
        for c in candidates
    ]
    scores = Parallel(n_jobs=jobs)(
        delayed(_fit_score)(p, X, y, f.train, f.test, dataset.classes, metric)
        for p in pipelines
        for f in splits.folds
    )
    means = np.array(scores).reshape(len(pipelines), -1).mean(axis=1)
    best = int(np.argmax(means) if get_metric(metric).greater_is_better else np.argmin(means))
    features, target = dataset.features, dataset.target.to_numpy()
    model = clone(pipelines[best]).fit(features.iloc[splits.development], y)
    proba = model.predict_proba(features.iloc[splits.holdout])
    score_all(target[splits.holdout], proba, dataset.classes)
    if save is not None:
        joblib.dump(model, save)
    return time.perf_counter() - start


def learnburn(spec, jobs: int) -> float:
    start = time.perf_counter()
    result = run_experiment(spec, jobs=jobs)
    assert result.winner is not None
    return time.perf_counter() - start


def write_table(folder: Path, rows: int) -> Path:
    """A synthetic binary table (16 numeric, 4 categorical columns) and its spec; the label
    follows interactions and steps, so the random forest is chosen and the bundle is big."""
    rng = np.random.default_rng(0)
    numbers = rng.standard_normal((rows, 16))
    frame = pd.DataFrame(numbers, columns=[f"x{i}" for i in range(16)])
    levels = np.array(list("abcdefgh"))
    for i in range(4):
        frame[f"c{i}"] = levels[rng.integers(0, 2 + 2 * i, rows)]
    x = numbers  # interactions and steps a linear model cannot follow: the forest wins
    signal = (
        2 * np.sin(2 * x[:, 0]) + 1.5 * x[:, 1] * x[:, 2] + (x[:, 3] > 0.5) + (frame["c1"] == "a")
    )
    frame["label"] = (signal + rng.standard_normal(rows) > 0.5).astype(int)
    frame.to_parquet(folder / "table.parquet", index=False)
    (folder / "table.toml").write_text(textwrap.dedent(TABLE_SPEC))
    return folder / "table.toml"


def copy_demo(folder: Path) -> Path:
    """The demo's spec (its data ships in a package) copied into ``folder``."""
    (folder / SPEC.name).write_text(SPEC.read_text())
    return folder / SPEC.name


def commit_all(folder: Path) -> None:
    """Make ``folder`` a git repository with everything but the data and outputs committed."""
    (folder / ".gitignore").write_text("*.parquet\n.learnburn/\nout/\n")
    git = ["git", "-C", str(folder), "-c", "user.email=b@e.x", "-c", "user.name=bench"]
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "spec"], check=True)


def children_cpu() -> float:
    """User + system CPU seconds of the children waited for so far (and theirs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_command(folder: Path, spec_name: str, jobs: int) -> tuple[float, dict]:
    """``learnburn run SPEC --bundle`` in a child: its wall seconds and the record's timings
    (with ``"cpu"``: the child's CPU seconds, its worker processes included)."""
    command = [
        sys.executable, "-m", "learnburn", "run", spec_name, "-q", "--jobs", str(jobs),
        "--bundle", "out/model.lbm", "-o", "out/record.json",
    ]  # fmt: skip
    start, cpu = time.perf_counter(), children_cpu()
    subprocess.run(command, cwd=folder, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    timings = json.loads((folder / "out" / "record.json").read_text())["timings"]
    return seconds, {**timings, "cpu": children_cpu() - cpu}


def run_plain_loop(spec_path: Path, jobs: int) -> tuple[float, float]:
    """The plain loop in a child process (imports included), saving the model with joblib:
    its wall and CPU seconds."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import learn; "
        "from learnburn.spec import load_spec; from pathlib import Path; "
        "learn.baseline(load_spec(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]))"
    )
    with tempfile.TemporaryDirectory() as tmp:
        here = str(Path(__file__).resolve().parent)
        command = [sys.executable, "-c", code, here, str(spec_path), str(jobs), f"{tmp}/m.joblib"]
        start, cpu = time.perf_counter(), children_cpu()
        subprocess.run(command, check=True)
        return time.perf_counter() - start, children_cpu() - cpu


def whole_command(name: str, prepare, jobs: int) -> tuple[float, float]:
    """The plain loop and the whole command on the spec ``prepare(folder)`` writes in a fresh
    git repository: (ratio, the bundle step's share of the run)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        spec_path = prepare(folder)
        commit_all(folder)
        base, base_cpu = run_plain_loop(spec_path, jobs)
        ours, timings = run_command(folder, spec_path.name, jobs)
    ours_cpu = timings.pop("cpu")
    share = timings.get("bundle", float("nan")) / timings["total"]
    parts = {k[7:]: round(v, 2) for k, v in timings.items() if k.startswith("bundle_")}
    stages = {k: round(v, 1) for k, v in timings.items() if not k.startswith("bundle_")}
    print(f"{name}: plain loop {base:.1f} s wall / {base_cpu:.1f} s CPU, `learnburn run "
          f"--bundle` {ours:.1f} s wall / {ours_cpu:.1f} s CPU (ratio {ours / base:.3f} wall, "
          f"{ours_cpu / base_cpu:.3f} CPU); record: {stages}; bundle {share:.1%} of the total, "
          f"by part: {parts}")  # fmt: skip
    return ours / base, share


def _line(name: str, value: float, goal: float) -> str:
    verdict = "met" if value <= goal else "missed"
    return f"target {name}: {value:.3f} (goal <= {goal:g}) {verdict}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--table-rows", type=int, default=50_000)
    parser.add_argument("--table-only", action="store_true", help="only the table's command")
    args = parser.parse_args()
    table_ratio, table_share = whole_command(
        f"{args.table_rows:,}-row table", lambda f: write_table(f, args.table_rows), args.jobs
    )
    print(_line("run_command_overhead_table", table_ratio, COMMAND_GOAL))
    print(_line("bundle_share_table", table_share, BUNDLE_GOAL))
    if args.table_only:
        return
    spec = load_spec(SPEC)
    n_fits = len(spec.expanded_candidates()) * spec.evaluation.folds * spec.evaluation.repeats
    print(f"spec: {SPEC.name}, {n_fits} fold fits, jobs={args.jobs}, rounds={args.rounds}")
    times: dict[str, list[float]] = {"scikit-learn loop": [], "learnburn": []}
    for round_ in range(args.rounds):
        for name, fn in (("scikit-learn loop", baseline), ("learnburn", learnburn)):
            seconds = fn(spec, args.jobs)
            times[name].append(seconds)
            print(f"round {round_ + 1}: {name:<18} {seconds:7.2f} s")
    base = statistics.median(times["scikit-learn loop"])
    ours = statistics.median(times["learnburn"])
    ratio = ours / base
    print(f"median: scikit-learn loop {base:.2f} s, learnburn {ours:.2f} s, ratio {ratio:.3f}")
    demo_ratio, demo_share = whole_command("demo", copy_demo, args.jobs)
    print(_line("learn_overhead", ratio, GOAL))
    print(_line("run_command_overhead", demo_ratio, COMMAND_GOAL))
    print(_line("bundle_share_demo", demo_share, BUNDLE_GOAL))


if __name__ == "__main__":
    main()
