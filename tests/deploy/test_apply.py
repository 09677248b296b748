"""`learnburn deploy --apply`, `status` and `delete` against moto in server mode on 127.0.0.1:
what they create, report and remove, and what a failed step says and leaves behind.

What the emulator does and does not do, stated where it matters below:

- moto creates every resource type these templates use (SageMaker model, endpoint
  configuration and endpoint, ECS cluster, task definition and service, the load balancer,
  listener and target group, security groups, log group, IAM roles) and resolves the
  templates' conditions, mappings, Fn::Sub and Fn::GetAtt. It does not run containers, pull
  images, read the model archive, or check health: "created" here means the API calls and the
  resources' settings, not a serving endpoint.
- moto keeps only part of what CloudFormation gives an ECS service and task definition: the
  service's cluster, name, desired count and task definition (not its launch type, network
  configuration or load balancer), and the task definition's containers and memory (not its
  CPU, network mode or execution role). Those settings are checked in the templates
  (test_templates.py), which cfn-lint checks against CloudFormation's schemas.
- moto runs a stack synchronously: a resource it refuses fails the CreateStack call itself,
  leaving the resources made before it, and moto then answers DescribeStacks for that stack with
  HTTP 500. AWS instead accepts the call and reports the failure in the stack's events (tested
  on event records, in test_stack.py).
- moto accepts the Application Auto Scaling resources (the scalable target and its
  target-tracking policy) in a stack but keeps no state for them; their settings are checked
  in the templates (test_templates.py), and here that the applied stack carries them.
- moto's stack deletion leaves the ECS cluster, task definition and service and the target
  group in its own state; AWS deletes them with the stack.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from learnburn.cli._app import app
from learnburn.deploy import apply_deployment, choose_sizing, plan_deployment, write_plan

from .conftest import BUCKET, REGION, assert_no_secret, client, default_network

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/learnburn-loans:1"
runner = CliRunner(env={"COLUMNS": "200"})
# removed by AWS with the stack, kept by moto (see the module's docstring)
EMULATOR_KEEPS = {
    "AWS::ECS::Cluster",
    "AWS::ECS::TaskDefinition",
    "AWS::ECS::Service",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
}


def deploy(*args: str):
    return runner.invoke(app, ["deploy", *args])


def deploy_sagemaker(bundle, out, *extra: str, target: str = "sagemaker"):
    return deploy(
        str(bundle), "-t", target, "--image", IMAGE, "--bucket", BUCKET, "-o", str(out),
        "--apply", *extra,
    )  # fmt: skip


def deploy_ecs(bundle, out, *extra: str):
    vpc, subnets = default_network()
    network = ["--vpc", vpc, *(a for s in subnets for a in ("--subnet", s))]
    return deploy(str(bundle), "-t", "ecs-fargate", "--image", IMAGE, "-o", str(out), *network,
                  "--apply", *extra)  # fmt: skip


def archives() -> list[str]:
    listing = client("s3").list_objects_v2(Bucket=BUCKET)
    return [item["Key"] for item in listing.get("Contents", [])]


AUTOSCALING = {
    "ScalableTarget": "AWS::ApplicationAutoScaling::ScalableTarget",
    "ScalingPolicy": "AWS::ApplicationAutoScaling::ScalingPolicy",
}


def autoscaling_resources(stack: str) -> dict[str, str]:
    """The autoscaling resources of the template the stack was created from (moto models no
    Application Auto Scaling resources in CloudFormation: it accepts them and keeps no state)."""
    body = client("cloudformation").get_template(StackName=stack)["TemplateBody"]
    resources = (json.loads(body) if isinstance(body, str) else body)["Resources"]
    return {
        name: r["Type"]
        for name, r in resources.items()
        if r["Type"].startswith("AWS::ApplicationAutoScaling::")
    }


def stack_names() -> list[str]:
    summaries = client("cloudformation").list_stacks()["StackSummaries"]
    return [s["StackName"] for s in summaries if s["StackStatus"] != "DELETE_COMPLETE"]


def test_sagemaker_apply_creates_the_endpoint_and_prints_its_url(aws, bundle_file, tmp_path):
    """The archive goes to S3, the model points at it and the image, the endpoint is
    configured as planned, and the URL printed is the endpoint's runtime URL."""
    result = deploy_sagemaker(bundle_file, tmp_path / "deploy")
    assert result.exit_code == 0, result.output
    sagemaker = client("sagemaker")
    (endpoint,) = sagemaker.list_endpoints()["Endpoints"]
    name = endpoint["EndpointName"]
    url = f"https://runtime.sagemaker.{REGION}.amazonaws.com/endpoints/{name}/invocations"
    assert f"Endpoint URL: {url}" in result.output
    described = sagemaker.describe_endpoint(EndpointName=name)
    config = sagemaker.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
    (variant,) = config["ProductionVariants"]
    assert (variant["InstanceType"], variant["InitialInstanceCount"]) == ("ml.m5.large", 2)
    assert autoscaling_resources("learnburn-loans-sagemaker") == AUTOSCALING
    model = sagemaker.describe_model(ModelName=variant["ModelName"])
    (key,) = archives()
    assert model["PrimaryContainer"]["Image"] == IMAGE
    assert model["PrimaryContainer"]["ModelDataUrl"] == f"s3://{BUCKET}/{key}"
    uploaded = client("s3").get_object(Bucket=BUCKET, Key=key)["Body"].read()
    written = tmp_path / "deploy" / "learnburn-loans-sagemaker.model.tar.gz"
    assert uploaded == written.read_bytes()
    assert model["ExecutionRoleArn"].endswith(client("iam").list_roles()["Roles"][0]["RoleName"])
    assert_no_secret(result.output, folder=tmp_path)


