"""Capacity billed per request: AWS Lambda and SageMaker Serverless Inference.

Each execution environment serves one request at a time, so a request takes what one request
took alone: the measured level with the lowest concurrency. Its median, rounded up to the
1 ms billing step, is the billed duration; its p99 is the warm latency. Free tiers are not
applied (they belong to an account, not to one service).

Cold starts come on top after idle gaps and when scaling out. They are not priced, but they
decide whether the option meets the latency target: it does only when the measured cold start
fits the p99 target, or when the traffic has neither idle gaps (it runs 24 h a day, a request
at least every minute) nor scale-out (the peak is the average). Otherwise the cold start lands
in the requests' latency, and the option is marked as missing the target, with the cold start
stated.
"""

from __future__ import annotations

import math

from learnburn.costs._inputs import (
    margin,
    peak_rps,
    price_notes,
    requests_a_month,
    scheduled_hours,
    utilisation,
    worker_rss,
)
from learnburn.costs._limits import (
    LAMBDA_IMAGE_GB,
    LAMBDA_MAX_MEMORY_MB,
    LAMBDA_ONE_VCPU_MB,
    LAMBDA_PAYLOAD_MB,
    LAMBDA_TIER_1_GB_S,
    LAMBDA_TIER_2_GB_S,
    LAMBDA_TIMEOUT_S,
    SERVERLESS_MAX_CONCURRENCY,
    SERVERLESS_MEMORY_MB,
    SERVERLESS_PAYLOAD_MB,
    SERVERLESS_TIMEOUT_S,
    request_problems,
)
from learnburn.costs._prices import PriceTable
from learnburn.costs._records import (
    CostOption,
    Quantity,
    Working,
    add_data_charge,
    given,
    priced,
    unavailable,
)
from learnburn.costs._traffic import Traffic
from learnburn.profiling import Measurements

_GB_S = "USD per GB-second"
IDLE_GAP_S = 60.0  # a mean gap between requests longer than this leaves environments to go cold


def cold_start_verdict(m: Measurements, traffic: Traffic) -> tuple[bool, str]:
    """Whether the cold start stays out of the p99 at this traffic, and the sentence saying
    why (the cold start stated in seconds)."""
    cold_ms = m.cold_start_s * 1000
    stated = f"cold start: {m.cold_start_s:g} s measured, plus the platform's own start"
    target = f"p99 <= {traffic.p99_ms:g} ms"
    if cold_ms <= traffic.p99_ms:
        return True, f"{stated}; the measured part fits {target}"
    gaps = []
    if traffic.hours_per_day < 24:
        gaps.append(f"it idles {24 - traffic.hours_per_day:g} h a day")
    if 1 / traffic.rps > IDLE_GAP_S:
        gaps.append(f"a request only every {1 / traffic.rps:,.0f} s on average")
    if traffic.peak > traffic.rps:
        gaps.append(
            f"it scales out from {traffic.rps:g} to {traffic.peak:g} req/s, "
            "starting new environments cold"
        )
    if not gaps:
        return True, (
            f"{stated}: longer than {target}, but this traffic has no idle gaps and no "
            "scale-out, so environments stay warm"
        )
    return False, (
        f"{stated}: exceeds {target}, and {'; '.join(gaps)}, so requests wait for it "
        "(counted as missing the target)"
    )


