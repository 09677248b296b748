"""Sizes: from a real `learnburn cost --json` report when given, else the defaults; a size given
by hand wins; sizes the platform refuses are errors that say what it accepts."""

from __future__ import annotations

import json

import pytest

from learnburn.deploy import DeployError, choose_sizing, read_cost_report, recommended_option


@pytest.fixture
def report(cost_report) -> dict:
    return read_cost_report(cost_report)


def test_sagemaker_takes_the_reports_instance_type_and_count(report):
    """The instance type and count are those of the recommended real-time option."""
    option = recommended_option(report, "sagemaker")
    sizing = choose_sizing("sagemaker", report)
    assert option["target"] == "sagemaker-realtime"
    assert option["configuration"].startswith(sizing.values["InstanceType"] + " ")
    assert sizing.values["InstanceCount"] == option["count"] >= 1
    assert sizing.sources["InstanceType"].startswith("cost: ")


def test_fargate_takes_the_reports_task_size(report):
    """Cpu and Memory are the task size the report priced; the task count is its count."""
    option = recommended_option(report, "ecs-fargate")
    sizing = choose_sizing("ecs-fargate", report)
    vcpu, memory_gb = option["configuration"].split(" / ")[0], option["configuration"].split()[3]
    assert sizing.values["Cpu"] == float(vcpu.split()[0]) * 1024
    assert sizing.values["Memory"] == float(memory_gb) * 1024
    assert sizing.values["DesiredCount"] == option["count"]


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
    assert sizing.values == {"InstanceType": "ml.m5.large", "InstanceCount": 1}
    assert set(sizing.sources.values()) == {"default"}


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
