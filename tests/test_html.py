"""Records shown as HTML tables in Jupyter: the leaderboard, run lists and one run; every value
escaped."""

from learnburn import Experiment
from learnburn._html import cell_text, html_table
from learnburn.runs import RunList, RunStore


def test_html_table_escapes_every_value_and_formats_numbers():
    """Text from users and data cannot inject markup; numbers are rounded; None is a dash."""
    table = html_table(("a<b", "n"), [("<script>x</script>", 0.123456), (None, float("nan"))],
                       caption="x & y", notes="<i>")  # fmt: skip
    assert "<script>" not in table and "&lt;script&gt;x&lt;/script&gt;" in table
    assert "<th>a&lt;b</th>" in table and "x &amp; y" in table and "&lt;i&gt;" in table
    assert "<td>0.1235</td>" in table and table.count("<td>\u2014</td>") == 2
    assert cell_text(3) == "3" and cell_text("'") == "&#x27;"


def test_experiment_result_shows_its_leaderboard(tmp_path, table_csv, monkeypatch):
    """A result's HTML is the leaderboard, the chosen candidate starred, with the holdout."""
    monkeypatch.chdir(tmp_path)
    result = Experiment(
        "html", data="table.csv", target="label", folds=5, repeats=1,
        candidates=["logistic_regression", "knn"],
    ).run()  # fmt: skip
    shown = result._repr_html_()
    assert shown.startswith("<table class='learnburn'")
    assert "html: roc_auc, higher is better" in shown
    assert f"<td>{result.winner}*</td>" in shown and "Holdout roc_auc" in shown


def test_run_list_and_run_detail_show_as_tables(tmp_path):
    """list_runs gives a RunList (still a list) and get_run a detail, both shown as tables."""
    with RunStore.open(tmp_path / "store.db", folder=tmp_path) as store:
        run_id = store.start_run(
            experiment="loans", spec_text="", spec_hash="0" * 64, seed=1,
            provenance={"commit": "abcdef1234", "dirty": True}, environment={},
        )  # fmt: skip
        store.fail_run(run_id, status="failed", error="ValueError: <bad> input")
        listed = store.list_runs()
        detail = store.get_run(run_id)
    assert isinstance(listed, RunList) and listed == [detail.summary]
    table = listed._repr_html_()
    assert f"<td>{run_id[:12]}</td>" in table and "<td>abcdef12*</td>" in table
    assert ">1 run</caption>" in table
    shown = detail._repr_html_()
    assert "<td>failed</td>" in shown and "ValueError: &lt;bad&gt; input" in shown
