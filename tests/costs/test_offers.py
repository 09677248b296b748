"""Reading AWS Price List offer files (fixtures in the documented JSON format) into price rows."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from learnburn.costs import load_prices, read_offer, read_offers, update_price_table
from learnburn.errors import CostError

OFFERS = Path(__file__).parent / "fixtures" / "offers"


def _by_item(prices):
    return {(p.service, p.item): p for p in prices}


def test_a_sagemaker_offer_gives_hosting_and_training_rates_with_sku_and_date():
    """Host: and Train: usage types become real-time and training rows citing SKU and date."""
    rows = _by_item(read_offer(OFFERS / "sagemaker.json", "us-east-1"))
    hosting = rows[("sagemaker-realtime", "ml.m5.large")]
    assert hosting.usd == Decimal("0.115")
    assert hosting.unit == "USD per instance-hour"
    assert hosting.sku == "7A4MHCQYGV3RQ7FN"
    assert hosting.as_of == "2026-12-01"
    assert "AmazonSageMaker version 20261201183000 (sagemaker.json)" in hosting.source
    assert rows[("sagemaker-training", "ml.m5.xlarge")].usd == Decimal("0.23")


def test_products_of_other_regions_and_without_a_region_are_left_out():
    """The us-west-2 product and the product with neither regionCode nor location give no row."""
    rows = read_offer(OFFERS / "sagemaker.json", "us-east-1")
    assert [p.region for p in rows] == ["us-east-1", "us-east-1"]
    assert all(p.usd != Decimal("9.99") for p in rows)  # the product without a region


def test_a_region_the_offer_lacks_is_an_error_naming_the_regions_it_has():
    with pytest.raises(CostError) as caught:
        read_offer(OFFERS / "sagemaker.json", "eu-west-1")
    assert "no product in region 'eu-west-1'" in caught.value.message
    assert "us-east-1, us-west-2" in caught.value.message
    assert "/AmazonSageMaker/current/eu-west-1/index.json" in caught.value.hint


def test_a_region_named_only_by_location_is_found(tmp_path):
    """Older offer files have ``location`` and no ``regionCode``."""
    offer = json.loads((OFFERS / "ecs.json").read_text())
    for product in offer["products"].values():
        del product["attributes"]["regionCode"]
    path = tmp_path / "ecs.json"
    path.write_text(json.dumps(offer))
    assert {p.item for p in read_offer(path, "us-east-1")} == {
        "Linux/x86 vCPU",
        "Linux/x86 memory",
    }


def test_a_sku_with_several_price_dimensions_gives_one_row_per_tier_in_range_order():
    """Lambda duration's three dimensions, listed out of order, become tiers 1-3 by beginRange."""
    rows = _by_item(read_offer(OFFERS / "lambda.json", "us-east-1"))
    tiers = [rows[("lambda", f"x86 duration tier {n}")].usd for n in (1, 2, 3)]
    assert tiers == [Decimal("0.0000166667"), Decimal("0.0000150000"), Decimal("0.0000133334")]
    assert {rows[("lambda", f"x86 duration tier {n}")].sku for n in (1, 2, 3)} == {
        "TG3M4CAGBA3NYQBH"
    }


def test_tiers_are_also_ordered_by_starting_range(tmp_path):
    """AWS's description of the format names the range fields startingRange/endingRange."""
    offer = json.loads((OFFERS / "lambda.json").read_text())
    for term in offer["terms"]["OnDemand"]["TG3M4CAGBA3NYQBH"].values():
        for dimension in term["priceDimensions"].values():
            dimension["startingRange"] = dimension.pop("beginRange")
            dimension["endingRange"] = dimension.pop("endRange")
    path = tmp_path / "lambda.json"
    path.write_text(json.dumps(offer))
    rows = _by_item(read_offer(path, "us-east-1"))
    assert rows[("lambda", "x86 duration tier 1")].usd == Decimal("0.0000166667")
    assert rows[("lambda", "x86 duration tier 3")].usd == Decimal("0.0000133334")


def test_a_per_request_price_is_converted_to_the_tables_unit():
    rows = _by_item(read_offer(OFFERS / "lambda.json", "us-east-1"))
    requests = rows[("lambda", "requests")]
    assert (requests.unit, requests.usd) == ("USD per 1M requests", Decimal("0.2"))


