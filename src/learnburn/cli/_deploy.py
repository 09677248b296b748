"""``learnburn deploy BUNDLE --target T -o deploy/``: a CloudFormation template (and, with
``--apply``, the stack) for a SageMaker endpoint or an ECS service on Fargate;
``learnburn deploy status STACK`` and ``learnburn deploy delete STACK``.

AWS credentials come only from boto3's standard chain; nothing here reads, prints or writes them.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

from learnburn.cli._errors import handles_errors
from learnburn.cli._reference import REFERENCE_HELP, resolves_bundle
from learnburn.deploy import (
    ApplyOutcome,
    DeploymentPlan,
    StackEvent,
    StackReport,
    apply_deployment,
    check_ready,
    choose_sizing,
    delete_deployment,
    describe_deployment,
    plan_deployment,
    read_cost_report,
    write_plan,
)

DEFAULT_COMMAND = "create"


class _DefaultCommand(TyperGroup):
    """A group whose first argument, when it names no command, goes to ``create``: so
    ``learnburn deploy BUNDLE ...`` and ``learnburn deploy status STACK`` both work."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [DEFAULT_COMMAND, *args]
        return super().parse_args(ctx, args)


deploy = typer.Typer(
    name="deploy",
    cls=_DefaultCommand,
    help="Deploy a bundle to SageMaker or ECS on Fargate with CloudFormation; show or delete "
    "the stack. `learnburn deploy BUNDLE -t TARGET -o deploy/ [--apply]`, "
    "`learnburn deploy status STACK`, `learnburn deploy delete STACK`.",
    no_args_is_help=True,
)


class Target(StrEnum):
    sagemaker = "sagemaker"
    sagemaker_serverless = "sagemaker-serverless"
    ecs_fargate = "ecs-fargate"


class Emit(StrEnum):
    cloudformation = "cloudformation"


REGION = typer.Option(None, "--region", help="The AWS region (default: the AWS configuration's).")
# which size options each target takes, and the template parameter each one sets
SIZES = {
    "sagemaker": {
        "instance_type": "InstanceType",
        "count": "InstanceCount",
        "max_count": "MaxInstanceCount",
    },
    "sagemaker-serverless": {"memory_mb": "MemorySizeInMB", "max_concurrency": "MaxConcurrency"},
    "ecs-fargate": {
        "cpu": "Cpu",
        "memory_mb": "Memory",
        "count": "DesiredCount",
        "max_count": "MaxCount",
    },
}
FLAG_NAMES = {
    "instance_type": "--instance-type",
    "count": "--count",
    "max_count": "--max-count",
    "lb_subnet": "--lb-subnet",
    "capture": "--capture",
    "memory_mb": "--memory-mb",
    "max_concurrency": "--max-concurrency",
    "cpu": "--cpu",
    "bucket": "--bucket",
    "vpc": "--vpc",
    "subnet": "--subnet",
    "public": "--public",
    "certificate_arn": "--certificate-arn",
}
ECS_ONLY = ("vpc", "subnet", "lb_subnet", "public", "certificate_arn")


