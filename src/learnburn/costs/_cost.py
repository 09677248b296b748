"""``estimate_cost``: every way to serve the measured bundle at the given traffic, priced a month.

Every figure is either measured (the profile) or read from the price table; the few assumptions
(utilisation, the memory margin, one row per request, one new connection per request) are named
in the steps. Each option keeps its steps, so a front end can show the working.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from learnburn._records import Record
from learnburn.costs._fargate import fargate_options
from learnburn.costs._formula import money
from learnburn.costs._hosted import ec2_options, sagemaker_realtime_options
from learnburn.costs._offline import batch_transform_options, retraining_option
from learnburn.costs._prices import (
    MAX_AGE_DAYS,
    PriceTable,
    check_prices_used,
    check_table_age,
    load_prices,
)
from learnburn.costs._records import CostOption
from learnburn.costs._serverless import lambda_option, sagemaker_serverless_option
from learnburn.costs._throughput import Throughput, choose_level
from learnburn.costs._traffic import Traffic
from learnburn.costs._verdict import (
    GpuComparison,
    choose_option,
    compare_gpu,
    write_verdict,
)
from learnburn.errors import CostError, CostWarning
from learnburn.profiling import Measurements, measurements_from_dict


@dataclass(frozen=True)
class CostReport(Record):
    """The priced options, cheapest first (those that cannot be used last), and the verdict."""

    measurements: Measurements
    traffic: Traffic
    throughput: Throughput
    options: tuple[CostOption, ...]
    retraining: CostOption | None
    choice: CostOption | None
    gpu: GpuComparison
    verdict: tuple[str, ...]
    warnings: tuple[str, ...]
    prices_file: str
    today: date

    def cheapest_per_target(self) -> tuple[CostOption, ...]:
        """Each target's best option: the cheapest that meets the target, else the cheapest,
        else the reason it cannot be used; in the report's order."""
        best: dict[str, CostOption] = {}
        for option in self.options:
            current = best.get(option.target)
            if current is None or _better(option, current):
                best[option.target] = option
        return tuple(o for o in self.options if best.get(o.target) is o)

    def to_dict(self) -> dict[str, Any]:
        t = self.traffic
        return {
            "profile": self.measurements.source,
            "prices": self.prices_file,
            "today": self.today.isoformat(),
            "traffic": {
                "rps": t.rps,
                "peak_rps": t.peak,
                "p99_ms": t.p99_ms,
                "hours_per_day": t.hours_per_day,
                "retrain_every": t.retrain_every,
                "payload_kb": t.payload_kb,
                "requests_per_connection": t.requests_per_connection,
                "batch_rows": t.batch_rows,
                "utilisation": t.utilisation,
                "region": t.region,
                "ha": t.ha,
            },
            "throughput": self.throughput.to_dict(),
            "choice": None if self.choice is None else _index(self.options, self.choice),
            "options": [o.to_dict() for o in self.options],
            "retraining": None if self.retraining is None else self.retraining.to_dict(),
            "gpu": self.gpu.to_dict(),
            "verdict": list(self.verdict),
            "warnings": list(self.warnings),
        }


