"""The verdict for production: two instances or tasks by default (--ha), serverless only when its
cold start stays out of the p99, GPUs compared across every service, and the managed-versus-
self-run trade-off in words."""

from __future__ import annotations

import warnings

import pytest
from typer.testing import CliRunner

from learnburn.cli import app
from learnburn.costs import Traffic, estimate_cost
from learnburn.errors import CostError, CostWarning

runner = CliRunner(env={"COLUMNS": "200"})


def _estimate(profile_data, prices, today, **traffic):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CostWarning)  # old prices: the cost tests' business
        return estimate_cost(
            profile_data, Traffic(**traffic), prices, today=today, allow_unconfirmed=True
        )


def _option(report, target, configuration=""):
    return next(
        o
        for o in report.options
        if o.target == target and o.configuration.startswith(configuration)
    )


def test_production_traffic_runs_two_instances_and_two_tasks(profile_data, prices, today):
    # 20 req/s fits one ml.m5.large, but --ha (the default) runs two: 2 * $0.115 * 730 = $167.90
    report = _estimate(profile_data, prices, today, rps=20)
    m5 = _option(report, "sagemaker-realtime", "ml.m5.large")
    assert (m5.count, m5.monthly_usd) == (2, pytest.approx(167.9))
    least = next(s for s in m5.steps if s.name == "instances").inputs["least"]
    assert least.value == 2 and "--ha" in least.source
    assert _option(report, "fargate", "1 vCPU").count == 2
    assert _option(report, "ec2", "c7i.large").count == 2
    endpoint = _estimate(profile_data, prices, today, rps=20, peak_rps=100)
    assert any(v.startswith("High availability (--ha, the default)") for v in endpoint.verdict)


def test_no_ha_prices_one_instance_and_says_there_is_no_redundancy(profile_data, prices, today):
    report = _estimate(profile_data, prices, today, rps=20, ha=False)
    m5 = _option(report, "sagemaker-realtime", "ml.m5.large")
    assert (m5.count, m5.monthly_usd) == (1, pytest.approx(83.95))
    assert _option(report, "fargate", "1 vCPU").count == 1
    endpoint = _estimate(profile_data, prices, today, rps=20, peak_rps=100, ha=False)
    assert any("No high availability (--no-ha)" in line for line in endpoint.verdict)


def test_serverless_is_not_chosen_when_its_cold_start_lands_in_scale_out(
    profile_data, prices, today
):
    """The demo's traffic: 20 req/s rising to 100 starts environments cold; a 1.8 s cold start
    misses a 100 ms p99, so the $1.05 serverless endpoint is not the production choice."""
    report = _estimate(profile_data, prices, today, rps=20, peak_rps=100)
    serverless = _option(report, "sagemaker-serverless")
    assert serverless.feasible and serverless.p99_ms <= 100
    assert serverless.meets_p99 is False
    assert report.choice.target != "sagemaker-serverless"
    assert _option(report, "lambda").meets_p99 is False
    line = next(v for v in report.verdict if v.startswith("SageMaker serverless"))
    assert "is not chosen" in line and "1.8 s measured" in line
    assert "scales out from 20 to 100 req/s" in line


def test_serverless_misses_the_target_when_the_service_idles_part_of_the_day(
    profile_data, prices, today
):
    report = _estimate(profile_data, prices, today, rps=20, hours_per_day=10)
    serverless = _option(report, "sagemaker-serverless")
    assert serverless.meets_p99 is False
    assert any("it idles 14 h a day" in note for note in serverless.notes)


def test_serverless_misses_the_target_when_requests_are_minutes_apart(profile_data, prices, today):
    report = _estimate(profile_data, prices, today, rps=0.005)
    assert _option(report, "sagemaker-serverless").meets_p99 is False
    assert any("every 200 s" in n for n in _option(report, "sagemaker-serverless").notes)


def test_serverless_meets_the_target_on_steady_traffic(profile_data, prices, today):
    """No idle gaps and no scale-out: environments stay warm, and serverless can be chosen."""
    report = _estimate(profile_data, prices, today, rps=20)
    serverless = _option(report, "sagemaker-serverless")
    assert serverless.meets_p99 is True
    assert report.choice is serverless
    assert any("no idle gaps and no scale-out" in note for note in serverless.notes)


