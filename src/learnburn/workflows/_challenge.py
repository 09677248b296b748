"""Challenge the live model: retrain the spec on new data (a recorded run, the challenger) and
compare it with the model an alias names (the champion) on the same recent rows.

The rows: the challenger run's holdout (with a time column, its newest rows, never used to fit
the bundled model), or every row of a given evaluation file. Both bundles score them, and the
comparison is paired per row: DeLong for a binary ROC AUC metric, McNemar on the decided labels
otherwise, and, when the spec has decision costs, a paired bootstrap of the cost per decision,
which then decides (it is what the decisions cost). The difference's interval against the
spec's margin gives the verdict (``evaluation.equivalence_verdict``), and the verdict an action:

- better: promote;
- equivalent: by the spec's ``[challenge] when_equivalent`` rule (default "newer": promote when
  the challenger learned from other data than the champion; "cheaper": when its bundle is
  smaller; "keep": never);
- worse or unclear: keep the champion.

``promote=True`` applies the action: the alias moves (or a "keep" entry is added) with the whole
record as evidence in the alias's history.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from learnburn._records import Record
from learnburn.bundles import Bundle, load_bundle
from learnburn.errors import DataError, RunStoreError
from learnburn.evaluation import (
    PairedDifference,
    equivalence_verdict,
    paired_accuracy,
    paired_auc,
    paired_cost,
)
from learnburn.runs import ModelVersion, RunStore
from learnburn.spec import DEFAULT_ROPE, ChallengeSpec, ExperimentSpec
from learnburn.workflows._learn import _cost_matrix
from learnburn.workflows._record import run_and_record
from learnburn.workflows._registry import (
    bundle_artifact,
    current_actor,
    model_bundle,
    parse_model_reference,
    register_run,
    resolve_model,
)
from learnburn.workflows._stages import ProgressCallback, read_data

EXIT_KEPT_WORSE = 1
_SCORE_METRICS = ("roc_auc", "accuracy", "balanced_accuracy", "f1")


@dataclass(frozen=True)
class ChallengeResult(Record):
    """What a challenge found and did; ``to_dict`` is the evidence kept in the alias history."""

    model: str
    alias: str
    champion: dict[str, Any]  # version, run_id, bundle_sha256, data_hash
    challenger: dict[str, Any]  # run_id, bundle_sha256, data_hash
    rows: int
    rows_from: str
    comparisons: tuple[PairedDifference, ...]
    deciding: str  # the measure whose interval decided
    margin: float
    verdict: str  # better | equivalent | worse | unclear
    action: str  # promote | keep
    rule: str  # why this action, as a sentence
    applied: bool = False  # whether the alias history has it (--promote)
    version: int | None = None  # the challenger's version, once registered

    @property
    def exit_code(self) -> int:
        """For schedulers: 1 when the champion was kept because the challenger is worse."""
        return EXIT_KEPT_WORSE if self.verdict == "worse" else 0

    def summary(self) -> str:
        """One line: the verdict, the action and the deciding difference."""
        deciding = next(c for c in self.comparisons if c.measure == self.deciding)
        done = {
            ("promote", True): f"promoted run {self.challenger['run_id'][:8]} as v{self.version}",
            ("promote", False): "would promote (report only: pass --promote to apply)",
            ("keep", True): f"kept v{self.champion['version']}",
            ("keep", False): f"would keep v{self.champion['version']}",
        }[(self.action, self.applied)]
        return f"{self.model}@{self.alias}: challenger {self.verdict}, {done}; {deciding.summary()}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "alias": self.alias,
            "champion": dict(self.champion),
            "challenger": dict(self.challenger),
            "rows": self.rows,
            "rows_from": self.rows_from,
            "comparisons": [c.to_dict() for c in self.comparisons],
            "deciding": self.deciding,
            "margin": self.margin,
            "verdict": self.verdict,
            "action": self.action,
            "rule": self.rule,
            "applied": self.applied,
            "version": self.version,
            "summary": self.summary(),
        }


def challenge_model(
    spec: ExperimentSpec,
    *,
    store: RunStore,
    against: str,
    data: str | os.PathLike | None = None,
    evaluation_data: str | os.PathLike | None = None,
    promote: bool = False,
    actor: str | None = None,
    allow_dirty: bool = False,
    jobs: int = 1,
    progress: ProgressCallback | None = None,
) -> ChallengeResult:
    """Retrain ``spec`` (on ``data`` when given) as a recorded run, compare it with the model
    ``against`` names (``NAME@ALIAS``) on the same recent rows, and (``promote``) apply the
    verdict: move the alias, or record that it was kept, with this result as the evidence."""
    reference = parse_model_reference(against)
    if reference.alias is None:
        raise RunStoreError(
            f"--against {against!r} names a version, not an alias",
            hint="challenge an alias, e.g. --against loans@production",
        )
    champion = resolve_model(store, reference)  # before the long part: fail fast
    if spec.task != "classification":
        raise DataError(
            f"a challenge compares classifiers; {spec.source or spec.name} is a {spec.task} spec",
            hint="challenge a classification spec",
        )
    if data is not None:
        spec = with_data(spec, data)
    recorded = run_and_record(
        spec, store=store, jobs=jobs, progress=progress, allow_dirty=allow_dirty
    )
    detail = store.get_run(recorded.run_id)
    bundle = bundle_artifact(detail)
    if bundle is None:
        raise RunStoreError(
            f"the challenger run {recorded.run_id[:8]} has no bundle to compare",
            hint="its chosen model could not be bundled; `learnburn show RUN` says why",
        )
    bundle_sha = bundle.sha256
    features, target, rows_from, dataset = _comparison_rows(spec, recorded, evaluation_data)
    challenger = load_bundle(store.artifacts.path_of(bundle_sha), lazy=True)
    with model_bundle(store, reference) as path:
        held = load_bundle(path, lazy=True)
        comparisons = _compare(spec, challenger, held, features, target, dataset)
    result = _decide(
        spec.challenge or ChallengeSpec(), spec, reference.name, reference.alias, champion,
        {"run_id": recorded.run_id, "bundle_sha256": bundle_sha,
         "data_hash": detail.summary.data_hash},
        comparisons, len(target), rows_from,
        {"challenger": store.artifacts.path_of(bundle_sha).stat().st_size,
         "champion": store.artifacts.path_of(champion.bundle_sha256).stat().st_size},
    )  # fmt: skip
    return apply_challenge(store, result, actor=actor) if promote else result


def apply_challenge(
    store: RunStore, result: ChallengeResult, *, actor: str | None = None
) -> ChallengeResult:
    """Apply a challenge's action: promote the challenger, or record that the champion was
    kept; either way the result is the evidence in the alias history."""
    who = actor or current_actor()
    if result.action == "keep":
        applied = replace(result, applied=True)
        store.registry.record_kept(
            result.model, result.alias, actor=who, reason=f"challenge: {result.rule}",
            evidence=applied.to_dict(),
        )  # fmt: skip
        return applied
    version = register_run(store, result.model, result.challenger["run_id"])
    applied = replace(result, applied=True, version=version.version)
    store.registry.move_alias(
        result.model, result.alias, version.version, actor=who,
        reason=f"challenge: {result.rule}", evidence=applied.to_dict(),
    )  # fmt: skip
    return applied


def with_data(spec: ExperimentSpec, path: str | os.PathLike) -> ExperimentSpec:
    """The spec reading its table from ``path`` instead."""
    return replace(spec, data=replace(spec.data, path=str(Path(path).resolve())))


def _comparison_rows(spec, recorded, evaluation_data):
    """The features and target of the rows both models score, and where they come from."""
    if evaluation_data is not None:  # every row: since/until bound the training data only
        evaluated = with_data(spec, evaluation_data)
        every_row = replace(evaluated.data, since=None, until=None)
        dataset = read_data(replace(evaluated, data=every_row))
        return dataset.features, dataset.target, f"every row of {evaluation_data}", dataset
    dataset = read_data(spec)
    predictions = recorded.result.predictions
    rows = (
        np.unique(predictions.loc[predictions["split"] == "holdout", "row"].to_numpy())
        if predictions is not None
        else np.array([], dtype=np.int64)
    )
    if rows.size == 0:
        raise DataError(
            f"the challenger run of {spec.source or spec.name} has no holdout rows to compare on",
            hint="set [evaluation] holdout above 0 (the newest rows, with a time column), or "
            "pass --eval FILE with recent labelled rows",
        )
    newest = "the newest" if spec.data.time_column else "the held-out"
    return (
        dataset.features.iloc[rows],
        dataset.target.iloc[rows],
        f"{newest} {rows.size} rows of the new data (the challenger's holdout)",
        dataset,
    )


def _compare(spec, challenger: Bundle, champion: Bundle, features, target, dataset):
    """The paired comparisons, challenger as A and champion as B."""
    truth = np.asarray(target).astype(str)
    scored = [_scored(bundle, features) for bundle in (challenger, champion)]
    confidence = (spec.challenge or ChallengeSpec()).confidence
    classes = [str(c) for c in dataset.classes]
    comparisons = []
    if spec.evaluation.metric == "roc_auc" and len(classes) == 2:
        positive = truth == classes[-1]
        comparisons.append(
            paired_auc(
                positive, *(proba[classes[-1]] for proba, _ in scored), confidence=confidence
            )
        )
    comparisons.append(
        paired_accuracy(*(decided == truth for _, decided in scored), confidence=confidence)
    )
    cost = _cost_matrix(spec, dataset)
    if cost is not None:
        index = {label: i for i, label in enumerate(classes)}
        rows = np.array([index[t] for t in truth])
        per_row = [cost[rows, np.array([index[d] for d in decided])] for _, decided in scored]
        comparisons.append(
            paired_cost(per_row[0], per_row[1], confidence=confidence, seed=spec.evaluation.seed)
        )
    return tuple(comparisons)


def _scored(bundle: Bundle, features) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Each class's probability (by label text) and the decided labels (as text)."""
    missing = [c for c in bundle.columns if c not in features.columns]
    if missing:
        raise DataError(
            f"the comparison rows lack column(s) {', '.join(missing[:5])} that the model of run "
            f"{str(bundle.meta.get('run_id') or '?')[:8]} reads",
            hint="compare on rows that carry every column both models read: pass --eval FILE",
        )
    frame = features[list(bundle.columns)]
    proba = bundle.predict_proba(frame)
    by_class = {str(label): proba[:, i] for i, label in enumerate(bundle.classes)}
    return by_class, np.asarray(bundle.decide_proba(proba)).astype(str)