@deploy.command(DEFAULT_COMMAND)
@handles_errors
@resolves_bundle()
def create(
    bundle_path: Path = typer.Argument(..., metavar="BUNDLE", help=REFERENCE_HELP),
    target: Target = typer.Option(..., "--target", "-t", help="Where to serve it."),
    emit: Emit = typer.Option(Emit.cloudformation, "--emit", help="The template's kind."),
    output: Path = typer.Option(Path("deploy"), "--output", "-o", help="Folder for the files."),
    stack_name: str | None = typer.Option(
        None, "--stack-name", help="Default: learnburn-NAME-TARGET."
    ),
    image: str | None = typer.Option(
        None, "--image", help="The image URI in ECR (from `learnburn package`)."
    ),
    bucket: str | None = typer.Option(
        None, "--bucket", help="SageMaker: the S3 bucket for the model archive."
    ),
    cost: Path | None = typer.Option(
        None, "--cost", help="Size it as this `learnburn cost --json` report recommends."
    ),
    instance_type: str | None = typer.Option(None, "--instance-type", help="SageMaker."),
    count: int | None = typer.Option(
        None,
        "--count",
        min=0,
        help="SageMaker instances, or ECS tasks, at the least (default 2; 1 with --no-ha).",
    ),
    max_count: int | None = typer.Option(
        None, "--max-count", min=1, help="The most instances or tasks autoscaling may run."
    ),
    ha: bool = typer.Option(
        True,
        "--ha/--no-ha",
        help="Production (the default): two instances or tasks across Availability Zones at "
        "the least. --no-ha: one, for a test endpoint.",
    ),
    memory_mb: int | None = typer.Option(
        None, "--memory-mb", help="Serverless memory (MB), or the ECS task's (MiB)."
    ),
    max_concurrency: int | None = typer.Option(None, "--max-concurrency", help="Serverless."),
    cpu: int | None = typer.Option(None, "--cpu", help="ECS task CPU units (1024 = 1 vCPU)."),
    vpc: str | None = typer.Option(None, "--vpc", help="ECS: the VPC ID."),
    subnet: list[str] = typer.Option(
        [],
        "--subnet",
        help="ECS: a private subnet ID for the tasks (repeat, two Availability Zones at least); "
        "it must reach ECR, CloudWatch Logs and S3 through a NAT gateway or VPC endpoints.",
    ),
    lb_subnet: list[str] = typer.Option(
        [],
        "--lb-subnet",
        help="ECS: a subnet for the load balancer (repeat; public ones with --public). "
        "Default: the --subnet ones.",
    ),
    public: bool = typer.Option(
        False, "--public", help="ECS: an internet-facing load balancer (default: internal)."
    ),
    certificate_arn: str | None = typer.Option(
        None, "--certificate-arn", help="ECS: an ACM certificate, for HTTPS on 443."
    ),
    capture: str | None = typer.Option(
        None,
        "--capture",
        help="SageMaker real-time: record requests and responses under this s3://BUCKET/PREFIX "
        "(DataCaptureConfig), for drift checks.",
    ),
    role_arn: str | None = typer.Option(
        None, "--role-arn", help="Use this execution role instead of creating one."
    ),
    parameter: list[str] = typer.Option(
        [], "--parameter", help="Any template parameter: KEY=VALUE (repeatable)."
    ),
    trust: list[str] = typer.Option(
        [], "--trust", help="Also load this type from the bundle's model (repeatable)."
    ),
    region: str | None = REGION,
    apply: bool = typer.Option(
        False, "--apply", help="Upload the archive, create or update the stack, and wait."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what it would do; do nothing."),
    timeout: float = typer.Option(60.0, "--timeout", min=1, help="Minutes to wait for the stack."),
) -> None:
    """Write the template (and SageMaker's model archive); --apply deploys it.

    `learnburn deploy BUNDLE ...` runs this command. It writes STACK.template.json,
    STACK.parameters.json and, for SageMaker, STACK.model.tar.gz into the output folder. With
    --apply it uploads the archive, creates or updates the stack, waits, and prints the URL."""
    given = locals()
    _check_options(target.value, given)
    sizes = {key: given[name] for name, key in SIZES[target.value].items()}
    sizing = choose_sizing(target.value, read_cost_report(cost) if cost else None, sizes, ha=ha)
    network = {
        "VpcId": vpc,
        "SubnetIds": list(subnet),
        "LoadBalancerSubnetIds": list(lb_subnet),
        "CertificateArn": certificate_arn,
    }
    if public:
        network["LoadBalancerScheme"] = "internet-facing"
    plan = plan_deployment(
        bundle_path,
        target.value,
        sizing=sizing,
        stack_name=stack_name,
        image=image,
        bucket=bucket,
        network=network if target is Target.ecs_fargate else None,
        role_arn=role_arn,
        parameters=_pairs(parameter),
        trusted=trust,
        capture=capture,
    )
    console = Console(highlight=False)
    if dry_run:
        render_dry_run(console, plan, output, apply=apply, region=region)
        return
    if apply:
        check_ready(plan)
    files = write_plan(plan, output)
    render_written(console, plan, files, applying=apply)
    if apply:
        with console.status(f"deploying {plan.stack_name}") as status:
            outcome = apply_deployment(
                plan,
                files.get("archive"),
                region=region,
                progress=_progress(console, status),
                timeout_s=timeout * 60,
            )
        render_applied(console, plan, outcome)


@deploy.command("status")
@handles_errors
def status(
    stack_name: str = typer.Argument(..., metavar="STACK", help="The stack's name."),
    region: str | None = REGION,
) -> None:
    """Show a deployed stack: its status, URL, parameters, resources and any failures."""
    render_status(Console(highlight=False), describe_deployment(stack_name, region=region))


@deploy.command("delete")
@handles_errors
def delete(
    stack_name: str = typer.Argument(..., metavar="STACK", help="The stack's name."),
    region: str | None = REGION,
    bucket: str | None = typer.Option(
        None, "--bucket", help="Where to look for archives when the stack does not say."
    ),
    keep_archives: bool = typer.Option(
        False, "--keep-archives", help="Leave the model archives in S3."
    ),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
    timeout: float = typer.Option(60.0, "--timeout", min=1, help="Minutes to wait."),
) -> None:
    """Delete the stack (every resource it made) and the model archives uploaded for it."""
    if not yes:
        typer.confirm(f"Delete the stack {stack_name} and everything it made?", abort=True)
    console = Console(highlight=False)
    with console.status(f"deleting {stack_name}") as spinner:
        outcome = delete_deployment(
            stack_name,
            region=region,
            bucket=bucket,
            keep_archives=keep_archives,
            progress=_progress(console, spinner),
            timeout_s=timeout * 60,
        )
    if outcome.stack_deleted:
        console.print(f"Deleted the stack [bold]{escape(stack_name)}[/] in {outcome.region}.")
    for url in outcome.archives_removed:
        console.print(f"Removed {escape(url)}.")
    for note in outcome.notes:
        console.print(f"[yellow]Note:[/] {escape(note)}")


# -- options -------------------------------------------------------------------------------------


def _check_options(target: str, given: dict) -> None:
    """A usage error for an option the target does not take."""
    sizes = {name for sizes in SIZES.values() for name in sizes} - set(SIZES[target])
    others = ("bucket", "capture") if target == "ecs-fargate" else ECS_ONLY
    for name in (*sorted(sizes), *others):
        value = given[name]
        if value not in (None, False, [], ()):
            raise typer.BadParameter(
                f"{FLAG_NAMES[name]} does not apply to --target {target}",
                param_hint=FLAG_NAMES[name],
            )


def _pairs(items: list[str]) -> dict[str, str]:
    found = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"expected KEY=VALUE, got {item!r}", param_hint="--parameter")
        found[key.strip()] = value
    return found