def test_serverless_apply_configures_memory_and_concurrency(aws, bundle_file, tmp_path):
    """The serverless endpoint's configuration carries the planned memory and concurrency."""
    sizing = choose_sizing("sagemaker-serverless", None, {"MemorySizeInMB": 3072})
    plan = plan_deployment(
        bundle_file, "sagemaker-serverless", sizing=sizing, image=IMAGE, bucket=BUCKET
    )
    files = write_plan(plan, tmp_path)
    events = []
    outcome = apply_deployment(plan, files["archive"], progress=events.append)
    assert (outcome.action, outcome.status) == ("created", "CREATE_COMPLETE")
    assert outcome.uploaded
    sagemaker = client("sagemaker")
    name = outcome.outputs["EndpointName"]
    config_name = sagemaker.describe_endpoint(EndpointName=name)["EndpointConfigName"]
    (variant,) = sagemaker.describe_endpoint_config(EndpointConfigName=config_name)[
        "ProductionVariants"
    ]
    assert variant["ServerlessConfig"] == {"MemorySizeInMB": 3072, "MaxConcurrency": 10}
    assert outcome.url.endswith(f"/endpoints/{name}/invocations")
    assert any("uploading the model archive" in str(e) for e in events)


def test_ecs_apply_creates_the_service_behind_a_load_balancer(aws, bundle_file, tmp_path):
    """Cluster, task definition (8080, /ping), service, target group (/ping), listener,
    internal load balancer and log group; the URL printed is the load balancer's. (What moto
    does not keep of the service and task definition: see the module's docstring.)"""
    result = deploy_ecs(bundle_file, tmp_path / "deploy")
    assert result.exit_code == 0, result.output
    ecs, elb = client("ecs"), client("elbv2")
    (cluster,) = ecs.list_clusters()["clusterArns"]
    (service_arn,) = ecs.list_services(cluster=cluster)["serviceArns"]
    (service,) = ecs.describe_services(cluster=cluster, services=[service_arn])["services"]
    assert service["desiredCount"] == 2  # production: two tasks by default
    assert autoscaling_resources("learnburn-loans-ecs-fargate") == AUTOSCALING
    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    (container,) = task["containerDefinitions"]
    assert (task["memory"], container["image"], container["command"]) == ("2048", IMAGE, ["serve"])
    assert container["portMappings"][0]["containerPort"] == 8080
    assert "/ping" in container["healthCheck"]["command"][-1]
    (group,) = elb.describe_target_groups()["TargetGroups"]
    assert (group["Port"], group["HealthCheckPath"], group["TargetType"]) == (8080, "/ping", "ip")
    (balancer,) = elb.describe_load_balancers()["LoadBalancers"]
    assert balancer["Scheme"] == "internal"
    (listener,) = elb.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]
    assert (listener["Port"], listener["Protocol"]) == (80, "HTTP")
    assert f"Service URL: http://{balancer['DNSName']}" in result.output
    assert len(client("logs").describe_log_groups()["logGroups"]) == 1
    assert archives() == []  # the image carries the bundle: nothing to upload for ECS
    assert_no_secret(result.output, folder=tmp_path)


