"""The templates: each target's passes cfn-lint with no errors (nor warnings), in every variant
the options produce, and holds the container contract: port 8080 and health checks on /ping."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from learnburn.deploy import TARGETS, choose_sizing, plan_deployment, write_plan
from learnburn.deploy._template import resources_using

cfnlint_api = pytest.importorskip("cfnlint.api", reason="the template tests need cfn-lint")

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/learnburn-loans:1"
ROLE = "arn:aws:iam::123456789012:role/serving"


def lint(template: dict) -> list:
    """cfn-lint's findings (errors and warnings) on the template, as its CLI would report."""
    config = cfnlint_api.ManualArgs(regions=["us-east-1", "eu-west-1"])
    return cfnlint_api.lint(json.dumps(template), config=config)


def plan(bundle: Path, target: str, **options):
    sizing = choose_sizing(target, options.pop("cost", None), options.pop("sizes", None))
    return plan_deployment(bundle, target, sizing=sizing, image=IMAGE, **options)


@pytest.mark.parametrize("target", TARGETS)
def test_each_targets_template_passes_cfn_lint(bundle_file, target):
    """The template of each target, as written with the defaults, has no cfn-lint findings."""
    assert lint(plan(bundle_file, target).template) == []


@pytest.mark.parametrize(
    ("target", "options"),
    [
        ("sagemaker", {"role_arn": ROLE, "trusted": ["numpy.float64"]}),
        ("sagemaker-serverless", {"sizes": {"MemorySizeInMB": 6144, "MaxConcurrency": 200}}),
        ("ecs-fargate", {"role_arn": ROLE, "sizes": {"Cpu": 256, "Memory": 512}}),
        ("ecs-fargate", {"network": {"CertificateArn": "arn:aws:acm:us-east-1:1:certificate/x"}}),
    ],
)
def test_templates_written_with_options_pass_cfn_lint(bundle_file, target, options):
    """A given role, trusted types, other sizes and an HTTPS certificate keep the template clean."""
    assert lint(plan(bundle_file, target, **options).template) == []


def test_cfn_lint_finds_a_broken_template(bundle_file):
    """The check can fail: a SageMaker endpoint without its configuration is an error."""
    template = plan(bundle_file, "sagemaker").template
    del template["Resources"]["Endpoint"]["Properties"]["EndpointConfigName"]
    assert any(match.rule.id.startswith("E") for match in lint(template))


def test_the_written_template_file_is_the_planned_template(bundle_file, tmp_path):
    """write_plan writes the template as JSON and the parameters as create-stack reads them."""
    planned = plan(bundle_file, "sagemaker", bucket="models")
    files = write_plan(planned, tmp_path)
    assert json.loads(files["template"].read_text()) == planned.template
    listing = json.loads(files["parameters"].read_text())
    assert {p["ParameterKey"]: p["ParameterValue"] for p in listing} == planned.parameters
    assert planned.parameters["ImageUri"] == IMAGE
    assert planned.parameters["ModelBucket"] == "models"


def test_ecs_task_and_target_group_check_ping_on_8080(bundle_file):
    """The container listens on 8080, runs `serve`, and both health checks ask GET /ping."""
    resources = plan(bundle_file, "ecs-fargate").template["Resources"]
    container = resources["TaskDefinition"]["Properties"]["ContainerDefinitions"][0]
    assert container["PortMappings"] == [{"ContainerPort": 8080, "Protocol": "tcp"}]
    assert container["Command"] == ["serve"]
    assert "http://127.0.0.1:8080/ping" in container["HealthCheck"]["Command"][-1]
    group = resources["TargetGroup"]["Properties"]
    assert (group["Port"], group["HealthCheckPath"], group["Matcher"]) == (
        8080,
        "/ping",
        {"HttpCode": "200"},
    )
    assert container["LogConfiguration"]["Options"]["awslogs-group"] == {"Ref": "LogGroup"}
    assert resources["Service"]["Properties"]["LoadBalancers"][0]["ContainerPort"] == 8080


def test_ecs_tasks_accept_traffic_only_from_the_load_balancer(bundle_file):
    """The tasks' security group opens 8080 to the load balancer's group alone."""
    resources = plan(bundle_file, "ecs-fargate").template["Resources"]
    (rule,) = resources["TaskSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert rule["SourceSecurityGroupId"] == {"Ref": "LoadBalancerSecurityGroup"}
    assert "CidrIp" not in rule


def test_serverless_endpoint_has_memory_and_concurrency_not_instances(bundle_file):
    """The serverless variant sets ServerlessConfig and no instance type or count."""
    resources = plan(bundle_file, "sagemaker-serverless").template["Resources"]
    (variant,) = resources["EndpointConfig"]["Properties"]["ProductionVariants"]
    assert variant["ServerlessConfig"] == {
        "MemorySizeInMB": {"Ref": "MemorySizeInMB"},
        "MaxConcurrency": {"Ref": "MaxConcurrency"},
    }
    assert "InstanceType" not in variant


def test_execution_role_is_created_only_without_a_role_arn(bundle_file):
    """The role is conditional; a given ARN goes to the parameter and drops CAPABILITY_IAM."""
    own = plan(bundle_file, "sagemaker")
    given = plan(bundle_file, "sagemaker", role_arn=ROLE)
    assert own.template["Resources"]["ExecutionRole"]["Condition"] == "CreateExecutionRole"
    assert own.needs_iam and not given.needs_iam
    assert given.parameters["ExecutionRoleArn"] == ROLE


def test_trusted_types_reach_the_container(bundle_file):
    """--trust names go to LEARNBURN_TRUST, which the image's entrypoint reads."""
    model = plan(bundle_file, "sagemaker", trusted=["numpy.float64"]).template["Resources"]["Model"]
    assert model["Properties"]["PrimaryContainer"]["Environment"] == {
        "LEARNBURN_TRUST": "numpy.float64"
    }


def test_same_inputs_give_the_same_template_bytes(bundle_file, tmp_path):
    """Nothing in the files changes between two runs: they can be checked in."""
    first = write_plan(plan(bundle_file, "sagemaker"), tmp_path / "a")
    second = write_plan(plan(bundle_file, "sagemaker"), tmp_path / "b")
    for kind in ("template", "parameters", "archive"):
        assert first[kind].read_bytes() == second[kind].read_bytes()


def test_resources_using_follows_refs_and_subs(bundle_file):
    """The resources that use a parameter are found through Ref and Fn::Sub."""
    template = plan(bundle_file, "sagemaker").template
    assert resources_using(template, "InstanceType") == ("EndpointConfig",)
    assert set(resources_using(template, "ModelBucket")) == {"ExecutionRole", "Model"}