def test_a_product_family_the_cost_model_does_not_use_is_skipped():
    """Network Load Balancer usage (same usage types, other family) does not price the ALB."""
    rows = _by_item(read_offer(OFFERS / "elb.json", "us-east-1"))
    assert rows[("elb-alb", "LCU hour")].usd == Decimal("0.008")  # not the NLB's 0.006
    assert rows[("elb-alb", "LCU hour")].sku == "RZ6KM3F2EJQHB4VT"
    assert len(rows) == 2


def test_ec2_reads_shared_linux_on_demand_instances_only():
    """Windows and unused-reservation products of m5.large, and EBS storage, are skipped."""
    rows = read_offer(OFFERS / "ec2.json", "us-east-1")
    assert [(p.service, p.item, p.usd, p.sku) for p in rows] == [
        ("ec2", "m5.large", Decimal("0.096"), "2S47E3PRB8XVH9QV")
    ]


def test_fargate_spot_usage_is_not_taken_for_the_on_demand_rate():
    rows = _by_item(read_offer(OFFERS / "ecs.json", "us-east-1"))
    assert rows[("fargate", "Linux/x86 vCPU")].usd == Decimal("0.04048")
    assert rows[("fargate", "Linux/x86 memory")].usd == Decimal("0.004445")
    assert len(rows) == 2


def test_an_offer_with_no_price_learnburn_uses_is_an_error_not_an_empty_table(tmp_path):
    """Only Fargate Spot left in the file: nothing is taken for the on-demand rate."""
    offer = json.loads((OFFERS / "ecs.json").read_text())
    for sku in ("8CESGAFWKAJ98PME", "PBZNQUSEXZUC34C9"):
        del offer["products"][sku]
    path = tmp_path / "ecs.json"
    path.write_text(json.dumps(offer))
    with pytest.raises(CostError, match="1 product in us-east-1, but none with an on-demand"):
        read_offer(path, "us-east-1")


def test_a_folder_stands_for_the_offer_files_in_it():
    services = {p.service for p in read_offers([OFFERS], "us-east-1")}
    assert services == {
        "sagemaker-realtime",
        "sagemaker-training",
        "fargate",
        "ec2",
        "lambda",
        "elb-alb",
    }


def test_a_file_that_is_not_an_offer_is_an_error_naming_what_it_lacks(tmp_path):
    path = tmp_path / "index.json"
    path.write_text(json.dumps({"offerCode": "AmazonEC2", "products": {}}))
    with pytest.raises(CostError, match="lacks publicationDate, terms"):
        read_offer(path, "us-east-1")


def test_an_offer_learnburn_does_not_read_is_an_error(tmp_path):
    offer = json.loads((OFFERS / "ec2.json").read_text())
    offer["offerCode"] = "AmazonS3"
    path = tmp_path / "s3.json"
    path.write_text(json.dumps(offer))
    with pytest.raises(CostError, match="offer 'AmazonS3' is not one learnburn reads"):
        read_offer(path, "us-east-1")


def test_two_skus_with_different_prices_for_one_row_are_an_error_naming_both(tmp_path):
    offer = json.loads((OFFERS / "ec2.json").read_text())
    windows = offer["products"]["FBHZH3BUHCTV6UMT"]["attributes"]
    windows["operatingSystem"] = "Linux"
    path = tmp_path / "ec2.json"
    path.write_text(json.dumps(offer))
    with pytest.raises(CostError) as caught:
        read_offer(path, "us-east-1")
    assert "2S47E3PRB8XVH9QV" in caught.value.message
    assert "FBHZH3BUHCTV6UMT" in caught.value.message


def test_the_written_table_keeps_base_rows_the_offers_do_not_price_without_bracket_notes(
    tmp_path, write_prices
):
    base = write_prices(
        "ec2,m5.large [C: stale],USD per instance-hour,0.09,us-east-1,https://x.example,2025-01",
        "ec2,c5.large [C: single source],USD per instance-hour,0.085,us-east-1,"
        "https://aws.amazon.com/ec2/pricing/on-demand/,2025-01",
    )
    out = tmp_path / "new.csv"
    result = update_price_table([OFFERS], "us-east-1", out, base=base)
    assert result.kept == 1
    text = out.read_text()
    assert "[" not in text
    table = load_prices(out, today=date(2026, 12, 7))
    m5 = table.find("ec2", "m5.large", unit="USD per instance-hour")
    assert (m5.usd, m5.sku, m5.confirmed) == (0.096, "2S47E3PRB8XVH9QV", True)
    c5 = table.find("ec2", "c5.large", unit="USD per instance-hour")
    assert (c5.usd, c5.source) == (0.085, "https://aws.amazon.com/ec2/pricing/on-demand/")