def _progress(console: Console, spinner):
    def report(update: StackEvent | str) -> None:
        if isinstance(update, str):
            console.print(f"[dim]{escape(update)}…[/]")
            spinner.update(escape(update))
            return
        colour = "red" if update.failed else "green" if update.status.endswith("COMPLETE") else ""
        status = f"[{colour}]{update.status}[/]" if colour else update.status
        reason = f"  [dim]{escape(update.reason)}[/]" if update.reason else ""
        console.print(
            f"  {escape(update.logical_id)} [dim]({escape(update.resource_type)})[/] "
            f"{status}{reason}"
        )

    return report


# -- rendering -----------------------------------------------------------------------------------


def render_dry_run(
    console: Console, plan: DeploymentPlan, output: Path, *, apply: bool, region: str | None
) -> None:
    """What create would write and, with --apply, send; nothing is written or sent."""
    console.print("[bold]Dry run[/]: nothing is written, nothing is sent to AWS.")
    console.print("Would write:")
    for path in plan.files(output).values():
        console.print(f"  {escape(str(path))}")
    console.print(f"Sizes: {escape(plan.sizing.summary())}")
    if not apply:
        return
    where = region or "the AWS configuration's default region"
    if plan.archive is not None:
        url = plan.archive_url or f"s3://BUCKET/{plan.parameters['ModelKey']}"
        console.print(
            f"Would upload the model archive ({plan.archive.size:,} bytes, sha256 "
            f"{plan.archive.sha256[:16]}…) to {escape(url)}, unless it is there.",
            soft_wrap=True,
        )
    iam = " with CAPABILITY_IAM (it creates the execution role)" if plan.needs_iam else ""
    console.print(
        f"Would create the stack [bold]{escape(plan.stack_name)}[/] in {escape(where)}, or "
        f"update it if it exists{iam}, and wait for it. Its resources:"
    )
    for logical, resource in plan.template["Resources"].items():
        condition = " (unless --role-arn)" if resource.get("Condition") else ""
        console.print(f"  {escape(logical)} [dim]{escape(resource['Type'])}{condition}[/]")
    _print_parameters(console, plan)
    missing = plan.missing()
    if missing:
        console.print(f"[yellow]Applying would fail:[/] no value for {', '.join(missing)}.")


