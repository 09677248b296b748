"""What each platform allows: task sizes, memory sizes, payloads and timeouts.

Sources (read for /work/shared/reference/cloud-prices-and-contracts.md):
Fargate sizes: docs.aws.amazon.com/AmazonECS/latest/userguide/task-cpu-memory-error.html;
SageMaker serverless: API_ProductionVariantServerlessConfig.html and deploy-model-options.html;
Lambda: docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html (memory, timeout, payload)
and configuration-memory.html (a function has one full vCPU at 1,769 MB);
ALB: handbook.vantage.sh/aws/services/elb-pricing (what one LCU provides).
"""

from __future__ import annotations

from learnburn.errors import CostError

HOURS_PER_MONTH = 730.0

# Fargate: task CPU units (1024 = 1 vCPU) -> the memory sizes (MiB) allowed with it.
FARGATE_MEMORY_MIB: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

SERVERLESS_MEMORY_MB = (1024, 2048, 3072, 4096, 5120, 6144)
SERVERLESS_MAX_CONCURRENCY = 200
SERVERLESS_PAYLOAD_MB = 4.0
SERVERLESS_TIMEOUT_S = 60.0
REALTIME_PAYLOAD_MB = 6.0
REALTIME_TIMEOUT_S = 60.0

LAMBDA_MIN_MEMORY_MB = 128
LAMBDA_MAX_MEMORY_MB = 10240
LAMBDA_ONE_VCPU_MB = 1769
LAMBDA_TIMEOUT_S = 900.0
LAMBDA_PAYLOAD_MB = 6.0
LAMBDA_IMAGE_GB = 10.0
# x86 duration tiers: the first 6 billion GB-seconds a month, the next 9 billion, the rest.
LAMBDA_TIER_1_GB_S = 6e9
LAMBDA_TIER_2_GB_S = 15e9

ALB_NEW_CONNECTIONS_PER_LCU = 25.0  # new connections per second
ALB_GB_PER_LCU_HOUR = 1.0  # processed bytes, EC2/container/IP targets

# A worker needs its measured resident memory plus this share for request buffers and growth.
MEMORY_MARGIN = 1.25


def check_fargate_size(cpu_units: int, memory_mib: int) -> None:
    """Raise :class:`CostError` unless Fargate accepts a task of this CPU and memory."""
    if cpu_units not in FARGATE_MEMORY_MIB:
        sizes = ", ".join(str(units) for units in FARGATE_MEMORY_MIB)
        raise CostError(
            f"Fargate has no task size of {cpu_units} CPU units",
            hint=f"use one of {sizes} (1024 units = 1 vCPU)",
        )
    allowed = FARGATE_MEMORY_MIB[cpu_units]
    if memory_mib not in allowed:
        raise CostError(
            f"Fargate does not accept {memory_mib} MiB of memory with {cpu_units} CPU units "
            f"({cpu_units / 1024:g} vCPU)",
            hint=f"with {cpu_units} CPU units use {_ranges(allowed)} MiB",
        )


def smallest_fargate_memory(cpu_units: int, needed_mib: float) -> int | None:
    """The smallest memory Fargate allows with ``cpu_units`` that holds ``needed_mib``."""
    return next((m for m in FARGATE_MEMORY_MIB[cpu_units] if m >= needed_mib), None)


def request_problems(
    platform: str,
    timeout_s: float,
    payload_mb: float,
    p99_ms: float,
    payload_kb: float | None,
    *,
    cold_start_s: float | None = None,
) -> list[str]:
    """What a platform would refuse: a request (or a cold start, where it counts against the
    same timeout) past its timeout, a payload past its limit (1 MB = 1000 KB here)."""
    problems = []
    if p99_ms / 1000 > timeout_s or (cold_start_s or 0) > timeout_s:
        what = "a request" if cold_start_s is None else "a request or a cold start"
        problems.append(f"{what} takes longer than {platform}'s {timeout_s:g} s")
    if payload_kb is not None and payload_kb / 1000 > payload_mb:
        problems.append(f"a {payload_kb:g} KB payload exceeds {platform}'s {payload_mb:g} MB")
    return problems


def _ranges(allowed: tuple[int, ...]) -> str:
    if len(allowed) <= 3:
        return ", ".join(str(m) for m in allowed)
    step = allowed[1] - allowed[0]
    return f"{allowed[0]} to {allowed[-1]} in steps of {step}"
