"""Run-store fixtures: each test gets a fresh store in a real SQLite file, and (when
LEARNBURN_TEST_POSTGRES names a server) in its own schema of a real PostgreSQL database.

Start a local server with ``tests/fixtures/start_postgres.sh`` and export the URL it prints:

    export LEARNBURN_TEST_POSTGRES="$(tests/fixtures/start_postgres.sh | tail -n 1)"
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

# Child processes (spawned writers, the process killed with SIGKILL) import store_helpers by name.
sys.path.insert(0, str(Path(__file__).parent))

from learnburn.runs import RunStore

POSTGRES_VARIABLE = "LEARNBURN_TEST_POSTGRES"
BACKENDS = ["sqlite", "postgresql"]


def postgres_base_url() -> str:
    base = os.environ.get(POSTGRES_VARIABLE, "").strip()
    if not base:
        pytest.skip(
            f"{POSTGRES_VARIABLE} is not set: start a server with tests/fixtures/start_postgres.sh "
            "and export the URL it prints"
        )
    url = make_url(base)
    if url.get_backend_name() in ("postgres", "postgresql") and "+" not in url.drivername:
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


@pytest.fixture
def postgres_url():
    """A URL whose search_path is a fresh schema of the test database, dropped afterwards."""
    base = postgres_base_url()
    schema = f"lb_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    finally:
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path: Path) -> str:
    """The URL of an empty store: an SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(store_url: str, tmp_path: Path):
    """An open store (artifacts under tmp_path), closed after the test."""
    with RunStore.open(store_url, folder=tmp_path) as opened:
        yield opened


@pytest.fixture
def mount_tiny_disk():
    """Mount a real 1 MiB file system (tmpfs) at a folder (made if need be), unmounted after the
    test; the test is skipped where this user may not mount one (it needs root on Linux)."""
    import shutil
    import subprocess

    mounted: list[Path] = []

    def mount(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        program = shutil.which("mount")
        if sys.platform != "linux" or program is None:
            pytest.skip("a tmpfs needs Linux and mount(8)")
        done = subprocess.run(
            [program, "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(folder)
        return folder

    yield mount
    for folder in reversed(mounted):
        subprocess.run(["umount", "-l", str(folder)], check=True)


@pytest.fixture
def tiny_disk(tmp_path: Path, mount_tiny_disk) -> Path:
    """A folder on a real 1 MiB file system."""
    return mount_tiny_disk(tmp_path / "tiny")
