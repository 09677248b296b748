"""``plan_deployment``: everything ``learnburn deploy`` writes and would send, before any of it
is written or sent: the template, the stack's parameter values, the model archive's name and
digest, the stack's name and tags.

``write_plan`` writes the files into the output folder, named after the stack:

- ``STACK.template.json``: the CloudFormation template (check it in);
- ``STACK.parameters.json``: the values known here, in the form
  ``aws cloudformation create-stack --parameters file://...`` reads;
- ``STACK.model.tar.gz`` (SageMaker targets): the model archive to upload.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from learnburn.bundles import load_bundle
from learnburn.deploy._archive import ARCHIVE_SUFFIX, ModelArchive, write_model_archive
from learnburn.deploy._ecs import URL_OUTPUT as ECS_URL
from learnburn.deploy._ecs import ecs_template
from learnburn.deploy._sagemaker import CAPTURE_PATTERN, sagemaker_template
from learnburn.deploy._sagemaker import URL_OUTPUT as SAGEMAKER_URL
from learnburn.deploy._sizing import Sizing, check_target
from learnburn.deploy._template import ROLE_PARAMETER, repository_arn, template_text
from learnburn.errors import DeployError

ARCHIVE_PREFIX = "learnburn"  # archives go under s3://BUCKET/learnburn/STACK/
TAG_ARCHIVE = "learnburn:archive"  # the stack tag naming where its archives are
_STACK_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$")


@dataclass(frozen=True)
class DeploymentPlan:
    """A deployment, ready to write and apply."""

    target: str
    stack_name: str
    bundle: Path
    template: dict[str, Any]
    parameters: dict[str, str]  # the stack's parameter values known here
    sizing: Sizing
    archive: ModelArchive | None  # SageMaker targets: measured here, written by write_plan
    trusted: tuple[str, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def url_output(self) -> str:
        return ECS_URL if self.target == "ecs-fargate" else SAGEMAKER_URL

    @property
    def archive_url(self) -> str | None:
        if self.archive is None or "ModelBucket" not in self.parameters:
            return None
        return f"s3://{self.parameters['ModelBucket']}/{self.parameters['ModelKey']}"

    @property
    def needs_iam(self) -> bool:
        return not self.parameters.get(ROLE_PARAMETER)

    def missing(self) -> tuple[str, ...]:
        """The template's parameters with neither a default nor a value here."""
        declared = self.template["Parameters"]
        return tuple(
            name
            for name, spec in declared.items()
            if "Default" not in spec and not self.parameters.get(name)
        )

    def files(self, out_dir: Path) -> dict[str, Path]:
        names = {
            "template": out_dir / f"{self.stack_name}.template.json",
            "parameters": out_dir / f"{self.stack_name}.parameters.json",
        }
        if self.archive is not None:
            names["archive"] = out_dir / f"{self.stack_name}{ARCHIVE_SUFFIX}"
        return names


def plan_deployment(
    bundle_path: str | Path,
    target: str,
    *,
    sizing: Sizing,
    stack_name: str | None = None,
    image: str | None = None,
    bucket: str | None = None,
    network: Mapping[str, Any] | None = None,
    role_arn: str | None = None,
    parameters: Mapping[str, str] | None = None,
    trusted: Sequence[str] = (),
    capture: str | None = None,
) -> DeploymentPlan:
    """Plan deploying the bundle to ``target``. ``network`` (ECS): VpcId, SubnetIds (a list),
    LoadBalancerSubnetIds, LoadBalancerScheme, CertificateArn...; ``parameters``: any other
    template parameter; ``capture`` (real-time SageMaker): an ``s3://BUCKET/PREFIX`` where the
    endpoint records requests and responses. Nothing is written; the bundle is verified and
    loaded, and its archive measured."""
    check_target(target)
    _check_capture(target, capture)
    bundle = Path(bundle_path)
    name = stack_name or default_stack_name(bundle, target)
    check_stack_name(name)
    bundle_name = bundle.resolve().name
    if target == "ecs-fargate":
        body = ecs_template(bundle_name, sizing.values, trusted)
        archive = None
        _check_bundle(bundle, trusted)
    else:
        body = sagemaker_template(
            target, bundle_name, sizing.values, trusted, capture=capture is not None
        )
        archive = write_model_archive(bundle, None, trusted)
    values: dict[str, Any] = {**sizing.values}
    if image:
        values["ImageUri"] = image
    if archive is not None:
        values["ModelKey"] = archive_key(name, archive.sha256)
        if bucket:
            values["ModelBucket"] = bucket
    values |= {k: v for k, v in (network or {}).items() if v not in (None, "", [], ())}
    if role_arn:
        values[ROLE_PARAMETER] = role_arn
    if capture is not None:
        values["CaptureS3Uri"] = capture
    values |= dict(parameters or {})
    if values.get("ImageUri") and "ImageRepositoryArn" not in values:
        values["ImageRepositoryArn"] = _repository_of(str(values["ImageUri"]))
    _check_parameters(body, values)
    tags = {"learnburn:bundle": bundle_name, "learnburn:target": target}
    if archive is not None and bucket:
        tags[TAG_ARCHIVE] = f"s3://{bucket}/{ARCHIVE_PREFIX}/{name}/"
    return DeploymentPlan(
        target=target,
        stack_name=name,
        bundle=bundle,
        template=body,
        parameters={k: _text(v) for k, v in values.items()},
        sizing=sizing,
        archive=archive,
        trusted=tuple(trusted),
        tags=tags,
    )


