"""How big to make it: the defaults of the template's size parameters, taken from the option
``learnburn cost --json`` recommends for the target when a cost report is given, else from
fixed defaults; each size given by hand wins over both.

Which option of a report: its overall choice when that is on the target, else the target's best
option in the report's own ranking (usable first, then meeting the p99 target, then cheapest).

Autoscaling bounds: the least instances or tasks is two for production (``ha``, the default;
AWS spreads them across Availability Zones), one with ``ha=False``; the most is twice what the
report sizes for the peak, so a peak above the forecast is absorbed. A real-time endpoint's
target (invocations a minute per instance) is what the report measured one instance to serve
at the planned utilisation; a service's CPU target is that utilisation.

Instance types are checked against the price table and AWS's documented SageMaker instance
families; Fargate sizes against the CPU and memory pairs Fargate accepts.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from learnburn.costs import check_fargate_size, load_prices
from learnburn.deploy import _ecs, _sagemaker
from learnburn.errors import CostError, CostWarning, DeployError

TARGETS = ("sagemaker", "sagemaker-serverless", "ecs-fargate")
COST_TARGETS = {  # deploy target -> the target's name in a cost report
    "sagemaker": "sagemaker-realtime",
    "sagemaker-serverless": "sagemaker-serverless",
    "ecs-fargate": "fargate",
}
# AWS's documented SageMaker hosting instance families (docs.aws.amazon.com/sagemaker, instance
# types for real-time inference) and the sizes instance names use
SAGEMAKER_FAMILIES = frozenset(
    [
        "t2",
        "t3",
        "m4",
        "m5",
        "m5d",
        "m6g",
        "m6gd",
        "m6i",
        "m6id",
        "m7i",
        "c4",
        "c5",
        "c5d",
        "c6g",
        "c6gd",
        "c6gn",
        "c6i",
        "c6id",
        "c7g",
        "c7i",
        "r5",
        "r5d",
        "r6g",
        "r6gd",
        "r6i",
        "r6id",
        "r7i",
        "g4dn",
        "g5",
        "g6",
        "g6e",
        "p2",
        "p3",
        "p4d",
        "p4de",
        "p5",
        "inf1",
        "inf2",
        "trn1",
    ]
)
_SIZE = re.compile(r"^(medium|large|xlarge|(2|3|4|6|8|9|12|16|18|24|32|48)xlarge)$")
DEFAULTS: dict[str, dict[str, Any]] = {
    "sagemaker": _sagemaker.DEFAULTS["sagemaker"],
    "sagemaker-serverless": _sagemaker.DEFAULTS["sagemaker-serverless"],
    "ecs-fargate": _ecs.DEFAULTS,
}


@dataclass(frozen=True)
class Sizing:
    """The size parameters' values and where each came from ("default", "cost: ..." or
    "you")."""

    values: dict[str, Any]
    sources: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        """``Cpu=1024, Memory=2048 (cost: 1 vCPU / 2 GB task...); DesiredCount=2 (you)``."""
        groups: dict[str, list[str]] = {}
        for key, value in self.values.items():
            groups.setdefault(self.sources.get(key, "default"), []).append(f"{key}={value}")
        return "; ".join(f"{', '.join(pairs)} ({source})" for source, pairs in groups.items())


def choose_sizing(
    target: str,
    cost: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | None = None,
    *,
    ha: bool = True,
) -> Sizing:
    """The sizes for ``target``: defaults, then the cost report's option, then ``overrides``
    (template parameter name -> value); checked against what the platform accepts. ``ha``
    (production, the default) runs at least two instances or tasks; ``ha=False`` one."""
    check_target(target)
    values = dict(DEFAULTS[target])
    sources = dict.fromkeys(values, "default")
    if not ha:
        for key in ("InstanceCount", "DesiredCount"):
            if key in values:
                values[key] = 1
                sources[key] = "--no-ha"
    if cost is not None:
        option = recommended_option(cost, target)
        found = _sizes_of(option, target, cost, least=2 if ha else 1)
        values |= found
        label = f"cost: {option.get('configuration', '?')}"
        sources |= dict.fromkeys(found, label)
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = value
            sources[key] = "you"
    _check(target, values)
    return Sizing(values, sources)


def read_cost_report(path: Path) -> dict[str, Any]:
    """The JSON written by ``learnburn cost --json``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DeployError(
            f"cannot read the cost report '{path}': {exc}",
            hint="give the file written by `learnburn cost PROFILE --rps R --json COST.json`",
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("options"), list):
        raise DeployError(
            f"'{path}' is not a cost report: it has no list of options",
            hint="give the file written by `learnburn cost PROFILE --rps R --json COST.json`",
        )
    return data


def recommended_option(cost: Mapping[str, Any], target: str) -> dict[str, Any]:
    """The report's option for ``target`` (see the module's docstring)."""
    wanted = COST_TARGETS[target]
    options = [o for o in cost["options"] if isinstance(o, dict)]
    choice = cost.get("choice")
    chosen = options[choice] if isinstance(choice, int) and 0 <= choice < len(options) else {}
    if chosen.get("target") == wanted and chosen.get("feasible"):
        return chosen
    mine = [o for o in options if o.get("target") == wanted and o.get("feasible")]
    if not mine:
        raise DeployError(
            f"the cost report prices no usable '{wanted}' option for the target '{target}'",
            hint="drop --cost to use the default sizes, or give them (--instance-type, "
            "--memory-mb, --cpu...)",
        )
    return min(mine, key=lambda o: (o.get("meets_p99") is False, o.get("monthly_usd") or 0.0))


