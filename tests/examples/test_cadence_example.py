import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from learnburn.cli import app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cadence"
runner = CliRunner(env={"COLUMNS": "120"})


def documented_command() -> list[str]:
    """The `learnburn cadence ...` command written in the example spec's comments."""
    lines = [
        line.removeprefix("#").strip()
        for line in (EXAMPLE / "loan_stream.toml").read_text().splitlines()
    ]
    start = next(i for i, line in enumerate(lines) if line.startswith("learnburn cadence"))
    text = " ".join(lines[start : start + 2]).replace("\\", " ")
    return shlex.split(text)[1:]


def test_the_cadence_example_recommends_a_short_interval_on_the_drifting_loan_stream(tmp_path):
    """The example's generator writes the stream with its known drift times, and the documented
    command backtests it: the loss grows with the interval, under a rule that changes twice a
    year the recommendation is well short of a quarter, and on a sliding window: the expanding
    one, retrained every week, trails the rule."""
    written = subprocess.run(
        [sys.executable, str(EXAMPLE / "loan_stream.py"), str(tmp_path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "wrote 15600 applications" in written.stdout
    assert "2023-07-02T11:00:00, 2023-12-30T22:00:00, 2024-06-29T09:00:00" in written.stdout
    shutil.copy(EXAMPLE / "loan_stream.toml", tmp_path)
    args = documented_command()
    assert args[:2] == ["cadence", "examples/cadence/loan_stream.toml"]
    args[1] = str(tmp_path / "loan_stream.toml")
    out = tmp_path / "cadence.json"
    result = runner.invoke(app, [*args, "--quiet", "--json", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    losses = [r["mean_degradation"] for r in report["intervals"]]
    assert [r["every"] for r in report["intervals"]] == [1, 2, 4, 8, 13]
    assert losses == sorted(losses) and losses[-1] > 0.05
    assert report["recommended"] in (1, 2, 4)
    windows = {w["window"]: w for w in report["windows"]}
    assert list(windows) == ["expanding", "sliding:2", "sliding:5", "sliding:11", "sliding:26"]
    assert report["window"].startswith("sliding:")  # all history mixes the rules
    assert windows["expanding"]["mean_metric"] < windows[report["window"]]["mean_metric"] - 0.05
    assert f"retrain every {report['recommended']} week" in result.output