def _decide(
    rules: ChallengeSpec,
    spec: ExperimentSpec,
    model: str,
    alias: str,
    champion: ModelVersion,
    challenger: dict[str, Any],
    comparisons: tuple[PairedDifference, ...],
    rows: int,
    rows_from: str,
    sizes: dict[str, int],
) -> ChallengeResult:
    deciding = comparisons[-1] if comparisons[-1].measure == "decision_cost" else comparisons[0]
    if deciding.measure == "decision_cost":
        margin = rules.cost_margin * abs(deciding.b)
    elif rules.margin is not None:
        margin = rules.margin
    elif spec.evaluation.metric in _SCORE_METRICS:
        margin = spec.evaluation.effective_rope
    else:
        margin = DEFAULT_ROPE["accuracy"]
    verdict = equivalence_verdict(deciding.low, deciding.high, margin)
    action, rule = _action(verdict, rules.when_equivalent, champion, challenger, sizes)
    return ChallengeResult(
        model=model, alias=alias,
        champion={"version": champion.version, "run_id": champion.run_id,
                  "bundle_sha256": champion.bundle_sha256, "data_hash": champion.data_hash},
        challenger=dict(challenger), rows=rows, rows_from=rows_from, comparisons=comparisons,
        deciding=deciding.measure, margin=float(margin), verdict=verdict, action=action,
        rule=rule,
    )  # fmt: skip


def _action(verdict, when_equivalent, champion, challenger, sizes) -> tuple[str, str]:
    if verdict == "better":
        return "promote", "the challenger is better on the same rows"
    if verdict == "worse":
        return "keep", "the challenger is worse on the same rows"
    if verdict == "unclear":
        return "keep", "the difference is neither clear nor within the margin: keep the champion"
    if when_equivalent == "newer":
        if challenger["data_hash"] != champion.data_hash:
            return "promote", "equivalent, and the challenger learned from newer data"
        return "keep", "equivalent, and the challenger learned from the champion's data"
    if when_equivalent == "cheaper":
        if sizes["challenger"] < sizes["champion"]:
            return "promote", "equivalent, and the challenger's bundle is smaller"
        return "keep", "equivalent, and the challenger's bundle is not smaller"
    return "keep", "equivalent, and the spec keeps the champion when equivalent"
