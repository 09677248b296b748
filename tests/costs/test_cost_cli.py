"""`learnburn cost PROFILE --rps R` end to end on the fixture profile."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from learnburn.cli import app

runner = CliRunner(env={"COLUMNS": "200"})


def test_cost_prints_the_options_cheapest_first_and_the_verdict(profile_path):
    args = ["cost", str(profile_path), "--rps", "200", "--peak-rps", "800", "--allow-unconfirmed"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Monthly cost at 200 req/s (peak 800), p99 <= 100 ms, 24 h a day" in out
    for header in ("option", "configuration", "units", "$/month", "meets p99?", "notes"):
        assert header in out
    for label in ("SageMaker real-time", "SageMaker serverless", "ECS on Fargate", "Lambda"):
        assert label in out
    assert "Verdict" in out and "Cheapest option that meets p99 <= 100 ms" in out
    assert "No GPU: GPU latency was not measured" in out
    # online options first, cheapest first: serverless ($10.51) before real-time ($73.00);
    # serverless is not chosen: its 1.8 s cold start misses 100 ms as traffic scales to 800/s
    assert out.index("SageMaker serverless") < out.index("SageMaker real-time *")
    assert "no (cold start; 0.9 ms warm)" in out
    assert "more options: --all shows them" in out


def test_the_price_age_warning_goes_to_stderr(profile_path):
    result = runner.invoke(app, ["cost", str(profile_path), "--rps", "20"])
    assert result.exit_code == 0
    assert "Warning: of the" in result.stderr and "prices this estimate uses" in result.stderr


def test_explain_shows_each_formula_with_its_inputs_and_each_price_source(profile_path):
    args = ["cost", str(profile_path), "--rps", "20", "--retrain-every", "7d", "--explain"]
    args.append("--allow-unconfirmed")
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "task cost per hour = vcpus * vcpu_hour + memory_gb * gb_hour" in out
    assert "= 1 * 0.04048 + 2 * 0.004445 = 0.04937 USD/h" in out
    assert "worker_rss_mb = 180 MB: measured: memory.worker_rss_mb" in out
    assert "https://aws.amazon.com/fargate/pricing/" in out
    assert "as of 2021-04-22 (same rate at cloudburn.io as of 2026-03)" in out
    assert "runs a month = hours_per_month / every_hours" in out
    assert "Plus retraining: ml.m5.large every 7d" in out


def test_all_shows_every_instance_type_and_json_writes_the_report(profile_path, tmp_path):
    out_path = tmp_path / "cost.json"
    args = ["cost", str(profile_path), "--rps", "20", "--all", "--json", str(out_path)]
    args.append("--allow-unconfirmed")
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "ml.m5.xlarge" in result.stdout and "16 vCPU / 32 GB task" in result.stdout
    report = json.loads(out_path.read_text())
    assert report["traffic"]["rps"] == 20
    assert {o["target"] for o in report["options"]} >= {"fargate", "lambda", "ec2"}
    assert report["verdict"][0].startswith("Cheapest option that meets")
    assert f"Wrote {out_path}" in result.stdout


def test_a_profile_with_a_missing_key_exits_1_naming_it(profile_path, tmp_path):
    data = json.loads(profile_path.read_text())
    del data["http"]["levels"][1]["rps"]
    broken = tmp_path / "profile.json"
    broken.write_text(json.dumps(data))
    result = runner.invoke(app, ["cost", str(broken), "--rps", "20"])
    assert result.exit_code == 1
    assert "http.levels[1].rps: missing" in result.output and "Hint:" in result.output


def test_a_malformed_price_file_exits_1_naming_the_line(profile_path, write_prices):
    path = write_prices("ec2,m5.large,USD per instance-hour,free,us-east-1,x,2026-11-01")
    result = runner.invoke(app, ["cost", str(profile_path), "--rps", "20", "--prices", str(path)])
    assert result.exit_code == 1
    assert "line 2, column 'usd'" in result.output


def test_impossible_options_are_usage_errors(profile_path):
    for args in (
        ["--rps", "-5"],
        ["--rps", "5", "--retrain-every", "7x"],
        ["--rps", "5", "--hours-per-day", "30"],
    ):
        result = runner.invoke(app, ["cost", str(profile_path), *args])
        assert result.exit_code == 2, (args, result.output)
    assert runner.invoke(app, ["cost", str(profile_path)]).exit_code == 2  # --rps is required


def test_a_narrow_terminal_gets_the_notes_under_the_table(profile_path):
    narrow = CliRunner(env={"COLUMNS": "100"})
    result = narrow.invoke(app, ["cost", str(profile_path), "--rps", "20"])
    assert result.exit_code == 0, result.output
    assert "notes" not in result.stdout.splitlines()[2]  # the header row
    assert "  ECS on Fargate: 4 prices not confirmed against AWS's price list" in result.stdout


def test_by_default_options_on_unconfirmed_prices_are_left_out_of_the_verdict(profile_path):
    """The shipped table could not be confirmed against AWS's list: no option is chosen, and
    the verdict says how to refresh the table or to allow unconfirmed rows."""
    result = runner.invoke(app, ["cost", str(profile_path), "--rps", "20"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "left out of this verdict" in out and "learnburn prices update" in out
    assert "Cheapest option that meets" not in out and " * " not in out
    allowed = runner.invoke(app, ["cost", str(profile_path), "--rps", "20", "--allow-unconfirmed"])
    assert "Cheapest option that meets p99 <= 100 ms" in " ".join(allowed.stdout.split())


def test_the_cost_output_never_shows_bracketed_table_notes(profile_path, write_prices):
    path = write_prices(
        "fargate,Linux/x86 vCPU [C: conflicts with 0.05],USD per vCPU-hour,0.04048,us-east-1,x,"
        "2026-11-01",
        "fargate,Linux/x86 memory,USD per GB-hour,0.004445,us-east-1,x,2026-11-01",
        "elb-alb,ALB hour,USD per ALB-hour,0.0225,us-east-1,x,2026-11-01",
        "elb-alb,LCU hour,USD per LCU-hour,0.008,us-east-1,x,2026-11-01",
    )
    args = ["cost", str(profile_path), "--rps", "20", "--prices", str(path), "--explain", "--all"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Linux/x86 vCPU" in result.stdout
    assert "[C" not in result.output and "conflicts with" not in result.output
