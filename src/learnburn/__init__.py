"""learnburn: learn, compare and ship traditional machine-learning models on tables.

Everything the command line does is a call here: ``Experiment`` (``run``, ``validate``,
``init``), ``open_store`` and its ``list_runs``/``get_run`` (``runs``, ``show``) and
``registry`` (``models``), ``promote_run`` (``promote``), ``rollback_model`` (``rollback``),
``challenge_model`` (``challenge``), ``retrain_model`` (``retrain``), ``resolve_model``,
``diff_runs``, ``reproduce_run``, ``check_bundle_drift`` (``drift``), ``run_cadence``
(``cadence``), ``export_bundle`` (``bundle``), ``load_bundle``
(``predict``), ``profile_bundle`` (``profile``), ``estimate_cost`` (``cost``), and
``run_notebook`` (``nb run``). Records show as tables in Jupyter (``.to_frame()`` gives a
DataFrame); the warnings these calls raise point at the caller's line.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from learnburn._version import __version__

# Each name is imported from its module on first use, so that `import learnburn.cli` (and a
# server's cold start) pays only for what the command needs.
_WHERE = {
    "Experiment": "learnburn._experiment",
    "ExperimentResult": "learnburn.evaluation",
    "load_bundle": "learnburn.bundles",
    "record_metric": "learnburn.notebooks",
    "run_notebook": "learnburn.notebooks",
    "estimate_cost": "learnburn.costs",
    "profile_bundle": "learnburn.profiling",
    "load_spec": "learnburn.spec",
    "check_bundle_drift": "learnburn.workflows",
    "check_experiment": "learnburn.workflows",
    "diff_runs": "learnburn.workflows",
    "export_bundle": "learnburn.workflows",
    "init_spec": "learnburn.workflows",
    "open_store": "learnburn.workflows",
    "reproduce_run": "learnburn.workflows",
    "run_and_record": "learnburn.workflows",
    "run_cadence": "learnburn.workflows",
    "challenge_model": "learnburn.workflows",
    "promote_run": "learnburn.workflows",
    "retrain_model": "learnburn.workflows",
    "resolve_model": "learnburn.workflows",
    "rollback_model": "learnburn.workflows",
}

if TYPE_CHECKING:
    from learnburn._experiment import Experiment
    from learnburn.bundles import load_bundle
    from learnburn.costs import estimate_cost
    from learnburn.evaluation import ExperimentResult
    from learnburn.notebooks import record_metric, run_notebook
    from learnburn.profiling import profile_bundle
    from learnburn.spec import load_spec
    from learnburn.workflows import (
        challenge_model,
        check_bundle_drift,
        check_experiment,
        diff_runs,
        export_bundle,
        init_spec,
        open_store,
        promote_run,
        reproduce_run,
        resolve_model,
        retrain_model,
        rollback_model,
        run_and_record,
        run_cadence,
    )


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'learnburn' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    if not isinstance(value, type):  # functions: their warnings point at the caller's line
        from learnburn._warnings import shows_warnings_at_caller

        value = shows_warnings_at_caller(value)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})


__all__ = [
    "Experiment",
    "ExperimentResult",
    "__version__",
    "challenge_model",
    "check_bundle_drift",
    "check_experiment",
    "diff_runs",
    "estimate_cost",
    "export_bundle",
    "init_spec",
    "load_bundle",
    "load_spec",
    "open_store",
    "profile_bundle",
    "promote_run",
    "record_metric",
    "reproduce_run",
    "resolve_model",
    "retrain_model",
    "rollback_model",
    "run_and_record",
    "run_cadence",
    "run_notebook",
]
