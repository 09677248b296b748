"""One exception and warning hierarchy for everything a user can cause or fix.

::

    LearnburnError            every error a user can cause or fix; has .hint
    ├── SpecError             invalid spec: lists every problem with its key path
    ├── DataError             unreadable/empty data, missing target
    │   └── SchemaError       data does not match the expected schema (also a ValueError)
    ├── CandidateError        unknown candidate, bad params, fit failed
    ├── DecisionCostError     outcome costs or a cost matrix that cannot define a decision
    ├── RunStoreError         store unreachable, corrupt or too new; run not found; bad name
    │   └── ProvenanceError   provenance required but unavailable
    ├── BundleError           bundle unreadable, incomplete, tampered, untrusted or too new
    ├── BackendError          backend unavailable or a remote task failed
    ├── RequestError          a scoring request the server cannot answer as sent
    │   ├── Unparseable       the body is not CSV or JSON of the expected shape (serving)
    │   ├── TooLarge          the body is over the payload limit (serving)
    │   ├── UnsupportedType   a Content-Type learnburn does not read (serving)
    │   ├── NotAcceptable     an Accept header allowing no type learnburn writes (serving)
    │   ├── Overloaded        every scoring slot of the worker is taken (serving)
    │   ├── TimedOut          the answer was not ready within the deadline (serving)
    │   ├── SlowBody          the body did not arrive within its deadline (serving)
    │   └── ModelFault        the served model answered non-probabilities (serving)
    ├── CostError             a profile, price table or traffic figure that cannot be priced
    │   └── MissingPrice      a price table lacks a price an option needs (pricing)
    ├── DriftError            a reference, current table or drift setting that cannot be compared
    ├── CadenceError          a retraining-cadence backtest that cannot run
    ├── NotebookError         a notebook that cannot be tracked, run or checked
    └── DeployError           a deployment that cannot be written, applied, described or deleted

    LearnburnWarning          something worth knowing that did not stop the work
    ├── DataWarning           rows dropped, columns left out of the features
    ├── EvaluationWarning     intervals and tests resting on too few fold scores
    ├── ProvenanceWarning     a run recorded outside git: it cannot be reproduced from git
    └── CostWarning           a cost resting on old or undated prices, or a missed p99 target

Every class is defined here, except the few marked with the package that raises them and
catches them apart (the server's request errors, each with its own HTTP status; the priced
option a price table lacks): ``tests/test_errors.py`` checks that this tree lists every
subclass in learnburn, and no other name.

A message says what is wrong and where; ``hint`` says how to fix it. Foreign exceptions
(pandas, pyarrow, scikit-learn) are translated where they enter and chained with ``from``.
This module knows neither the CLI's exit codes nor HTTP status codes.
"""

from __future__ import annotations

from dataclasses import dataclass


class LearnburnError(Exception):
    """Base of every error a user can cause or fix."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class SpecProblem:
    """One problem in a spec: where (file and dotted key path), what, and how to fix it."""

    path: str
    message: str
    hint: str = ""
    file: str = ""

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        text = f"{where}{self.path}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class SpecError(LearnburnError):
    """An experiment spec is invalid; ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: list[SpecProblem], *, file: str = "") -> None:
        self.problems = tuple(problems)
        self.file = file
        count = len(self.problems)
        head = f"{file or 'spec'} has {count} problem{'s' if count != 1 else ''}:"
        lines = [head] + [f"  - {p.path}: {p.message}" for p in self.problems]
        hints = [f"{p.path}: {p.hint}" for p in self.problems if p.hint]
        super().__init__("\n".join(lines), hint="; ".join(hints))


class DataError(LearnburnError):
    """The data cannot be used: missing or unreadable file, empty table, missing target..."""


class SchemaError(DataError, ValueError):
    """The data does not match the expected schema."""


class CandidateError(LearnburnError):
    """A candidate is unknown, badly configured, or failed to fit."""


class RunStoreError(LearnburnError):
    """The run store is unreachable, corrupt or newer than this code, a run is not found, or a
    name or artifact is refused."""


class ProvenanceError(RunStoreError):
    """Provenance (commit, diff, data) is required but unavailable or does not match."""


class BundleError(LearnburnError):
    """A model bundle cannot be written or read: unreadable, incomplete, tampered, holding
    untrusted types, or written by a newer format version."""


class BackendError(LearnburnError):
    """The backend that runs fold tasks is unavailable, or a task failed in it."""


class DecisionCostError(LearnburnError, ValueError):
    """Outcome costs or a cost matrix cannot define a decision: unknown keys, wrong shape, or
    values that are not finite numbers. (Prices that cannot be applied are a CostError.)"""


class RequestError(LearnburnError):
    """A scoring request the server cannot answer as sent; the server answers each subclass
    with its own HTTP status (``serving/_app.py``'s ``STATUS``)."""


class LearnburnWarning(UserWarning):
    """Something worth knowing that did not stop the work."""


class DataWarning(LearnburnWarning):
    """Rows were dropped or columns were left out of the features."""


class EvaluationWarning(LearnburnWarning):
    """Intervals and tests rest on too few fold scores (folds x repeats) to mean much."""


class ProvenanceWarning(LearnburnWarning):
    """A run is recorded without what it takes to reproduce it from git."""


class CostError(LearnburnError, ValueError):
    """A profile, a price table or a traffic figure cannot be priced: a missing or malformed key
    or line, a task size the platform refuses, or no option with a price."""


class CostWarning(LearnburnWarning):
    """A cost estimate rests on old or undated prices, or no measured level meets the latency
    target."""


class DriftError(LearnburnError, ValueError):
    """A reference profile, a current table or a drift setting cannot be compared: a missing or
    malformed reference, a column the reference does not know, or an unknown preset."""


class CadenceError(LearnburnError, ValueError):
    """A retraining-cadence backtest cannot run: no time column, too few periods for the
    intervals asked for, or a bad interval, unit, window or tolerance."""


class NotebookError(LearnburnError):
    """A notebook cannot be tracked, run or checked: not a notebook, uncommitted without
    --allow-dirty, a cell that failed, or outputs where none may be."""


class DeployError(LearnburnError):
    """A deployment cannot be written, applied, described or deleted: a size the platform
    refuses, a missing image or bucket, no AWS credentials, or a step AWS refused (the message
    names the step and the resource)."""
