"""The run store (SQLite or PostgreSQL), the artifact store, the provenance of runs, and the
model registry.

``RunStore`` records each run (spec, status, result record, per-fold scores) with its provenance
(git commit and diff, data fingerprint, environment) and its artifacts in a content-addressed
store (bundles, predictions, snapshots of what a query read). ``ModelRegistry`` (the store's
``registry``, ``_registry``) keeps named models whose versions are finished runs' bundles,
aliases such as ``production``, and the append-only history of every alias move with its
evidence.
"""

from learnburn.runs._artifacts import ArtifactCheck, ArtifactStore
from learnburn.runs._environment import (
    DEFAULT_LIBRARIES,
    compare_environments,
    describe_environment,
)
from learnburn.runs._git import strip_credentials
from learnburn.runs._location import default_store_location
from learnburn.runs._names import validate_name
from learnburn.runs._provenance import (
    Provenance,
    capture_diff,
    checkout_worktree,
    collect_provenance,
    committed_version,
)
from learnburn.runs._records import ArtifactRef, RunDetail, RunList, RunSummary
from learnburn.runs._registry import ModelRegistry
from learnburn.runs._registry_records import (
    AliasMove,
    AliasState,
    ModelDetail,
    ModelSummary,
    ModelVersion,
)
from learnburn.runs._store import RunStore

__all__ = [
    "DEFAULT_LIBRARIES",
    "AliasMove",
    "AliasState",
    "ArtifactCheck",
    "ArtifactRef",
    "ArtifactStore",
    "ModelDetail",
    "ModelRegistry",
    "ModelSummary",
    "ModelVersion",
    "Provenance",
    "RunDetail",
    "RunList",
    "RunStore",
    "RunSummary",
    "capture_diff",
    "checkout_worktree",
    "collect_provenance",
    "committed_version",
    "compare_environments",
    "default_store_location",
    "describe_environment",
    "strip_credentials",
    "validate_name",
]
