"""The order of the stages: the only package that knows it.

The CLI and the notebook front end (``learnburn.Experiment``) both call these functions, so
neither holds logic the other lacks; a CLI command parses its options, calls one of them and
prints. Each function takes plain arguments, returns a record, and never prints; progress is
reported through an optional callback that the front end renders.

Its rooms: reading the spec's source (``_sources``: a file, an ``s3://`` object or a SQL query,
inside its since/until window, ``with_window`` for another; ``_snapshots``: what a query or S3
read returned, kept with the run so that ``reproduce`` works after the source changes;
``_remote``: ``s3://`` inputs and outputs of predict and drift); learning (``_learn``:
run_experiment, check_experiment; ``_tuning``: the time budget, the refit's search and the
record's tuning part; ``_cluster`` for a clustering spec; ``_stages``: what every flow shares),
recording and reproducing (``_record``: run_and_record, which also writes the run's bundle;
reproduce_run; ``_decided``: what a run decided, which a reproduction must match and a diff
names; ``_splits``: a run's splits as a table), the model registry (``_registry``:
promote_run, rollback_model, ``models:/`` references; ``_challenge``: challenge_model, a
retrained challenger against the live champion on the same rows; ``_retrain``: retrain_model,
the scheduled loop), bundles from runs (``_bundle``), drift (``_drift``), the cadence backtest
(``_cadence``), scoring a table (``_predict``), ``learnburn init`` (``_starter``), notebook runs
(``_notebook``), comparing runs (``_diff``), and gathering what a report shows (``_report``,
``_report_predictions`` and ``_browse`` for ``learnburn ui``) as the records of
``learnburn._report_records`` that ``reports`` renders.
"""

from learnburn.workflows._browse import StorePages
from learnburn.workflows._bundle import ShippedBundle, export_bundle, ship_bundle
from learnburn.workflows._cadence import run_cadence
from learnburn.workflows._challenge import ChallengeResult, apply_challenge, challenge_model
from learnburn.workflows._diff import RunDiff, diff_runs
from learnburn.workflows._drift import check_bundle_drift, reference_for
from learnburn.workflows._learn import check_experiment, run_experiment
from learnburn.workflows._monitor import monitor_calls_for_retraining, run_monitor
from learnburn.workflows._notebook import (
    NOTEBOOK_SUMMARY,
    notebook_results,
    notebook_results_of,
)
from learnburn.workflows._predict import predict_table
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
from learnburn.workflows._registry import (
    ModelReference,
    current_actor,
    is_model_reference,
    model_bundle,
    parse_model_reference,
    promote_run,
    register_run,
    resolve_model,
    rollback_model,
)
from learnburn.workflows._remote import local_input, local_output
from learnburn.workflows._report import (
    gather_bundle_report,
    gather_run_report,
    read_record,
    run_facts,
)
from learnburn.workflows._retrain import RetrainOutcome, parse_every, retrain_model
from learnburn.workflows._sources import with_window
from learnburn.workflows._splits import write_splits
from learnburn.workflows._stages import ProgressCallback, ProgressEvent
from learnburn.workflows._starter import default_experiment_name, init_spec, starter_spec

__all__ = [
    "NOTEBOOK_SUMMARY",
    "ChallengeResult",
    "ModelReference",
    "ProgressCallback",
    "ProgressEvent",
    "RecordedRun",
    "Reproduction",
    "RetrainOutcome",
    "RunDiff",
    "RunOrigin",
    "ShippedBundle",
    "StorePages",
    "apply_challenge",
    "challenge_model",
    "check_bundle_drift",
    "check_experiment",
    "check_provenance",
    "current_actor",
    "default_experiment_name",
    "default_store_folder",
    "diff_runs",
    "export_bundle",
    "gather_bundle_report",
    "gather_run_report",
    "init_spec",
    "is_model_reference",
    "local_input",
    "local_output",
    "model_bundle",
    "monitor_calls_for_retraining",
    "notebook_results",
    "notebook_results_of",
    "open_store",
    "parse_every",
    "parse_model_reference",
    "predict_table",
    "promote_run",
    "read_record",
    "recording",
    "reference_for",
    "register_run",
    "reproduce_run",
    "resolve_model",
    "retrain_model",
    "rollback_model",
    "run_and_record",
    "run_cadence",
    "run_experiment",
    "run_facts",
    "run_monitor",
    "ship_bundle",
    "starter_spec",
    "with_window",
    "write_splits",
]
