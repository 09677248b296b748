"""estimate_cost: every target priced, the choice, the GPU comparison, warnings, the record."""

from __future__ import annotations

import json
import warnings

import pytest

from learnburn.costs import Traffic, estimate_cost
from learnburn.errors import CostError, CostWarning

TARGETS = {
    "sagemaker-realtime",
    "sagemaker-serverless",
    "sagemaker-batch",
    "fargate",
    "ec2",
    "lambda",
}
FRESH = [
    "fargate,Linux/x86 vCPU,USD per vCPU-hour,0.04048,us-east-1,https://example.test,2026-11-01",
    "fargate,Linux/x86 memory,USD per GB-hour,0.004445,us-east-1,https://example.test,2026-11-01",
    "elb-alb,ALB hour,USD per ALB-hour,0.0225,us-east-1,https://example.test,2026-11-01",
    "elb-alb,LCU hour,USD per LCU-hour,0.008,us-east-1,https://example.test,2026-11-01",
]


@pytest.fixture
def report(profile_data, prices, today):
    with pytest.warns(CostWarning, match="prices this estimate uses"):
        return estimate_cost(
            profile_data,
            Traffic(rps=200, peak_rps=800, retrain_every="7d"),
            prices,
            today=today,
            allow_unconfirmed=True,
        )


def test_every_target_is_priced_cheapest_first(report):
    assert {o.target for o in report.options} == TARGETS
    costs = [o.monthly_usd for o in report.options if o.feasible]
    assert costs == sorted(costs)
    assert [o.target for o in report.cheapest_per_target()].count("fargate") == 1


def test_the_choice_is_the_cheapest_online_option_that_meets_the_target(report):
    eligible = [o for o in report.options if o.online and o.feasible and o.meets_p99]
    assert report.choice is min(eligible, key=lambda o: o.monthly_usd)
    assert report.choice.target != "sagemaker-batch"  # offline scoring serves no request
    assert report.verdict[0].startswith("Cheapest option that meets p99 <= 100 ms:")
    capacity = next(line for line in report.verdict if line.startswith("One vCPU"))
    assert "One vCPU (Intel(R) Xeon(R) Platinum 8259CL" in capacity
    assert "serves 3,100 req/s at p99 8.8 ms" in capacity


def test_without_a_measured_gpu_the_verdict_compares_prices_only(report):
    # the cheapest GPU in any service, two of them (--ha): EC2 g4dn.xlarge,
    # 2 * $0.526 * 730 h = $767.96 a month, although the choice is a SageMaker endpoint
    gpu = report.gpu
    assert "No GPU: GPU latency was not measured (no CUDA device was present)" in gpu.sentence
    assert gpu.price.item == "g4dn.xlarge" and gpu.price.service == "ec2"
    assert gpu.gpu == "NVIDIA T4"
    assert gpu.monthly_usd == pytest.approx(767.96)
    assert gpu.ratio == pytest.approx(767.96 / report.choice.monthly_usd)
    assert f"{gpu.ratio:,.1f}x the chosen option" in gpu.sentence
    assert "faster" not in gpu.sentence and "speed" not in gpu.sentence
    assert gpu.sentence in report.verdict


def test_a_gpu_cheaper_than_the_cpu_fleet_must_prove_it_carries_the_peak(
    profile_data, prices, today
):
    """At 200,000 req/s the CPU fleet costs more than one GPU instance; the verdict says a GPU
    is cheaper only if one alone serves the peak, and asks to measure it."""
    with pytest.warns(CostWarning):
        report = estimate_cost(
            profile_data, Traffic(rps=200_000), prices, today=today, allow_unconfirmed=True
        )
    assert report.gpu.ratio < 1
    assert "cheaper only if 2 of them serve 200,000 req/s" in report.gpu.sentence
    assert "profile the bundle on a GPU" in report.gpu.sentence


def test_a_gpu_present_while_profiling_is_named_but_not_sized(profile_data, prices, today):
    profile_data["gpu"] = {"present": True, "name": "NVIDIA L4", "note": "scores on CPU"}
    with pytest.warns(CostWarning):
        report = estimate_cost(profile_data, Traffic(rps=20), prices, today=today)
    assert report.gpu.sentence.startswith("GPU: NVIDIA L4 was present while profiling")
    assert "not sized" in report.gpu.sentence


def test_when_no_level_meets_the_target_it_warns_and_chooses_nothing(profile_data, prices, today):
    with pytest.warns(CostWarning) as caught:
        report = estimate_cost(
            profile_data, Traffic(rps=20, p99_ms=0.5), prices, today=today, allow_unconfirmed=True
        )
    assert any("no measured level meets p99 <= 0.5 ms" in str(w.message) for w in caught)
    assert report.choice is None
    assert report.verdict[0].startswith("No option meets p99 <= 0.5 ms")
    assert all(o.meets_p99 is False for o in report.options if o.online and o.feasible)


