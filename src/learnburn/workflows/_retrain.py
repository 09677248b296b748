"""The scheduled loop in one call: retrain the spec on its newest data, challenge the live model,
promote by the spec's rule, and say what was done in one line (``learnburn retrain``).

``every`` makes a frequent schedule safe: when the alias moved or was challenged more recently
than that (its newest history entry), nothing is trained and the outcome is "skipped". A model
with no version under the alias yet gets its first one without a challenge.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from learnburn._records import Record
from learnburn.errors import RunStoreError
from learnburn.monitoring import MonitorReport
from learnburn.runs import RunStore, validate_name
from learnburn.spec import ExperimentSpec
from learnburn.workflows._challenge import ChallengeResult, challenge_model, with_data
from learnburn.workflows._monitor import monitor_calls_for_retraining
from learnburn.workflows._record import run_and_record
from learnburn.workflows._registry import current_actor, promote_run
from learnburn.workflows._stages import ProgressCallback

_UNITS = {"h": 3600, "d": 86_400, "w": 7 * 86_400}
_EVERY = re.compile(r"(\d+)([hdw])")


@dataclass(frozen=True)
class RetrainOutcome(Record):
    """What ``retrain`` did: "skipped" (too soon), "first" (no champion yet: promoted), or
    "challenged" (see ``challenge``)."""

    model: str
    alias: str
    action: str
    line: str
    run_id: str | None = None
    challenge: ChallengeResult | None = None

    @property
    def exit_code(self) -> int:
        """For schedulers: 0 promoted, kept by rule or skipped; 1 kept because worse."""
        return 0 if self.challenge is None else self.challenge.exit_code

    def summary(self) -> str:
        """What was done, in one line."""
        return self.line

    def to_dict(self) -> dict[str, Any]:
        found = asdict(self) | {"challenge": None}
        if self.challenge is not None:
            found["challenge"] = self.challenge.to_dict()
        return found


def parse_every(text: str) -> timedelta:
    """``2w``, ``14d``, ``36h`` (or ``1w3d``) as a timedelta."""
    parts = _EVERY.findall(str(text).strip().lower())
    if not parts or "".join(n + u for n, u in parts) != str(text).strip().lower():
        raise RunStoreError(
            f"--every {text!r} is not an interval",
            hint="write a number and a unit: h (hours), d (days), w (weeks), e.g. 2w or 36h",
        )
    return timedelta(seconds=sum(int(n) * _UNITS[u] for n, u in parts))


def retrain_model(
    spec: ExperimentSpec,
    *,
    store: RunStore,
    model: str,
    alias: str = "production",
    every: timedelta | None = None,
    data: str | os.PathLike | None = None,
    evaluation_data: str | os.PathLike | None = None,
    promote: bool = True,
    now: datetime | None = None,
    actor: str | None = None,
    allow_dirty: bool = False,
    jobs: int = 1,
    progress: ProgressCallback | None = None,
    monitor: MonitorReport | Mapping | str | os.PathLike | None = None,
) -> RetrainOutcome:
    """Retrain and challenge ``model@alias`` unless it was decided within ``every``, or
    ``monitor`` (the evidence of ``learnburn monitor``: its report or the path of its JSON) does
    not call for retraining now."""
    validate_name(model, "model name")
    who = actor or current_actor()
    pointed = next((m.aliases for m in store.registry.list_models() if m.name == model), {})
    if monitor is not None and alias in pointed:
        alerts, reason = monitor_calls_for_retraining(monitor)
        if not alerts:
            return RetrainOutcome(
                model, alias, "skipped",
                f"{model}@{alias}: skipped, the monitor does not call for retraining ({reason}); "
                f"v{pointed[alias]} stays live",
            )  # fmt: skip
    if alias in pointed and every is not None:
        last = store.registry.history(model, alias)[-1]
        age = (now or datetime.now(UTC)) - datetime.fromisoformat(last.at)
        if age < every:
            return RetrainOutcome(
                model, alias, "skipped",
                f"{model}@{alias}: skipped, last {last.action} {_ago(age)} ago (every "
                f"{_ago(every)}); v{pointed[alias]} stays live",
            )  # fmt: skip
    if alias not in pointed:
        return _first(spec, store, model, alias, data, promote, who, allow_dirty, jobs, progress)
    result = challenge_model(
        spec, store=store, against=f"{model}@{alias}", data=data,
        evaluation_data=evaluation_data, promote=promote, actor=who, allow_dirty=allow_dirty,
        jobs=jobs, progress=progress,
    )  # fmt: skip
    return RetrainOutcome(
        model, alias, "challenged", result.summary(), result.challenger["run_id"], result
    )


def _first(spec, store, model, alias, data, promote, who, allow_dirty, jobs, progress):
    if data is not None:
        spec = with_data(spec, data)
    run = run_and_record(spec, store=store, jobs=jobs, progress=progress, allow_dirty=allow_dirty)
    if not promote:
        line = f"{model}@{alias}: no champion yet; run {run.run_id[:8]} would be the first"
        return RetrainOutcome(model, alias, "first", line, run.run_id)
    moved = promote_run(
        store, model, run.run_id, alias=alias, actor=who,
        reason="first version: no champion to challenge",
    )  # fmt: skip
    line = f"{model}@{alias}: no champion yet; promoted run {run.run_id[:8]} as v{moved.to_version}"
    return RetrainOutcome(model, alias, "first", line, run.run_id)


def _ago(delta: timedelta) -> str:
    seconds = delta.total_seconds()
    for unit, size in (("w", 7 * 86_400), ("d", 86_400), ("h", 3600)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}".replace(".0" + unit, unit)
    return f"{seconds / 60:.0f}min"
