"""learnburn: learn, compare and ship traditional machine-learning models on tables."""

from learnburn._experiment import Experiment
from learnburn._version import __version__
from learnburn.evaluation import ExperimentResult
from learnburn.spec import load_spec

__all__ = ["Experiment", "ExperimentResult", "__version__", "load_spec"]
