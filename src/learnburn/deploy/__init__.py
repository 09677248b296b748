"""Deploying a bundle: ``package_bundle`` writes the Docker build folder whose one image serves
it on SageMaker and on ECS/Fargate (its pinned requirements, the Dockerfile, entrypoint and
README from templates, and the writer that stages the folder and moves it into place); then a
CloudFormation template for a SageMaker endpoint (real-time or serverless) or an ECS service on
Fargate, sized from a cost report (:mod:`learnburn.costs`) when one is given, and the boto3
steps that apply it (upload the model archive, create or update the stack, wait), report on it
and delete it. boto3 is imported only by those steps."""

from learnburn.deploy._apply import ApplyOutcome, apply_deployment, check_ready
from learnburn.deploy._archive import ModelArchive, write_model_archive
from learnburn.deploy._delete import DeleteOutcome, delete_deployment, describe_deployment
from learnburn.deploy._package import PackageSummary, package_bundle
from learnburn.deploy._plan import (
    DeploymentPlan,
    archive_key,
    default_stack_name,
    plan_deployment,
    write_plan,
)
from learnburn.deploy._sizing import (
    TARGETS,
    Sizing,
    choose_sizing,
    read_cost_report,
    recommended_option,
)
from learnburn.deploy._stack import StackEvent, StackReport, StackResource
from learnburn.errors import DeployError

__all__ = [
    "TARGETS",
    "ApplyOutcome",
    "DeleteOutcome",
    "DeployError",
    "DeploymentPlan",
    "ModelArchive",
    "PackageSummary",
    "Sizing",
    "StackEvent",
    "StackReport",
    "StackResource",
    "apply_deployment",
    "archive_key",
    "check_ready",
    "choose_sizing",
    "default_stack_name",
    "delete_deployment",
    "describe_deployment",
    "package_bundle",
    "plan_deployment",
    "read_cost_report",
    "recommended_option",
    "write_model_archive",
    "write_plan",
]