def test_status_reports_the_stack_its_url_and_resources(aws, bundle_file, tmp_path):
    deploy_sagemaker(bundle_file, tmp_path)
    result = deploy("status", "learnburn-loans-sagemaker")
    assert result.exit_code == 0, result.output
    assert "CREATE_COMPLETE" in result.output
    assert "URL: https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/" in result.output
    for logical in ("ExecutionRole", "Model", "EndpointConfig", "Endpoint"):
        assert logical in result.output
    assert_no_secret(result.output)


def test_status_of_an_unknown_stack_is_an_error(aws):
    result = deploy("status", "learnburn-nothing-here")
    assert result.exit_code == 1
    assert "there is no stack named learnburn-nothing-here" in result.stderr


def test_delete_removes_the_stack_its_resources_and_archives(aws, bundle_file, tmp_path):
    deploy_sagemaker(bundle_file, tmp_path)
    assert archives() and stack_names()
    result = deploy("delete", "learnburn-loans-sagemaker", "--yes")
    assert result.exit_code == 0, result.output
    sagemaker = client("sagemaker")
    assert sagemaker.list_endpoints()["Endpoints"] == []
    assert sagemaker.list_endpoint_configs()["EndpointConfigs"] == []
    assert sagemaker.list_models()["Models"] == []
    assert client("iam").list_roles()["Roles"] == []
    assert archives() == [] and stack_names() == []
    assert "Removed s3://" in result.output
    assert_no_secret(result.output)


def test_delete_removes_the_ecs_stack(aws, bundle_file, tmp_path):
    """Every resource moto removes with a stack is gone (EMULATOR_KEEPS: see the docstring)."""
    deploy_ecs(bundle_file, tmp_path)
    status = deploy("status", "learnburn-loans-ecs-fargate")
    created = {line.split()[1] for line in status.output.splitlines() if "AWS::" in line}
    assert created - EMULATOR_KEEPS >= {
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "AWS::EC2::SecurityGroup",
        "AWS::Logs::LogGroup",
        "AWS::IAM::Role",
    }
    result = deploy("delete", "learnburn-loans-ecs-fargate", "--yes")
    assert result.exit_code == 0, result.output
    assert client("elbv2").describe_load_balancers()["LoadBalancers"] == []
    groups = client("ec2").describe_security_groups()["SecurityGroups"]
    assert [g["GroupName"] for g in groups] == ["default"]
    assert client("logs").describe_log_groups()["logGroups"] == []
    assert client("iam").list_roles()["Roles"] == []
    assert stack_names() == []


