"""What the model registry returns: plain frozen values whose ``to_dict`` is their JSON form."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from learnburn._records import Record


@dataclass(frozen=True)
class ModelVersion(Record):
    """One version of a named model: a finished run's bundle, named by its sha256."""

    model: str
    version: int
    run_id: str
    bundle_sha256: str
    created_at: str  # UTC, ISO-8601: when it was registered
    experiment: str
    metric: str | None
    holdout: float | None  # the run's holdout score of its chosen model
    data_hash: str | None  # what it learned from
    commit: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        """One line: the version, its run and its bundle."""
        score = "" if self.holdout is None else f", holdout {self.metric} {self.holdout:.4f}"
        return (
            f"{self.model} v{self.version}: run {self.run_id[:8]} ({self.experiment}{score}), "
            f"bundle {self.bundle_sha256[:12]}"
        )


@dataclass(frozen=True)
class AliasMove(Record):
    """One entry of an alias's append-only history.

    ``action``: "promote" (the alias moved to ``to_version``), "rollback" (it moved back to the
    version before), or "keep" (a challenge decided to leave it where it was: from = to)."""

    id: int
    model: str
    alias: str
    action: str
    from_version: int | None
    to_version: int | None
    revision: int  # the alias's revision after this entry; every move adds one
    at: str  # UTC, ISO-8601
    actor: str
    reason: str
    evidence: dict | None  # the challenge record that decided, when one did

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        """One line: when, who, what, why."""
        moved = (
            f"kept v{self.to_version}"
            if self.action == "keep"
            else f"{self.action} {_v(self.from_version)} -> {_v(self.to_version)}"
        )
        why = f": {self.reason}" if self.reason else ""
        return f"{self.at[:19]} {self.actor} {self.alias} {moved}{why}"


@dataclass(frozen=True)
class AliasState(Record):
    """Where an alias points now."""

    alias: str
    version: int
    revision: int
    moved_at: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ModelSummary(Record):
    """One line of ``learnburn models``."""

    name: str
    created_at: str
    versions: int
    latest: int | None
    aliases: dict[str, int]  # alias -> version

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ModelDetail(Record):
    """Everything the registry holds about one model: versions, aliases, history (oldest
    first)."""

    name: str
    created_at: str
    versions: tuple[ModelVersion, ...]
    aliases: tuple[AliasState, ...]
    history: tuple[AliasMove, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "created_at": self.created_at,
            "versions": [v.to_dict() for v in self.versions],
            "aliases": [a.to_dict() for a in self.aliases],
            "history": [h.to_dict() for h in self.history],
        }

    def version(self, number: int) -> ModelVersion | None:
        """The version with this number, or None."""
        return next((v for v in self.versions if v.version == number), None)


def _v(version: int | None) -> str:
    return "none" if version is None else f"v{version}"
