"""Rich renderings of records: the leaderboard, the choice, the holdout, the decision."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from learnburn.cli._render_fit import print_table

if TYPE_CHECKING:
    from learnburn.evaluation import ExperimentResult


def _number(value: float | None, digits: int = 4) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _p(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _probabilities(c) -> str:
    if c.p_worse is None:
        return "—"
    return f"{c.p_better:.2f}/{c.p_equivalent:.2f}/{c.p_worse:.2f}"


WIDE = 150  # terminals at least this wide get the verdicts inside the table


def leaderboard_table(result: ExperimentResult, *, verdicts: bool = True) -> Table:
    """One row per candidate, best first: mean with its corrected 95% interval, the probabilities
    of being better/equivalent/worse than the best, the Holm p-value, and a verdict in words."""
    direction = "higher is better" if result.greater_is_better else "lower is better"
    splits = result.splits
    rope = result.comparison.get("rope")
    table = Table(
        title=f"{result.experiment}: {result.metric}, {direction}; {splits['method']}, "
        f"{splits['folds']} folds x {splits['repeats']} repeats; ROPE ±{rope:g}",
        title_justify="left",
        caption=f"mean: {result.metric}, mean over the folds. 95% interval: corrected t "
        "(Nadeau-Bengio). P(b/e/w): probability of being better / practically equivalent / "
        "worse than the best (Bayesian correlated t-test). p: corrected t-test vs the best, "
        "Holm-adjusted. pred ms: predict time per fold. * chosen.",
        caption_style="dim",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("#", justify="right")
    table.add_column("candidate", no_wrap=True)  # never cut: it is what people type
    table.add_column("mean", justify="right", no_wrap=True)  # the metric is in the title
    table.add_column("95% interval", justify="right", no_wrap=True)
    table.add_column("P(b/e/w)", justify="right", no_wrap=True)
    table.add_column("p", justify="right", no_wrap=True)
    table.add_column("pred ms", justify="right", no_wrap=True)
    if verdicts:
        table.add_column("verdict", ratio=1, min_width=16)
    for c in result.leaderboard():
        ok = c.status == "ok"
        mark = "*" if c.name == result.winner else ""
        cells = [
            str(c.rank) if c.rank else "—",
            escape(c.name) + mark,
            _number(c.mean),
            f"[{_number(c.ci_low)}, {_number(c.ci_high)}]" if ok else "—",
            _probabilities(c),
            _p(c.p_value),
            _number(c.predict_time * 1000, 1),
        ]
        if verdicts:
            cells.append(_verdict(c))
        table.add_row(*cells, style="bold" if c.name == result.winner else None)
    return table


def _verdict(c) -> str:
    if c.status == "ok":
        return escape(c.verdict)
    return f"[red]failed[/]: {escape((c.error or '')[:60])}"


def print_result(console: Console, result: ExperimentResult) -> None:
    """The leaderboard, the choice, the holdout and the decision."""
    data = result.data
    console.print(
        f"Data: {escape(data['source'])}: {data['rows']} rows, {len(data['features'])} features, "
        f"target {escape(str(data['target']))} ({len(data['classes'])} classes); "
        f"holdout {result.splits['holdout_rows']} rows set aside."
    )
    wide = console.width >= WIDE
    names = [c.name for c in result.candidates]
    print_table(console, leaderboard_table(result, verdicts=wide), names=names)
    if not wide:
        for c in result.leaderboard():
            console.print(f"  [bold]{escape(c.name)}[/]: {_verdict(c)}")
    for note in result.splits.get("notes", []):
        console.print(f"[yellow]Note:[/] {escape(note)}")
    print_tuning(console, result.tuning)
    for c in result.leaderboard():
        if c.error:
            console.print(f"[red]Failed:[/] {escape(c.name)}: {escape(c.error[:300])}")
        for warning in c.warnings[:3]:
            console.print(f"[yellow]Note:[/] {escape(c.name)}: {escape(warning[:160])}")
    if result.winner is None:
        console.print("[bold red]No candidate finished; nothing was refit.[/]")
        return
    console.print(escape(result.comparison["reason"]))
    _print_holdout(console, result)
    if result.decision is not None:
        _print_decision(console, result)


def print_tuning(console: Console, tuning: dict | None) -> None:
    """One line per tuned candidate: trials, the most important hyperparameters, refit params."""
    if not tuning:
        return
    for name, found in tuning["candidates"].items():
        top = ", ".join(f"{k} {v:.2f}" for k, v in list(found["importances"].items())[:3])
        line = f"Tuned {escape(name)}: {found['trials_run']} trials in {len(found['searches'])} "
        line += "outer folds (each on its training rows only)"
        line += f"; importance: {escape(top)}" if top else ""
        refit = tuning["refit"].get(name)
        if refit is not None:
            params = ", ".join(f"{k}={_param(v)}" for k, v in refit["best_params"].items())
            line += f"; refit with {escape(params)}"
        console.print(line, highlight=False)
    if tuning.get("time_budget_s") is not None:
        console.print(
            f"[yellow]Note:[/] a {tuning['time_budget_s']:g} s time budget stopped searches by "
            "the clock: a reproduction may run other trials."
        )


def _param(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _holdout_method(method: str) -> str:
    return escape(method if method == "DeLong" else f"{method} bootstrap")


def _print_holdout(console: Console, result: ExperimentResult) -> None:
    h = result.holdout
    if h is None:
        console.print("No holdout (evaluation.holdout = 0): the chosen model was not scored once.")
        return
    line = (
        f"Holdout ({h.rows} untouched rows): {result.metric} of {escape(h.candidate)} = "
        f"[bold]{_number(h.score)}[/]"
    )
    if h.interval:
        i = h.interval
        line += (
            f", {i['confidence']:.0%} {_holdout_method(i['method'])} interval "
            f"[{_number(i['low'])}, {_number(i['high'])}] (conditional on the fitted model)"
        )
    console.print(line + ".")
    for test in h.versus:
        if test["test"].startswith("DeLong"):
            console.print(
                f"  vs {escape(test['against'])}: DeLong z = {test['statistic']:.2f}, "
                f"p = {_p(test['p_value'])} (AUC {test['auc_a']:.4f} vs {test['auc_b']:.4f})"
            )
        else:
            console.print(
                f"  vs {escape(test['against'])}: {escape(test['test'])}, b = {test['b']}, "
                f"c = {test['c']}, p = {_p(test['p_value'])}"
            )


def _print_decision(console: Console, result: ExperimentResult) -> None:
    d = result.decision
    cost = d["expected_cost"]
    if d["kind"] == "threshold":
        positive = escape(f"{result.data['target']} = {d['classes'][1]}")
        rule = f"decide {positive} when P({positive}) >= [bold]{d['threshold']:.3f}[/]"
    else:
        rule = "decide the class of least expected cost"
    console.print(
        f"Decision: {rule} (chosen on out-of-fold predictions, never the holdout); expected "
        f"cost {cost['per_1000']:.1f} per 1,000 decisions, {cost['confidence']:.0%} interval "
        f"[{cost['low']:.1f}, {cost['high']:.1f}]."
    )
    console.print(f"  Calibration: {escape(d['reason'])}")
    if result.holdout is not None and result.holdout.decision_cost:
        realised = result.holdout.decision_cost
        console.print(
            f"  On the holdout: {realised['per_1000']:.1f} per 1,000 decisions "
            f"[{realised['low']:.1f}, {realised['high']:.1f}]."
        )
