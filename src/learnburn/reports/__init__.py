"""Reports: render report records as HTML, and nothing else.

A run or a bundle becomes one self-contained HTML page (charts drawn offline by matplotlib as
inline SVG) from the ``RunReport`` or ``BundleReport`` record that ``workflows`` gathers: the
leaderboard, the comparison, the tuned candidates' searches (``_tuning``), curves, decision and
provenance; also two runs compared, an experiment's history, the model registry's pages and a
challenge's record. ``learnburn ui`` is a read-only web app that renders the records a ``Pages``
source reads from the run store. This package never imports the run store, the bundles or the
workflows: it computes nothing and reads nothing but the records it is given.
"""

from learnburn.reports._bundle import render_bundle_report
from learnburn.reports._models import challenge_html, model_page, models_page
from learnburn.reports._monitor import monitor_report
from learnburn.reports._run import render_run_report
from learnburn.reports._ui import Pages, create_ui

__all__ = [
    "Pages",
    "challenge_html",
    "create_ui",
    "model_page",
    "models_page",
    "monitor_report",
    "render_bundle_report",
    "render_run_report",
]