def _sizes_of(
    option: Mapping[str, Any], target: str, cost: Mapping[str, Any], *, least: int
) -> dict[str, Any]:
    configuration = str(option.get("configuration", ""))
    count = max(1, int(option.get("count") or 1))
    most = max(least, 2 * count)
    utilisation = float((cost.get("traffic") or {}).get("utilisation") or 0.7)
    if target == "sagemaker":
        match = re.match(r"(ml\.[a-z0-9]+\.[a-z0-9]+)\b", configuration)
        if match:
            found = {"InstanceType": match.group(1), "InstanceCount": least}
            found["MaxInstanceCount"] = most
            per_instance = _instance_capacity(option)
            if per_instance:
                found["TargetInvocationsPerInstance"] = max(1, math.floor(per_instance * 60))
            return found
    elif target == "sagemaker-serverless":
        match = re.match(r"(\d+) MB\b", configuration)
        if match:
            concurrency = min(count, _sagemaker.SERVERLESS_MAX_CONCURRENCY)
            return {"MemorySizeInMB": int(match.group(1)), "MaxConcurrency": concurrency}
    else:
        sources = " ".join(_input_sources(option))
        cpu = re.search(r"task size: (\d+) CPU units", sources)
        memory = re.search(r"task size: (\d+) MiB", sources)
        if cpu and memory:
            return {
                "Cpu": int(cpu.group(1)),
                "Memory": int(memory.group(1)),
                "DesiredCount": least,
                "MaxCount": most,
                "TargetCpuPercent": round(utilisation * 100),
            }
    raise DeployError(
        f"cannot read the size of the cost report's option '{configuration}' for '{target}'",
        hint="give the sizes by hand, or write the report again with this learnburn's "
        "`learnburn cost --json`",
    )


def _instance_capacity(option: Mapping[str, Any]) -> float | None:
    """Requests a second one instance serves at the planned utilisation, from the report's
    ``instances`` step: rps_per_vcpu * workers * utilisation."""
    for step in option.get("steps") or []:
        if step.get("name") == "instances":
            inputs = step.get("inputs") or {}
            try:
                return float(
                    inputs["rps_per_vcpu"]["value"]
                    * inputs["workers"]["value"]
                    * inputs["utilisation"]["value"]
                )
            except (KeyError, TypeError):
                return None
    return None


def _input_sources(option: Mapping[str, Any]) -> list[str]:
    return [
        str(quantity.get("source", ""))
        for step in option.get("steps") or []
        for quantity in (step.get("inputs") or {}).values()
        if isinstance(quantity, dict)
    ]


def _check(target: str, values: dict[str, Any]) -> None:
    if target == "ecs-fargate":
        try:
            check_fargate_size(int(values["Cpu"]), int(values["Memory"]))
        except CostError as error:
            raise DeployError(error.message, hint=error.hint) from None
    elif target == "sagemaker-serverless":
        if int(values["MemorySizeInMB"]) not in _sagemaker.SERVERLESS_MEMORY_MB:
            allowed = ", ".join(str(m) for m in _sagemaker.SERVERLESS_MEMORY_MB)
            raise DeployError(
                f"SageMaker serverless has no memory size of {values['MemorySizeInMB']} MB",
                hint=f"use one of {allowed}",
            )
        if not 1 <= int(values["MaxConcurrency"]) <= _sagemaker.SERVERLESS_MAX_CONCURRENCY:
            raise DeployError(
                f"a serverless endpoint's concurrency must be 1 to "
                f"{_sagemaker.SERVERLESS_MAX_CONCURRENCY}, got {values['MaxConcurrency']}",
                hint="pass --max-concurrency within that range",
            )
    else:
        check_instance_type(str(values["InstanceType"]))
    for key, least in (("InstanceCount", 1), ("DesiredCount", 0)):
        if key in values and int(values[key]) < least:
            raise DeployError(
                f"{key} must be at least {least}, got {values[key]}", hint="pass --count"
            )
    for low, high in (("InstanceCount", "MaxInstanceCount"), ("DesiredCount", "MaxCount")):
        if high in values and int(values[high]) < max(1, int(values[low])):
            raise DeployError(
                f"{high} ({values[high]}) is below {low} ({values[low]}): autoscaling needs "
                "room between them",
                hint="pass --max-count at least --count",
            )


def check_instance_type(name: str) -> None:
    """Refuse an instance type that is neither priced in the table nor a documented SageMaker
    hosting family with a real size (``ml.p9.mega``)."""
    priced = _priced_instance_types()
    if name in priced:
        return
    match = re.fullmatch(r"ml\.([a-z0-9]+)\.([a-z0-9]+)", name)
    if match and match.group(1) in SAGEMAKER_FAMILIES and _SIZE.match(match.group(2)):
        return
    if match is None:
        problem = "SageMaker instance types start with 'ml.' (ml.FAMILY.SIZE)"
    elif match.group(1) not in SAGEMAKER_FAMILIES:
        problem = f"'{match.group(1)}' is not a SageMaker instance family AWS documents"
    else:
        problem = f"'{match.group(2)}' is not an instance size"
    raise DeployError(
        f"'{name}' is not a SageMaker instance type: {problem}",
        hint=f"use one the price table prices ({', '.join(sorted(priced))}) or another from "
        "AWS's SageMaker instance types page",
    )


def _priced_instance_types() -> set[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CostWarning)  # an old table still names real types
        table = load_prices()
    return {p.item for p in table.prices if p.service == "sagemaker-realtime" and p.is_instance}


def check_target(target: str) -> None:
    if target not in TARGETS:
        raise DeployError(
            f"unknown deploy target '{target}'", hint=f"use one of {', '.join(TARGETS)}"
        )
