"""Open a project's database: a SQLite file by default, PostgreSQL given a URL.

SQLite runs in WAL mode with foreign keys on. Writes begin with ``BEGIN IMMEDIATE`` so a
second writer waits for the lock up front (up to the busy timeout) instead of failing
half-way through its transaction; if the wait runs out it gets :class:`ProjectBusy`.
"""

import os
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError

from thematica.errors import ProjectError
from thematica.store import encryption

# "THEM" as a 32-bit integer, written to SQLite's header so a Thematica project can be
# told from any other SQLite file without reading a table.
APPLICATION_ID = 0x5448454D
SQLITE_HEADER = b"SQLite format 3\x00"
# Twice SQLite's default. A transcript is some 45 KB, stored whole, in chunks and in the
# full-text index, and larger pages cut the cost of writing it. 16 KiB pages import a
# little faster still, but then a command that reads a thousand scattered segments
# caches a page of 16 KiB for each and outgrows its memory target (benchmarks/core.py).
PAGE_SIZE = 8192
DEFAULT_BUSY_TIMEOUT = 10.0


def busy_timeout() -> float:
    """Seconds a writer waits for another process's lock (``THEMATICA_BUSY_TIMEOUT``)."""
    try:
        return float(os.environ.get("THEMATICA_BUSY_TIMEOUT", DEFAULT_BUSY_TIMEOUT))
    except ValueError:
        return DEFAULT_BUSY_TIMEOUT


def is_url(location: str) -> bool:
    return "://" in location


def database_url(location: str) -> str:
    """A SQLAlchemy URL for a project path or a database URL."""
    if not is_url(location):
        return f"sqlite:///{Path(location).expanduser().resolve()}"
    try:
        url = make_url(location)
    except ArgumentError:
        raise ProjectError(f"{location!r} is not a database URL") from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    elif not url.drivername.startswith(("postgresql", "sqlite")):
        raise ProjectError(
            f"unsupported database {url.drivername!r}: use a file path or postgresql://"
        )
    return url.render_as_string(hide_password=False)


def check_sqlite_file(path: Path, passphrase: str | None = None) -> None:
    """Raise unless ``path`` is a Thematica SQLite file (encrypted with ``passphrase``,
    when one is given).

    The check opens the file read-only, so a database that belongs to another program is
    never touched (opening it for real would switch it to WAL mode).
    """
    import sqlite3

    if not path.exists():
        raise ProjectError(f"no project at {path}: create one with `thematica init {path}`")
    if path.is_dir():
        raise ProjectError(f"{path} is a folder, not a project file")
    if passphrase is None:
        with path.open("rb") as handle:
            if handle.read(16) != SQLITE_HEADER:
                raise ProjectError(f"{path} is not a Thematica project (not a SQLite database)")
    try:
        conn = encryption.connect(path, passphrase, readonly=True)
        try:
            application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        raise ProjectError(f"{path} is not a Thematica project ({error})") from None
    if application_id != APPLICATION_ID:
        raise ProjectError(f"{path} is not a Thematica project")


def _on_sqlite_connect(dbapi_connection, _record) -> None:
    import sqlite3

    # Let SQLAlchemy's "begin" event issue BEGIN itself, so writes can say IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    if isinstance(dbapi_connection, sqlite3.Connection):
        # Takes effect only on a new, empty file, before WAL is switched on. Not for an
        # encrypted file: SQLCipher reads every file with its own page size.
        cursor.execute(f"PRAGMA page_size = {PAGE_SIZE}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout() * 1000)}")
    # Retrieval jumps between thousands of text chunks; a page cache that holds them
    # (up to 64 MiB, taken only as used) makes the second look at a code as fast as a
    # memory map would, without mapped file pages swelling the process's resident size.
    cursor.execute("PRAGMA cache_size = -65536")
    cursor.close()


def _on_sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("write") else "BEGIN")


def make_engine(location: str, passphrase: str | None = None) -> Engine:
    """An engine for a project; ``passphrase`` opens (or creates) an encrypted file."""
    url = database_url(location)
    if passphrase is not None and not url.startswith("sqlite"):
        raise ProjectError(
            "only project files are encrypted: PostgreSQL has its own at-rest options"
        )
    if url.startswith("sqlite"):
        options: dict = {"connect_args": {"timeout": busy_timeout()}}
        if passphrase is not None:
            options["module"] = encryption.driver()
        engine = create_engine(url, **options)
        if passphrase is not None:
            # The key must be set before any other statement reads the file.
            event.listen(engine, "connect", encryption.keying_listener(engine, passphrase))
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
    else:
        engine = create_engine(url, pool_pre_ping=False)
    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def stamp_application_id(conn: Connection) -> None:
    conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
