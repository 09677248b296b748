"""The templates: each target's passes cfn-lint with no errors (nor warnings), in every variant
the options produce, and holds the container contract: port 8080 and health checks on /ping."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from learnburn.deploy import (
    TARGETS,
    DeployError,
    choose_sizing,
    plan_deployment,
    read_cost_report,
    write_plan,
)
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
        ("ecs-fargate", {"network": {"LoadBalancerSubnetIds": ["subnet-1", "subnet-2"]}}),
        ("sagemaker", {"capture": "s3://learnburn-capture/loans"}),
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


REPOSITORY = "arn:aws:ecr:us-east-1:123456789012:repository/learnburn-loans"
CAPTURE = "s3://learnburn-capture/loans"


def _statements(template: dict) -> list[dict]:
    (policy,) = template["Resources"]["ExecutionRole"]["Properties"]["Policies"]
    return policy["PolicyDocument"]["Statement"]


def test_sagemaker_endpoint_scales_on_invocations_per_instance(bundle_file, cost_report):
    """A target-tracking policy on SageMakerVariantInvocationsPerInstance, between the
    instance count (two by default) and the maximum, both sized from the cost report."""
    planned = plan(bundle_file, "sagemaker", cost=read_cost_report(cost_report))
    resources = planned.template["Resources"]
    target = resources["ScalableTarget"]["Properties"]
    assert target["ServiceNamespace"] == "sagemaker"
    assert target["ScalableDimension"] == "sagemaker:variant:DesiredInstanceCount"
    assert target["ResourceId"] == {
        "Fn::Sub": "endpoint/${Endpoint.EndpointName}/variant/AllTraffic"
    }
    assert (target["MinCapacity"], target["MaxCapacity"]) == (
        {"Ref": "InstanceCount"},
        {"Ref": "MaxInstanceCount"},
    )
    policy = resources["ScalingPolicy"]["Properties"]
    config = policy["TargetTrackingScalingPolicyConfiguration"]
    assert policy["PolicyType"] == "TargetTrackingScaling"
    assert config["PredefinedMetricSpecification"]["PredefinedMetricType"] == (
        "SageMakerVariantInvocationsPerInstance"
    )
    assert config["TargetValue"] == {"Ref": "TargetInvocationsPerInstance"}
    assert planned.parameters["InstanceCount"] == "2"
    assert int(planned.parameters["MaxInstanceCount"]) >= 2


def test_ecs_service_scales_on_cpu_between_two_tasks_and_the_maximum(bundle_file):
    resources = plan(bundle_file, "ecs-fargate").template["Resources"]
    target = resources["ScalableTarget"]["Properties"]
    assert target["ServiceNamespace"] == "ecs"
    assert target["ScalableDimension"] == "ecs:service:DesiredCount"
    assert target["ResourceId"] == {"Fn::Sub": "service/${Cluster}/${Service.Name}"}
    assert (target["MinCapacity"], target["MaxCapacity"]) == (
        {"Ref": "DesiredCount"},
        {"Ref": "MaxCount"},
    )
    config = resources["ScalingPolicy"]["Properties"]["TargetTrackingScalingPolicyConfiguration"]
    assert config["PredefinedMetricSpecification"]["PredefinedMetricType"] == (
        "ECSServiceAverageCPUUtilization"
    )
    parameters = plan(bundle_file, "ecs-fargate").template["Parameters"]
    assert parameters["DesiredCount"]["Default"] == 2


def test_serverless_endpoint_has_no_instance_autoscaling(bundle_file):
    resources = plan(bundle_file, "sagemaker-serverless").template["Resources"]
    assert "ScalableTarget" not in resources and "ScalingPolicy" not in resources


def test_ecs_tasks_get_no_public_ip_by_default(bundle_file):
    """Private subnets: the tasks reach ECR, logs and S3 through NAT or VPC endpoints."""
    template = plan(bundle_file, "ecs-fargate").template
    service = template["Resources"]["Service"]["Properties"]
    assert service["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"] == {
        "Ref": "AssignPublicIp"
    }
    assert template["Parameters"]["AssignPublicIp"]["Default"] == "DISABLED"
    assert "VPC endpoints" in template["Parameters"]["SubnetIds"]["Description"]


def test_the_load_balancer_can_sit_in_its_own_subnets(bundle_file):
    planned = plan(bundle_file, "ecs-fargate", network={"LoadBalancerSubnetIds": ["a", "b"]})
    balancer = planned.template["Resources"]["LoadBalancer"]["Properties"]
    assert balancer["Subnets"] == {
        "Fn::If": [
            "HasLoadBalancerSubnets",
            {"Ref": "LoadBalancerSubnetIds"},
            {"Ref": "SubnetIds"},
        ]
    }
    assert planned.parameters["LoadBalancerSubnetIds"] == "a,b"


@pytest.mark.parametrize("target", ["sagemaker", "ecs-fargate"])
def test_the_role_pulls_only_from_the_images_repository(bundle_file, target):
    planned = plan(bundle_file, target)
    assert planned.parameters["ImageRepositoryArn"] == REPOSITORY
    pulls = [s for s in _statements(planned.template) if "ecr:BatchGetImage" in s["Action"]]
    assert [s["Resource"] for s in pulls] == [{"Ref": "ImageRepositoryArn"}]
    assert "repository/*" not in json.dumps(planned.template)
    assert "ManagedPolicyArns" not in planned.template["Resources"]["ExecutionRole"]["Properties"]


def test_an_image_outside_ecr_is_refused(bundle_file):
    sizing = choose_sizing("ecs-fargate")
    with pytest.raises(DeployError, match="not in an ECR repository"):
        plan_deployment(bundle_file, "ecs-fargate", sizing=sizing, image="docker.io/me/model:1")


def test_capture_adds_data_capture_to_the_endpoint_and_lets_the_role_write_there(bundle_file):
    planned = plan(bundle_file, "sagemaker", capture=CAPTURE)
    properties = planned.template["Resources"]["EndpointConfig"]["Properties"]
    capture = properties["DataCaptureConfig"]
    assert capture["EnableCapture"] is True
    assert capture["DestinationS3Uri"] == {"Ref": "CaptureS3Uri"}
    assert {o["CaptureMode"] for o in capture["CaptureOptions"]} == {"Input", "Output"}
    assert planned.parameters["CaptureS3Uri"] == CAPTURE
    writes = [s for s in _statements(planned.template) if s["Action"] == "s3:PutObject"]
    assert len(writes) == 1


def test_without_capture_the_endpoint_captures_nothing(bundle_file):
    properties = plan(bundle_file, "sagemaker").template["Resources"]["EndpointConfig"]
    assert "DataCaptureConfig" not in properties["Properties"]


@pytest.mark.parametrize(
    ("target", "capture", "message"),
    [
        ("sagemaker-serverless", CAPTURE, "real-time SageMaker endpoints"),
        ("sagemaker", "https://bucket/prefix", "not an S3 location"),
    ],
)
def test_capture_is_refused_where_it_cannot_work(bundle_file, target, capture, message):
    with pytest.raises(DeployError, match=message):
        plan(bundle_file, target, capture=capture)
