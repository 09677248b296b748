"""The command line imports each stage only when a command needs it: `learnburn serve` (and
every cold start of a served model) pays for the bundle and the server, not for the run store,
the spec model, the fold engine, notebooks or drift."""

from __future__ import annotations

import json
import subprocess
import sys

NOT_AT_START = [
    "learnburn.workflows", "learnburn.evaluation", "learnburn.spec", "learnburn.runs",
    "learnburn.notebooks", "learnburn.monitoring", "learnburn._experiment", "sqlalchemy",
    "pydantic", "nbclient", "matplotlib", "distributed", "boto3",
]  # fmt: skip


def test_loading_the_command_line_leaves_the_other_stages_unimported():
    script = (
        "import json, sys; from learnburn.cli import app, _serve; "
        f"print(json.dumps([m for m in {NOT_AT_START!r} if m in sys.modules]))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