def estimate_cost(
    profile: Measurements | Mapping[str, Any],
    traffic: Traffic,
    prices: PriceTable | str | Path | None = None,
    *,
    today: date | None = None,
    max_price_age_days: int = MAX_AGE_DAYS,
    allow_unconfirmed: bool = False,
) -> CostReport:
    """Price every option for ``traffic`` from a profile (a :class:`Measurements` or the parsed
    ``profile.json``) and a price table (default: the one shipped with learnburn).

    Warns (:class:`CostWarning`) when the prices used are old or undated, or when no measured
    level meets the latency target; the report keeps those sentences in ``warnings``.

    Options priced from rows not confirmed against AWS's price list are shown but left out of
    the choice (and the GPU comparison) unless ``allow_unconfirmed``.
    """
    today = today or date.today()
    m = profile if isinstance(profile, Measurements) else measurements_from_dict(profile)
    table = (
        prices
        if isinstance(prices, PriceTable)
        else load_prices(prices, today=today, max_age_days=max_price_age_days)
    )
    throughput = choose_level(m, traffic.p99_ms)
    options = [
        *sagemaker_realtime_options(m, throughput, traffic, table),
        sagemaker_serverless_option(m, traffic, table),
        *batch_transform_options(m, traffic, table),
        *fargate_options(m, throughput, traffic, table),
        *ec2_options(m, throughput, traffic, table),
        lambda_option(m, traffic, table),
    ]
    options.sort(key=lambda o: (not o.feasible, o.monthly_usd or 0.0))
    if not any(o.feasible and o.online for o in options):
        reasons = "; ".join(dict.fromkeys(n for o in options for n in o.notes[:1]))
        raise CostError(
            f"no way to serve the bundle could be priced from {table.file}: {reasons}",
            hint="pass --prices with a table that prices Fargate, EC2, SageMaker or Lambda",
        )
    retraining = retraining_option(m, traffic, table)
    options = [_mark_unconfirmed(o, allow_unconfirmed) for o in options]
    eligible = options if allow_unconfirmed else [o for o in options if o.confirmed]
    choice = choose_option(eligible)
    gpu = compare_gpu(m, choice, traffic, table if allow_unconfirmed else table.confirmed_only())
    used = [p for o in [*options, retraining] if o is not None for p in o.prices]
    found = [
        *throughput.notes,
        check_prices_used([*used, *([gpu.price] if gpu.price else [])], today, max_price_age_days),
    ]
    for sentence in found:
        if sentence:
            warnings.warn(sentence, CostWarning, stacklevel=2)
    table_age = check_table_age(table, today, max_price_age_days)
    return CostReport(
        measurements=m,
        traffic=traffic,
        throughput=throughput,
        options=tuple(options),
        retraining=retraining,
        choice=choice,
        gpu=gpu,
        verdict=_unconfirmed_verdict(
            write_verdict(m, throughput, traffic, eligible, choice, gpu, retraining),
            options,
            choice,
            allow_unconfirmed,
        ),
        warnings=tuple(s for s in [table_age, *found] if s),
        prices_file=table.file,
        today=today,
    )


def _mark_unconfirmed(option: CostOption, allowed: bool) -> CostOption:
    rows = [p for p in dict.fromkeys(option.prices) if not p.confirmed]
    if not rows:
        return option
    what = f"{len(rows)} price{'s' * (len(rows) > 1)} not confirmed against AWS's price list"
    note = f"{what} (used: --allow-unconfirmed)" if allowed else f"{what}: left out of the verdict"
    return replace(option, notes=(note, *option.notes))


def _unconfirmed_verdict(
    lines: tuple[str, ...], options: list[CostOption], choice: CostOption | None, allowed: bool
) -> tuple[str, ...]:
    """The verdict, with a line saying which options rest on unconfirmed prices: after the
    choice, in place of the choice when they leave none, last when they were allowed."""
    left_out = [o for o in options if not o.confirmed and o.feasible and o.online]
    if not left_out:
        return lines
    if allowed:
        note = (
            f"{_options(len(left_out))} on prices not confirmed "
            "against AWS's price list (--allow-unconfirmed): check them before relying on this."
        )
        return (*lines, note)
    would = choose_option(options)
    head = (
        f"{_options(len(left_out))} on prices not confirmed "
        "against AWS's price list and are left out of this verdict"
    )
    if would is not None and would is not choice:
        head += (
            f" (with them, the cheapest that meets the target would be {would.label}, "
            f"{money(would.monthly_usd)} a month)"
        )
    head += (
        ". Refresh the table from AWS's offer files with `learnburn prices update`, or pass "
        "--allow-unconfirmed to choose among them."
    )
    if choice is None:
        return (head, *lines[1:])
    return (lines[0], head, *lines[1:])


def _options(n: int) -> str:
    return "1 option rests" if n == 1 else f"{n} options rest"


def _better(option: CostOption, current: CostOption) -> bool:
    def rank(o: CostOption) -> tuple:
        return (not o.feasible, o.online and o.meets_p99 is False, o.monthly_usd or 0.0)

    return rank(option) < rank(current)


def _index(options: tuple[CostOption, ...], choice: CostOption) -> int:
    return next(i for i, option in enumerate(options) if option is choice)
