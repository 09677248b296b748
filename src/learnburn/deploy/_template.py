"""CloudFormation templates as plain dicts: the intrinsic functions, parameters, and the parts
every target shares (the description, the metadata, the rule for the execution role).

Templates are written as JSON (CloudFormation reads it as well as YAML, and it needs no extra
library); they hold no timestamp, so the same inputs give the same file to check in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from learnburn._version import __version__

FORMAT_VERSION = "2010-09-09"
ROLE_PARAMETER = "ExecutionRoleArn"
CREATE_ROLE = "CreateExecutionRole"  # the condition: no role ARN given, so the template makes one
NO_VALUE = {"Ref": "AWS::NoValue"}


def ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def get_att(resource: str, attribute: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [resource, attribute]}


def if_(condition: str, yes: Any, no: Any) -> dict[str, list[Any]]:
    return {"Fn::If": [condition, yes, no]}


def parameter(kind: str, description: str, default: Any = None, **rules: Any) -> dict[str, Any]:
    """A template parameter; ``rules`` are CloudFormation's (AllowedValues, MinValue...)."""
    found: dict[str, Any] = {"Type": kind, "Description": description}
    if default is not None:
        found["Default"] = default
    return {**found, **rules}


def role_parameter(service: str) -> dict[str, Any]:
    return parameter(
        "String",
        f"An existing IAM role for {service} to use; empty (the default): the stack creates a "
        "minimal one (deploying then needs CAPABILITY_IAM).",
        default="",
        AllowedPattern=r"^(arn:[a-z-]+:iam::\d{12}:role/.+)?$",
    )


REPOSITORY_ARN = r"^arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/[a-z0-9._/-]+$"
_ECR_IMAGE = re.compile(
    r"^(?P<account>[0-9]{12})\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com"
    r"(?P<cn>\.cn)?/(?P<repository>[a-z0-9._/-]+?)(?::[\w.-]+)?(?:@sha256:[0-9a-f]{64})?$"
)


def repository_parameter() -> dict[str, Any]:
    return parameter(
        "String",
        "The image's ECR repository ARN: the only repository the role may pull from "
        "(learnburn deploy derives it from ImageUri).",
        AllowedPattern=REPOSITORY_ARN,
    )


def repository_arn(image_uri: str) -> str | None:
    """``arn:aws:ecr:REGION:ACCOUNT:repository/NAME`` of an ECR image URI; None for another
    registry's image."""
    match = _ECR_IMAGE.match(image_uri.strip())
    if match is None:
        return None
    partition = "aws-cn" if match["cn"] else "aws"
    return (
        f"arn:{partition}:ecr:{match['region']}:{match['account']}:repository/{match['repository']}"
    )


def image_pull_statements() -> list[dict[str, Any]]:
    """What an execution role needs to pull the image: a registry token, and the layers of the
    image's own repository only (``ImageRepositoryArn``, see :func:`repository_parameter`)."""
    return [
        {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": [
                "ecr:BatchCheckLayerAvailability",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
            ],
            "Resource": ref("ImageRepositoryArn"),
        },
    ]


def role_conditions() -> dict[str, Any]:
    return {CREATE_ROLE: {"Fn::Equals": [ref(ROLE_PARAMETER), ""]}}


def execution_role_arn(role: str) -> dict[str, Any]:
    """The role ARN given, or the one the template creates as ``role``."""
    return if_(CREATE_ROLE, get_att(role, "Arn"), ref(ROLE_PARAMETER))


def assume_role_policy(service: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        ],
    }


def target_tracking(
    namespace: str,
    dimension: str,
    resource_id: dict[str, str],
    capacity: tuple[str, str],
    policy: str,
    target: str,
    metric: str,
) -> dict[str, Any]:
    """Application Auto Scaling resources: a ``ScalableTarget`` between the parameters named in
    ``capacity`` (min, max) and a target-tracking ``ScalingPolicy`` holding the predefined
    ``metric`` at the parameter ``target`` (scale in after 300 s, out after 60 s). Application
    Auto Scaling uses its service-linked role."""
    low, high = capacity
    return {
        "ScalableTarget": {
            "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
            "Properties": {
                "ServiceNamespace": namespace,
                "ScalableDimension": dimension,
                "ResourceId": resource_id,
                "MinCapacity": ref(low),
                "MaxCapacity": ref(high),
            },
        },
        "ScalingPolicy": {
            "Type": "AWS::ApplicationAutoScaling::ScalingPolicy",
            "Properties": {
                "PolicyName": sub(f"${{AWS::StackName}}-{policy}"),
                "PolicyType": "TargetTrackingScaling",
                "ScalingTargetId": ref("ScalableTarget"),
                "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": ref(target),
                    "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
                    "ScaleInCooldown": 300,
                    "ScaleOutCooldown": 60,
                },
            },
        },
    }


def template(
    target: str,
    bundle_name: str,
    *,
    parameters: dict[str, Any],
    resources: dict[str, Any],
    outputs: dict[str, Any],
    conditions: dict[str, Any],
    mappings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The whole template, with a description and metadata naming the bundle and the writer."""
    body: dict[str, Any] = {
        "AWSTemplateFormatVersion": FORMAT_VERSION,
        "Description": f"learnburn deploy: the bundle {bundle_name} on {TITLES[target]} "
        f"(written by learnburn {__version__})",
        "Metadata": {
            "learnburn": {"bundle": bundle_name, "target": target, "version": __version__}
        },
        "Parameters": parameters,
    }
    if mappings:
        body["Mappings"] = mappings
    body["Conditions"] = conditions
    body["Resources"] = resources
    body["Outputs"] = outputs
    return body


def template_text(body: dict[str, Any]) -> str:
    return json.dumps(body, indent=2) + "\n"


def resources_using(body: dict[str, Any], name: str) -> tuple[str, ...]:
    """The logical IDs of the resources whose properties refer to the parameter (or resource)
    ``name``, by ``Ref``, ``Fn::GetAtt`` or ``${name}`` in ``Fn::Sub``."""
    return tuple(
        logical
        for logical, resource in body.get("Resources", {}).items()
        if name in set(_references(resource))
    )


def _references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                yield value
            elif key == "Fn::GetAtt" and isinstance(value, list) and value:
                yield str(value[0])
            elif key == "Fn::Sub" and isinstance(value, str):
                yield from (m.split(".")[0] for m in re.findall(r"\$\{([^!}][^}]*)\}", value))
            elif key == "DependsOn":
                yield from [value] if isinstance(value, str) else value
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)


TITLES = {
    "sagemaker": "a SageMaker real-time endpoint",
    "sagemaker-serverless": "a SageMaker serverless endpoint",
    "ecs-fargate": "an ECS service on Fargate behind an Application Load Balancer",
}
