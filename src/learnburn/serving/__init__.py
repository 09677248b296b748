"""Serving: score tables with a bundle, in batches from files (``predict_file``; on a Dask
cluster, ``predict_partitions``) or over HTTP (``create_app``). Serving reads bundles only;
packaging the server into a container image is deploying's (``learnburn.deploy``)."""

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