def render_written(
    console: Console, plan: DeploymentPlan, files: dict[str, Path], *, applying: bool
) -> None:
    for kind, path in files.items():
        size = path.stat().st_size
        console.print(f"Wrote {escape(str(path))} [dim]({kind}, {size:,} bytes)[/]")
    console.print(f"Sizes: {escape(plan.sizing.summary())}")
    if applying:
        return
    missing = plan.missing()
    if missing:
        console.print(f"Still needed to deploy: {', '.join(missing)} (see --help).")
    template, parameters = files["template"], files["parameters"]
    caps = " --capabilities CAPABILITY_IAM" if plan.needs_iam else ""
    console.print("Deploy it with --apply, or with the AWS CLI:")
    if plan.archive is not None:
        key = plan.parameters["ModelKey"]
        url = plan.archive_url or f"s3://BUCKET/{key}"
        console.print(f"  aws s3 cp {escape(str(files['archive']))} {escape(url)}", soft_wrap=True)
    console.print(
        f"  aws cloudformation create-stack --stack-name {plan.stack_name} "
        f"--template-body file://{escape(str(template))} "
        f"--parameters file://{escape(str(parameters))}{caps}",
        soft_wrap=True,
    )


def render_applied(console: Console, plan: DeploymentPlan, outcome: ApplyOutcome) -> None:
    verb = {"created": "Created", "updated": "Updated"}.get(outcome.action)
    if verb:
        head = f"{verb} the stack [bold]{escape(outcome.stack_name)}[/] in {outcome.region}"
        console.print(f"{head} ({outcome.status}).")
    else:
        console.print(f"The stack [bold]{escape(outcome.stack_name)}[/] is up to date.")
    if outcome.url is None:
        return
    if plan.target == "ecs-fargate":
        console.print(f"Service URL: [bold]{escape(outcome.url)}[/]", soft_wrap=True)
        console.print(f"  curl -i {escape(outcome.url)}/ping", soft_wrap=True)
        return
    name = outcome.outputs.get("EndpointName", "ENDPOINT")
    console.print(f"Endpoint URL: [bold]{escape(outcome.url)}[/]", soft_wrap=True)
    console.print(
        f"  aws sagemaker-runtime invoke-endpoint --endpoint-name {escape(name)} "
        "--content-type text/csv --accept text/csv --body fileb://rows.csv answers.csv  "
        "(the endpoint takes SigV4-signed requests)",
        soft_wrap=True,
    )


def render_status(console: Console, report: StackReport) -> None:
    colour = "red" if report.failures or "FAILED" in report.status else "green"
    console.print(
        f"Stack [bold]{escape(report.name)}[/] in {report.region}: "
        f"[{colour}]{report.status}[/]" + (f" ({escape(report.reason)})" if report.reason else "")
    )
    if report.url:
        console.print(f"URL: [bold]{escape(report.url)}[/]", soft_wrap=True)
    for key, value in report.outputs.items():
        console.print(f"  {escape(key)}: {escape(value)}", soft_wrap=True)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title="Resources", title_justify="left")
    for column in ("resource", "type", "status", "id"):
        table.add_column(column, overflow="fold")
    for r in report.resources:
        table.add_row(
            escape(r.logical_id), escape(r.resource_type), r.status, escape(r.physical_id)
        )
    console.print(table)
    for event in report.failures:
        console.print(f"[red]Failed:[/] {escape(event.summary())}")
    for note in report.notes:
        console.print(f"[yellow]Note:[/] {escape(note)}")


def _print_parameters(console: Console, plan: DeploymentPlan) -> None:
    console.print("Parameters:")
    for key, value in plan.parameters.items():
        console.print(f"  {escape(key)} = {escape(value)}")
