"""The SageMaker templates: a model (the image from ``learnburn package`` and the model archive
in S3), an endpoint configuration (real-time instances, or serverless memory and concurrency)
and the endpoint; and, unless a role ARN is given, a minimal execution role.

A real-time endpoint runs ``InstanceCount`` instances (two by default, which SageMaker spreads
across Availability Zones) and scales between that and ``MaxInstanceCount`` with a
target-tracking policy on ``SageMakerVariantInvocationsPerInstance``. With a capture location
(``--capture s3://...``) it also records requests and responses there (``DataCaptureConfig``),
for the drift checks of ``learnburn drift``.

The role may read the one model archive, pull the one image repository from ECR, write the
endpoint's logs and metrics and, with capture, write under the capture location; nothing else.
A bucket encrypted with a customer-managed KMS key also needs ``kms:Decrypt`` for it: pass a
role that has it (``--role-arn``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from learnburn.deploy._template import (
    CREATE_ROLE,
    ROLE_PARAMETER,
    assume_role_policy,
    execution_role_arn,
    get_att,
    image_pull_statements,
    parameter,
    ref,
    repository_parameter,
    role_conditions,
    role_parameter,
    sub,
    target_tracking,
    template,
)

SERVERLESS_MEMORY_MB = (1024, 2048, 3072, 4096, 5120, 6144)
SERVERLESS_MAX_CONCURRENCY = 200
DEFAULTS = {
    "sagemaker": {
        "InstanceType": "ml.m5.large",
        "InstanceCount": 2,
        "MaxInstanceCount": 4,
        "TargetInvocationsPerInstance": 1000,
    },
    "sagemaker-serverless": {"MemorySizeInMB": 2048, "MaxConcurrency": 10},
}
VARIANT = "AllTraffic"
CAPTURE_PATTERN = r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^\s]*)?$"
URL_OUTPUT = "EndpointUrl"


def sagemaker_template(
    target: str,
    bundle_name: str,
    sizing: dict[str, Any],
    trusted: Sequence[str] = (),
    *,
    capture: bool = False,
) -> dict[str, Any]:
    """The template for ``target`` "sagemaker" (real-time) or "sagemaker-serverless";
    ``sizing`` gives the defaults of the size parameters; ``capture`` (real-time only) adds
    data capture to the ``CaptureS3Uri`` parameter's location."""
    parameters = {
        "ImageUri": parameter(
            "String",
            "The image written by `learnburn package` and pushed to ECR "
            "(ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME:TAG).",
            MinLength=1,
        ),
        "ImageRepositoryArn": repository_parameter(),
        "ModelBucket": parameter(
            "String", "The S3 bucket holding the model archive (model.tar.gz).", MinLength=3
        ),
        "ModelKey": parameter(
            "String",
            "The model archive's key in the bucket; SageMaker unpacks it into /opt/ml/model.",
            MinLength=1,
        ),
        **_size_parameters(target, sizing),
        **(_capture_parameters() if capture else {}),
        ROLE_PARAMETER: role_parameter("SageMaker"),
    }
    resources = {
        "ExecutionRole": _execution_role(capture),
        "Model": _model(trusted),
        "EndpointConfig": _endpoint_config(target, capture),
        "Endpoint": {
            "Type": "AWS::SageMaker::Endpoint",
            "Properties": {"EndpointConfigName": get_att("EndpointConfig", "EndpointConfigName")},
        },
    }
    if target == "sagemaker":
        resources |= _autoscaling()
    outputs = {
        "EndpointName": {
            "Description": "The endpoint's name (aws sagemaker-runtime invoke-endpoint).",
            "Value": get_att("Endpoint", "EndpointName"),
        },
        URL_OUTPUT: {
            "Description": "POST scoring requests here (signed with SigV4, service sagemaker).",
            "Value": sub(
                "https://runtime.sagemaker.${AWS::Region}.${AWS::URLSuffix}"
                "/endpoints/${Endpoint.EndpointName}/invocations"
            ),
        },
        "ModelDataUrl": {
            "Description": "The model archive the endpoint serves.",
            "Value": sub("s3://${ModelBucket}/${ModelKey}"),
        },
    }
    return template(
        target,
        bundle_name,
        parameters=parameters,
        resources=resources,
        outputs=outputs,
        conditions=role_conditions(),
    )


