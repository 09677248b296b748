"""``describe_deployment`` and ``delete_deployment``: a deployed stack by its name.

Deleting removes the stack (CloudFormation removes every resource it made, in order), waits for
it, then removes the model archives learnburn uploaded for it: the objects under
``s3://BUCKET/learnburn/STACK/``, the bucket read from the stack's tag, else its ModelBucket
parameter, else ``bucket``. In a versioned bucket the older versions stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from learnburn.deploy._aws import aws_error, botocore_errors, connect
from learnburn.deploy._plan import ARCHIVE_PREFIX, TAG_ARCHIVE
from learnburn.deploy._stack import (
    Progress,
    StackReport,
    describe_stack,
    event_ids,
    failures,
    find_stack,
    wait_for_stack,
)
from learnburn.errors import DeployError


@dataclass(frozen=True)
class DeleteOutcome:
    """What deleting removed: the stack (False when there was none) and the archives."""

    stack_name: str
    region: str
    stack_deleted: bool
    archives_removed: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def describe_deployment(stack_name: str, *, region: str | None = None) -> StackReport:
    """The stack's status, URL, parameters, resources and, when it failed, the failures."""
    aws = connect(region)
    return describe_stack(aws.client("cloudformation"), stack_name, aws.region)


def delete_deployment(
    stack_name: str,
    *,
    region: str | None = None,
    bucket: str | None = None,
    keep_archives: bool = False,
    progress: Progress | None = None,
    poll_seconds: float = 5.0,
    timeout_s: float = 3600.0,
) -> DeleteOutcome:
    """Delete the stack and its model archives; a DeployError naming any resource that
    CloudFormation could not delete."""
    aws = connect(region)
    cf = aws.client("cloudformation")
    notes: list[str] = []
    try:
        stack = find_stack(cf, stack_name)
        readable = True
    except botocore_errors() as exc:
        stack, readable = None, False  # it may exist all the same: delete it by name
        notes.append(f"{aws_error(f'describing the stack {stack_name}', exc).message}")
    if stack is None and readable and not bucket:
        raise DeployError(
            f"there is no stack named {stack_name} in {aws.region}",
            hint="check the name and --region; --bucket also removes archives left without a stack",
        )
    deleted = stack is not None or not readable
    if deleted:
        _delete_stack(cf, stack_name, stack, progress, poll_seconds, timeout_s)
    location = _archive_location(stack, bucket, stack_name)
    removed: tuple[str, ...] = ()
    if keep_archives:
        notes.append("the model archives were kept (--keep-archives)")
    elif location is not None:
        removed = _remove_archives(aws.client("s3"), *location, progress)
    elif not readable:
        notes.append(
            f"the stack could not be read, so its model archives (under "
            f"s3://BUCKET/{ARCHIVE_PREFIX}/{stack_name}/) were not looked for; pass --bucket"
        )
    return DeleteOutcome(stack_name, aws.region, deleted, removed, tuple(notes))


def _delete_stack(
    cf: Any,
    name: str,
    stack: dict[str, Any] | None,
    progress: Progress | None,
    poll_seconds: float,
    timeout_s: float,
) -> None:
    # waiting by ID: a deleted stack is still described by its ID (DELETE_COMPLETE)
    handle = stack["StackId"] if stack is not None else name
    if progress is not None:
        progress(f"deleting the stack {name}")
    try:
        seen = event_ids(cf, handle) if stack is not None else set()
        cf.delete_stack(StackName=handle)
        final, events = wait_for_stack(
            cf, handle, seen, progress=progress, poll_seconds=poll_seconds, timeout_s=timeout_s
        )
    except botocore_errors() as exc:
        raise aws_error(f"deleting the stack {name}", exc) from exc
    if final is not None and final["StackStatus"] != "DELETE_COMPLETE":
        failed = "; ".join(e.summary() for e in failures(events)[:5])
        raise DeployError(
            f"CloudFormation could not delete the stack {name} ({final['StackStatus']})"
            + (f": {failed}" if failed else ""),
            hint="remove or fix what blocks those resources (the console shows it), then run "
            "`learnburn deploy delete` again",
        )


def _archive_location(
    stack: dict[str, Any] | None, bucket: str | None, name: str
) -> tuple[str, str] | None:
    """(bucket, prefix) of the stack's archives, or None when no bucket is known."""
    prefix = f"{ARCHIVE_PREFIX}/{name}/"
    if stack is not None:
        tags = {t["Key"]: t["Value"] for t in stack.get("Tags") or []}
        tagged = tags.get(TAG_ARCHIVE, "")
        if tagged.startswith("s3://") and tagged.endswith(prefix):
            return tagged.removeprefix("s3://").split("/", 1)[0], prefix
        values = {p["ParameterKey"]: p.get("ParameterValue") for p in stack.get("Parameters") or []}
        if values.get("ModelBucket"):
            return str(values["ModelBucket"]), prefix
    return (bucket, prefix) if bucket else None


def _remove_archives(
    s3: Any, bucket: str, prefix: str, progress: Progress | None
) -> tuple[str, ...]:
    where = f"s3://{bucket}/{prefix}"
    removed: list[str] = []
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            keys = [item["Key"] for item in page.get("Contents", [])]
            if not keys:
                continue
            if progress is not None:
                progress(f"removing {len(keys)} model archive(s) from {where}")
            answer = s3.delete_objects(
                Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys], "Quiet": True}
            )
            errors = answer.get("Errors") or []
            if errors:
                first = errors[0]
                raise DeployError(
                    f"removing the model archive s3://{bucket}/{first.get('Key')} failed: "
                    f"{first.get('Code')}: {first.get('Message')}",
                    hint="the stack is deleted; remove the archives by hand or run delete "
                    "again with --bucket",
                )
            removed.extend(f"s3://{bucket}/{key}" for key in keys)
    except botocore_errors() as exc:
        raise aws_error(f"removing the model archives under {where}", exc) from exc
    return tuple(removed)