def test_applying_again_updates_the_stack_without_uploading_again(aws, bundle_file, tmp_path):
    """A second apply with another instance count updates the stack; the archive, unchanged,
    is not sent again."""
    deploy_sagemaker(bundle_file, tmp_path)
    result = deploy_sagemaker(bundle_file, tmp_path, "--count", "3")
    assert result.exit_code == 0, result.output
    assert "Updated the stack learnburn-loans-sagemaker" in result.output
    assert "is in s3://" in result.output and "already" in result.output
    sagemaker = client("sagemaker")
    assert len(sagemaker.list_endpoints()["Endpoints"]) == 1
    (config,) = sagemaker.list_endpoint_configs()["EndpointConfigs"]  # the old one replaced
    described = sagemaker.describe_endpoint_config(EndpointConfigName=config["EndpointConfigName"])
    assert described["ProductionVariants"][0]["InitialInstanceCount"] == 3
    assert len(archives()) == 1


def test_a_missing_bucket_fails_the_upload_and_creates_nothing(aws, bundle_file, tmp_path):
    """The failed step and its resource are named; no stack and no SageMaker resource exist."""
    result = deploy(
        str(bundle_file), "-t", "sagemaker", "--image", IMAGE, "--bucket", "no-such-bucket",
        "-o", str(tmp_path), "--apply",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "uploading the model archive to s3://no-such-bucket/learnburn/" in result.stderr
    assert "NoSuchBucket" in result.stderr
    assert stack_names() == []
    assert client("sagemaker").list_models()["Models"] == []
    assert_no_secret(result.output, result.stderr, folder=tmp_path)


def test_a_rejected_value_names_its_resource_and_delete_cleans_up(aws, bundle_file, tmp_path):
    """An instance type SageMaker refuses fails the stack: the error names the parameter and
    the resource that uses it. moto fails the call itself after creating the role and the
    model, and cannot describe that stack afterwards, so delete is given the bucket to find
    the archive; it then removes the stack, what it made, and the archive."""
    # --parameter is the escape hatch past learnburn's own checks; moto's rejects the type
    result = deploy_sagemaker(bundle_file, tmp_path, "--parameter", "InstanceType=ml.bogus.large")
    assert result.exit_code == 1
    assert "creating the stack learnburn-loans-sagemaker failed" in result.stderr
    assert "InstanceType=ml.bogus.large (used by EndpointConfig)" in result.stderr
    assert "learnburn deploy delete learnburn-loans-sagemaker" in result.stderr
    assert client("sagemaker").list_models()["Models"]  # made before the failure
    cleaned = deploy("delete", "learnburn-loans-sagemaker", "--yes", "--bucket", BUCKET)
    assert cleaned.exit_code == 0, cleaned.output
    assert client("sagemaker").list_models()["Models"] == []
    assert client("iam").list_roles()["Roles"] == []
    assert archives() == [] and stack_names() == []
    assert_no_secret(result.output, result.stderr, cleaned.output, folder=tmp_path)


def test_apply_without_an_image_is_refused_before_anything_is_sent(aws, bundle_file, tmp_path):
    result = deploy(str(bundle_file), "-t", "sagemaker", "--bucket", BUCKET, "-o",
                    str(tmp_path), "--apply")  # fmt: skip
    assert result.exit_code == 1
    assert "applying needs values for ImageUri" in result.stderr
    assert "--image" in result.stderr
    assert archives() == [] and stack_names() == []


def test_without_credentials_the_error_says_where_they_come_from(
    aws, bundle_file, tmp_path, monkeypatch
):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = deploy_sagemaker(bundle_file, tmp_path)
    assert result.exit_code == 1
    assert "no AWS credentials were found" in result.stderr
    assert "AWS_PROFILE" in result.stderr


@pytest.mark.parametrize("stack", ["learnburn-nothing-here"])
def test_deleting_an_unknown_stack_is_an_error(aws, stack):
    result = deploy("delete", stack, "--yes")
    assert result.exit_code == 1
    assert f"there is no stack named {stack}" in result.stderr
