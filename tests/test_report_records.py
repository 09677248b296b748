"""The report records: every one is a Record whose to_dict is plain JSON, numpy arrays and
nested records included."""

from __future__ import annotations

import json

import numpy as np

from learnburn._records import Record
from learnburn._report_records import (
    BundleFacts,
    BundleReport,
    Confusion,
    CostCurve,
    Curves,
    RunFacts,
    RunLine,
    RunReport,
)


def a_run() -> RunFacts:
    line = RunLine("ab12", "loans", "finished", "2026-01-01T00:00:00", "roc_auc", "forest",
                   0.8, 0.79, "c0ffee", False, "d47a")  # fmt: skip
    return RunFacts(line, "x = 1\n", "5pec", 3, {"commit": "c0ffee"}, {"python": "3.11"},
                    {"task": "classification"}, None, ("result.json",))  # fmt: skip


def test_a_bundle_report_is_a_record_whose_dict_is_plain_json():
    curves = Curves(
        roc={"holdout": (np.array([0.0, 1.0]), np.array([0.0, 1.0]), np.float64(0.5))},
        precision_recall={}, reliability={"holdout": (np.array([0.2]), np.array([0.25]))},
        base_rate=0.3, pooled=False,
    )  # fmt: skip
    run = RunReport(
        a_run(), predictions=True, curves=curves,
        confusion=Confusion(np.array([[3, 1], [0, 2]]), ("no", "yes"), "holdout", 6),
        cost_curve=CostCurve(np.linspace(0, 1, 3), np.array([1.0, 0.5, 2.0]), 0.5),
    )  # fmt: skip
    facts = BundleFacts(
        "m.lbm", 10, 2, ("no", "yes"), 4, "native", "native", "threshold", True, 1.5,
        {"sklearn": "1.5"}, {"age": 0.7}, "loans", "forest", "ab12",
    )  # fmt: skip
    report = BundleReport(facts, run=run, profile={"gpu": {"present": False}})
    assert all(isinstance(r, Record) for r in (report, facts, run, curves, run.confusion))
    plain = json.loads(json.dumps(report.to_dict()))
    assert plain["run"]["curves"]["roc"]["holdout"] == [[0.0, 1.0], [0.0, 1.0], 0.5]
    assert plain["run"]["confusion"]["matrix"] == [[3, 1], [0, 2]]
    assert plain["run"]["run"]["line"]["id"] == "ab12"
    assert plain["bundle"]["classes"] == ["no", "yes"]


def test_a_run_without_a_classification_record_shows_its_summary_only():
    facts = a_run()
    assert RunReport(facts).classification
    assert not RunReport(RunFacts(**{**facts.__dict__, "record": None})).classification
    clustering = {"task": "clustering"}
    assert not RunReport(RunFacts(**{**facts.__dict__, "record": clustering})).classification
