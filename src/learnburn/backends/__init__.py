"""Where fold tasks run: local processes (default); a Dask cluster later."""

from learnburn.backends._base import Backend, TaskFunction
from learnburn.backends._local import LocalBackend

__all__ = ["Backend", "LocalBackend", "TaskFunction"]
