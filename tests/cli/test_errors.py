import pytest
import typer
from typer.testing import CliRunner

from learnburn.cli._errors import handles_errors

pytest.importorskip("distributed")

runner = CliRunner()


def _command(raised: BaseException) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    @handles_errors
    def fails() -> None:
        raise raised

    return app


def _raised_inside_distributed():
    """A real WorkerStartTimeoutError, raised by distributed's own code."""
    from distributed import LocalCluster

    with (
        LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster,
        cluster.get_client() as client,
    ):
        try:
            client.wait_for_workers(1, timeout=0.1)
        except Exception as error:
            return error
    raise AssertionError("no error")


def test_a_dask_error_that_escapes_a_command_is_an_error_with_a_hint():
    """A cluster error raised inside dask.distributed reaches the user as Error/Hint, exit 1."""
    error = _raised_inside_distributed()
    done = runner.invoke(_command(error), [])
    assert done.exit_code == 1
    assert "Error: the Dask cluster failed: WorkerStartTimeoutError" in done.output
    assert "Hint:" in done.output


def test_other_exceptions_still_propagate():
    """A bug of our own is not dressed up as a cluster error."""
    done = runner.invoke(_command(ZeroDivisionError("oops")), [])
    assert isinstance(done.exception, ZeroDivisionError)
