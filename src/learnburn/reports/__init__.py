"""Reports: a run or a bundle as one self-contained HTML page (charts drawn offline by
matplotlib as inline SVG), and ``learnburn ui``, a read-only web app over the run store."""

from learnburn.reports._bundle import bundle_report, read_record
from learnburn.reports._monitor import monitor_report
from learnburn.reports._run import run_report
from learnburn.reports._ui import create_ui

__all__ = ["bundle_report", "create_ui", "monitor_report", "read_record", "run_report"]
