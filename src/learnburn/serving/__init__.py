"""Serving: score tables with a bundle, in batches from files."""

from learnburn.serving._batch import BatchSummary, predict_file

__all__ = ["BatchSummary", "predict_file"]
