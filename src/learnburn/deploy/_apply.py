"""``apply_deployment``: upload the model archive, create or update the stack, wait for it, and
return its URL; or say which step and which resource failed.

The steps, in order, each named in the error when it fails:

1. read the stack: one still in progress is refused; one left by a failed creation
   (ROLLBACK_COMPLETE, which holds nothing and cannot be updated) is deleted first;
2. upload the archive to ``s3://BUCKET/learnburn/STACK/model-SHA.tar.gz`` (skipped when that
   key is there already: the key carries the archive's digest);
3. create the stack (``OnFailure=ROLLBACK``: a failed creation removes what it made and keeps
   the events that say why) or update it ("no updates" is success);
4. wait, reporting each event; on failure, the failed resources with CloudFormation's reasons.

When CloudFormation refuses the request itself, the error names the template parameters whose
values the refusal quotes and the resources that use them. An archive uploaded for a stack
that was never created is removed again; everything else the stack made is removed by
``learnburn deploy delete STACK``, which also removes the archives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from learnburn.deploy._aws import (
    Aws,
    aws_error,
    botocore_errors,
    connect,
    error_code,
    transfer_errors,
)
from learnburn.deploy._plan import DeploymentPlan
from learnburn.deploy._stack import (
    SUCCEEDED,
    Progress,
    event_ids,
    failures,
    find_stack,
    wait_for_stack,
)
from learnburn.deploy._template import resources_using, template_text
from learnburn.errors import DeployError

FLAGS = {  # the option that gives each parameter a value
    "ImageUri": "--image",
    "ImageRepositoryArn": "--image",
    "CaptureS3Uri": "--capture",
    "ModelBucket": "--bucket",
    "VpcId": "--vpc",
    "SubnetIds": "--subnet (twice or more)",
}


@dataclass(frozen=True)
class ApplyOutcome:
    """What applying did: the stack's action ("created", "updated", "unchanged") and URL."""

    stack_name: str
    region: str
    action: str
    status: str
    url: str | None
    outputs: dict[str, str] = field(default_factory=dict)
    archive_url: str | None = None
    uploaded: bool = False


def check_ready(plan: DeploymentPlan) -> None:
    """A DeployError naming every parameter the stack needs and the plan lacks."""
    missing = plan.missing()
    if missing:
        flags = ", ".join(f"{name} ({FLAGS.get(name, '--parameter')})" for name in missing)
        raise DeployError(
            f"applying needs values for {', '.join(missing)}",
            hint=f"give them: {flags}",
        )


def apply_deployment(
    plan: DeploymentPlan,
    archive_file: Path | None = None,
    *,
    region: str | None = None,
    progress: Progress | None = None,
    poll_seconds: float = 5.0,
    timeout_s: float = 3600.0,
) -> ApplyOutcome:
    """Apply ``plan`` (its archive written at ``archive_file`` by ``write_plan``)."""
    check_ready(plan)
    if plan.archive is not None and archive_file is None:
        raise DeployError("the model archive was not written", hint="call write_plan first")
    aws = connect(region)
    cf = aws.client("cloudformation")
    name = plan.stack_name
    stack = _prepare(cf, name, progress, poll_seconds, timeout_s)
    uploaded = False
    if plan.archive is not None and archive_file is not None:
        uploaded = _upload(aws, plan, archive_file, progress)
    seen = event_ids(cf, name) if stack is not None else set()
    action = _send(cf, plan, stack, uploaded, aws, progress)
    if action == "unchanged":
        final = find_stack(cf, name) or {}
    else:
        final, events = wait_for_stack(
            cf, name, seen, progress=progress, poll_seconds=poll_seconds, timeout_s=timeout_s
        )
        final = final or {}
        if final.get("StackStatus") not in SUCCEEDED:
            raise _stack_failed(name, final, events)
    outputs = {o["OutputKey"]: o["OutputValue"] for o in final.get("Outputs") or []}
    return ApplyOutcome(
        stack_name=name,
        region=aws.region,
        action=action,
        status=final.get("StackStatus", ""),
        url=outputs.get(plan.url_output),
        outputs=outputs,
        archive_url=plan.archive_url,
        uploaded=uploaded,
    )


def _prepare(
    cf: Any, name: str, progress: Progress | None, poll_seconds: float, timeout_s: float
) -> dict[str, Any] | None:
    """The stack as it is now, after removing the shell of a failed creation."""
    try:
        stack = find_stack(cf, name)
        if stack is None:
            return None
        status = stack["StackStatus"]
        if status.endswith("_IN_PROGRESS"):
            raise DeployError(
                f"the stack {name} is busy ({status})",
                hint=f"wait for it to finish (learnburn deploy status {name}), then run again",
            )
        if status != "ROLLBACK_COMPLETE":
            return stack
        if progress is not None:
            progress(f"deleting {name}: its creation failed earlier and it holds nothing")
        seen = event_ids(cf, name)
        cf.delete_stack(StackName=stack["StackId"])
        wait_for_stack(cf, stack["StackId"], seen, poll_seconds=poll_seconds, timeout_s=timeout_s)
    except botocore_errors() as exc:
        raise aws_error(f"reading the stack {name}", exc) from exc
    return None


