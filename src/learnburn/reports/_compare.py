"""The compare page of ``learnburn ui``: two runs side by side, rendered from ``ComparedRuns``
(the spec diff, the data fingerprint change and, when both runs used the same folds, the
corrected paired t-test of their chosen candidates), narrow enough for a 1400 px screen."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable

from learnburn._report_records import ComparedRuns, RunDiff, RunFacts
from learnburn.reports._page import Markup, Section, escape, link, number, page, table

_SHORT = 12  # characters of a hash or id shown; the full value is in the cell's title
_COLUMNS = re.compile(r'<table class="diff"[^>]*>\s*(?:<colgroup></colgroup>\s*)+')
_COLGROUP = (
    '<table class="diff"><colgroup><col class="next"><col class="line"><col><col class="next">'
    '<col class="line"><col></colgroup>'
)


def compare_page(compared: ComparedRuns, nav: str) -> str:
    """The whole page for runs a (older) and b (newer)."""
    a, b, diff = compared.a, compared.b, compared.diff
    sections = [
        _side_by_side(a, b),
        _paired_test(diff),
        _data(diff),
        _spec(a, b, diff),
        _scores(a, b, diff),
    ]
    lead = f"run a {a.line.id[:_SHORT]} ({a.line.started_at[:16]}) against run b " + (
        f"{b.line.id[:_SHORT]} ({b.line.started_at[:16]})"
    )
    return page("Compare runs", lead, sections, nav=nav)


def _side_by_side(a: RunFacts, b: RunFacts) -> Section:
    section = Section("compare", "Side by side")
    fields: list[tuple[str, Callable[[RunFacts], object]]] = [
        ("run", lambda d: link(f"/runs/{d.line.id}", d.line.id[:_SHORT])),
        ("experiment", lambda d: d.line.experiment),
        ("status", lambda d: d.line.status),
        ("started (UTC)", lambda d: d.line.started_at[:19].replace("T", " ")),
        ("metric", lambda d: d.line.metric),
        ("chosen", lambda d: d.line.winner),
        ("mean score", lambda d: number(d.line.score)),
        ("holdout", lambda d: number(d.line.holdout)),
        ("commit", lambda d: _hash(d.line.commit)),
        ("dirty", lambda d: "yes" if d.line.dirty else "no"),
        ("data hash", lambda d: _hash(d.line.data_hash)),
        ("spec hash", lambda d: _hash(d.spec_hash)),
        ("seed", lambda d: d.seed),
    ]
    rows = []
    for label, get in fields:
        left, right = get(a), get(b)
        same = _plain(left) == _plain(right) or label == "run"
        cells = "".join(f"<td>{_cell(v)}</td>" for v in (left, right))
        klass = "" if same else ' class="differs"'
        mark = "" if same else " (differs)"
        rows.append(f'<tr{klass}><th scope="row">{escape(label + mark)}</th>{cells}</tr>')
    section.raw(
        "<table><caption>The two runs; rows that differ are highlighted</caption><thead><tr>"
        '<th scope="col"></th><th scope="col">run a</th><th scope="col">run b</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return section


def _paired_test(diff: RunDiff) -> Section:
    section = Section("paired", "Is run b better? (paired test)")
    if not diff.same_folds:
        return section.text(
            "No paired test: the runs did not use the same folds (the data, the seed or the "
            "splits differ), so their fold scores cannot be paired.",
            css="note",
        )
    chosen = diff.chosen
    if chosen is not None:
        section.text(_sentence(chosen))
    both = chosen is not None and chosen["candidate_a"] == chosen["candidate_b"]
    tests = ([] if both or chosen is None else [chosen]) + list(diff.comparisons)
    rows = [_test_row(c, chosen if both else None) for c in tests]
    section.table(
        ["candidate", "folds", "mean b − a", "std. error", "t", "df", "p (corrected)",
         "P(b better)", "P(equivalent)", "P(b worse)"],
        rows, caption="Paired on the same folds: the chosen candidates, then each candidate "
        "both runs evaluated", numeric=range(1, 10),
    )  # fmt: skip
    section.text(
        "Corrected repeated k-fold t-test (Nadeau & Bengio; Bouckaert & Frank), two-sided, on "
        "the per-fold score differences; probabilities from the Bayesian correlated t-test with "
        f"the ROPE of run b (±{(chosen or {}).get('rope', 0):g}).",
        css="note",
    )
    return section


def _sentence(chosen: dict) -> str:
    p = chosen["p_value"]
    verdict = (
        "a difference unlikely to be chance"
        if p is not None and p < 0.05
        else "a difference within what chance gives"
    )
    return (
        f"Chosen candidates: {chosen['candidate_b']} in run b against {chosen['candidate_a']} "
        f"in run a, on {chosen['folds']} shared folds: b − a = {chosen['mean_difference']:+.4f}, "
        f"corrected p = {_p(p)} ({verdict}); P(b better / equivalent / worse) = "
        f"{chosen['p_better']:.2f} / {chosen['p_equivalent']:.2f} / {chosen['p_worse']:.2f}."
    )


def _test_row(c: dict, chosen: dict | None) -> tuple:
    chosen_here = chosen is not None and c["candidate"] == chosen["candidate_b"]
    name = c["candidate"] + (" (chosen in both)" if chosen_here else "")
    return (
        name, c.get("folds"), f"{c['mean_difference']:+.4f}", c.get("std_error"),
        _fixed(c.get("statistic"), 2), c.get("df"), _p(c["p_value"]), _fixed(c["p_better"], 2),
        _fixed(c["p_equivalent"], 2), _fixed(c["p_worse"], 2),
    )  # fmt: skip


def _data(diff: RunDiff) -> Section:
    section = Section("data", "Data fingerprint")
    data = diff.data
    same = data["same_content"]
    section.text(
        "Same data: identical content hash."
        if same
        else "The data changed between the runs: different content hash.",
        css="good" if same else "bad",
    )
    rows = []
    for key, label in (("content_hash", "content hash"), ("rows", "rows"),
                       ("columns", "columns"), ("schema_hash", "schema hash")):  # fmt: skip
        left, right = data["a"].get(key), data["b"].get(key)
        shown = [_hash(v) if key.endswith("hash") else v for v in (left, right)]
        rows.append((label, *shown, "same" if left == right else "changed"))
    section.table(["", "run a", "run b", ""], rows, caption="What identifies each run's table")
    for word, names in (("added", data["features_added"]), ("removed", data["features_removed"])):
        if names:
            section.text(f"Features {word} in run b: {', '.join(names)}.")
    return section


def _spec(a: RunFacts, b: RunFacts, diff: RunDiff) -> Section:
    section = Section("spec", "Spec diff")
    if not diff.spec:
        return section.text(f"The specs are the same (hash {(a.spec_hash or '')[:_SHORT]}).")
    side = difflib.HtmlDiff(wrapcolumn=70).make_table(
        a.spec_text.splitlines(), b.spec_text.splitlines(),
        f"run a {a.line.id[:_SHORT]}", f"run b {b.line.id[:_SHORT]}",
        context=True, numlines=3,
    )  # fmt: skip
    side = _COLUMNS.sub(_COLGROUP, side, count=1)
    section.raw(f'<div class="wide">{side}</div>')
    unified = escape("\n".join(diff.spec))
    section.raw(f"<details><summary>Unified diff</summary><pre>{unified}</pre></details>")
    return section


def _scores(a: RunFacts, b: RunFacts, diff: RunDiff) -> Section:
    section = Section("scores", "Scores")
    rows = [
        (m["candidate"], m["a"], m["b"],
         None if m["a"] is None or m["b"] is None else f"{m['b'] - m['a']:+.4f}")
        for m in diff.metrics
    ]  # fmt: skip
    section.table(["candidate", "run a", "run b", "b − a"], rows,
                  caption="Mean cross-validated score by candidate", numeric=(1, 2, 3))  # fmt: skip
    section.raw(
        '<div class="columns">' + _candidates(a, "a") + _candidates(b, "b") + "</div>"
    )  # fmt: skip
    if diff.decisions:
        section.heading("Decisions that differ").raw(_list(diff.decisions))
    if diff.environment:
        section.heading("Environment differences").raw(_list(diff.environment))
    return section


def _candidates(run: RunFacts, name: str) -> str:
    record = run.record or {}
    ranked = sorted(record.get("candidates") or [], key=lambda c: (c["rank"] is None, c["rank"]))
    rows = [(c["rank"], c["name"], c["mean"], c["ci_low"], c["ci_high"]) for c in ranked]
    body = table(["rank", "candidate", "mean", "low", "high"], rows,
                 caption=f"Candidates of run {name}", numeric=(0, 2, 3, 4))  # fmt: skip
    return f"<div>{body}</div>"


def _list(lines) -> str:
    return "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>"


def _hash(value: str | None) -> Markup | str:
    if not value:
        return "–"
    return Markup(f'<span class="hash" title="{escape(value)}">{escape(value[:_SHORT])}</span>')


def _plain(value: object) -> object:
    return value.text if isinstance(value, Markup) else value


def _cell(value: object) -> str:
    return value.text if isinstance(value, Markup) else escape("–" if value is None else value)


def _fixed(value: float | None, digits: int) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _p(value: float | None) -> str:
    if value is None:
        return "–"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"
