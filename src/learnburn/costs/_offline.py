"""Work that runs as jobs: SageMaker batch transform for offline scoring, and retraining on a
SageMaker training instance. A job bills the instance for its run time, so its cost is hours of
work times the hourly price; the latency target does not apply."""

from __future__ import annotations

from learnburn.costs._inputs import (
    margin,
    price_notes,
    requests_a_month,
    scheduled_hours,
    workers_per_instance,
)
from learnburn.costs._instances import instance_spec
from learnburn.costs._limits import HOURS_PER_MONTH
from learnburn.costs._prices import PriceTable
from learnburn.costs._records import CostOption, Quantity, Working, given, priced, unavailable
from learnburn.costs._traffic import Traffic
from learnburn.profiling import Measurements


def batch_transform_options(
    m: Measurements, traffic: Traffic, prices: PriceTable
) -> list[CostOption]:
    """Scoring a month's rows offline, one option per CPU instance type: the rows divided by
    the measured in-process rate at the largest batch, one worker per vCPU."""
    label = "SageMaker batch transform"
    options = []
    timing = m.largest_batch
    index = m.in_process.index(timing)
    for price in prices.instances("sagemaker-realtime", region=traffic.region):
        spec = instance_spec(price.item)
        if spec is None or not spec.cpu_only:
            continue
        w = Working()
        rows = _rows(w, traffic)
        workers = workers_per_instance(w, m, spec)
        if workers.value < 1:
            continue
        hours = w.step(
            "instance-hours",
            "rows / (rows_per_s * workers * 3600)",
            "h",
            rows=rows,
            workers=workers,
            rows_per_s=Quantity(
                timing.rows_per_s,
                "rows/s",
                f"measured: in_process[{index}].rows_per_s at {timing.batch_rows} rows a call",
            ),
        )
        total = w.step(
            "monthly cost", "hours * hourly", "USD/month", hours=hours, hourly=Quantity.of(price)
        )
        notes = [
            "priced at the real-time hosting rate: the table has no batch-transform rates",
            f"each job also bills instance start-up and a {m.cold_start_s:g} s cold start",
            *price_notes([price], traffic.region),
        ]
        if spec.burstable_baseline is not None:
            notes.append(
                f"burstable: a job running flat out exceeds its {spec.burstable_baseline:.0%} "
                "baseline; CPU credits (not priced) pay for the rest"
            )
        options.append(
            priced(
                w,
                target="sagemaker-batch",
                label=label,
                configuration=f"{price.item}, {workers.value:g} workers, "
                f"{timing.batch_rows:,} rows a call",
                units=f"{hours.value:,.2f} instance-hours",
                monthly_usd=total.value,
                online=False,
                notes=notes,
                count=1,
            )
        )
    return options or [
        unavailable("sagemaker-batch", label, "—", "no CPU instance type priced for SageMaker")
    ]


def retraining_option(m: Measurements, traffic: Traffic, prices: PriceTable) -> CostOption | None:
    """Retraining every ``traffic.retrain_every`` on the cheapest CPU training instance whose
    memory holds the measured peak; None when no interval is given."""
    every = traffic.retrain_hours
    if every is None:
        return None
    label, configuration = "Retraining", f"every {traffic.retrain_every}"
    if m.training_fit_s is None:
        return unavailable(
            "sagemaker-training",
            label,
            configuration,
            "the profile has no training measurement (the bundle has no run)",
        )
    needed = (m.training_peak_mb or 0.0) * margin().value
    fitting = [
        (price, spec)
        for price in prices.instances("sagemaker-training", region=traffic.region)
        if (spec := instance_spec(price.item)) and spec.cpu_only and spec.memory_mib >= needed
    ]
    if not fitting:
        return unavailable(
            "sagemaker-training",
            label,
            configuration,
            f"no CPU training instance in {prices.file} holds {needed:,.0f} MB",
        )
    price, spec = min(fitting, key=lambda pair: pair[0].usd)
    w = Working()
    total = price_retraining(m.training_fit_s, every, Quantity.of(price), w=w)
    notes = [
        f"fit measured at {m.training_fit_s:g} s on {m.logical_cpus} CPUs ({m.cpu_model}); "
        f"{price.item} has {spec.vcpus} vCPUs",
        "a job also bills container start and data download (not measured)",
        *(["training memory not measured: assumed to fit"] if not m.training_peak_mb else []),
        *price_notes([price], traffic.region),
    ]
    runs = HOURS_PER_MONTH / every
    return priced(
        w,
        target="sagemaker-training",
        label=label,
        configuration=f"{price.item} every {traffic.retrain_every}",
        units=f"{runs:,.2f} runs",
        monthly_usd=total.value,
        online=False,
        notes=notes,
        count=1,
    )


def price_retraining(
    fit_seconds: float,
    every_hours: float,
    hourly: float | Quantity,
    *,
    w: Working | None = None,
) -> Quantity:
    """The monthly cost of a fit of ``fit_seconds`` every ``every_hours`` on an instance at
    ``hourly`` dollars an hour."""
    w = Working() if w is None else w
    runs = w.step(
        "runs a month",
        "hours_per_month / every_hours",
        "runs",
        hours_per_month=Quantity(HOURS_PER_MONTH, "h", "convention: 730 h a month"),
        every_hours=Quantity(every_hours, "h", "you: --retrain-every"),
    )
    return w.step(
        "monthly cost",
        "runs * fit_seconds / 3600 * hourly",
        "USD/month",
        runs=runs,
        hourly=given(hourly, "USD per instance-hour"),
        fit_seconds=Quantity(fit_seconds, "s", "measured: training.fit_seconds"),
    )


def _rows(w: Working, traffic: Traffic) -> Quantity:
    if traffic.batch_rows is not None:
        return Quantity(traffic.batch_rows, "rows", "you: --batch-rows")
    requests = requests_a_month(w, traffic, scheduled_hours(w, traffic))
    return w.step(
        "rows a month",
        "requests * rows_per_request",
        "rows",
        requests=requests,
        rows_per_request=Quantity(1, "row", "assumed: one row per request"),
    )
