"""Server settings, and the one place that reads them from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

BUNDLE_ENV = "LEARNBURN_BUNDLE"
TRUST_ENV = "LEARNBURN_TRUST"  # comma-separated extra types, for worker processes
PORT_ENV = "SAGEMAKER_BIND_TO_PORT"
MAX_BODY_BYTES = 6 * 1024 * 1024  # SageMaker real-time's payload limit


@dataclass(frozen=True)
class Settings:
    """Where to listen, how big a request body may be, and (for workers) which bundle."""

    host: str = "127.0.0.1"
    port: int = 8080
    max_body_bytes: int = MAX_BODY_BYTES
    bundle: str | None = None
    trust: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``SAGEMAKER_BIND_TO_PORT`` (default 8080), ``LEARNBURN_BUNDLE`` and
        ``LEARNBURN_TRUST``; everything else keeps its default."""
        env = os.environ if environ is None else environ
        port = env.get(PORT_ENV, "").strip()
        trust = tuple(name for name in env.get(TRUST_ENV, "").split(",") if name)
        return cls(
            port=int(port) if port.isdigit() else cls.port,
            bundle=env.get(BUNDLE_ENV) or None,
            trust=trust,
        )


def worker_env(bundle: str, trust: Sequence[str]) -> dict[str, str]:
    """The environment variables that tell worker processes which bundle to load."""
    return {BUNDLE_ENV: bundle, TRUST_ENV: ",".join(trust)}
