"""learnburn: learn, compare and ship traditional machine-learning models on tables.

Everything the command line does is a call here: ``Experiment`` (``run``, ``validate``,
``init``), ``open_store`` and its ``list_runs``/``get_run`` (``runs``, ``show``),
``diff_runs``, ``reproduce_run``, ``check_bundle_drift`` (``drift``), ``run_cadence``
(``cadence``), ``export_bundle`` (``bundle``), ``load_bundle``
(``predict``), ``profile_bundle`` (``profile``), ``estimate_cost`` (``cost``), and
``run_notebook`` (``nb run``). Records show as tables in Jupyter.
"""

from learnburn._experiment import Experiment
from learnburn._version import __version__
from learnburn.bundles import load_bundle
from learnburn.evaluation import ExperimentResult
from learnburn.notebooks import record_metric, run_notebook
from learnburn.profiling import estimate_cost, profile_bundle
from learnburn.spec import load_spec
from learnburn.workflows import (
    check_bundle_drift,
    check_experiment,
    diff_runs,
    export_bundle,
    init_spec,
    open_store,
    reproduce_run,
    run_and_record,
    run_cadence,
)

__all__ = [
    "Experiment",
    "ExperimentResult",
    "__version__",
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
    "record_metric",
    "reproduce_run",
    "run_and_record",
    "run_cadence",
    "run_notebook",
]