def lambda_option(m: Measurements, traffic: Traffic, prices: PriceTable) -> CostOption:
    """The service as a Lambda function (x86) with a full vCPU, as it was measured."""
    label = "Lambda"
    tiers = [
        prices.find("lambda", f"x86 duration tier {n}", unit=_GB_S, region=traffic.region)
        for n in (1, 2, 3)
    ]
    per_million = prices.find(
        "lambda", "requests", unit="USD per 1M requests", region=traffic.region
    )
    if tiers[0] is None or per_million is None:
        return unavailable("lambda", label, "—", f"{prices.file} has no Lambda x86 prices")
    w = Working()
    memory = w.step(
        "memory",
        "min(max_memory_mb, max(one_vcpu_mb, ceil(worker_rss_mb * margin)))",
        "MB",
        max_memory_mb=Quantity(LAMBDA_MAX_MEMORY_MB, "MB", "limit: Lambda's largest memory"),
        one_vcpu_mb=Quantity(LAMBDA_ONE_VCPU_MB, "MB", "limit: one full vCPU, as measured"),
        worker_rss_mb=worker_rss(m),
        margin=margin(),
    )
    index, single = m.single_request
    billed = _billed_ms(w, index, single.p50_ms)
    requests = requests_a_month(w, traffic, scheduled_hours(w, traffic))
    total = price_lambda(memory, billed, requests, prices, region=traffic.region, w=w)
    problems = request_problems(
        "Lambda",
        LAMBDA_TIMEOUT_S,
        LAMBDA_PAYLOAD_MB,
        single.p99_ms,
        traffic.payload_kb,
        cold_start_s=m.cold_start_s,
    )
    if m.worker_rss_mb * margin().value > LAMBDA_MAX_MEMORY_MB:
        problems.append(f"a worker needs more than Lambda's {LAMBDA_MAX_MEMORY_MB} MB")
    if m.bundle_size_bytes and m.bundle_size_bytes > LAMBDA_IMAGE_GB * 1e9:
        problems.append(f"the bundle exceeds Lambda's {LAMBDA_IMAGE_GB:g} GB container image")
    concurrency = math.ceil(traffic.peak * billed.value / 1000)
    warm_enough, cold = cold_start_verdict(m, traffic)
    notes = [
        *problems,
        f"{cold} (provisioned concurrency removes it, at a price)",
        f"about {concurrency} concurrent execution{'s' * (concurrency != 1)} at the peak",
        *price_notes([t for t in tiers if t] + [per_million], traffic.region),
    ]
    if traffic.payload_kb is None:
        notes.append(
            f"payload not given: synchronous invocations carry at most {LAMBDA_PAYLOAD_MB:g} MB"
        )
    return priced(
        w,
        target="lambda",
        label=label,
        configuration=f"{memory.value:,.0f} MB, x86, {billed.value:g} ms billed per request",
        units=f"{requests.value / 1e6:,.1f}M requests",
        monthly_usd=None if problems else total.value,
        meets_p99=single.p99_ms <= traffic.p99_ms and warm_enough,
        p99_ms=single.p99_ms,
        notes=notes,
        count=concurrency,
    )


def price_lambda(
    memory_mb: float | Quantity,
    billed_ms: float | Quantity,
    requests: float | Quantity,
    prices: PriceTable,
    *,
    region: str = "us-east-1",
    w: Working | None = None,
) -> Quantity:
    """The monthly cost of ``requests`` invocations of ``billed_ms`` at ``memory_mb`` (x86):
    GB-seconds priced by tier, plus the request charge."""
    w = Working() if w is None else w
    tier_1 = prices.find("lambda", "x86 duration tier 1", unit=_GB_S, region=region)
    tier_2 = prices.find("lambda", "x86 duration tier 2", unit=_GB_S, region=region) or tier_1
    tier_3 = prices.find("lambda", "x86 duration tier 3", unit=_GB_S, region=region) or tier_2
    per_million = prices.find("lambda", "requests", unit="USD per 1M requests", region=region)
    gb_seconds = w.step(
        "GB-seconds",
        "requests * billed_ms / 1000 * memory_mb / 1024",
        "GB-s",
        requests=given(requests, "requests"),
        billed_ms=given(billed_ms, "ms"),
        memory_mb=given(memory_mb, "MB"),
    )
    duration = w.step(
        "duration charge",
        "min(gb_s, tier_1_gb_s) * rate_1 + max(0, min(gb_s, tier_2_gb_s) - tier_1_gb_s) * rate_2"
        " + max(0, gb_s - tier_2_gb_s) * rate_3",
        "USD/month",
        gb_s=gb_seconds,
        tier_1_gb_s=Quantity(LAMBDA_TIER_1_GB_S, "GB-s", "tier: first 6 billion GB-s a month"),
        tier_2_gb_s=Quantity(LAMBDA_TIER_2_GB_S, "GB-s", "tier: next 9 billion GB-s"),
        rate_1=Quantity.of(tier_1),
        rate_2=Quantity.of(tier_2),
        rate_3=Quantity.of(tier_3),
    )
    request_charge = w.step(
        "request charge",
        "requests / 1000000 * per_million",
        "USD/month",
        requests=given(requests, "requests"),
        per_million=Quantity.of(per_million),
    )
    return w.step(
        "monthly cost",
        "duration + request_charge",
        "USD/month",
        duration=duration,
        request_charge=request_charge,
    )


