import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from learnburn.cli import app
from learnburn.testing import sea_stream

runner = CliRunner(env={"COLUMNS": "120"})

SPEC = """
[experiment]
name = "sea"
[data]
path = "sea.csv"
target = "label"
{time}
[evaluation]
metric = "accuracy"
[candidates.logistic_regression]
"""


@pytest.fixture
def spec_path(tmp_path):
    """A spec over 24 days of a SEA stream (60 rows a day) that changes on day 12."""
    frame = sea_stream(1440, drift_points=(720,), variants=(2, 3), seed=1, freq="24min")
    frame.to_csv(tmp_path / "sea.csv", index=False)
    path = tmp_path / "sea.toml"
    path.write_text(SPEC.format(time='time_column = "time"'))
    return path


def test_cadence_prints_the_intervals_the_recommendation_and_the_aging_curve(spec_path, tmp_path):
    """`learnburn cadence` exits 0, shows every interval against the baseline, the
    recommendation and the aging curve, and writes the JSON report."""
    out = tmp_path / "out" / "cadence.json"
    result = runner.invoke(
        app,
        ["cadence", str(spec_path), "--every", "2,4", "--unit", "day", "--tolerance", "0.005",
         "--window", "sliding:2", "--json", str(out), "--quiet"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Retraining logistic_regression every N days" in result.output
    for label in ("1 day", "2 days", "4 days", "base"):
        assert label in result.output
    assert "Recommended: retrain every" in result.output
    assert "Aging curve: accuracy by model age" in result.output
    assert "--cost-profile" in result.output  # how to get a cost
    report = json.loads(out.read_text())
    assert [r["every"] for r in report["intervals"]] == [1, 2, 4]
    assert f"retrain every {report['recommended']} day" in result.output
    assert report["window"] == "sliding:2" and report["unit"] == "day"
    assert [w["window"] for w in report["windows"]] == ["sliding:2"]  # given: not searched
    assert "Training windows" not in result.output


def test_cadence_searches_training_windows_by_default_and_shows_the_pair(spec_path, tmp_path):
    """Without --window, the expanding window and sliding ones are backtested: a table of
    windows by intervals, the recommended pair with the sentence why, all in the JSON."""
    out = tmp_path / "cadence.json"
    result = runner.invoke(
        app,
        ["cadence", str(spec_path), "--every", "2,4", "--unit", "day", "--json", str(out), "-q"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    windows = [w["window"] for w in report["windows"]]
    assert windows == ["expanding", "sliding:2", "sliding:3", "sliding:4", "sliding:6"]
    assert "Training windows: mean accuracy loss of each (interval, window)" in result.output
    for window in windows:
        assert window in result.output
    assert f"{report['window']} *" in result.output  # the chosen window is marked
    every = report["recommended"]
    assert report["reason"].startswith(f"retrain every {every} day")
    assert f"Recommended: retrain every {every} day" in result.output
    assert "windows backtested" in report["reason"] and report["reference_window"] in windows


def test_cadence_with_a_cost_profile_shows_a_monthly_cost_column(spec_path):
    """--cost-profile adds $/month per interval and says where the figures come from."""
    profile = Path(__file__).resolve().parents[1] / "profiling" / "fixtures" / "profile.json"
    result = runner.invoke(
        app,
        ["cadence", str(spec_path), "--every", "2", "--unit", "day", "--quiet",
         "--cost-profile", str(profile)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "$/month" in result.output and "3.2 s fits" in result.output


@pytest.mark.parametrize(
    ("option", "value"),
    [("--every", "0,2"), ("--every", "two"), ("--unit", "fortnight"), ("--tolerance", "-1")],
)
def test_a_bad_option_is_a_usage_error(spec_path, option, value):
    """A malformed option exits 2 and names the option."""
    result = runner.invoke(app, ["cadence", str(spec_path), option, value])
    assert result.exit_code == 2
    assert option in result.output


def test_a_spec_without_a_time_column_exits_1_with_a_hint(tmp_path, spec_path):
    """A learnburn error exits 1 with Error and Hint lines."""
    spec_path.write_text(SPEC.format(time=""))
    result = runner.invoke(app, ["cadence", str(spec_path), "--unit", "day", "--quiet"])
    assert result.exit_code == 1
    assert "Error:" in result.output and "no time column" in result.output
    assert "Hint:" in result.output and "time_column" in result.output


def test_a_bad_window_exits_1_saying_what_it_expects(spec_path):
    """A window that is neither expanding nor sliding:W is a CadenceError: exit 1."""
    result = runner.invoke(
        app, ["cadence", str(spec_path), "--unit", "day", "--window", "rolling", "--quiet"]
    )
    assert result.exit_code == 1
    assert "sliding:W" in result.output


def test_cadence_help_lists_its_options():
    """--help documents the options of the cadence backtest."""
    result = runner.invoke(app, ["cadence", "--help"])
    assert result.exit_code == 0
    for option in ("--every", "--unit", "--tolerance", "--label-delay", "--window",
                   "--candidate", "--cost-profile", "--json"):  # fmt: skip
        assert option in result.output


def test_cadence_since_backtests_only_the_newest_rows(spec_path, tmp_path):
    """--since reads the rows from that day on without editing the spec."""
    out = tmp_path / "cadence.json"
    result = runner.invoke(
        app,
        ["cadence", str(spec_path), "--every", "2", "--unit", "day", "--window", "sliding:2",
         "--since", "2024-01-13", "--json", str(out), "--quiet"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    periods = json.loads(out.read_text())["periods"]
    assert min(periods) >= "2024-01-13"


def test_cadence_refuses_a_since_that_is_not_a_date(spec_path):
    """--since must be an ISO date: a usage error (exit 2) naming the option."""
    result = runner.invoke(app, ["cadence", str(spec_path), "--since", "last week"])
    assert result.exit_code == 2
    assert "ISO date" in result.output