def test_serverless_meets_the_target_when_its_cold_start_fits(profile_data, prices, today):
    profile_data["cold_start"]["seconds"] = 0.05
    report = _estimate(profile_data, prices, today, rps=20, peak_rps=100)
    serverless = _option(report, "sagemaker-serverless")
    assert serverless.meets_p99 is True
    assert any(n.startswith("cold start: 0.05 s measured") for n in serverless.notes)


def test_gpus_are_compared_across_every_service(profile_data, prices, today):
    """EC2 g4dn.xlarge ($0.526/h) is cheaper than SageMaker ml.g4dn.xlarge ($0.7364/h): the
    verdict names it whichever service the choice is on, and the next service's cheapest."""
    report = _estimate(profile_data, prices, today, rps=20, peak_rps=100)
    assert report.choice.target == "sagemaker-realtime"
    sentence = report.gpu.sentence
    assert "across every service, is EC2 g4dn.xlarge (NVIDIA T4)" in sentence
    assert "next: SageMaker ml.g4dn.xlarge $1,075.14" in sentence  # 2 * 0.7364 * 730


def test_the_verdict_says_what_sagemaker_buys_over_ecs(profile_data, prices, today):
    report = _estimate(profile_data, prices, today, rps=20, peak_rps=100)
    line = next(v for v in report.verdict if v.startswith("ECS on"))
    assert "SageMaker real-time: $73.00 for 2 instances" in line
    assert "managed deployment guardrails" in line and "data capture" in line
    assert "autoscaling without a load balancer" in line


def test_the_verdict_says_when_to_choose_sagemaker_at_a_premium(profile_data, write_prices, today):
    """With SageMaker dearer than Fargate, the verdict names the premium and the condition."""
    path = write_prices(
        "fargate,Linux/x86 vCPU,USD per vCPU-hour,0.04048,us-east-1,https://example.test,2026-11-01",
        "fargate,Linux/x86 memory,USD per GB-hour,0.004445,us-east-1,https://example.test,"
        "2026-11-01",
        "elb-alb,ALB hour,USD per ALB-hour,0.0225,us-east-1,https://example.test,2026-11-01",
        "elb-alb,LCU hour,USD per LCU-hour,0.008,us-east-1,https://example.test,2026-11-01",
        "sagemaker-realtime,ml.m5.large,USD per instance-hour,0.115,us-east-1,"
        "https://example.test,2026-11-01",
    )
    report = _estimate(profile_data, path, today, rps=20, peak_rps=100)
    assert report.choice.target == "fargate"
    line = next(v for v in report.verdict if v.startswith("ECS on Fargate"))
    assert "for 2 tasks; SageMaker real-time: $167.90 for 2 instances" in line
    assert "a month more" in line and "Choose SageMaker if those are worth" in line


def test_cost_cli_no_ha_prices_one_instance(profile_path):
    result = runner.invoke(
        app,
        [
            "cost",
            str(profile_path),
            "--rps",
            "20",
            "--peak-rps",
            "100",
            "--no-ha",
            "--allow-unconfirmed",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "No high availability (--no-ha)" in result.stdout
    assert "1 instance " in result.stdout


def test_the_verdict_quotes_measured_gpu_ratios(profile_data, prices, today):
    profile_data["gpu"] = {
        "present": True,
        "name": "NVIDIA A10G",
        "note": "",
        "comparison": {
            "speedups": [
                {"model": "xgboost", "fit": 6.1, "scoring_by_batch_rows": {"1": 0.4, "10000": 3.2}}
            ]
        },
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CostWarning)
        report = estimate_cost(profile_data, Traffic(rps=50), prices, today=today)
    assert (
        "GPU: measured on NVIDIA A10G against this CPU: xgboost fits 6.1x as fast and scores "
        "1 row 0.40x, 10,000 rows 3.2x as fast on the GPU." in report.gpu.sentence
    )


def test_a_malformed_comparison_is_a_clear_error(profile_data, prices, today):
    profile_data["gpu"] = {"present": True, "name": "T4", "note": "", "comparison": {"x": 1}}
    with pytest.raises(CostError, match=r"gpu\.comparison\.speedups"):
        estimate_cost(profile_data, Traffic(rps=50), prices, today=today)
