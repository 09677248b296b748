"""The fits a retraining-cadence backtest needs (steps 1-2 of ``_cadence.py``): one
:class:`RetrainTask` per retrain period, held with the rows of each period in a
:class:`CadencePlan`. Plans are made in ``_cadence.py`` and read by ``_cadence_summary.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RetrainTask:
    """One fit: the model retrained at the start of ``period``, on the rows of periods
    ``train[0] <= q < train[1]``, scored on each period of ``tests`` separately (in order)."""

    period: int
    train: tuple[int, int]
    tests: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class CadencePlan:
    """Every fit a backtest needs, the settings that chose them, and the rows of each period
    (held once: a task names periods, not rows, so it stays small on its way to a worker)."""

    intervals: tuple[int, ...]
    label_delay: int
    window: int | None  # None: expanding
    warmup: int
    first: int  # t0: the first retrain period
    n_periods: int
    tasks: tuple[RetrainTask, ...]
    labels: tuple[str, ...]
    order: np.ndarray  # row positions sorted by period
    bounds: np.ndarray  # rows of period p: order[bounds[p] : bounds[p + 1]]

    @property
    def scored(self) -> range:
        """The periods every interval is compared on: from the first that every phase of the
        longest interval reaches, ``t0 + max(intervals) - 1``, to the last."""
        return range(self.first + max(self.intervals) - 1, self.n_periods)

    def rows(self, start: int, end: int | None = None) -> np.ndarray:
        """Positions of the rows in periods ``start <= p < end`` (default: period ``start``),
        in table order."""
        end = start + 1 if end is None else end
        return np.sort(self.order[self.bounds[start] : self.bounds[end]])

    def train_rows(self, task: RetrainTask) -> np.ndarray:
        return self.rows(*task.train)

    def test_rows(self, task: RetrainTask) -> list[np.ndarray]:
        return [self.rows(p) for p in task.tests]
