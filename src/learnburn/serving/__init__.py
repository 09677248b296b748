"""Serving: score tables with a bundle, in batches from files or over HTTP."""

from learnburn.serving._app import STATUS, app_from_env, create_app
from learnburn.serving._batch import BatchSummary, predict_file
from learnburn.serving._distributed import predict_partitions
from learnburn.serving._settings import Settings

__all__ = [
    "STATUS",
    "BatchSummary",
    "Settings",
    "app_from_env",
    "create_app",
    "predict_file",
    "predict_partitions",
]
