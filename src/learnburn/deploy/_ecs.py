"""The ECS on Fargate template: the image from ``learnburn package`` (which holds the bundle)
run as a service behind an Application Load Balancer.

- a cluster, a log group (30 days), and unless a role ARN is given the task execution role
  (pull from the image's one ECR repository, write to the one log group);
- the task definition: Fargate, awsvpc, port 8080, ``serve``, a container health check on
  ``/ping``, one server process per vCPU (``LEARNBURN_WORKERS``);
- two security groups: the load balancer's (the listener's port, from ``IngressCidr``) and the
  tasks' (8080, from the load balancer only);
- the load balancer (internal unless ``LoadBalancerScheme`` is internet-facing), a listener
  (HTTPS with ``CertificateArn``, else HTTP on 80) and the target group (ip targets, port 8080,
  health check ``GET /ping`` expecting 200, 30 s deregistration to match the server's drain);
- the service, with a deployment circuit breaker that rolls back a deployment whose tasks
  never become healthy, so a bad image fails the stack instead of retrying for hours;
- target-tracking autoscaling on the service's average CPU (``TargetCpuPercent``), between
  ``DesiredCount`` (two by default, in different Availability Zones) and ``MaxCount`` tasks.

The tasks get no public IP (``AssignPublicIp=DISABLED``): put them in private subnets that reach
ECR, CloudWatch Logs and S3 through a NAT gateway or VPC endpoints (interface endpoints
``ecr.api``, ``ecr.dkr`` and ``logs``, and the ``s3`` gateway endpoint, since image layers come
from S3). An internet-facing load balancer needs public subnets: ``LoadBalancerSubnetIds``.

The model server has no authentication of its own: whoever reaches the load balancer can score.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from learnburn.deploy._template import (
    CREATE_ROLE,
    NO_VALUE,
    ROLE_PARAMETER,
    assume_role_policy,
    execution_role_arn,
    get_att,
    if_,
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

PORT = 8080
CONTAINER = "model"
HEALTH_COMMAND = [
    "CMD",
    "python",
    "-c",
    f"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{PORT}/ping', timeout=4)",
]
CPU_UNITS = (256, 512, 1024, 2048, 4096, 8192, 16384)
DEFAULTS = {"Cpu": 1024, "Memory": 2048, "DesiredCount": 2, "MaxCount": 4, "TargetCpuPercent": 70}
HAS_CERTIFICATE = "HasCertificate"
HAS_LB_SUBNETS = "HasLoadBalancerSubnets"
URL_OUTPUT = "ServiceUrl"


def ecs_template(
    bundle_name: str, sizing: dict[str, Any], trusted: Sequence[str] = ()
) -> dict[str, Any]:
    """The template for ``target`` "ecs-fargate"; ``sizing`` gives Cpu, Memory and
    DesiredCount's defaults."""
    listener_port = if_(HAS_CERTIFICATE, 443, 80)
    resources = {
        "LogGroup": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 30}},
        "Cluster": {"Type": "AWS::ECS::Cluster"},
        "ExecutionRole": _execution_role(),
        "TaskDefinition": _task_definition(trusted),
        "LoadBalancerSecurityGroup": _security_group(
            "the load balancer of a learnburn model service",
            {"CidrIp": ref("IngressCidr"), "FromPort": listener_port, "ToPort": listener_port},
        ),
        "TaskSecurityGroup": _security_group(
            "the tasks of a learnburn model service: port 8080 from the load balancer",
            {
                "SourceSecurityGroupId": ref("LoadBalancerSecurityGroup"),
                "FromPort": PORT,
                "ToPort": PORT,
            },
        ),
        "LoadBalancer": {
            "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "Properties": {
                "Type": "application",
                "Scheme": ref("LoadBalancerScheme"),
                "Subnets": if_(HAS_LB_SUBNETS, ref("LoadBalancerSubnetIds"), ref("SubnetIds")),
                "SecurityGroups": [ref("LoadBalancerSecurityGroup")],
            },
        },
        "TargetGroup": _target_group(),
        "Listener": _listener(listener_port),
        "Service": _service(),
        **_autoscaling(),
    }
    outputs = {
        URL_OUTPUT: {
            "Description": "POST scoring requests to this URL + /invocations.",
            "Value": if_(
                HAS_CERTIFICATE,
                sub("https://${LoadBalancer.DNSName}"),
                sub("http://${LoadBalancer.DNSName}"),
            ),
        },
        "ClusterName": {"Value": ref("Cluster")},
        "ServiceName": {"Value": get_att("Service", "Name")},
        "LogGroupName": {"Value": ref("LogGroup")},
    }
    return template(
        "ecs-fargate",
        bundle_name,
        parameters=_parameters(sizing),
        resources=resources,
        outputs=outputs,
        conditions={
            **role_conditions(),
            HAS_CERTIFICATE: {"Fn::Not": [{"Fn::Equals": [ref("CertificateArn"), ""]}]},
            HAS_LB_SUBNETS: {
                "Fn::Not": [{"Fn::Equals": [{"Fn::Join": ["", ref("LoadBalancerSubnetIds")]}, ""]}]
            },
        },
        mappings={"Workers": {str(u): {"PerTask": str(max(1, u // 1024))} for u in CPU_UNITS}},
    )


def _parameters(sizing: dict[str, Any]) -> dict[str, Any]:
    return {
        "ImageUri": parameter(
            "String",
            "The image written by `learnburn package` (it holds the bundle), pushed to ECR.",
            MinLength=1,
        ),
        "ImageRepositoryArn": repository_parameter(),
        "VpcId": parameter("AWS::EC2::VPC::Id", "The VPC of the load balancer and the tasks."),
        "SubnetIds": parameter(
            "List<AWS::EC2::Subnet::Id>",
            "Private subnets in at least two Availability Zones for the tasks (and the load "
            "balancer unless LoadBalancerSubnetIds is given); they must reach ECR, CloudWatch "
            "Logs and S3 through a NAT gateway or VPC endpoints.",
        ),
        "LoadBalancerSubnetIds": parameter(
            "CommaDelimitedList",
            "Subnets for the load balancer (public ones for an internet-facing load balancer); "
            "empty: SubnetIds.",
            default="",
        ),
        "Cpu": parameter(
            "String",
            "Task CPU units (1024 = 1 vCPU); one server process per vCPU.",
            default=str(sizing["Cpu"]),
            AllowedValues=[str(units) for units in CPU_UNITS],
        ),
        "Memory": parameter(
            "String",
            "Task memory in MiB; Fargate allows only some sizes with each CPU size.",
            default=str(sizing["Memory"]),
            AllowedPattern=r"^[0-9]+$",
        ),
        "DesiredCount": parameter(
            "Number",
            "The tasks to run at the least (two or more spread across Availability Zones; one "
            "has no redundancy).",
            default=sizing["DesiredCount"],
            MinValue=0,
        ),
        "MaxCount": parameter(
            "Number", "The most tasks autoscaling may run.", default=sizing["MaxCount"], MinValue=1
        ),
        "TargetCpuPercent": parameter(
            "Number",
            "Autoscaling keeps the service's average CPU near this percentage.",
            default=sizing["TargetCpuPercent"],
            MinValue=10,
            MaxValue=95,
        ),
        "AssignPublicIp": parameter(
            "String",
            "DISABLED (the default): tasks in private subnets, pulling through a NAT gateway or "
            "VPC endpoints; ENABLED only for public subnets without either.",
            default="DISABLED",
            AllowedValues=["ENABLED", "DISABLED"],
        ),
        "LoadBalancerScheme": parameter(
            "String",
            "internal: reachable only inside the VPC; internet-facing: from the internet.",
            default="internal",
            AllowedValues=["internal", "internet-facing"],
        ),
        "IngressCidr": parameter(
            "String",
            "The addresses allowed to reach the load balancer.",
            default="0.0.0.0/0",
            AllowedPattern=r"^[0-9./]+$",
        ),
        "CertificateArn": parameter(
            "String",
            "An ACM certificate for an HTTPS listener on 443; empty: HTTP on 80.",
            default="",
        ),
        ROLE_PARAMETER: role_parameter("ECS tasks (the task execution role)"),
    }


def _execution_role() -> dict[str, Any]:
    statements = [
        *image_pull_statements(),
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": get_att("LogGroup", "Arn"),
        },
    ]
    return {
        "Type": "AWS::IAM::Role",
        "Condition": CREATE_ROLE,
        "Properties": {
            "Description": "ECS task execution role written by learnburn deploy",
            "AssumeRolePolicyDocument": assume_role_policy("ecs-tasks.amazonaws.com"),
            "Policies": [
                {
                    "PolicyName": "pull-image-write-logs",
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
                }
            ],
        },
    }


def _autoscaling() -> dict[str, Any]:
    """Target tracking on the service's average CPU, between DesiredCount and MaxCount tasks
    (Application Auto Scaling uses its service-linked role)."""
    return target_tracking(
        "ecs", "ecs:service:DesiredCount", sub("service/${Cluster}/${Service.Name}"),
        ("DesiredCount", "MaxCount"), "cpu", "TargetCpuPercent",
        "ECSServiceAverageCPUUtilization",
    )  # fmt: skip


def _task_definition(trusted: Sequence[str]) -> dict[str, Any]:
    workers = {"Fn::FindInMap": ["Workers", ref("Cpu"), "PerTask"]}
    environment = [{"Name": "LEARNBURN_WORKERS", "Value": workers}]
    if trusted:
        environment.append({"Name": "LEARNBURN_TRUST", "Value": ",".join(trusted)})
    container = {
        "Name": CONTAINER,
        "Image": ref("ImageUri"),
        "Essential": True,
        "Command": ["serve"],
        "PortMappings": [{"ContainerPort": PORT, "Protocol": "tcp"}],
        "Environment": environment,
        "HealthCheck": {
            "Command": HEALTH_COMMAND,
            "Interval": 30,
            "Timeout": 5,
            "Retries": 3,
            "StartPeriod": 60,
        },
        "StopTimeout": 30,
        "LogConfiguration": {
            "LogDriver": "awslogs",
            "Options": {
                "awslogs-group": ref("LogGroup"),
                "awslogs-region": ref("AWS::Region"),
                "awslogs-stream-prefix": CONTAINER,
            },
        },
    }
    return {
        "Type": "AWS::ECS::TaskDefinition",
        "Properties": {
            "Cpu": ref("Cpu"),
            "Memory": ref("Memory"),
            "NetworkMode": "awsvpc",
            "RequiresCompatibilities": ["FARGATE"],
            "RuntimePlatform": {"OperatingSystemFamily": "LINUX", "CpuArchitecture": "X86_64"},
            "ExecutionRoleArn": execution_role_arn("ExecutionRole"),
            "ContainerDefinitions": [container],
        },
    }


def _security_group(description: str, ingress: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "AWS::EC2::SecurityGroup",
        "Properties": {
            "GroupDescription": description,
            "VpcId": ref("VpcId"),
            "SecurityGroupIngress": [{"IpProtocol": "tcp", **ingress}],
        },
    }


def _target_group() -> dict[str, Any]:
    return {
        "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
        "Properties": {
            "TargetType": "ip",
            "Protocol": "HTTP",
            "Port": PORT,
            "VpcId": ref("VpcId"),
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPath": "/ping",
            "HealthCheckIntervalSeconds": 15,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 2,
            "UnhealthyThresholdCount": 3,
            "Matcher": {"HttpCode": "200"},
            "TargetGroupAttributes": [
                {"Key": "deregistration_delay.timeout_seconds", "Value": "30"}
            ],
        },
    }


def _listener(port: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "AWS::ElasticLoadBalancingV2::Listener",
        "Properties": {
            "LoadBalancerArn": ref("LoadBalancer"),
            "Port": port,
            "Protocol": if_(HAS_CERTIFICATE, "HTTPS", "HTTP"),
            "Certificates": if_(
                HAS_CERTIFICATE, [{"CertificateArn": ref("CertificateArn")}], NO_VALUE
            ),
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": ref("TargetGroup")}],
        },
    }


def _service() -> dict[str, Any]:
    return {
        "Type": "AWS::ECS::Service",
        "DependsOn": "Listener",  # the target group must belong to the load balancer first
        "Properties": {
            "Cluster": ref("Cluster"),
            "LaunchType": "FARGATE",
            "TaskDefinition": ref("TaskDefinition"),
            "DesiredCount": ref("DesiredCount"),
            "HealthCheckGracePeriodSeconds": 120,
            "DeploymentConfiguration": {
                "MinimumHealthyPercent": 100,
                "MaximumPercent": 200,
                "DeploymentCircuitBreaker": {"Enable": True, "Rollback": True},
            },
            "NetworkConfiguration": {
                "AwsvpcConfiguration": {
                    "Subnets": ref("SubnetIds"),
                    "SecurityGroups": [ref("TaskSecurityGroup")],
                    "AssignPublicIp": ref("AssignPublicIp"),
                }
            },
            "LoadBalancers": [
                {
                    "ContainerName": CONTAINER,
                    "ContainerPort": PORT,
                    "TargetGroupArn": ref("TargetGroup"),
                }
            ],
        },
    }
