"""Read a TOML spec into a frozen ExperimentSpec, reporting every problem at once."""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from learnburn.errors import SpecError, SpecProblem
from learnburn.spec._candidate_checks import check_candidates
from learnburn.spec._checks import (
    check_columns,
    check_costs,
    check_source,
    check_splitter,
    check_text_options,
)
from learnburn.spec._model import ClusteringSpec, ExperimentSpec
from learnburn.spec._problems import M, key_path, validate_table
from learnburn.spec._tables import (
    CandidateTable,
    ChallengeTable,
    ClusteringTable,
    DataTable,
    DecisionTable,
    EvaluationTable,
    ExperimentTable,
    SpecFile,
)
from learnburn.spec._task_checks import check_task

_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def load_spec(path: str | Path) -> ExperimentSpec:
    """Read and validate the spec file at ``path``."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        hint = "check the path; `learnburn init DATA_FILE` writes a starter spec"
        problem = SpecProblem("(file)", f"cannot read the spec: {reason}", hint, source)
        raise SpecError([problem], file=source) from error
    return parse_spec(text, source=source)


def parse_spec(text: str, *, source: str = "") -> ExperimentSpec:
    """Validate TOML ``text`` (read from ``source``) into an ExperimentSpec.

    Raises ``SpecError`` listing every problem found, each with its key path and a hint.
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SpecError([_syntax_problem(error, source)], file=source) from error
    problems: list[SpecProblem] = []
    spec = _validate(raw, problems)
    if spec is None:
        located = [SpecProblem(p.path, p.message, p.hint, source) for p in problems]
        raise SpecError(located, file=source)
    return replace(spec, source=source, text=text)


def _validate(raw: dict[str, Any], problems: list[SpecProblem]) -> ExperimentSpec | None:
    """The spec, or None with every problem appended: each table's, then those across keys."""
    validate_table(SpecFile, raw, (), problems)
    experiment = _table(ExperimentTable, raw, "experiment", problems)
    data = _table(DataTable, raw, "data", problems)
    evaluation = _table(EvaluationTable, {"evaluation": {}, **raw}, "evaluation", problems)
    decision = _table(DecisionTable, raw, "decision", problems)
    clustering = _table(ClusteringTable, raw, "clustering", problems)
    challenge = _table(ChallengeTable, raw, "challenge", problems)
    raw_candidates = raw.get("candidates", {})
    if not isinstance(raw_candidates, dict):
        raw_candidates = {}
    candidates: dict[str, CandidateTable] = {}
    for key in raw_candidates:
        table = _table(CandidateTable, raw_candidates, key, problems, "candidates")
        if table is not None:
            candidates[key] = table
    reported = {problem.path for problem in problems}
    across = _check_across(experiment, data, evaluation, decision)
    if experiment is not None:
        across += check_task(experiment, raw)
        across += check_k(clustering)
    checked = {
        k: t for k, t in candidates.items() if key_path("candidates", k, "model") not in reported
    }
    if checked or not raw_candidates:
        task = experiment.task if experiment is not None else "classification"
        across += check_candidates(checked, task=task)
    problems += [problem for problem in across if not _covered(problem.path, reported)]
    if problems or experiment is None or data is None or evaluation is None:
        return None
    return ExperimentSpec(
        name=experiment.name,
        task=experiment.task,
        data=data.to_spec(),
        evaluation=evaluation.to_spec(),
        decision=decision.to_spec() if decision is not None else None,
        candidates=tuple(table.to_spec(key) for key, table in candidates.items()),
        clustering=_clustering(experiment.task, clustering),
        challenge=challenge.to_spec() if challenge is not None else None,
    )


def _clustering(task: str, table: ClusteringTable | None) -> ClusteringSpec | None:
    """The clustering settings of a clustering spec (defaults without a table); else None."""
    if task != "clustering":
        return None
    return table.to_spec() if table is not None else ClusteringSpec()


def check_k(table: ClusteringTable | None) -> list[SpecProblem]:
    """The range of k runs from its smaller end to its larger one."""
    if table is None or table.k[0] <= table.k[1]:
        return []
    low, high = table.k
    hint = f"write the range smallest first: k = [{high}, {low}]"
    return [SpecProblem("clustering.k", f"must be [smallest, largest], got [{low}, {high}]", hint)]


def _covered(path: str, reported: set[str]) -> bool:
    """Whether a problem at ``path`` (or inside it) was already reported."""
    return any(r == path or r.startswith(path + ".") for r in reported)


def _check_across(
    experiment: ExperimentTable | None,
    data: DataTable | None,
    evaluation: EvaluationTable | None,
    decision: DecisionTable | None,
) -> list[SpecProblem]:
    problems = []
    if data is not None:
        problems += check_columns(experiment, data)
        problems += check_text_options(data)
        problems += check_source(data)
    if evaluation is not None:
        problems += check_splitter(evaluation, data)
    if decision is not None:
        problems += check_costs(decision)
    return problems


def _table(
    model: type[M], raw: dict[str, Any], key: str, problems: list[SpecProblem], *prefix: str
) -> M | None:
    """The table at ``key`` validated as ``model``; None when absent, not a table or invalid."""
    value = raw.get(key)
    if not isinstance(value, dict):
        return None
    return validate_table(model, value, (*prefix, key), problems)


def _syntax_problem(error: tomllib.TOMLDecodeError, source: str) -> SpecProblem:
    message = str(error)
    position = _POSITION.search(message)
    where = f"line {position[1]}, column {position[2]}" if position else "(syntax)"
    message = _POSITION.sub("", message)
    hint = "fix the TOML syntax there: strings in double quotes, one key = value per line"
    return SpecProblem(where, f"invalid TOML: {message}", hint, source)
