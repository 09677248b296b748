"""The registry's pages, rendered from records' JSON forms (no store)."""

from __future__ import annotations

from learnburn.reports import challenge_html, model_page

CHALLENGE = {
    "model": "loans", "alias": "production",
    "champion": {"version": 1, "run_id": "a" * 32, "bundle_sha256": "b" * 64, "data_hash": "c"},
    "challenger": {"run_id": "d" * 32, "bundle_sha256": "e" * 64, "data_hash": "f"},
    "rows": 500, "rows_from": "the newest 500 rows of the new data",
    "comparisons": [{
        "measure": "roc_auc", "a": 0.90, "b": 0.46, "difference": 0.44, "low": 0.39,
        "high": 0.49, "confidence": 0.95, "p_value": 7.7e-67, "method": "DeLong", "rows": 500,
    }],
    "deciding": "roc_auc", "margin": 0.01, "verdict": "better", "action": "promote",
    "rule": "the challenger is better on the same rows", "applied": True, "version": 2,
    "summary": "loans@production: challenger better, promoted run dddddddd as v2",
}  # fmt: skip


def test_a_challenge_page_shows_each_paired_comparison_and_the_verdict():
    """The comparison table, the interval, the verdict and the rule; no script."""
    html = challenge_html(CHALLENGE)
    assert "<td>roc_auc</td>" in html and "[+0.3900, +0.4900] (95%)" in html
    assert "Verdict: better (margin ±0.01); the challenger is better" in html
    assert "<script" not in html


def test_a_model_page_shows_the_evidence_of_a_challenge_move():
    """A history entry with evidence gets its comparison table on the model page."""
    version = {
        "model": "loans", "version": 1, "run_id": "a" * 32, "bundle_sha256": "b" * 64,
        "created_at": "2026-01-01T00:00:00+00:00", "experiment": "loans", "metric": "roc_auc",
        "holdout": 0.9, "data_hash": "c" * 64, "commit": None,
    }  # fmt: skip
    move = {
        "id": 1, "model": "loans", "alias": "production", "action": "promote",
        "from_version": None, "to_version": 1, "revision": 1,
        "at": "2026-01-02T00:00:00+00:00", "actor": "cron@ci", "reason": "challenge: better",
        "evidence": CHALLENGE,
    }  # fmt: skip
    html = model_page({
        "name": "loans", "created_at": "2026-01-01T00:00:00+00:00", "versions": [version],
        "aliases": [{"alias": "production", "version": 1, "revision": 1, "moved_at": "x"}],
        "history": [move],
    })  # fmt: skip
    assert "production → v1" in html and "roc_auc 0.9000" in html
    assert "Evidence of the challenges" in html and "DeLong" in html
