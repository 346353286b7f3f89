"""Encryption at rest for project files: SQLCipher, through the ``sqlcipher3`` binding.

An encrypted project is a SQLCipher database: every page of the file, its WAL and its
backups is encrypted with AES-256 under a key derived from a passphrase (PBKDF2-HMAC-
SHA512, 256,000 iterations, a random salt in the file's first 16 bytes; each page is
authenticated with HMAC-SHA512). Without the passphrase the file is random bytes.

>>> project = create_project("study.thematica", passphrase="a long passphrase")
>>> project = open_project("study.thematica", passphrase="a long passphrase")

``open_project`` without a passphrase reads it from ``THEMATICA_PASSPHRASE`` when the
file is encrypted. The binding is the optional ``encrypt`` extra
(``pip install 'thematica[encrypt]'``, which installs the ``sqlcipher3-wheels`` wheel:
SQLCipher and its own SQLite, no system package); projects that are not encrypted never
import it.
"""

from __future__ import annotations

import os
import sqlite3
import weakref
from pathlib import Path
from types import ModuleType
from typing import Any

from thematica.errors import InvalidInput, ProjectError

PASSPHRASE_ENV = "THEMATICA_PASSPHRASE"
MIN_PASSPHRASE = 8
SQLITE_HEADER = b"SQLite format 3\x00"
# The smallest page SQLCipher writes; an encrypted file is a whole number of pages.
PAGE = 512

# The passphrase each encrypted engine was opened with, so that a backup can key its
# copy the same way (SQLCipher's backup API copies pages only between equal keys).
_passphrases: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def driver() -> ModuleType:
    """The SQLCipher DB-API module, or a one-line error naming the extra to install."""
    try:
        from sqlcipher3 import dbapi2
    except ImportError:
        raise InvalidInput(
            "encrypted projects need the encrypt extra: pip install 'thematica[encrypt]'"
        ) from None
    return dbapi2


def check_new_passphrase(passphrase: str) -> None:
    """Refuse an empty or short passphrase for a new encrypted project."""
    if len(passphrase or "") < MIN_PASSPHRASE:
        raise InvalidInput(
            f"the passphrase is too short ({len(passphrase or '')} characters); "
            f"choose one of at least {MIN_PASSPHRASE}"
        )


def looks_encrypted(path: Path) -> bool:
    """Whether ``path`` holds whole pages that do not start with SQLite's header.

    Encrypted and random files cannot be told apart; a short or ragged file (a text
    file saved under a project's name) is neither.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError:
        return False
    return size >= PAGE and size % PAGE == 0 and header != SQLITE_HEADER


def passphrase_for(path: Path, given: str | None) -> str | None:
    """The passphrase to open ``path`` with: ``given``, else ``THEMATICA_PASSPHRASE``, for
    an encrypted file; None for a plain SQLite file."""
    if not looks_encrypted(path):
        return None
    found = given if given is not None else os.environ.get(PASSPHRASE_ENV)
    if not found:
        raise ProjectError(f"{path} is encrypted: set {PASSPHRASE_ENV} to its passphrase")
    return found


def _key_statement(passphrase: str) -> str:
    # PRAGMA takes no bound parameters; a quoted literal (quotes doubled) is safe.
    return "PRAGMA key = '" + passphrase.replace("'", "''") + "'"


def apply_key(dbapi_connection: Any, passphrase: str) -> None:
    """Key a fresh SQLCipher connection; must come before anything reads the file."""
    cursor = dbapi_connection.cursor()
    # A wrong key is reported to us as an exception; SQLCipher's own log line on
    # stderr would only repeat it.
    cursor.execute("PRAGMA cipher_log_level = NONE")
    cursor.execute(_key_statement(passphrase))
    cursor.close()


def keying_listener(engine: Any, passphrase: str):
    """A ``connect`` event listener that keys each new connection of ``engine``."""
    _passphrases[engine] = passphrase

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        apply_key(dbapi_connection, passphrase)

    return on_connect


def passphrase_of(engine: Any) -> str | None:
    """The passphrase ``engine`` keys its connections with (None: not encrypted)."""
    return _passphrases.get(engine)


def connect(path: Path, passphrase: str | None = None, readonly: bool = False) -> Any:
    """A DB-API connection to a project file: ``sqlite3`` for a plain file, SQLCipher
    keyed with ``passphrase`` for an encrypted one. A wrong passphrase raises
    :class:`ProjectError` here, not at the first query."""
    target = f"{path.resolve().as_uri()}?mode=ro" if readonly else str(path)
    if passphrase is None:
        return sqlite3.connect(target, uri=readonly, isolation_level=None)
    module = driver()
    conn = module.connect(target, uri=readonly, isolation_level=None)
    apply_key(conn, passphrase)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except module.DatabaseError:
        conn.close()
        raise ProjectError(
            f"wrong passphrase for {path}, or it is not a Thematica project"
        ) from None
    return conn
