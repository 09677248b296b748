"""Write the drifting loan-application stream of the cadence example.

Two years of applications, about 150 a week, labelled by the Agrawal et al. (1993) loan
functions (``learnburn.testing.agrawal_stream``). The rule that decides group A changes twice
a year, abruptly, at known times: function 2 (salary bands by age), then 5 (loan bands by age
and salary), 4 (salary bands by age and education), 6 (salary plus commission bands by age).
Five percent of each numeric range perturbs the values and two percent of the labels are
flipped.

    python examples/cadence/loan_stream.py [FOLDER]

writes FOLDER/loan_stream.csv (default: this folder) and prints the drift times.
"""

from __future__ import annotations

import sys
from pathlib import Path

from learnburn.testing import agrawal_stream

WEEKS = 104
PER_WEEK = 150
FUNCTIONS = (2, 5, 4, 6)


def make_stream():
    """The stream as a DataFrame; its ``attrs`` hold the drift points and times."""
    n = WEEKS * PER_WEEK
    every = n // len(FUNCTIONS)
    return agrawal_stream(
        n,
        functions=FUNCTIONS,
        drift_points=tuple(every * k for k in range(1, len(FUNCTIONS))),
        perturbation=0.05,
        noise=0.02,
        seed=7,
        start="2023-01-02",
        freq=f"{7 * 24 * 60 // PER_WEEK}min",
    )


def main(folder: str | None = None) -> Path:
    frame = make_stream()
    path = Path(folder or Path(__file__).parent) / "loan_stream.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    print(f"wrote {len(frame)} applications to {path}")
    print(f"the rule changes at {', '.join(frame.attrs['drift_times'])}")
    return path


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
