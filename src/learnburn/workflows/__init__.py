"""The order of the stages: the only package that knows it.

The CLI and the notebook front end both call these functions, so neither holds logic the other
lacks. Each function takes plain arguments, returns a record, and never prints; progress is
reported through an optional callback that the front end renders.
"""

from learnburn.workflows._bundle import export_bundle
from learnburn.workflows._cadence import run_cadence
from learnburn.workflows._diff import RunDiff, diff_runs
from learnburn.workflows._drift import check_bundle_drift, reference_for
from learnburn.workflows._learn import (
    ProgressCallback,
    ProgressEvent,
    check_experiment,
    default_experiment_name,
    init_spec,
    run_experiment,
)
from learnburn.workflows._monitor import monitor_calls_for_retraining, run_monitor
from learnburn.workflows._notebook import (
    NOTEBOOK_SUMMARY,
    notebook_results,
    notebook_results_of,
)
from learnburn.workflows._record import (
    RecordedRun,
    Reproduction,
    RunOrigin,
    check_provenance,
    default_store_folder,
    open_store,
    recording,
    reproduce_run,
    run_and_record,
)
from learnburn.workflows._splits import write_splits

__all__ = [
    "NOTEBOOK_SUMMARY",
    "ProgressCallback",
    "ProgressEvent",
    "RecordedRun",
    "Reproduction",
    "RunDiff",
    "RunOrigin",
    "check_bundle_drift",
    "check_experiment",
    "check_provenance",
    "default_experiment_name",
    "default_store_folder",
    "diff_runs",
    "export_bundle",
    "init_spec",
    "monitor_calls_for_retraining",
    "notebook_results",
    "notebook_results_of",
    "open_store",
    "recording",
    "reference_for",
    "reproduce_run",
    "run_and_record",
    "run_cadence",
    "run_experiment",
    "run_monitor",
    "write_splits",
]
