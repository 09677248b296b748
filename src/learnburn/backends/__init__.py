"""Where fold tasks run: local processes (default) or a Dask cluster."""

from learnburn.backends._base import Backend, TaskFunction
from learnburn.backends._dask import DaskBackend, open_backend, start_local_cluster
from learnburn.backends._local import LocalBackend

__all__ = [
    "Backend",
    "DaskBackend",
    "LocalBackend",
    "TaskFunction",
    "open_backend",
    "start_local_cluster",
]
