"""learnburn: learn, compare and ship traditional machine-learning models on tables."""

from learnburn._experiment import Experiment
from learnburn._version import __version__
from learnburn.evaluation import ExperimentResult
from learnburn.spec import load_spec
from learnburn.workflows import diff_runs, open_store, reproduce_run, run_and_record

__all__ = [
    "Experiment",
    "ExperimentResult",
    "__version__",
    "diff_runs",
    "load_spec",
    "open_store",
    "reproduce_run",
    "run_and_record",
]
