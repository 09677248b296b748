import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from learnburn.backends import LocalBackend
from learnburn.errors import CadenceError, CandidateError
from learnburn.spec import load_spec
from learnburn.testing import sea_stream
from learnburn.workflows import run_cadence

PROFILE = Path(__file__).resolve().parents[1] / "profiling" / "fixtures" / "profile.json"

SPEC = """
[experiment]
name = "sea"
[data]
path = "sea.csv"
target = "label"
{time}
[evaluation]
metric = "{metric}"
seed = 3
[candidates.logistic_regression]
[candidates.decision_tree]
params = {{ max_depth = 3 }}
"""


@pytest.fixture
def sea_spec(tmp_path):
    """A SEA stream of 24 days, 60 rows a day, with an abrupt change on day 12."""

    def write(*, time: bool = True, metric: str = "accuracy"):
        frame = sea_stream(1440, drift_points=(720,), variants=(2, 3), seed=1, freq="24min")
        frame.to_csv(tmp_path / "sea.csv", index=False)
        text = SPEC.format(time='time_column = "time"' if time else "", metric=metric)
        (tmp_path / "sea.toml").write_text(text)
        return load_spec(tmp_path / "sea.toml")

    return write


class CountingBackend(LocalBackend):
    """The local backend, counting the tasks it is given."""

    def __init__(self):
        super().__init__(1)
        self.tasks = 0

    def map(self, fn, tasks, *, shared, on_result=None):
        self.tasks += len(tasks)
        return super().map(fn, tasks, shared=shared, on_result=on_result)


def test_run_cadence_fits_the_first_candidate_once_a_period_through_the_backend(sea_spec):
    """Each period from t0 is one task on the backend; progress reports each; the report
    names the candidate, the spec's metric, and the retrains a month of each interval."""
    backend, events = CountingBackend(), []
    report = run_cadence(
        sea_spec(), every=[1, 2, 4], unit="day", tolerance=0.01, backend=backend,
        progress=events.append, window="expanding",
    )  # fmt: skip
    assert backend.tasks == 24 - 4  # warmup: the longest interval, 4 days
    assert [e.total for e in events if e.kind == "folds"] == [20]
    assert sum(e.kind == "fold" for e in events) == 20
    assert report.candidate == "logistic_regression"
    assert report.metric == "accuracy" and report.unit == "day"
    assert len(report.periods) == 24 - 4 - 3
    assert report.periods[0] == "2024-01-08"
    assert [r.retrains_per_month for r in report.intervals] == pytest.approx(
        [730 / 24, 730 / 48, 730 / 96]
    )
    assert report.fit_seconds > 0
    assert report.cost is None and all(r.monthly_cost_usd is None for r in report.intervals)


def test_the_window_search_fits_each_distinct_training_window_once(sea_spec):
    """By default the expanding window and sliding ones of 2, 3, 4 and 6 days (up to a quarter
    of the 24 days) are backtested from the same first retrain (day 4); a sliding window no
    shorter than the history so far is the expanding one, and is not fitted twice."""
    backend, events = CountingBackend(), []
    report = run_cadence(
        sea_spec(), every=[1, 2, 4], unit="day", tolerance=0.01, backend=backend,
        progress=events.append,
    )  # fmt: skip
    windows = [w.window for w in report.windows]
    assert windows == ["expanding", "sliding:2", "sliding:3", "sliding:4", "sliding:6"]
    assert backend.tasks == 20 + 20 + 20 + 19 + 17  # sliding:4 at day 4, sliding:6 at 4-6
    assert [e.total for e in events if e.kind == "folds"] == [backend.tasks]
    assert report.window in windows and report.reference_window in windows
    assert len(report.periods) == 24 - 4 - 3


def test_a_given_window_restricts_the_search(sea_spec):
    """--window names the windows backtested: one (as before the search), or several."""
    spec = sea_spec()
    one = run_cadence(spec, every=[1, 2], unit="day", window="sliding:3")
    assert [w.window for w in one.windows] == ["sliding:3"] and one.window == "sliding:3"
    assert one.reference_window == "sliding:3" and one.warmup == 3
    two = run_cadence(spec, every=[1, 2], unit="day", window="expanding,sliding:5")
    assert [w.window for w in two.windows] == ["expanding", "sliding:5"]
    assert two.warmup == 2  # several windows: the longest interval, for all


def test_a_window_whose_fit_fails_is_left_out_with_a_note(sea_spec, tmp_path):
    """Days 8 and 9 hold one class only: logistic regression cannot learn from the 2-day
    window at day 10, so the search goes on without sliding:2 and says why."""
    spec = sea_spec()
    frame = pd.read_csv(tmp_path / "sea.csv")
    frame.loc[8 * 60 : 10 * 60 - 1, "label"] = 0
    frame.to_csv(tmp_path / "sea.csv", index=False)
    report = run_cadence(spec, every=[1, 2, 4], unit="day")
    assert [w.window for w in report.windows] == ["expanding", "sliding:3", "sliding:4",
                                                  "sliding:6"]  # fmt: skip
    (note,) = [n for n in report.notes if n.startswith("sliding:2 window left out")]
    assert "logistic_regression failed to fit at period 2024-01-11" in note
    with pytest.raises(CandidateError, match="failed to fit at period 2024-01-11"):
        run_cadence(spec, every=[1, 2, 4], unit="day", window="sliding:2")


