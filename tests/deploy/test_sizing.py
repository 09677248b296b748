"""Sizes: from a real `learnburn cost --json` report when given, else the defaults; a size given
by hand wins; sizes the platform refuses are errors that say what it accepts."""

from __future__ import annotations

import json

import pytest

from learnburn.deploy import DeployError, choose_sizing, read_cost_report, recommended_option


@pytest.fixture
def report(cost_report) -> dict:
    return read_cost_report(cost_report)


def test_sagemaker_takes_the_reports_instance_type_and_autoscaling_bounds(report):
    """The instance type of the recommended real-time option; two instances at the least
    (production), twice the peak's count at the most, and the measured invocations a minute
    one instance serves at the planned utilisation as the scaling target."""
    option = recommended_option(report, "sagemaker")
    sizing = choose_sizing("sagemaker", report)
    assert option["target"] == "sagemaker-realtime"
    assert option["configuration"].startswith(sizing.values["InstanceType"] + " ")
    assert sizing.values["InstanceCount"] == 2
    assert sizing.values["MaxInstanceCount"] == max(2, 2 * option["count"])
    inputs = next(s for s in option["steps"] if s["name"] == "instances")["inputs"]
    per_minute = (
        inputs["rps_per_vcpu"]["value"]
        * inputs["workers"]["value"]
        * inputs["utilisation"]["value"]
        * 60
    )
    assert sizing.values["TargetInvocationsPerInstance"] == int(per_minute)
    assert sizing.sources["InstanceType"].startswith("cost: ")


def test_fargate_takes_the_reports_task_size(report):
    """Cpu and Memory are the task size the report priced; the task count is its count."""
    option = recommended_option(report, "ecs-fargate")
    sizing = choose_sizing("ecs-fargate", report)
    vcpu, memory_gb = option["configuration"].split(" / ")[0], option["configuration"].split()[3]
    assert sizing.values["Cpu"] == float(vcpu.split()[0]) * 1024
    assert sizing.values["Memory"] == float(memory_gb) * 1024
    assert sizing.values["DesiredCount"] == 2
    assert sizing.values["MaxCount"] == max(2, 2 * option["count"])
    assert sizing.values["TargetCpuPercent"] == 70  # the report's planned utilisation


def test_serverless_takes_the_reports_memory_size(report):
    option = recommended_option(report, "sagemaker-serverless")
    sizing = choose_sizing("sagemaker-serverless", report)
    assert option["configuration"].startswith(f"{sizing.values['MemorySizeInMB']} MB")
    assert 1 <= sizing.values["MaxConcurrency"] <= 200


def test_the_reports_overall_choice_wins_when_it_is_on_the_target(report):
    """When the report's choice is a Fargate option, that option is the one used."""
    options = report["options"]
    index = next(i for i, o in reversed(list(enumerate(options))) if o["target"] == "fargate")
    report["choice"] = index
    assert recommended_option(report, "ecs-fargate") is options[index]


def test_sizes_given_by_hand_win_over_the_report(report):
    sizing = choose_sizing("ecs-fargate", report, {"Cpu": 2048, "Memory": 4096, "DesiredCount": 3})
    assert (sizing.values["Cpu"], sizing.values["Memory"], sizing.values["DesiredCount"]) == (
        2048,
        4096,
        3,
    )
    assert sizing.sources["Cpu"] == "you"


def test_without_a_report_the_defaults_are_used():
    sizing = choose_sizing("sagemaker")
    assert sizing.values == {
        "InstanceType": "ml.m5.large",
        "InstanceCount": 2,
        "MaxInstanceCount": 4,
        "TargetInvocationsPerInstance": 1000,
    }
    assert set(sizing.sources.values()) == {"default"}


@pytest.mark.parametrize(
    ("target", "key"), [("sagemaker", "InstanceCount"), ("ecs-fargate", "DesiredCount")]
)
def test_no_ha_runs_one_instance_or_task(report, target, key):
    assert choose_sizing(target, None, ha=False).values[key] == 1
    assert choose_sizing(target, report, ha=False).values[key] == 1


@pytest.mark.parametrize("name", ["ml.p9.mega", "ml.m5.mega", "ml.p9.xlarge"])
def test_instance_types_aws_does_not_document_are_refused(name):
    with pytest.raises(DeployError) as caught:
        choose_sizing("sagemaker", None, {"InstanceType": name})
    assert f"'{name}' is not a SageMaker instance type" in caught.value.message
    assert "ml.m5.large" in caught.value.hint  # the priced types are offered


def test_a_documented_family_not_in_the_price_table_is_accepted():
    sizing = choose_sizing("sagemaker", None, {"InstanceType": "ml.r6i.2xlarge"})
    assert sizing.values["InstanceType"] == "ml.r6i.2xlarge"


@pytest.mark.parametrize(
    ("target", "sizes"),
    [
        ("sagemaker", {"InstanceCount": 3, "MaxInstanceCount": 2}),
        ("ecs-fargate", {"DesiredCount": 5, "MaxCount": 4}),
    ],
)
def test_a_maximum_below_the_minimum_is_refused(target, sizes):
    with pytest.raises(DeployError, match="autoscaling needs room"):
        choose_sizing(target, None, sizes)


@pytest.mark.parametrize(
    ("target", "sizes", "expected"),
    [
        ("ecs-fargate", {"Cpu": 1024, "Memory": 3000}, "2048 to 8192"),
        ("ecs-fargate", {"Cpu": 3000}, "no task size"),
        ("sagemaker-serverless", {"MemorySizeInMB": 1500}, "1024, 2048"),
        ("sagemaker-serverless", {"MaxConcurrency": 500}, "1 to 200"),
        ("sagemaker", {"InstanceType": "m5.large"}, "start with 'ml.'"),
    ],
)
def test_sizes_the_platform_refuses_are_errors(target, sizes, expected):
    with pytest.raises(DeployError) as caught:
        choose_sizing(target, None, sizes)
    assert expected in f"{caught.value.message} {caught.value.hint}"


def test_a_report_without_the_target_is_an_error(report):
    report["options"] = [o for o in report["options"] if o["target"] != "fargate"]
    with pytest.raises(DeployError, match="no usable 'fargate' option"):
        choose_sizing("ecs-fargate", report)


def test_a_file_that_is_not_a_cost_report_is_an_error(tmp_path):
    path = tmp_path / "profile.json"
    path.write_text(json.dumps({"latency": {}}))
    with pytest.raises(DeployError, match="not a cost report"):
        read_cost_report(path)
