"""Is the process that started a run still running? The reaper's evidence.

A run records the host, the pid and (on Linux) the process start time of the process that
started it, and a heartbeat time it refreshes while it works. A run still "running" is gone:

- on this host: when no process has its pid, the process is a zombie, or the pid now belongs to a
  process that started at another time (the pid was reused); where the start time cannot be read
  (not Linux), the pid alone decides;
- on another host (or one not recorded): when its heartbeat is older than :data:`STALE_AFTER`.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

STALE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class ProcessIdentity:
    host: str
    pid: int
    started: int | None  # clock ticks after boot; None where it cannot be read


def this_process() -> ProcessIdentity:
    pid = os.getpid()
    return ProcessIdentity(socket.gethostname(), pid, _stat(pid)[1])


def now_text(moment: datetime | None = None) -> str:
    """UTC time as fixed-width ISO-8601 text: it sorts and compares as text."""
    return (moment or datetime.now(UTC)).isoformat(timespec="microseconds")


def gone_reason(
    host: str | None,
    pid: int | None,
    started: int | None,
    heartbeat_at: str | None,
    *,
    here: ProcessIdentity,
    now: datetime,
) -> str | None:
    """Why the run's process is gone, or None while it may still be running."""
    if host == here.host and pid is not None:
        state, current = _stat(pid)
        if not _pid_exists(pid) or state in ("Z", "X"):
            return f"its process (pid {pid} on {host}) ended without recording how the run ended"
        if started is not None and current is not None and current != started:
            return f"its process (pid {pid} on {host}) ended; the pid now belongs to another one"
        return None
    if heartbeat_at is None or heartbeat_at < now_text(now - STALE_AFTER):
        minutes = int(STALE_AFTER.total_seconds() // 60)
        return f"no heartbeat from {host or 'its host'} for over {minutes} minutes"
    return None


def _pid_exists(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    except OSError:
        return False
    return True


def _stat(pid: int) -> tuple[str | None, int | None]:
    """(state, start time in ticks after boot) from /proc/PID/stat; (None, None) elsewhere."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            text = handle.read().decode("ascii", "replace")
    except OSError:
        return None, None
    fields = text[text.rfind(")") + 2 :].split()  # the name in (...) may hold spaces
    try:
        return fields[0], int(fields[19])  # fields 3 (state) and 22 (starttime) of proc(5)
    except (IndexError, ValueError):
        return None, None