def write_plan(plan: DeploymentPlan, out_dir: str | Path) -> dict[str, Path]:
    """Write the plan's files into ``out_dir`` (created if needed; these files replaced)."""
    out = Path(out_dir)
    files = plan.files(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        _replace(files["template"], template_text(plan.template))
        listing = [{"ParameterKey": k, "ParameterValue": v} for k, v in plan.parameters.items()]
        _replace(files["parameters"], json.dumps(listing, indent=2) + "\n")
    except OSError as exc:
        raise DeployError(
            f"cannot write into '{out}': {exc}", hint="check that the folder is writable"
        ) from exc
    if plan.archive is not None:
        written = write_model_archive(plan.bundle, files["archive"], plan.trusted)
        if written.sha256 != plan.archive.sha256:
            raise DeployError(
                f"the bundle '{plan.bundle}' changed while it was being deployed",
                hint="run the command again once nothing is writing the bundle",
            )
    return files


def default_stack_name(bundle: Path, target: str) -> str:
    """``learnburn-NAME-TARGET``, NAME from the bundle's file or folder name."""
    stem = bundle.resolve().name.removesuffix(".lbm").lower()
    name = re.sub(r"[^a-z0-9]+", "-", stem).strip("-") or "model"
    return f"learnburn-{name}-{target}"[:128].rstrip("-")


def check_stack_name(name: str) -> None:
    if not _STACK_NAME.match(name):
        raise DeployError(
            f"'{name}' is not a valid CloudFormation stack name",
            hint="use a letter, then letters, digits and hyphens (at most 128 characters)",
        )


def archive_key(stack_name: str, sha256: str) -> str:
    return f"{ARCHIVE_PREFIX}/{stack_name}/model-{sha256[:16]}.tar.gz"


def _repository_of(image: str) -> str:
    arn = repository_arn(image)
    if arn is None:
        raise DeployError(
            f"the image '{image}' is not in an ECR repository "
            "(ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME:TAG)",
            hint="push the image from `learnburn package` to ECR and pass its URI with --image; "
            "the role may pull from that repository only",
        )
    return arn


def _check_capture(target: str, capture: str | None) -> None:
    if capture is None:
        return
    if target != "sagemaker":
        raise DeployError(
            f"data capture (--capture) is written for real-time SageMaker endpoints, not "
            f"'{target}'",
            hint="deploy with --target sagemaker to capture requests, or drop --capture",
        )
    if not re.match(CAPTURE_PATTERN, capture):
        raise DeployError(
            f"'{capture}' is not an S3 location for captured data",
            hint="give it as s3://BUCKET/PREFIX, e.g. s3://my-bucket/capture/loans",
        )


def _check_parameters(body: dict[str, Any], values: Mapping[str, Any]) -> None:
    unknown = sorted(set(values) - set(body["Parameters"]))
    if unknown:
        raise DeployError(
            f"the template has no parameter {', '.join(unknown)}",
            hint=f"its parameters are {', '.join(body['Parameters'])}",
        )


def _check_bundle(bundle: Path, trusted: Sequence[str]) -> None:
    load_bundle(bundle, trusted=trusted, lazy=True)


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def _replace(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8", newline="\n")
    partial.replace(path)