def sagemaker_serverless_option(
    m: Measurements, traffic: Traffic, prices: PriceTable
) -> CostOption:
    """The service as a SageMaker Serverless endpoint at the smallest memory size that holds a
    worker."""
    label = "SageMaker serverless"
    needed = m.worker_rss_mb * margin().value
    size = next((mb for mb in SERVERLESS_MEMORY_MB if mb >= needed), None)
    if size is None:
        return unavailable(
            "sagemaker-serverless",
            label,
            "—",
            f"a worker needs {needed:,.0f} MB; serverless offers at most "
            f"{SERVERLESS_MEMORY_MB[-1]} MB",
        )
    per_second = prices.find(
        "sagemaker-serverless", f"compute {size} MB", unit="USD per second", region=traffic.region
    )
    if per_second is None:
        return unavailable(
            "sagemaker-serverless",
            label,
            f"{size} MB",
            f"{prices.file} has no price for sagemaker-serverless 'compute {size} MB'",
        )
    w = Working()
    index, single = m.single_request
    billed = _billed_ms(w, index, single.p50_ms)
    requests = requests_a_month(w, traffic, scheduled_hours(w, traffic))
    concurrency = w.step(
        "concurrency at the peak",
        "max(least, ceil(peak_rps * billed_ms / 1000 / utilisation))",
        "requests",
        least=Quantity(
            2, "requests", "assumed: two at once, so one slow request does not throttle the next"
        ),
        peak_rps=peak_rps(traffic),
        billed_ms=billed,
        utilisation=utilisation(traffic),
    )
    compute = w.step(
        "compute charge",
        "requests * billed_ms / 1000 * per_second",
        "USD/month",
        requests=requests,
        billed_ms=billed,
        per_second=Quantity.of(per_second),
    )
    total = _add_data(w, compute, requests, traffic, prices)
    problems = request_problems(
        "serverless",
        SERVERLESS_TIMEOUT_S,
        SERVERLESS_PAYLOAD_MB,
        single.p99_ms,
        traffic.payload_kb,
        cold_start_s=m.cold_start_s,
    )
    if concurrency.value > SERVERLESS_MAX_CONCURRENCY:
        problems.append(
            f"needs {concurrency.value:g} concurrent requests; an endpoint allows at most "
            f"{SERVERLESS_MAX_CONCURRENCY}"
        )
    warm_enough, cold = cold_start_verdict(m, traffic)
    notes = [
        *problems,
        cold,
        "CPU share grows with memory size and was not measured at this size",
        *price_notes(w.prices, traffic.region),
    ]
    if traffic.payload_kb is None:
        notes.append("data processed not priced (no --payload-kb)")
    return priced(
        w,
        target="sagemaker-serverless",
        label=label,
        configuration=f"{size} MB, {billed.value:g} ms billed per request",
        units=f"{requests.value / 1e6:,.1f}M requests",
        monthly_usd=None if problems else total.value,
        meets_p99=single.p99_ms <= traffic.p99_ms and warm_enough,
        p99_ms=single.p99_ms,
        notes=notes,
        count=int(concurrency.value),
    )


def _billed_ms(w: Working, index: int, p50_ms: float) -> Quantity:
    return w.step(
        "billed duration",
        "ceil(p50_ms)",
        "ms",
        p50_ms=Quantity(
            p50_ms, "ms", f"measured: http.levels[{index}].p50_ms, one request at a time"
        ),
    )


def _add_data(
    w: Working, compute: Quantity, requests: Quantity, traffic: Traffic, prices: PriceTable
) -> Quantity:
    per_gb = prices.find(
        "sagemaker-serverless", "data processed in+out", unit="USD per GB", region=traffic.region
    )
    return add_data_charge(
        w, compute, traffic.payload_kb, per_gb, lambda: requests, label="data processed"
    )
