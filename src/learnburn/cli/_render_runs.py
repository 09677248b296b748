"""Rich renderings of recorded runs: the list, one run, a diff, a reproduction."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from learnburn.cli._render import _number, _p, print_tuning
from learnburn.cli._render_fit import print_table

_STATUS = {
    "finished": "[green]finished[/]",
    "running": "[cyan]running[/]",
    "failed": "[red]failed[/]",
    "interrupted": "[yellow]interrupted[/]",
}


def _commit(commit: str | None, dirty: bool) -> str:
    if not commit:
        return "—"
    return commit[:8] + (" [yellow]dirty[/]" if dirty else "")


def runs_table(summaries, url: str, notebooks: dict | None = None) -> Table:
    """The runs; ``notebooks``: the results of the notebook runs among them, by run id."""
    from learnburn.cli._nb import notebook_line

    notebooks = notebooks or {}
    table = Table(
        title=f"Runs in {escape(url)}", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False
    )
    table.add_column("run", no_wrap=True)
    table.add_column("experiment", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("started (UTC)", no_wrap=True)
    table.add_column("winner", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("commit", no_wrap=True)
    for s in summaries:
        table.add_row(
            s.id[:12],  # a unique prefix is enough for show, diff and reproduce
            escape(s.experiment),
            _STATUS.get(s.status, escape(s.status)),
            str(s.started_at)[:16].replace("T", " "),
            escape(notebook_line(notebooks[s.id]) if s.id in notebooks else s.winner or "—"),
            _number(s.score),
            (s.commit or "—")[:8] + ("[yellow]*[/]" if s.dirty else ""),
        )
    table.caption = "score: the chosen candidate's mean CV score; * dirty (its diff is stored)"
    if notebooks:
        table.caption += "; a notebook run shows its metrics and -p parameters under winner"
    if not summaries:
        table.caption = "No runs yet: `learnburn run SPEC` records one."
    return table


def print_runs(console: Console, summaries, url: str, notebooks: dict | None = None) -> None:
    """The runs table, or its plain lines when an id or a name would not show whole."""
    names = [n for s in summaries for n in (s.id[:12], s.experiment, s.winner or "")]
    print_table(console, runs_table(summaries, url, notebooks), names=names)


def print_run(console: Console, detail) -> None:
    s = detail.summary
    provenance = detail.provenance
    console.print(
        f"[bold]Run {s.id}[/] of {escape(s.experiment)}: {_STATUS.get(s.status, s.status)}"
    )
    console.print(f"  started {s.started_at}, finished {s.finished_at or '—'}")
    if provenance.get("in_git"):
        console.print(
            f"  commit {_commit(provenance.get('commit'), s.dirty)} on "
            f"{escape(str(provenance.get('branch') or 'detached HEAD'))}, "
            f"remote {escape(str(provenance.get('remote_url') or '—'))}"
        )
    else:
        console.print("  [yellow]not recorded in a git repository[/]")
    console.print(
        f"  spec {escape(str(provenance.get('spec_path', '')))} ({detail.spec_hash[:12]})"
    )
    env = detail.environment
    console.print(f"  python {env.get('python')} on {escape(str(env.get('platform')))}")
    if detail.error:
        console.print(f"  [red]error:[/] {escape(detail.error)}")
    record = detail.record
    if record is not None:
        data = record["data"]
        fingerprint = data["fingerprint"]
        console.print(
            f"  data {escape(data['source'])}: {data['rows']} rows, fingerprint "
            f"{fingerprint['content_hash'][:12]}, schema {fingerprint['schema_hash'][:12]}"
        )
        table = Table(
            box=box.SIMPLE_HEAD, title=f"{record['metric']} by candidate", title_justify="left"
        )
        for column in ("#", "candidate", "mean", "95% interval"):
            table.add_column(column, no_wrap=True)
        table.add_column("verdict")
        ranked = sorted(record["candidates"], key=lambda c: (c["rank"] is None, c["rank"] or 0))
        for c in ranked:
            table.add_row(
                str(c["rank"] or "—"),
                escape(c["name"]) + ("*" if c["name"] == record["winner"] else ""),
                _number(c["mean"]),
                f"[{_number(c['ci_low'])}, {_number(c['ci_high'])}]",
                escape(c["verdict"] or c["status"]),
            )
        print_table(console, table, names=[c["name"] for c in ranked])
        print_tuning(console, record.get("tuning"))
        _print_holdout_and_decision(console, record)
    for artifact in detail.artifacts:
        name = escape(artifact.name)
        console.print(f"  artifact {name}: sha256 {artifact.sha256[:16]}, {artifact.size} bytes")


def _print_holdout_and_decision(console: Console, record: dict) -> None:
    """The holdout score with its interval, the decision threshold (or rule) and its expected
    cost with its interval, and the cost realised on the holdout."""
    holdout = record.get("holdout")
    if holdout:
        line = (
            f"  holdout ({holdout['rows']} rows): {record['metric']} of "
            f"{escape(str(holdout['candidate']))} = {_number(holdout['score'])}"
        )
        if interval := holdout.get("interval"):
            line += (
                f", {interval['confidence']:.0%} {interval['method']} bootstrap interval "
                f"[{_number(interval['low'])}, {_number(interval['high'])}]"
            )
        console.print(line)
    decision = record.get("decision")
    if not decision:
        return
    if decision.get("kind") == "threshold":
        positive = escape(f"{record['data']['target']} = {decision['classes'][1]}")
        rule = f"decide {positive} when P({positive}) >= {decision['threshold']:.3f}"
    else:
        rule = "decide the class of least expected cost"
    cost = decision["expected_cost"]
    console.print(
        f"  decision: {rule} ({escape(str(decision.get('calibration', 'none')))} calibration); "
        f"expected cost {cost['per_1000']:.1f} per 1,000 decisions, {cost['confidence']:.0%} "
        f"interval [{cost['low']:.1f}, {cost['high']:.1f}]"
    )
    realised = (holdout or {}).get("decision_cost")
    if realised:
        console.print(
            f"  cost on the holdout: {realised['per_1000']:.1f} per 1,000 decisions "
            f"[{realised['low']:.1f}, {realised['high']:.1f}]"
        )


def print_diff(console: Console, diff) -> None:
    console.print(f"[bold]Run {diff.a}[/] vs [bold]run {diff.b}[/]")
    code = diff.code
    console.print(
        f"code: {_commit(code['a']['commit'], code['a']['dirty'])} -> "
        f"{_commit(code['b']['commit'], code['b']['dirty'])}" + (" (same)" if code["same"] else "")
    )
    data = diff.data
    same = "same content" if data["same_content"] else "[yellow]different content[/]"
    console.print(
        f"data: {same}; {data['a'].get('rows')} -> {data['b'].get('rows')} rows; schema "
        + ("same" if data["same_schema"] else "[yellow]changed[/]")
    )
    for column in data["features_added"]:
        console.print(f"  + feature {escape(column)}")
    for column in data["features_removed"]:
        console.print(f"  - feature {escape(column)}")
    if diff.spec:
        console.print("spec:")
        for line in diff.spec:
            style = "green" if line.startswith("+") else "red" if line.startswith("-") else "dim"
            console.print(f"  [{style}]{escape(line)}[/]")
    else:
        console.print("spec: same")
    console.print("environment: " + ("same" if not diff.environment else ""))
    for line in diff.environment:
        console.print(f"  {escape(line)}")
    table = Table(box=box.SIMPLE_HEAD, title="mean score by candidate", title_justify="left")
    for column in ("candidate", "run a", "run b"):
        table.add_column(column, no_wrap=True)
    for m in diff.metrics:
        table.add_row(escape(m["candidate"]), _number(m["a"]), _number(m["b"]))
    print_table(console, table, names=[m["candidate"] for m in diff.metrics])
    console.print("decisions: " + ("same" if not diff.decisions else ""))
    for line in diff.decisions:
        console.print(f"  [yellow]{escape(line)}[/]")
    if not diff.same_folds:
        console.print(
            "No statistical comparison: the runs did not use the same folds (data, seed "
            "or splits differ)."
        )
        return
    for c in diff.comparisons:
        console.print(
            f"  {escape(c['candidate'])}: b - a = {c['mean_difference']:+.4f}, corrected p = "
            f"{_p(c['p_value'])}; P(b better/equivalent/worse) = {c['p_better']:.2f}/"
            f"{c['p_equivalent']:.2f}/{c['p_worse']:.2f} (ROPE ±{c['rope']:g})"
        )


def print_reproduction(console: Console, outcome) -> None:
    where = f"commit {outcome.commit[:10]}" + (" with its stored diff" if outcome.dirty else "")
    if outcome.data_note:
        console.print(f"[bold yellow]Data:[/] {escape(outcome.data_note)}.")
    if outcome.exact:
        console.print(
            f"[bold green]Reproduced exactly:[/] run {outcome.run_id} from {where}: all "
            f"{outcome.folds_compared} per-fold scores and every decision (splits, choice, "
            "threshold, calibration, holdout score) are identical."
        )
    else:
        console.print(f"[bold yellow]Not reproduced exactly:[/] run {outcome.run_id} from {where}.")
    if outcome.max_difference > 0:
        w = outcome.worst or {}
        console.print(
            f"  largest per-fold difference {outcome.max_difference:.3g} "
            f"({escape(str(w.get('candidate')))}, repeat {w.get('repeat')}, fold {w.get('fold')}: "
            f"{w.get('recorded')} -> {w.get('reproduced')})"
        )
    for line in outcome.differences:
        console.print(f"  {escape(line)} (recorded -> reproduced)")
    if outcome.environment_differences:
        console.print(
            "Environment differences that may explain it:"
            if not outcome.exact
            else "Environment differences:"
        )
        for line in outcome.environment_differences:
            console.print(f"  {escape(line)}")


def print_verification(console: Console, checks) -> None:
    bad = [c for c in checks if not c.ok]
    for check in bad:
        console.print(f"[red]✗[/] {escape(str(check.path))}: {escape(check.problem)}")
    console.print(
        f"{len(checks) - len(bad)} of {len(checks)} artifacts verified"
        + ("." if not bad else f"; [red]{len(bad)} bad[/].")
    )
