"""A CloudFormation stack as records: its status, outputs, resources and events, and waiting
for it to settle while reporting each new event.

Events are told apart by their IDs, not their times, so a clock that differs from AWS's does
not hide or repeat any.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from learnburn.deploy._aws import aws_error, botocore_errors, is_missing_stack
from learnburn.errors import DeployError

Progress = Callable[["StackEvent | str"], None]
SUCCEEDED = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE", "DELETE_COMPLETE"})
_CANCELLED = "Resource creation cancelled"


@dataclass(frozen=True)
class StackEvent:
    """One thing CloudFormation did to a resource (or to the stack itself)."""

    logical_id: str
    resource_type: str
    status: str
    reason: str = ""
    time: str = ""

    @property
    def failed(self) -> bool:
        return self.status.endswith("_FAILED")

    def summary(self) -> str:
        """``Service (AWS::ECS::Service) CREATE_FAILED: reason``."""
        reason = f": {self.reason}" if self.reason else ""
        return f"{self.logical_id} ({self.resource_type}) {self.status}{reason}"


@dataclass(frozen=True)
class StackResource:
    logical_id: str
    resource_type: str
    physical_id: str
    status: str
    reason: str = ""


@dataclass(frozen=True)
class StackReport:
    """What ``learnburn deploy status`` shows: the stack and what it holds."""

    name: str
    region: str
    status: str
    reason: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    resources: tuple[StackResource, ...] = ()
    failures: tuple[StackEvent, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def url(self) -> str | None:
        return self.outputs.get("EndpointUrl") or self.outputs.get("ServiceUrl")

    @property
    def target(self) -> str:
        return self.tags.get("learnburn:target", "")


def find_stack(cf: Any, name: str) -> dict[str, Any] | None:
    """The stack's description, or None when there is no such stack."""
    try:
        stacks = cf.describe_stacks(StackName=name)["Stacks"]
    except botocore_errors() as exc:
        if is_missing_stack(exc):
            return None
        raise
    return stacks[0] if stacks else None


def event_ids(cf: Any, name: str) -> set[str]:
    """The IDs of the stack's latest events (none for a stack that does not exist)."""
    try:
        return {e["EventId"] for e in cf.describe_stack_events(StackName=name)["StackEvents"]}
    except botocore_errors() as exc:
        if is_missing_stack(exc):
            return set()
        raise


def new_events(cf: Any, name: str, seen: set[str]) -> list[StackEvent]:
    """The events not in ``seen`` (which they are added to), oldest first."""
    page = cf.describe_stack_events(StackName=name)["StackEvents"]
    fresh = [e for e in page if e["EventId"] not in seen]
    seen.update(e["EventId"] for e in fresh)
    return [_event(e) for e in reversed(fresh)]


def wait_for_stack(
    cf: Any,
    name: str,
    seen: set[str],
    *,
    progress: Progress | None = None,
    poll_seconds: float = 5.0,
    timeout_s: float = 3600.0,
) -> tuple[dict[str, Any] | None, list[StackEvent]]:
    """Poll until the stack is no longer in progress; its description (None once deleted) and
    every event seen meanwhile. ``name`` should be the stack ID when waiting for a delete."""
    deadline = time.monotonic() + timeout_s
    events: list[StackEvent] = []
    while True:
        stack = find_stack(cf, name)
        if stack is not None:
            for event in new_events(cf, name, seen):
                events.append(event)
                if progress is not None:
                    progress(event)
        if stack is None or not stack["StackStatus"].endswith("_IN_PROGRESS"):
            return stack, events
        if time.monotonic() > deadline:
            raise DeployError(
                f"the stack {name} is still {stack['StackStatus']} after {timeout_s / 60:g} "
                "minutes; CloudFormation carries on without learnburn",
                hint=f"follow it with `learnburn deploy status {name}` or in the console",
            )
        time.sleep(poll_seconds)


def failures(events: list[StackEvent]) -> list[StackEvent]:
    """The resources that failed, the causes before the cancellations they led to."""
    failed = [e for e in events if e.failed and e.resource_type != "AWS::CloudFormation::Stack"]
    return sorted(failed, key=lambda e: _CANCELLED in e.reason)


def describe_stack(cf: Any, name: str, region: str) -> StackReport:
    """The report on stack ``name``; a DeployError when there is none."""
    try:
        stack = find_stack(cf, name)
    except botocore_errors() as exc:
        raise aws_error(f"describing the stack {name}", exc) from exc
    if stack is None:
        raise DeployError(
            f"there is no stack named {name} in {region}",
            hint="check the name (learnburn deploy writes it beside the template) and --region",
        )
    notes: list[str] = []
    try:
        resources = _resources(cf, name)
        recent = [_event(e) for e in cf.describe_stack_events(StackName=name)["StackEvents"]]
    except botocore_errors() as exc:
        resources, recent = (), []
        notes.append(str(aws_error("listing the stack's resources", exc)))
    return StackReport(
        name=stack["StackName"],
        region=region,
        status=stack["StackStatus"],
        reason=stack.get("StackStatusReason", ""),
        outputs={o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs") or []},
        parameters={
            p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters") or []
        },
        tags={t["Key"]: t["Value"] for t in stack.get("Tags") or []},
        resources=resources,
        failures=tuple(failures(list(reversed(recent)))) if _unhealthy(stack) else (),
        notes=tuple(notes),
    )


def _resources(cf: Any, name: str) -> tuple[StackResource, ...]:
    found = []
    for page in cf.get_paginator("list_stack_resources").paginate(StackName=name):
        for r in page["StackResourceSummaries"]:
            found.append(
                StackResource(
                    logical_id=r["LogicalResourceId"],
                    resource_type=r["ResourceType"],
                    physical_id=r.get("PhysicalResourceId", ""),
                    status=r["ResourceStatus"],
                    reason=r.get("ResourceStatusReason", ""),
                )
            )
    return tuple(found)


def _unhealthy(stack: dict[str, Any]) -> bool:
    status = stack["StackStatus"]
    return "ROLLBACK" in status or status.endswith("_FAILED")


def _event(raw: dict[str, Any]) -> StackEvent:
    stamp = raw.get("Timestamp")
    return StackEvent(
        logical_id=raw.get("LogicalResourceId", ""),
        resource_type=raw.get("ResourceType", ""),
        status=raw.get("ResourceStatus", ""),
        reason=raw.get("ResourceStatusReason", "") or "",
        time=stamp.isoformat() if hasattr(stamp, "isoformat") else str(stamp or ""),
    )
