"""Where a run store lives: its SQLAlchemy URL (password masked for display) and its folder.

- no URL: the SQLite file ``store.db`` in the store folder;
- a plain path: an SQLite file there;
- ``sqlite:///...``: SQLite; ``postgresql://...`` (or ``postgres://``): PostgreSQL through
  psycopg 3, the driver learnburn installs.

The folder holds the artifacts (also for PostgreSQL): the ``folder`` argument, else the SQLite
file's folder (the artifacts live beside an SQLite file named by path or URL, wherever the
command runs), else the ``default_folder`` argument (a database that is not a file: PostgreSQL,
in-memory SQLite), else :func:`default_store_location` of the working directory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from learnburn.errors import RunStoreError
from learnburn.runs._space import is_out_of_space

STORE_FOLDER = ".learnburn"
STORE_FILE = "store.db"
STORE_HINT = (
    "name the store with --store or LEARNBURN_STORE: a path to an SQLite file, or a URL such "
    "as postgresql://user:password@host/database"
)
_POSTGRES_NAMES = {"postgres", "postgresql"}


@dataclass(frozen=True)
class StoreLocation:
    url: URL
    shown: str  # the URL with any password masked
    folder: Path
    dialect: str  # "sqlite" | "postgresql"

    @property
    def database(self) -> Path:
        """The SQLite file; for a database on a server, the store's folder."""
        return Path(self.url.database or self.folder)


def default_store_location(start: Path) -> Path:
    """The ``.learnburn`` folder at the root of the git repository holding ``start`` (found by
    walking up to a ``.git`` folder or file), else beside ``start`` (in it when it is a folder)."""
    start = Path(start).absolute()
    here = start if start.is_dir() else start.parent
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder / STORE_FOLDER
    return here / STORE_FOLDER


def locate_store(
    url: str | os.PathLike | None, folder: Path | None, *, default_folder: Path | None = None
) -> StoreLocation:
    """Parse ``url`` (or the default) into the URL to connect to and the artifacts folder:
    ``folder`` when given, else beside an SQLite file, else ``default_folder`` (see above)."""
    if url is None or (isinstance(url, str) and not url.strip()):
        folder = folder if folder is not None else default_folder
        folder = Path(folder) if folder is not None else default_store_location(Path.cwd())
        return _sqlite_file(folder.absolute() / STORE_FILE, folder)
    text = os.fspath(url)
    if "://" not in text:
        return _sqlite_file(Path(text).expanduser().absolute(), folder)
    parsed = _parse(text)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:") or database.startswith("file:"):
            return _located(parsed, folder or default_folder, "sqlite")
        return _sqlite_file(Path(database).expanduser().absolute(), folder, query=parsed.query)
    if backend in _POSTGRES_NAMES:
        driver = parsed.get_driver_name() if "+" in parsed.drivername else "psycopg"
        url = parsed.set(drivername=f"postgresql+{driver}")
        return _located(url, folder or default_folder, "postgresql")
    raise RunStoreError(
        f"the run store {mask(text)} uses {backend!r}: learnburn stores runs in SQLite or "
        "PostgreSQL",
        hint=STORE_HINT,
    )


def mask(url: str | URL) -> str:
    """The URL as text with its password replaced by ``***``."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except ArgumentError:
        return "<unparseable URL>"
    return parsed.render_as_string(hide_password=True)


def _parse(text: str) -> URL:
    try:
        return make_url(text)
    except ArgumentError as error:
        raise RunStoreError(
            f"the run store URL {mask(text)} cannot be parsed: {error}", hint=STORE_HINT
        ) from error


def _sqlite_file(path: Path, folder: Path | None, *, query=None) -> StoreLocation:
    url = URL.create("sqlite", database=str(path), query=query or {})
    return _located(url, folder if folder is not None else path.parent, "sqlite")


def _located(url: URL, folder: Path | None, dialect: str) -> StoreLocation:
    folder = Path(folder) if folder is not None else default_store_location(Path.cwd())
    return StoreLocation(url=url, shown=mask(url), folder=folder.absolute(), dialect=dialect)


def prepare_folders(location: StoreLocation) -> None:
    """Create the store folder (and the SQLite file's folder); keep git from seeing it."""
    try:
        location.folder.mkdir(parents=True, exist_ok=True)
        if location.dialect == "sqlite" and location.url.database:
            Path(location.url.database).parent.mkdir(parents=True, exist_ok=True)
        ignore = location.folder / ".gitignore"
        if location.folder.name == ".learnburn" and not ignore.exists():
            ignore.write_text("# learnburn's run store: never committed\n*\n")
    except OSError as error:
        raise RunStoreError(
            f"cannot create the run store's folders at {location.folder}: {error}",
            hint=f"free disk space on the device holding {location.folder}, or {STORE_HINT}"
            if is_out_of_space(error)
            else STORE_HINT,
        ) from error