def _upload(aws: Aws, plan: DeploymentPlan, archive_file: Path, progress: Progress | None) -> bool:
    """Upload the archive unless its key holds it already; whether it was uploaded."""
    bucket, key = plan.parameters["ModelBucket"], plan.parameters["ModelKey"]
    where = f"s3://{bucket}/{key}"
    s3 = aws.client("s3")
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except botocore_errors() as exc:
        if error_code(exc) not in {"404", "NoSuchKey", "NotFound"}:
            raise aws_error(f"uploading the model archive to {where} (checking it)", exc) from exc
    else:
        if progress is not None:
            progress(f"the model archive is in {where} already")
        return False
    if progress is not None:
        progress(f"uploading the model archive ({plan.archive.size:,} bytes) to {where}")
    try:
        s3.upload_file(
            str(archive_file),
            bucket,
            key,
            ExtraArgs={
                "ContentType": "application/gzip",
                "Metadata": {"sha256": plan.archive.sha256},
            },
        )
    except (*botocore_errors(), *transfer_errors()) as exc:
        # boto3 reports a failed request as S3UploadFailedError, the ClientError its context
        cause = exc.__context__ if isinstance(exc.__context__, Exception) else exc
        raise aws_error(f"uploading the model archive to {where}", cause) from exc
    return True


def _send(
    cf: Any,
    plan: DeploymentPlan,
    stack: dict[str, Any] | None,
    uploaded: bool,
    aws: Aws,
    progress: Progress | None,
) -> str:
    """Create or update the stack; "created", "updated" or "unchanged"."""
    values = plan.parameters.items()
    request: dict[str, Any] = {
        "StackName": plan.stack_name,
        "TemplateBody": template_text(plan.template),
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in values],
        "Capabilities": ["CAPABILITY_IAM"] if plan.needs_iam else [],
        "Tags": [{"Key": k, "Value": v} for k, v in plan.tags.items()],
    }
    verb = "creating" if stack is None else "updating"
    if progress is not None:
        progress(f"{verb} the stack {plan.stack_name} in {aws.region}")
    try:
        if stack is None:
            cf.create_stack(**request, OnFailure="ROLLBACK")
            return "created"
        cf.update_stack(**request)
        return "updated"
    except botocore_errors() as exc:
        if stack is not None and "No updates are to be performed" in str(exc):
            return "unchanged"
        raise _refused(cf, plan, stack is None and uploaded, aws, verb, exc) from exc


def _refused(
    cf: Any, plan: DeploymentPlan, drop_archive: bool, aws: Aws, verb: str, exc: Exception
) -> DeployError:
    """CloudFormation refused the request: which resources use the values it quotes, and
    what is left behind."""
    error = aws_error(f"{verb} the stack {plan.stack_name}", exc)
    blamed = _blamed(plan, error.message)
    message = error.message + (f"; it rejects {blamed}" if blamed else "")
    try:
        left = find_stack(cf, plan.stack_name) is not None
    except botocore_errors():
        left = True  # it cannot be read, so it may exist
    if not left and drop_archive:
        try:
            key = plan.parameters["ModelKey"]
            aws.client("s3").delete_object(Bucket=plan.parameters["ModelBucket"], Key=key)
        except botocore_errors():
            message += f"; the model archive {plan.archive_url} could not be removed"
    if left:
        hint = (
            f"the stack {plan.stack_name} may hold what was made before the failure: "
            f"`learnburn deploy delete {plan.stack_name}` removes it"
        )
    else:
        hint = "nothing was created; fix the value and run again"
    return DeployError(message, hint=" ".join(filter(None, [error.hint, hint])))


def _blamed(plan: DeploymentPlan, message: str) -> str:
    """'PARAMETER=VALUE (used by R1, R2)' for each parameter whose value the message quotes."""
    found = []
    for name, value in plan.parameters.items():
        parts = [v for v in value.split(",") if len(v) >= 3]
        if any(part in message for part in parts):
            users = ", ".join(resources_using(plan.template, name)) or "no resource"
            found.append(f"{name}={value} (used by {users})")
    return "; ".join(found)


def _stack_failed(name: str, stack: dict[str, Any], events: list) -> DeployError:
    failed = failures(events)
    status = stack.get("StackStatus", "gone")
    if failed:
        what = "; ".join(e.summary() for e in failed[:5])
        message = f"the stack {name} failed ({status}): {what}"
    else:
        reason = stack.get("StackStatusReason") or "CloudFormation gave no reason"
        message = f"the stack {name} failed ({status}): {reason}"
    if status.startswith("UPDATE_ROLLBACK_COMPLETE"):
        hint = (
            f"the stack is back to its previous version, which still serves; fix the cause "
            f"and apply again (`learnburn deploy status {name}` shows it)"
        )
    else:
        hint = (
            f"`learnburn deploy status {name}` shows what it holds; "
            f"`learnburn deploy delete {name}` removes it and its model archives"
        )
    return DeployError(message, hint=hint)
