"""The price table: the shipped copy, the messy item and date columns, malformed files, age."""

from __future__ import annotations

import warnings
from datetime import date
from importlib import resources

import pytest

from learnburn.costs import check_prices_used, check_table_age, load_prices, parse_as_of, parse_item
from learnburn.errors import CostError, CostWarning

HOUR = "USD per instance-hour"


def test_the_shipped_table_is_package_data_and_every_line_parses(prices):
    """The default table ships inside learnburn; its 69 lines all parse, each with its line."""
    shipped = resources.files("learnburn.costs").joinpath("data/aws-prices.csv")
    assert shipped.is_file()
    assert len(prices.prices) == 69
    assert [p.line for p in prices.prices] == list(range(2, 71))
    assert prices.newest == date(2026, 10, 5)  # ec2 c7i.large, "Price List API read 2026-10-05"


def test_an_item_keeps_its_name_and_its_notes_apart():
    """Bracketed notes are the confidence note, parenthesised ones the note; the name is left."""
    assert parse_item("ml.c5.large [C: may be training rate]") == (
        "ml.c5.large",
        "",
        "C: may be training rate",
    )
    assert parse_item(
        "ml.m5.large (Pricing API usagetype USE1-Host:ml.m5.large; third-party read)"
    )[:2] == ("ml.m5.large", "Pricing API usagetype USE1-Host:ml.m5.large; third-party read")
    assert parse_item("compute 1024 MB [C]") == ("compute 1024 MB", "", "C")
    assert parse_item("max memory (limit, not price)")[0] == "max memory"
    assert parse_item("CPU, request-based billing (Tier 1)")[0] == "CPU, request-based billing"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-15", date(2026, 3, 15)),
        ("2025-10", date(2025, 10, 1)),
        ("2021-04-22 (same rate at cloudburn.io as of 2026-03)", date(2026, 3, 1)),
        ("several tables 2025-2026", date(2026, 1, 1)),
        ("since 2024-02 (code comment)", date(2024, 2, 1)),
        ("2025-10-28 (Pricing API; effective 2025-10-01)", date(2025, 10, 28)),
        ("undated", None),
        ("current docs (stored copy)", None),
        ("", None),
    ],
)
def test_a_price_is_as_old_as_the_latest_date_its_as_of_text_gives(text, expected):
    """A month or year alone counts from its first day, so an age is never understated."""
    assert parse_as_of(text) == expected


def test_the_first_of_conflicting_prices_is_used_and_the_others_are_kept(write_prices):
    """ml.m5.xlarge is 0.23 first, 0.269 second: 0.23 is used, 0.269 shown as an alternative."""
    path = write_prices(
        "sagemaker-realtime,ml.m5.xlarge,USD per instance-hour,0.23,us-east-1,x,2026-10",
        "sagemaker-realtime,ml.m5.xlarge,USD per instance-hour,0.269,us-east-1,y,2025-10",
    )
    m5 = load_prices(path, today=date(2026, 11, 1)).find(
        "sagemaker-realtime", "ml.m5.xlarge", unit=HOUR
    )
    assert m5.usd == 0.23
    assert m5.alternatives == (0.269,)
    assert "other figures: $0.269" in m5.summary()


def test_a_price_for_another_region_is_used_when_the_region_has_none(prices):
    """ml.m5.xlarge training is priced only for us-west-2: that row answers, marked as such."""
    price = prices.find("sagemaker-training", "ml.m5.xlarge", unit=HOUR, region="us-east-1")
    assert (price.usd, price.region) == (0.23, "us-west-2")


def test_instance_rows_are_listed_once_each(prices):
    """The SageMaker real-time instance types, duplicates folded, data rows left out."""
    names = [p.item for p in prices.instances("sagemaker-realtime")]
    assert names[:3] == ["ml.t2.medium", "ml.t3.medium", "ml.m5.large"]
    assert names.count("ml.m5.xlarge") == 1
    assert "endpoint data in/out" not in names


def test_a_price_in_another_unit_is_an_error_naming_the_line(write_prices):
    """A Fargate vCPU priced per second is refused, not silently misread as per hour."""
    path = write_prices("fargate,Linux/x86 vCPU,USD per vCPU-second,0.0000112,us-east-1,x,2026-10")
    table = load_prices(path, today=date(2026, 11, 1))
    with pytest.raises(CostError, match=r"line 2: fargate 'Linux/x86 vCPU'") as caught:
        table.find("fargate", "Linux/x86 vCPU", unit="USD per vCPU-hour")
    assert "USD per vCPU-hour" in caught.value.hint


def test_a_malformed_price_file_names_the_file_the_line_and_the_column(write_prices):
    """Every bad line is reported at once, with its line number and the column at fault."""
    path = write_prices(
        "ec2,m5.large,USD per instance-hour,0.096,us-east-1,x,2026-10",
        "ec2,c5.large,USD per instance-hour,cheap,us-east-1,x,2026-10",
        "ec2,,USD per instance-hour,0.1,us-east-1,x,2026-10",
        "ec2,c7i.large,USD per instance-hour,0.08925,us-east-1",
    )
    with pytest.raises(CostError) as caught:
        load_prices(path, today=date(2026, 11, 1))
    message = str(caught.value)
    assert str(path) in message and "3 malformed lines" in message
    assert "line 3, column 'usd': expected a number >= 0, got 'cheap'" in message
    assert "line 4, column 'item': empty" in message
    assert "line 5: 5 fields where the header has 7" in message