def _size_parameters(target: str, sizing: dict[str, Any]) -> dict[str, Any]:
    if target == "sagemaker":
        return {
            "InstanceType": parameter(
                "String",
                "The instance type of each endpoint instance.",
                default=sizing["InstanceType"],
                AllowedPattern=r"^ml\.[a-z0-9]+\.[a-z0-9]+$",
            ),
            "InstanceCount": parameter(
                "Number",
                "The endpoint's instances at the start and at the least (two or more spread "
                "across Availability Zones; one has no redundancy).",
                default=sizing["InstanceCount"],
                MinValue=1,
            ),
            "MaxInstanceCount": parameter(
                "Number",
                "The most instances autoscaling may run.",
                default=sizing["MaxInstanceCount"],
                MinValue=1,
            ),
            "TargetInvocationsPerInstance": parameter(
                "Number",
                "Autoscaling keeps each instance near this many invocations a minute.",
                default=sizing["TargetInvocationsPerInstance"],
                MinValue=1,
            ),
        }
    return {
        "MemorySizeInMB": parameter(
            "Number",
            "The serverless endpoint's memory (its vCPUs grow with it).",
            default=sizing["MemorySizeInMB"],
            AllowedValues=list(SERVERLESS_MEMORY_MB),
        ),
        "MaxConcurrency": parameter(
            "Number",
            "The most requests the serverless endpoint serves at once.",
            default=sizing["MaxConcurrency"],
            MinValue=1,
            MaxValue=SERVERLESS_MAX_CONCURRENCY,
        ),
    }


def _capture_parameters() -> dict[str, Any]:
    return {
        "CaptureS3Uri": parameter(
            "String",
            "Where the endpoint writes captured requests and responses (s3://BUCKET/PREFIX).",
            AllowedPattern=CAPTURE_PATTERN,
        ),
        "CaptureSamplingPercentage": parameter(
            "Number",
            "The share of requests captured, in percent.",
            default=100,
            MinValue=1,
            MaxValue=100,
        ),
    }


def _autoscaling() -> dict[str, Any]:
    """Target tracking on invocations per instance, between InstanceCount and MaxInstanceCount
    (Application Auto Scaling uses its service-linked role)."""
    return target_tracking(
        "sagemaker", "sagemaker:variant:DesiredInstanceCount",
        sub(f"endpoint/${{Endpoint.EndpointName}}/variant/{VARIANT}"),
        ("InstanceCount", "MaxInstanceCount"), "invocations-per-instance",
        "TargetInvocationsPerInstance", "SageMakerVariantInvocationsPerInstance",
    )  # fmt: skip


def _execution_role(capture: bool = False) -> dict[str, Any]:
    statements = [
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": sub("arn:${AWS::Partition}:s3:::${ModelBucket}/${ModelKey}"),
        },
        *image_pull_statements(),
        {
            "Effect": "Allow",
            "Action": [
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:DescribeLogStreams",
                "logs:PutLogEvents",
            ],
            "Resource": sub(
                "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}"
                ":log-group:/aws/sagemaker/*"
            ),
        },
        {
            "Effect": "Allow",
            "Action": "cloudwatch:PutMetricData",
            "Resource": "*",
            "Condition": {"StringEquals": {"cloudwatch:namespace": "/aws/sagemaker/Endpoints"}},
        },
    ]
    if capture:
        location = {"Fn::Select": [1, {"Fn::Split": ["s3://", ref("CaptureS3Uri")]}]}
        statements.append(
            {
                "Effect": "Allow",
                "Action": "s3:PutObject",
                "Resource": {
                    "Fn::Join": ["", ["arn:", ref("AWS::Partition"), ":s3:::", location, "*"]]
                },
            }
        )
    return {
        "Type": "AWS::IAM::Role",
        "Condition": CREATE_ROLE,
        "Properties": {
            "Description": "SageMaker execution role written by learnburn deploy",
            "AssumeRolePolicyDocument": assume_role_policy("sagemaker.amazonaws.com"),
            "Policies": [
                {
                    "PolicyName": "serve-model",
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
                }
            ],
        },
    }


def _model(trusted: Sequence[str]) -> dict[str, Any]:
    container: dict[str, Any] = {
        "Image": ref("ImageUri"),
        "ModelDataUrl": sub("s3://${ModelBucket}/${ModelKey}"),
    }
    if trusted:
        container["Environment"] = {"LEARNBURN_TRUST": ",".join(trusted)}
    return {
        "Type": "AWS::SageMaker::Model",
        "Properties": {
            "ExecutionRoleArn": execution_role_arn("ExecutionRole"),
            "PrimaryContainer": container,
        },
    }


def _endpoint_config(target: str, capture: bool = False) -> dict[str, Any]:
    variant: dict[str, Any] = {
        "VariantName": VARIANT,
        "ModelName": get_att("Model", "ModelName"),
    }
    if target == "sagemaker":
        variant |= {
            "InitialInstanceCount": ref("InstanceCount"),
            "InstanceType": ref("InstanceType"),
            "InitialVariantWeight": 1,
        }
    else:
        variant["ServerlessConfig"] = {
            "MemorySizeInMB": ref("MemorySizeInMB"),
            "MaxConcurrency": ref("MaxConcurrency"),
        }
    properties: dict[str, Any] = {"ProductionVariants": [variant]}
    if capture:
        properties["DataCaptureConfig"] = {
            "EnableCapture": True,
            "DestinationS3Uri": ref("CaptureS3Uri"),
            "InitialSamplingPercentage": ref("CaptureSamplingPercentage"),
            "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
            "CaptureContentTypeHeader": {
                "CsvContentTypes": ["text/csv"],
                "JsonContentTypes": ["application/json"],
            },
        }
    return {"Type": "AWS::SageMaker::EndpointConfig", "Properties": properties}
