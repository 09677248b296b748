"""`learnburn prices update` end to end: AWS offer files in, a table `learnburn cost` reads out."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from learnburn.cli import app

runner = CliRunner(env={"COLUMNS": "200"})
TESTS = Path(__file__).parents[1]
OFFERS = TESTS / "costs" / "fixtures" / "offers"
PROFILE = TESTS / "profiling" / "fixtures" / "profile.json"


def test_update_writes_a_confirmed_table_that_cost_chooses_from(tmp_path):
    """Offer files in, a dated table out; `learnburn cost --prices` then chooses without
    --allow-unconfirmed and its --explain cites each price's offer and SKU."""
    table = tmp_path / "prices.csv"
    args = ["prices", "update", "--offer", str(OFFERS), "--region", "us-east-1"]
    result = runner.invoke(app, [*args, "--out", str(table)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {table}: 11 prices for us-east-1" in " ".join(result.stdout.split())
    lines = table.read_text().splitlines()
    assert lines[0] == "service,item,unit,usd,region,source_url,as_of,sku,confirmed"
    assert (
        "fargate,Linux/x86 vCPU,USD per vCPU-hour,0.04048,us-east-1,AWS Price List offer "
        "AmazonECS version 20261201183000 (ecs.json),2026-12-01,8CESGAFWKAJ98PME,yes"
    ) in lines

    report_path = tmp_path / "cost.json"
    args = ["cost", str(PROFILE), "--rps", "20", "--prices", str(table), "--explain"]
    cost = runner.invoke(app, [*args, "--json", str(report_path)])
    assert cost.exit_code == 0, cost.output
    out = " ".join(cost.stdout.split())
    assert "Cheapest option that meets p99 <= 100 ms" in out
    assert "not confirmed" not in out
    assert "SKU 8CESGAFWKAJ98PME" in out and "AmazonECS version 20261201183000" in out
    report = json.loads(report_path.read_text())
    assert report["options"][report["choice"]]["confirmed"] is True


def test_update_keeps_the_rows_of_the_previous_table_the_offers_do_not_price(tmp_path):
    table = tmp_path / "prices.csv"
    table.write_text(
        "service,item,unit,usd,region,source_url,as_of,sku,confirmed\n"
        "ec2,c5.large,USD per instance-hour,0.085,us-east-1,"
        "https://aws.amazon.com/ec2/pricing/on-demand/,2025-01,,no\n"
        "ec2,m5.large,USD per instance-hour,0.09,us-east-1,"
        "https://aws.amazon.com/ec2/pricing/on-demand/,2025-01,,no\n"
    )
    args = ["prices", "update", "--offer", str(OFFERS / "ec2.json"), "--out", str(table)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = table.read_text().splitlines()
    assert len(lines) == 3
    assert lines[1].startswith("ec2,m5.large,USD per instance-hour,0.096,") and lines[1].endswith(
        ",yes"
    )
    assert lines[2].startswith("ec2,c5.large,") and lines[2].endswith(",no")


def test_an_offer_without_the_region_exits_1_naming_the_file_and_region(tmp_path):
    args = ["prices", "update", "--offer", str(OFFERS / "elb.json"), "--region", "eu-west-1"]
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "prices.csv")])
    assert result.exit_code == 1
    assert "elb.json: offer AWSELB has no product in region 'eu-west-1'" in result.output
    assert not (tmp_path / "prices.csv").exists()
