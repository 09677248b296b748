"""Server settings, and the one place that reads them from the environment.

The limits and why they are what they are:

- ``max_body_bytes`` 6 MB: SageMaker real-time's payload limit (a larger body is a 413 there too).
- ``timeout_s`` 60 s: SageMaker's deadline for an ``/invocations`` answer. A request not answered
  by then gets a 504, so the client learns why rather than seeing the platform cut the connection.
- ``body_timeout_s`` 10 s: how long a request's body may take to arrive (then a 408; never more
  than ``timeout_s``). A body is read before the request takes a scoring slot, so a client that
  sends a little and stalls holds a connection for this long but never a slot. 10 s carries the
  largest body (6 MB) at 5 Mbit/s; on SageMaker the front end relays bodies at LAN speed. It is
  Apache's ``mod_reqtimeout`` idea (20 s for a body there, raised with the rate) in one number.
- ``max_concurrency`` 64 scoring requests per worker process; more are refused at once with a
  503 and ``Retry-After``. The limit bounds memory, not throughput: each request may hold a
  6 MB body and its parsed table, so 64 of them stay within a few hundred MB of bodies on the
  smallest instances, while one worker scoring small requests in a few milliseconds each has
  work queued for a fraction of a second at most (Little's law: 64 x 5 ms = 0.3 s). Past that
  queueing only adds latency: a 503 tells the load balancer or client to retry elsewhere. It
  sits between uvicorn's unlimited default and TorchServe's queue of 100.
- ``grace_s`` 25 s: how long a SIGTERM waits for requests in flight, under the 30 s after which
  SageMaker and ECS send SIGKILL.
- ``capture`` off, ``capture_rate`` 1: with a folder, every scoring request (or that share of
  them) is written there as Parquet off the request path (``_capture.py``); a full queue drops
  events and counts them rather than slowing a request.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from learnburn.errors import LearnburnError

BUNDLE_ENV = "LEARNBURN_BUNDLE"
TRUST_ENV = "LEARNBURN_TRUST"  # comma-separated extra types, for worker processes
TIMEOUT_ENV = "LEARNBURN_TIMEOUT"
BODY_TIMEOUT_ENV = "LEARNBURN_BODY_TIMEOUT"
MAX_CONCURRENCY_ENV = "LEARNBURN_MAX_CONCURRENCY"
CAPTURE_ENV = "LEARNBURN_CAPTURE"  # a folder or s3:// prefix to capture requests into
CAPTURE_RATE_ENV = "LEARNBURN_CAPTURE_RATE"  # the share of requests captured, (0, 1]
PORT_ENV = "SAGEMAKER_BIND_TO_PORT"
MAX_BODY_BYTES = 6 * 1024 * 1024  # SageMaker real-time's payload limit
TIMEOUT_S = 60.0  # SageMaker's deadline for an /invocations answer
BODY_TIMEOUT_S = 10.0  # a request body's deadline; see the module docstring
MAX_CONCURRENCY = 64  # scoring requests in flight per worker process; see the module docstring
GRACE_S = 25.0  # drain time after SIGTERM, under the 30 s before SageMaker's SIGKILL
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Settings:
    """Where to listen, the limits on each request, and (for workers) which bundle."""

    host: str = "127.0.0.1"
    port: int = 8080
    max_body_bytes: int = MAX_BODY_BYTES
    bundle: str | None = None
    trust: tuple[str, ...] = ()
    timeout_s: float = TIMEOUT_S
    body_timeout_s: float = BODY_TIMEOUT_S
    max_concurrency: int = MAX_CONCURRENCY
    grace_s: float = GRACE_S
    capture: str | None = None  # the folder (or s3:// prefix) requests are captured into
    capture_rate: float = 1.0  # the share of scoring requests captured

    def __post_init__(self) -> None:
        for name, hint in (
            ("timeout_s", "give the request deadline in seconds, e.g. 60"),
            ("body_timeout_s", "give the request body's deadline in seconds, e.g. 10"),
            ("grace_s", "give the drain time in seconds, under 30 for SageMaker"),
        ):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not 0 < value < float("inf"):
                raise LearnburnError(f"{name} must be a positive number, got {value!r}", hint=hint)
        for name in ("max_concurrency", "max_body_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise LearnburnError(
                    f"{name} must be a whole number of at least 1, got {value!r}",
                    hint=f"the default is {getattr(Settings, name)}",
                )
        rate = self.capture_rate
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate <= 1:
            raise LearnburnError(
                f"capture_rate must be a number in (0, 1], got {rate!r}",
                hint="1 captures every request, 0.1 one in ten",
            )

    @property
    def loopback(self) -> bool:
        """Whether the server listens on this machine only."""
        return is_loopback(self.host)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``SAGEMAKER_BIND_TO_PORT`` (default 8080), ``LEARNBURN_BUNDLE``,
        ``LEARNBURN_TRUST``, ``LEARNBURN_TIMEOUT``, ``LEARNBURN_BODY_TIMEOUT``,
        ``LEARNBURN_MAX_CONCURRENCY``, ``LEARNBURN_CAPTURE`` and ``LEARNBURN_CAPTURE_RATE``;
        everything else keeps its default."""
        env = os.environ if environ is None else environ
        port = env.get(PORT_ENV, "").strip()
        trust = tuple(name for name in env.get(TRUST_ENV, "").split(",") if name)
        return cls(
            port=int(port) if port.isdigit() else cls.port,
            bundle=env.get(BUNDLE_ENV) or None,
            trust=trust,
            timeout_s=_number(env, TIMEOUT_ENV, float, cls.timeout_s),
            body_timeout_s=_number(env, BODY_TIMEOUT_ENV, float, cls.body_timeout_s),
            max_concurrency=_number(env, MAX_CONCURRENCY_ENV, int, cls.max_concurrency),
            capture=env.get(CAPTURE_ENV, "").strip() or None,
            capture_rate=_number(env, CAPTURE_RATE_ENV, float, cls.capture_rate),
        )


def worker_env(
    bundle: str, trust: Sequence[str], settings: Settings | None = None
) -> dict[str, str]:
    """The environment variables that tell worker processes which bundle to load and, with
    ``settings``, the limits each worker applies."""
    env = {BUNDLE_ENV: bundle, TRUST_ENV: ",".join(trust)}
    if settings is not None:
        env[TIMEOUT_ENV] = repr(settings.timeout_s)
        env[BODY_TIMEOUT_ENV] = repr(settings.body_timeout_s)
        env[MAX_CONCURRENCY_ENV] = str(settings.max_concurrency)
        if settings.capture is not None:
            env[CAPTURE_ENV] = settings.capture
            env[CAPTURE_RATE_ENV] = repr(settings.capture_rate)
    return env


def _number(env: Mapping[str, str], name: str, kind: type, default: float) -> float:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        return kind(text)
    except ValueError:
        raise LearnburnError(
            f"{name}={text!r} is not a {'whole ' if kind is int else ''}number",
            hint=f"set {name} to a number such as {default!r}, or unset it for the default",
        ) from None


def is_loopback(host: str) -> bool:
    """Whether a server bound to ``host`` listens on this machine only."""
    return host in LOOPBACK