def test_retraining_is_priced_apart_and_added_in_the_verdict(report):
    assert report.retraining.configuration == "ml.m5.large every 7d"
    assert report.retraining not in report.options
    assert any(line.startswith("Total with retraining:") for line in report.verdict)


def test_the_report_is_a_json_record_with_each_formula_and_price_source(report):
    data = json.loads(json.dumps(report.to_dict()))
    assert data["choice"] == report.options.index(report.choice)
    fargate = next(o for o in data["options"] if o["target"] == "fargate")
    step = next(s for s in fargate["steps"] if s["name"] == "task cost per hour")
    assert step["formula"] == "vcpus * vcpu_hour + memory_gb * gb_hour"
    assert (
        step["inputs"]["vcpu_hour"]["price"]["source"] == "https://aws.amazon.com/fargate/pricing/"
    )
    assert step["inputs"]["vcpu_hour"]["price"]["as_of"] == "2026-03-01"
    assert data["warnings"] and data["gpu"]["instance"] == "g4dn.xlarge"


def test_current_prices_draw_no_warning_and_missing_targets_say_why(
    write_prices, profile_data, today
):
    """A table with only Fargate and the ALB, dated this month: Fargate is chosen, the other
    targets are listed as not priced, and nothing is warned (warnings are errors here)."""
    path = write_prices(*FRESH)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = estimate_cost(profile_data, Traffic(rps=20), path, today=today)
    assert report.choice.target == "fargate"
    assert report.warnings == ()
    lam = next(o for o in report.options if o.target == "lambda")
    assert not lam.feasible and "has no Lambda x86 prices" in lam.notes[0]
    assert report.gpu.sentence.endswith("The price table lists no GPU instance.")


def test_a_table_that_prices_no_way_to_serve_is_an_error(write_prices, profile_data, today):
    path = write_prices("gcp-cloud-run,requests,USD per 1M requests,0.4,gcp-tier1,x,2026-11-01")
    with pytest.raises(CostError, match="no way to serve the bundle could be priced") as caught:
        estimate_cost(profile_data, Traffic(rps=20), path, today=today)
    assert "--prices" in caught.value.hint


CONFIRMED_FARGATE = [f"{line},,yes" for line in FRESH]
UNCONFIRMED_LAMBDA = [
    "lambda,x86 duration tier 1,USD per GB-second,0.0000166667,us-east-1,x,2026-11-01,,no",
    "lambda,requests,USD per 1M requests,0.2,us-east-1,x,2026-11-01,,no",
]
CONFIRMED_HEADER = "service,item,unit,usd,region,source_url,as_of,sku,confirmed"


def test_an_option_priced_from_unconfirmed_rows_is_shown_but_not_chosen(
    write_prices, profile_data, today
):
    """Lambda is cheaper at 20 req/s but rests on unconfirmed rows: Fargate is chosen, and the
    verdict says what was left out and how to bring it in."""
    path = write_prices(*CONFIRMED_FARGATE, *UNCONFIRMED_LAMBDA, header=CONFIRMED_HEADER)
    report = estimate_cost(profile_data, Traffic(rps=20), path, today=today)
    lam = next(o for o in report.options if o.target == "lambda")
    assert lam.feasible and not lam.confirmed
    assert lam.notes[0] == (
        "2 prices not confirmed against AWS's price list: left out of the verdict"
    )
    assert report.choice.target == "fargate"
    assert lam.monthly_usd < report.choice.monthly_usd
    assert report.verdict[0].startswith("Cheapest option that meets p99 <= 100 ms: ECS on Fargate")
    assert report.verdict[1].startswith("1 option rests on prices not confirmed")
    assert "would be Lambda" in report.verdict[1] and "--allow-unconfirmed" in report.verdict[1]


def test_allow_unconfirmed_lets_the_verdict_choose_them_and_says_so(
    write_prices, profile_data, today
):
    path = write_prices(*CONFIRMED_FARGATE, *UNCONFIRMED_LAMBDA, header=CONFIRMED_HEADER)
    report = estimate_cost(profile_data, Traffic(rps=20), path, today=today, allow_unconfirmed=True)
    assert report.choice.target == "lambda"
    assert "check them before relying on this" in report.verdict[-1]


def test_with_only_unconfirmed_rows_nothing_is_chosen_and_the_verdict_says_why(
    profile_data, prices, today
):
    """The shipped table could not be confirmed against AWS's list: no choice by default."""
    with pytest.warns(CostWarning):
        report = estimate_cost(profile_data, Traffic(rps=20), prices, today=today)
    assert report.choice is None and report.gpu.price is None
    assert "left out of this verdict" in report.verdict[0]
    assert "learnburn prices update" in report.verdict[0]
    assert not any(line.startswith("No option meets") for line in report.verdict)
