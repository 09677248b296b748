"""What ``learnburn ui`` reads from the run store, as report records: the run list, a run's
report, two runs to compare and an experiment's runs. ``reports.create_ui`` serves them; it
never opens the store itself."""

from __future__ import annotations

from typing import Any

from learnburn._report_records import ComparedRuns, ExperimentRuns, RunLine, RunReport
from learnburn.runs import RunStore
from learnburn.workflows._diff import diff_runs
from learnburn.workflows._report import report_of, run_facts, run_line


class StorePages:
    """The UI's reads of ``store``: every method returns records and raises ``RunStoreError``
    for an unknown run."""

    def __init__(self, store: RunStore) -> None:
        self.store = store
        self.url = store.url

    def list_runs(self, *, experiment: str | None, status: str | None, limit: int) -> list[RunLine]:
        """The runs, newest first, filtered."""
        found = self.store.list_runs(experiment=experiment, status=status, limit=limit)
        return [run_line(summary) for summary in found]

    def find_run(self, run_id: str) -> RunLine:
        """The line of the run ``run_id`` (an id or a unique prefix): its full id and status."""
        return run_line(self.store.get_run(run_id).summary)

    def run_report(self, run_id: str) -> RunReport:
        """The run's report record, with a notebook run's results."""
        return report_of(self.store, self.store.get_run(run_id), notebook=True)

    def compare(self, a: str, b: str) -> ComparedRuns:
        """Two runs, the older as ``a``, and their diff."""
        details = sorted(
            (self.store.get_run(i) for i in (a, b)), key=lambda d: d.summary.started_at
        )
        first, second = (d.summary.id for d in details)
        diff = diff_runs(self.store, first, second)
        return ComparedRuns(run_facts(details[0]), run_facts(details[1]), diff)

    def experiment(self, name: str, *, limit: int, charted: int) -> ExperimentRuns:
        """The experiment's runs, and the newest ``charted`` finished ones with a score."""
        found = self.store.list_runs(experiment=name, limit=limit)
        scored = [r for r in found if r.status == "finished" and r.metric][:charted]
        details = [self.store.get_run(r.id) for r in scored]
        facts = tuple(run_facts(d) for d in details if d.record)
        return ExperimentRuns(name, tuple(run_line(r) for r in found), facts)

    def models(self) -> list[dict[str, Any]]:
        """The registry's models, each as its JSON form."""
        return [model.to_dict() for model in self.store.registry.list_models()]

    def model(self, name: str) -> dict[str, Any]:
        """One model's versions, aliases and history with evidence (JSON form)."""
        return self.store.registry.get_model(name).to_dict()
