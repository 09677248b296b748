"""The model registry as pages: the models, one model (versions, aliases, history with its
evidence), and one challenge. Pure renderers: each takes the records' JSON form
(``ModelSummary.to_dict()``, ``ModelDetail.to_dict()``, ``ChallengeResult.to_dict()``) and
returns HTML; nothing here reads the store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from learnburn.reports._page import Section, link, page

NAV = '<p><a href="/">All runs</a> · <a href="/models">All models</a></p>'


def model_href(name: str) -> str:
    return f"/models/{quote(name, safe='')}"


def models_section(models: Sequence[Mapping[str, Any]]) -> Section:
    """The models, each with its version count and where its aliases point."""
    section = Section("models", "Models")
    if not models:
        return section.text(
            "No models yet: `learnburn promote NAME RUN --alias production` registers one."
        )
    rows = [
        (
            link(model_href(m["name"]), m["name"]), m["versions"],
            ", ".join(f"{a} → v{v}" for a, v in m["aliases"].items()) or "–",
            m["created_at"][:19].replace("T", " "),
        )
        for m in models
    ]  # fmt: skip
    return section.table(
        ["model", "versions", "aliases", "since (UTC)"], rows, caption=f"{len(rows)} model(s)",
        numeric=(1,),
    )  # fmt: skip


def models_page(models: Sequence[Mapping[str, Any]]) -> str:
    """``/models``: every model in the registry."""
    lead = "Which model each alias names, and how many versions each model has."
    return page("learnburn models", lead, [models_section(models)], nav=NAV)


def model_page(detail: Mapping[str, Any]) -> str:
    """``/models/NAME``: the versions, the aliases and the history with its evidence."""
    aliases = {a["alias"]: a["version"] for a in detail["aliases"]}
    versions = Section("versions", "Versions")
    versions.table(
        ["version", "run", "experiment", "holdout", "data", "bundle sha256", "aliases"],
        [
            (
                f"v{v['version']}", link(f"/runs/{v['run_id']}", v["run_id"][:12]),
                v["experiment"], _holdout(v), (v["data_hash"] or "")[:12],
                v["bundle_sha256"][:16],
                ", ".join(a for a, n in aliases.items() if n == v["version"]) or "–",
            )
            for v in reversed(detail["versions"])
        ],
        caption="newest first; a version is a finished run's bundle, named by its sha256",
    )  # fmt: skip
    history = Section("history", "Alias history")
    history.table(
        ["when (UTC)", "who", "alias", "action", "from", "to", "why"],
        [
            (
                h["at"][:19].replace("T", " "), h["actor"], h["alias"], h["action"],
                _v(h["from_version"]), _v(h["to_version"]), h["reason"] or "–",
            )
            for h in reversed(detail["history"])
        ],
        caption="newest first; append-only: every promote, rollback and kept challenge",
    )  # fmt: skip
    evidence = [h for h in reversed(detail["history"]) if h.get("evidence")]
    sections = [versions, history]
    if evidence:
        shown = Section("evidence", "Evidence of the challenges")
        for entry in evidence:
            shown.heading(f"{entry['at'][:19].replace('T', ' ')}: {entry['reason']}")
            _challenge_parts(shown, entry["evidence"])
        sections.append(shown)
    pointed = ", ".join(f"{a} → v{v}" for a, v in aliases.items()) or "no alias yet"
    return page(f"model {detail['name']}", pointed, sections, nav=NAV)


def challenge_html(record: Mapping[str, Any]) -> str:
    """One challenge as a self-contained page (``learnburn challenge --report FILE.html``)."""
    section = Section("challenge", "Challenger against champion")
    _challenge_parts(section, record)
    title = f"challenge of {record['model']}@{record['alias']}"
    return page(title, record.get("summary", ""), [section])


def _challenge_parts(section: Section, record: Mapping[str, Any]) -> None:
    champion, challenger = record["champion"], record["challenger"]
    section.text(
        f"Champion v{champion['version']} (run {champion['run_id'][:12]}) against the "
        f"challenger run {challenger['run_id'][:12]}, on {record['rows_from']}."
    )
    section.table(
        ["measure", "challenger", "champion", "difference", "interval", "test", "p", "decides"],
        [
            (
                c["measure"], c["a"], c["b"], c["difference"],
                f"[{c['low']:+.4f}, {c['high']:+.4f}] ({c['confidence']:.0%})", c["method"],
                "–" if c["p_value"] is None else f"{c['p_value']:.3g}",
                "yes" if c["measure"] == record["deciding"] else "",
            )
            for c in record["comparisons"]
        ],
        caption="paired on the same rows; difference oriented so that positive favours the "
        "challenger (for decision cost: the champion's cost minus the challenger's)",
        numeric=(1, 2, 3),
    )  # fmt: skip
    section.text(
        f"Verdict: {record['verdict']} (margin ±{record['margin']:.4g}); {record['rule']}; "
        f"action: {record['action']}" + ("" if record.get("applied") else " (not applied)") + "."
    )


def _holdout(version: Mapping[str, Any]) -> str:
    if version.get("holdout") is None:
        return "–"
    return f"{version['metric']} {version['holdout']:.4f}"


def _v(version: int | None) -> str:
    return "–" if version is None else f"v{version}"