def test_a_price_file_without_a_required_column_is_refused(write_prices):
    path = write_prices(
        "ec2,m5.large,0.096,us-east-1,x,2026", header="service,item,usd,region,source_url,as_of"
    )
    with pytest.raises(CostError, match="line 1: the header lacks column unit"):
        load_prices(path)


def test_a_missing_price_file_says_which_file_and_what_it_needs(tmp_path):
    with pytest.raises(CostError, match="not found") as caught:
        load_prices(tmp_path / "nowhere.csv")
    assert "service,item,unit,usd,region,source_url,as_of" in caught.value.hint


def test_a_table_whose_newest_price_is_older_than_180_days_draws_a_warning(write_prices):
    """Newest 2026-05-01; on 2026-11-26 that is 209 days: a CostWarning says so."""
    path = write_prices(
        "ec2,m5.large,USD per instance-hour,0.096,us-east-1,x,2025-01-01",
        "ec2,c5.large,USD per instance-hour,0.085,us-east-1,x,2026-05-01",
    )
    with pytest.warns(CostWarning, match=r"newest price is from 2026-05-01, 209 days before"):
        load_prices(path, today=date(2026, 11, 26))


def test_a_recent_table_loads_without_a_warning(write_prices):
    """2026-06-01 is 178 days before 2026-11-26: no warning (and warnings are errors here)."""
    path = write_prices("ec2,m5.large,USD per instance-hour,0.096,us-east-1,x,2026-06-01")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = load_prices(path, today=date(2026, 11, 26))
    assert check_table_age(table, date(2026, 11, 26)) == ""


def test_old_and_undated_prices_in_use_are_counted(prices, today):
    """Of ml.t2.medium (undated), Fargate x86 vCPU (2026-03, 270 days) and ml.m5.large
    (2026-07-30, 119 days): one old, one undated."""
    used = [
        prices.find("sagemaker-realtime", "ml.t2.medium", unit=HOUR),
        prices.find("fargate", "Linux/x86 vCPU", unit="USD per vCPU-hour"),
        prices.find("sagemaker-realtime", "ml.m5.large", unit=HOUR),
    ]
    sentence = check_prices_used(used, today)
    assert sentence.startswith("of the 3 prices this estimate uses, 1 older than 180 days")
    assert "1 undated (sagemaker-realtime ml.t2.medium)" in sentence
    assert check_prices_used(used[2:], today) == ""


AWS_PAGES = ("https://aws.amazon.com/", "https://docs.aws.amazon.com/", "AWS Price List offer ")


def test_every_shipped_row_cites_the_aws_page_or_offer_it_comes_from(prices):
    """No row cites an unidentified source; GCP rows cite Google's own page."""
    for price in prices.prices:
        wanted = ("https://cloud.google.com/",) if price.service.startswith("gcp") else AWS_PAGES
        assert price.source.startswith(wanted), (price.line, price.source)


def test_the_shipped_table_marks_every_row_confirmed_or_not_and_holds_no_bracket_notes():
    text = resources.files("learnburn.costs").joinpath("data/aws-prices.csv").read_text()
    assert text.splitlines()[0].endswith(",sku,confirmed")
    assert "[" not in text and "n/a" not in text
    rows = [line.rsplit(",", 1)[1] for line in text.splitlines()[1:]]
    assert set(rows) <= {"yes", "no"}


def test_a_row_is_unconfirmed_only_when_its_confirmed_column_says_no(write_prices):
    """A table without the column makes no claim: its rows count as confirmed."""
    header = "service,item,unit,usd,region,source_url,as_of,sku,confirmed"
    marked = write_prices(
        "ec2,m5.large,USD per instance-hour,0.096,us-east-1,x,2026-10,SKU1,yes",
        "ec2,c5.large,USD per instance-hour,0.085,us-east-1,x,2026-10,,no",
        header=header,
    )
    table = load_prices(marked, today=date(2026, 11, 1))
    assert [(p.item, p.sku, p.confirmed) for p in table.prices] == [
        ("m5.large", "SKU1", True),
        ("c5.large", "", False),
    ]
    assert [p.item for p in table.confirmed_only().prices] == ["m5.large"]
    assert "not confirmed against AWS's price list" in table.prices[1].summary()
    plain = write_prices("ec2,m5.large,USD per instance-hour,0.096,us-east-1,x,2026-10")
    assert load_prices(plain, today=date(2026, 11, 1)).prices[0].confirmed


def test_a_confirmed_value_other_than_yes_or_no_is_a_malformed_line(write_prices):
    header = "service,item,unit,usd,region,source_url,as_of,sku,confirmed"
    path = write_prices(
        "ec2,m5.large,USD per instance-hour,0.096,us-east-1,x,2026-10,,maybe", header=header
    )
    with pytest.raises(CostError, match="line 2, column 'confirmed': expected yes or no"):
        load_prices(path, today=date(2026, 11, 1))


def test_bracketed_notes_never_reach_a_description_or_the_json(write_prices):
    path = write_prices(
        "ec2,m5.large [C: conflicts with 0.269],USD per instance-hour,0.096,us-east-1,x,2026-10"
    )
    price = load_prices(path, today=date(2026, 11, 1)).prices[0]
    assert price.item == "m5.large"
    assert "C:" not in price.summary() and "0.269" not in str(price.to_dict())
