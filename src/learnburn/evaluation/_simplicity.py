"""How simple a candidate is: the cost that ``simplest-equivalent`` ranks by.

The rule: a candidate's cost is its **model size**, the number of bytes of the fitted pipeline
(preprocessing and model) pickled with protocol 5, measured once on the first fold (repeat 0,
fold 0). The same commit, data and environment fit the same model on that fold, so the size,
and the choice made with it, is the same on every run. Size tracks scoring work across the
families learnburn offers: coefficients for a linear model, nodes for trees and ensembles, the
training rows for nearest neighbours. Measured fit and predict times are recorded and shown, but
they move with the load of the machine, so they never decide and never appear in a verdict.

Ties (equal sizes) go to the better mean score; a candidate whose size could not be measured
(it cannot be pickled) ranks after every measured one.
"""

from __future__ import annotations

from learnburn.evaluation._records import CandidateSummary

COST_MEASURE = (
    "model size: bytes of the fitted pipeline (preprocessing and model) pickled with protocol 5 "
    "on the first fold (repeat 0, fold 0); measured times never decide"
)
_WORTH_SAYING = 1.5  # a size ratio at least this large is stated in a verdict


def simplicity(summary: CandidateSummary) -> tuple[bool, int, int]:
    """The sort key of ``simplest-equivalent``: measured first, smaller first, then better rank."""
    size = summary.model_bytes
    return size is None, size if size is not None else 0, summary.rank or 0


def size_words(summary: CandidateSummary, reference: CandidateSummary) -> str:
    """'40x smaller' / '2.5x larger' than ``reference``, when the gap is worth saying."""
    if not summary.model_bytes or not reference.model_bytes:
        return ""
    ratio = reference.model_bytes / summary.model_bytes
    if ratio >= _WORTH_SAYING:
        return f"{_times(ratio)} smaller model"
    if ratio <= 1 / _WORTH_SAYING:
        return f"{_times(1 / ratio)} larger model"
    return ""


def describe_size(size: int | None) -> str:
    """Bytes in words: '3.6 KB', '1.2 MB', or 'unmeasured'."""
    if size is None:
        return "unmeasured"
    for unit, scale in (("MB", 1e6), ("KB", 1e3)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} bytes"


def _times(ratio: float) -> str:
    return f"{ratio:.1f}x" if ratio < 10 else f"{ratio:.0f}x"
