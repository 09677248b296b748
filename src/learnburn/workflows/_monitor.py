"""Monitoring what a server captured, end to end (``run_monitor``, behind ``learnburn monitor``),
and the one question retraining asks of it (``monitor_calls_for_retraining``).

``run_monitor`` loads the bundle, finds the capture files, reads the labels (a CSV or Parquet
file with ``event_id``, ``label`` and, for requests of several rows, ``row``), and hands the
capture's windows to ``monitoring.monitor_capture``; with ``json_path`` it writes the record
(the HTML page is ``reports.monitor_report`` of the record).

The capture and the labels may be in S3 (boto3, the ``aws`` extra): an ``s3://`` capture
prefix (a learnburn server's ``--capture s3://...``, or a SageMaker endpoint's data capture)
has its ``*.parquet`` and ``*.jsonl`` objects downloaded to a temporary folder, read as a local
capture and removed after; an ``s3://`` labels object is downloaded likewise.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import orjson
import pandas as pd

from learnburn.bundles import load_bundle
from learnburn.data import download_prefix, fetched_object, is_object_url
from learnburn.errors import DataError, DriftError
from learnburn.monitoring import (
    TOLERANCE,
    MonitorReport,
    WindowReport,
    capture_windows,
    find_capture,
    monitor_capture,
)
from learnburn.monitoring._captured import JSONL, PARQUET
from learnburn.monitoring._monitor import IMPORTANT_SHARE, check_monitor_settings

WINDOW = re.compile(r"^\s*(\d+)\s*(min|m|h|d|w)\s*$", re.IGNORECASE)
UNITS = {"min": "min", "m": "min", "h": "h", "d": "D", "w": "W"}


def run_monitor(
    bundle_path: str | os.PathLike,
    capture: str | os.PathLike,
    *,
    labels: str | os.PathLike | pd.DataFrame | None = None,
    window: str = "1d",
    tolerance: float = TOLERANCE,
    important_share: float = IMPORTANT_SHARE,
    preset: str = "learnburn",
    alpha: float = 0.05,
    correction: str | None = "holm",
    trusted: tuple[str, ...] = (),
    json_path: str | os.PathLike | None = None,
    on_window: Callable[[WindowReport], None] | None = None,
) -> MonitorReport:
    """Monitor the capture at ``capture`` (a folder of learnburn Parquet capture files or
    SageMaker data-capture JSON lines) against the bundle, in windows of ``window``."""
    check_monitor_settings(tolerance, important_share)
    step = parse_window(window)
    bundle = load_bundle(bundle_path, trusted=trusted, lazy=True)
    table = _labels(labels)
    with _local_capture(capture) as folder:
        files = find_capture(folder)
        report = monitor_capture(
            capture_windows(files, bundle, step), bundle, labels=table, window=window.strip(),
            tolerance=tolerance, important_share=important_share, preset=preset, alpha=alpha,
            correction=correction, on_window=on_window,
        )  # fmt: skip
    if json_path is not None:
        _write(json_path, orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2))
    return report


def monitor_calls_for_retraining(
    evidence: MonitorReport | Mapping | str | os.PathLike,
) -> tuple[bool, str]:
    """Whether the monitor's evidence calls for retraining now, and why, in one sentence.

    ``evidence`` is a ``MonitorReport``, its ``to_dict()``, or the path of the JSON that
    ``learnburn monitor --json`` wrote. True when the latest window shows an estimated loss
    beyond the tolerance or drift of an important feature, or the latest labelled window a
    realised loss beyond it or realised values outside the estimate."""
    if isinstance(evidence, MonitorReport):
        return evidence.retrain, evidence.reason
    if not isinstance(evidence, Mapping):
        path = Path(evidence)
        try:
            evidence = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError) as error:
            raise DataError(
                f"cannot read the monitor report '{path}': {error}",
                hint="give the file `learnburn monitor BUNDLE CAPTURE --json FILE` wrote",
            ) from error
    if evidence.get("format") != "learnburn-monitor" or "retrain" not in evidence:
        raise DataError(
            "the monitor evidence is not a learnburn monitor report",
            hint="give the file `learnburn monitor BUNDLE CAPTURE --json FILE` wrote",
        )
    return bool(evidence["retrain"]), str(evidence.get("reason", ""))


def parse_window(text: str) -> pd.Timedelta:
    """A window length such as ``1d``, ``6h``, ``30min`` or ``1w``."""
    match = WINDOW.match(str(text))
    if not match or int(match.group(1)) < 1:
        raise DriftError(
            f"the window {text!r} is not a length of time",
            hint="give a whole number and a unit: 30min, 6h, 1d or 1w",
        )
    return pd.Timedelta(int(match.group(1)), unit=UNITS[match.group(2).lower()])


@contextlib.contextmanager
def _local_capture(capture: str | os.PathLike) -> Iterator[str | os.PathLike]:
    """The capture as a local path: an ``s3://`` prefix (or object) downloaded first."""
    text = os.fspath(capture)
    if not is_object_url(text):
        yield capture
        return
    with tempfile.TemporaryDirectory(prefix="learnburn-capture-") as folder:
        if not download_prefix(text, Path(folder), (PARQUET, JSONL)):
            raise DataError(
                f"no capture files (*.parquet or SageMaker *.jsonl) under {text}",
                hint="give the prefix the server captured to (--capture s3://...) or the "
                "endpoint's DataCaptureConfig destination; `aws s3 ls --recursive` lists it",
            )
        yield folder


def _labels(labels) -> pd.DataFrame | None:
    if labels is None or isinstance(labels, pd.DataFrame):
        return labels
    if is_object_url(os.fspath(labels)):
        with fetched_object(os.fspath(labels)) as file:
            return _labels(file)
    path = Path(labels)
    if not path.exists():
        raise DataError(f"no labels file at '{path}'", hint="check the path given to --labels")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            return pd.read_parquet(path)
        # event ids as text: a hex id of digits and one "e" would otherwise read as a number
        return pd.read_csv(path, dtype={"event_id": str, "label": str})
    except (OSError, ValueError) as error:
        raise DataError(
            f"cannot read the labels file '{path}': {error}",
            hint="give a CSV or Parquet file with columns event_id and label",
        ) from error


def _write(path: str | os.PathLike, data: bytes) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