def test_the_drift_makes_waiting_cost_accuracy(sea_spec):
    """The change on day 12 (theta 7 -> 9.5) costs the 4-day schedule more than the 2-day."""
    report = run_cadence(sea_spec(), every=[1, 2, 4], unit="day", tolerance=0.0, window="sliding:2")
    two, four = report.interval(2), report.interval(4)
    assert 0 < two.mean_degradation < four.mean_degradation
    assert report.recommended < 4


def test_candidate_chooses_which_model_is_retrained(sea_spec):
    """candidate= names the spec's candidate to backtest; an unknown one is refused."""
    spec = sea_spec()
    report = run_cadence(spec, every=[1, 2], unit="day", candidate="decision_tree")
    assert report.candidate == "decision_tree"
    with pytest.raises(CandidateError, match="no candidate 'forest'") as caught:
        run_cadence(spec, every=[1, 2], unit="day", candidate="forest")
    assert "logistic_regression, decision_tree" in caught.value.hint


def test_a_spec_without_a_time_column_is_refused_with_the_fix(sea_spec):
    """A cadence walks forward in time: no time_column is an error naming the key to add."""
    with pytest.raises(CadenceError, match="no time column") as caught:
        run_cadence(sea_spec(time=False), every=[1, 2], unit="day")
    assert "time_column" in caught.value.hint


def test_bad_settings_fail_before_the_data_is_read(sea_spec, tmp_path):
    """A bad unit, interval, window or tolerance is reported at once."""
    spec = sea_spec()
    (tmp_path / "sea.csv").unlink()  # reading it would be a DataError
    for settings, words in [
        ({"unit": "fortnight"}, "unit must be one of"),
        ({"every": [0]}, "intervals must be"),
        ({"window": "sliding"}, "window must be"),
        ({"tolerance": -1.0}, "tolerance must be"),
    ]:
        with pytest.raises(CadenceError, match=words):
            run_cadence(spec, **{"every": [1, 2], "unit": "day", **settings})


def test_too_short_a_history_for_the_intervals_says_what_it_needs(sea_spec):
    """Testing 13-day intervals on 24 days is refused with the number of periods needed."""
    with pytest.raises(CadenceError, match=r"spans 24 periods.*needs at least 51"):
        run_cadence(sea_spec(), every=[1, 13], unit="day")


def test_worker_processes_give_the_same_report(sea_spec):
    """Fits in two worker processes give the same scores and bounds as fits here."""
    spec = sea_spec(metric="roc_auc")
    here = run_cadence(spec, every=[1, 2, 4], unit="day", jobs=1)
    there = run_cadence(spec, every=[1, 2, 4], unit="day", jobs=2)
    for a, b in zip(here.intervals, there.intervals, strict=True):
        assert a.metric == b.metric and a.upper_bound == b.upper_bound


def write_prices(path: Path) -> Path:
    today = date.today().isoformat()
    lines = [
        "service,item,unit,usd,region,source_url,as_of",
        f"sagemaker-training,ml.c5.large,USD per instance-hour,0.10,us-east-1,https://a,{today}",
        f"sagemaker-training,ml.m5.large,USD per instance-hour,0.115,us-east-1,https://a,{today}",
        f"sagemaker-training,ml.g4dn.xlarge,USD per instance-hour,0.05,us-east-1,https://a,{today}",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_cost_profile_prices_each_interval_a_month(sea_spec, tmp_path):
    """Monthly cost = 730 h / interval hours x measured fit seconds / 3600 x the hourly price
    of the cheapest CPU training instance whose memory holds the measured peak + 25%."""
    prices = write_prices(tmp_path / "prices.csv")
    report = run_cadence(sea_spec(), every=[1, 2], unit="day", cost_profile=PROFILE, prices=prices)
    assert report.cost["instance"] == "ml.c5.large"  # 4 GiB holds 900 MB x 1.25; no GPU
    assert report.cost["fit_seconds"] == 3.2
    for result in report.intervals:
        runs = 730 / (24 * result.every)
        assert result.monthly_cost_usd == pytest.approx(runs * 3.2 / 3600 * 0.10)
    big = json.loads(PROFILE.read_text())
    big["training"]["peak_memory_mb"] = 5000.0
    (tmp_path / "big.json").write_text(json.dumps(big))
    report = run_cadence(
        sea_spec(), every=[1, 2], unit="day", cost_profile=tmp_path / "big.json", prices=prices
    )
    assert report.cost["instance"] == "ml.m5.large"  # 6,250 MB needs the 8 GiB one


def test_a_profile_without_training_is_reported_not_priced(sea_spec, tmp_path):
    """A profile whose bundle has no run has no fit time: the report says so, costs none."""
    data = json.loads(PROFILE.read_text())
    data["training"] = None
    (tmp_path / "bare.json").write_text(json.dumps(data))
    report = run_cadence(sea_spec(), every=[1, 2], unit="day", cost_profile=tmp_path / "bare.json")
    assert "no training measurement" in report.cost["note"]
    assert all(r.monthly_cost_usd is None for r in report.intervals)
