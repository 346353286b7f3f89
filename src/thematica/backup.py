"""Backups: consistent copies of a project taken while it is in use, kept in a rotation,
and a restore that checks a copy before it replaces anything.

>>> made = backup(project, keep=10)
>>> made.path
PosixPath('study.thematica.backups/study-20261127T101500Z.thematica')
>>> restore("study.thematica", made.path)     # the current file is kept aside

A SQLite project is copied with SQLite's online backup API: the copy is one consistent
snapshot of the last committed state, taken while other processes read and write. It is
written to a hidden partial file, synced to disk and only then renamed into place, so a
backup cut short (a crash, a full disk, SIGKILL) never replaces or rotates out a good
one. An encrypted project gives encrypted backups under the same passphrase.

A PostgreSQL project is dumped with ``pg_dump`` (custom format, for ``pg_restore``)
when it is on the PATH, and always exported as REFI-QDA (``.qdpx``), which any
Thematica (or NVivo, ATLAS.ti, MAXQDA) can import.

Backups live in ``<project file>.backups/`` (a PostgreSQL project: ``<database>.backups/``
in the current folder) unless another folder is given; the ``keep`` newest are kept.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from thematica.durable import sync_file, sync_folder
from thematica.errors import InvalidInput, ProjectBusy, ProjectError
from thematica.store import encryption, migrations
from thematica.store import engine as store_engine

if TYPE_CHECKING:
    from thematica.project import Project

DEFAULT_KEEP = 10
FOLDER_SUFFIX = ".backups"
_STAMP = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class Backup:
    """One backup: its files (a SQLite copy; or a dump and a qdpx export), newest first
    when listed, and what the rotation removed when it was made."""

    stamp: str
    files: tuple[Path, ...]
    removed: tuple[Path, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def path(self) -> Path:
        """The file to restore from: the SQLite copy, else the dump, else the export."""
        return self.files[0]


@dataclass(frozen=True)
class Restored:
    path: Path  # the project, as restored
    aside: Path | None  # where the file it replaced was moved
    revision: str  # the schema revision of the copy


def backup_folder(project: Project) -> Path:
    """Where backups of ``project`` go by default."""
    if project.dialect == "sqlite":
        return Path(project.location + FOLDER_SUFFIX)
    database = project.engine.url.database or "thematica"
    return Path.cwd() / f"{database}{FOLDER_SUFFIX}"


def _stem(project: Project) -> str:
    if project.dialect == "sqlite":
        return Path(project.location).stem
    return project.engine.url.database or "thematica"


def list_backups(project: Project, folder: str | Path | None = None) -> list[Backup]:
    """The backups of ``project`` in ``folder`` (default :func:`backup_folder`), newest first."""
    folder = Path(folder) if folder is not None else backup_folder(project)
    pattern = re.compile(
        rf"{re.escape(_stem(project))}-(\d{{8}}T\d{{6}}Z)(?:-(\d+))?\.(thematica|dump|qdpx)"
    )
    found: dict[tuple[str, int], list[Path]] = {}
    if folder.is_dir():
        for path in folder.iterdir():
            match = pattern.fullmatch(path.name)
            if match and path.is_file():
                key = (match[1], int(match[2] or 1))
                found.setdefault(key, []).append(path)
    order = {".thematica": 0, ".dump": 1, ".qdpx": 2}
    return [
        Backup(
            f"{stamp}" + (f"-{n}" if n > 1 else ""),
            tuple(sorted(paths, key=lambda p: order[p.suffix])),
        )
        for (stamp, n), paths in sorted(found.items(), reverse=True)
    ]


def backup(
    project: Project,
    folder: str | Path | None = None,
    keep: int = DEFAULT_KEEP,
    now: datetime | None = None,
) -> Backup:
    """Back ``project`` up into ``folder`` and keep only the ``keep`` newest backups there.

    >>> backup(project, keep=3).path.name
    'study-20261127T101500Z.thematica'
    """
    if keep < 1:
        raise InvalidInput("--keep must be 1 or more: the backup just made is always kept")
    folder = Path(folder) if folder is not None else backup_folder(project)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidInput(f"cannot make the backup folder {folder}: {error.strerror}") from None
    _remove_partials(folder)
    stamp = (now or datetime.now(UTC)).strftime(_STAMP)
    # A second backup in the same second is numbered after the newest one kept, never
    # in a gap the rotation left (it would sort as the oldest and be rotated out).
    same = [b.stamp for b in list_backups(project, folder) if b.stamp.startswith(stamp)]
    n = 1 + max((int(s.partition("-")[2] or 1) for s in same), default=0)
    label = stamp + (f"-{n}" if n > 1 else "")
    name = f"{_stem(project)}-{label}"
    if project.dialect == "sqlite":
        files, notes = [_copy_sqlite(project, folder / f"{name}.thematica")], []
    else:
        files, notes = _dump_postgres(project, folder, name)
    sync_folder(folder)
    removed: list[Path] = []
    for old in list_backups(project, folder)[keep:]:
        for path in old.files:
            path.unlink(missing_ok=True)
            removed.append(path)
    return Backup(label, tuple(files), tuple(removed), tuple(notes))


def _copy_sqlite(project: Project, target: Path) -> Path:
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    passphrase = encryption.passphrase_of(project.engine)
    copy = encryption.connect(partial, passphrase)
    try:
        raw = project.engine.raw_connection()
        try:
            # One step: the whole database under one read snapshot, so writers carry on
            # and the copy is exactly one committed state.
            raw.driver_connection.backup(copy)
        finally:
            raw.close()
        # A copy at rest needs no write-ahead log: in rollback mode it opens read-only
        # without leaving -wal and -shm files beside it (opening it for work turns WAL
        # back on).
        copy.execute("PRAGMA journal_mode = DELETE")
        copy.close()
        with contextlib.suppress(OSError):
            shutil.copymode(project.location, partial)
        sync_file(partial)
        os.replace(partial, target)
    finally:
        copy.close()
        partial.unlink(missing_ok=True)
    return target


def _dump_postgres(project: Project, folder: Path, name: str) -> tuple[list[Path], list[str]]:
    from sqlalchemy.engine import make_url

    from thematica.interop.exporter import export_project

    files, notes = [], []
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        notes.append("pg_dump is not on the PATH: only the qdpx export was written")
    else:
        url = make_url(project.location)
        env = {**os.environ}
        if url.password:
            # Not on the command line, where any local user could read it.
            env["PGPASSWORD"] = str(url.password)
        plain = url.set(drivername="postgresql", password=None).render_as_string()
        dump = folder / f"{name}.dump"
        partial = folder / f".{dump.name}.{os.getpid()}.partial"
        result = subprocess.run(
            [pg_dump, "--format=custom", "--no-owner", f"--file={partial}", f"--dbname={plain}"],
            capture_output=True,
            text=True,
            env=env,
        )
        if result.returncode != 0:
            partial.unlink(missing_ok=True)
            message = (result.stderr.strip().splitlines() or ["failed"])[-1]
            raise ProjectError(f"pg_dump failed: {message}")
        sync_file(partial)
        os.replace(partial, dump)
        files.append(dump)
    qdpx = folder / f"{name}.qdpx"
    export_project(project, qdpx)
    sync_file(qdpx)
    files.append(qdpx)
    return files, notes


def check_backup(
    path: str | Path, passphrase: str | None = None, shown: str | Path | None = None
) -> str:
    """Check that ``path`` is a whole, readable Thematica project; return its schema
    revision. An encrypted copy needs ``passphrase`` (else ``THEMATICA_PASSPHRASE``).
    Errors name the file ``shown`` (default: ``path``)."""
    path = Path(path)
    shown = str(shown or path)
    try:
        passphrase = encryption.passphrase_for(path, passphrase)
        store_engine.check_sqlite_file(path, passphrase)
    except ProjectError as error:
        raise ProjectError(str(error).replace(str(path), shown)) from None
    conn = encryption.connect(path, passphrase)
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except Exception as error:  # sqlite3's or SQLCipher's DatabaseError
        raise ProjectError(f"{shown} is damaged ({error}); choose another backup") from None
    finally:
        conn.close()
    if problems != ["ok"]:
        raise ProjectError(
            f"{shown} is damaged (integrity check: {problems[0]}); choose another backup"
        )
    if revision is None or revision[0] not in migrations.REVISIONS:
        found = revision[0] if revision else "none"
        raise ProjectError(
            f"{shown} has schema revision {found}, which this Thematica does not know; "
            "upgrade Thematica to restore it"
        )
    return revision[0]


def restore(
    location: str | os.PathLike[str],
    source: str | os.PathLike[str],
    passphrase: str | None = None,
) -> Restored:
    """Replace the project at ``location`` with the backup ``source``, checked first.

    The backup is copied next to the project and checked there (integrity, that it is a
    Thematica project, a schema this version reads); only then is the current file
    (with its write-ahead log) moved aside as ``<name>.before-restore-<time>`` and the
    copy renamed into its place. Refused while another process has the project open.
    """
    location = str(location)
    if store_engine.is_url(location):
        raise InvalidInput(
            "restore a PostgreSQL backup with pg_restore: pg_restore --clean --if-exists "
            "--no-owner --dbname URL BACKUP.dump (or import its .qdpx into a new database)"
        )
    target, source = Path(location), Path(source)
    if not source.is_file():
        raise InvalidInput(f"no backup at {source}: `thematica backup --list` shows them")
    if not target.parent.is_dir():
        raise InvalidInput(f"cannot restore to {target}: folder {target.parent} does not exist")
    stamp = datetime.now(UTC).strftime(_STAMP)
    partial = target.with_name(f".{target.name}.{os.getpid()}.restoring")
    try:
        shutil.copyfile(source, partial)
        sync_file(partial)
        revision = check_backup(partial, passphrase, shown=source)
        aside = None
        if target.exists():
            _check_idle(target, passphrase)
            aside = target.with_name(f"{target.name}.before-restore-{stamp}")
            os.replace(target, aside)
            # A write-ahead log left beside the old file would be replayed into the new one.
            for suffix in ("-wal", "-shm"):
                log = Path(f"{target}{suffix}")
                if log.exists():
                    os.replace(log, Path(f"{aside}{suffix}"))
        os.replace(partial, target)
        sync_folder(target.parent)
    finally:
        for leftover in ("", "-wal", "-shm", "-journal"):
            Path(f"{partial}{leftover}").unlink(missing_ok=True)
    return Restored(target, aside, revision)


def _check_idle(path: Path, passphrase: str | None) -> None:
    """Refuse while another process reads or writes ``path`` (its write-ahead log cannot
    be emptied into the file); a damaged file, often the reason to restore, is not
    checked, only moved aside."""
    try:
        conn = encryption.connect(path, encryption.passphrase_for(path, passphrase))
    except ProjectError:
        return
    try:
        conn.execute("PRAGMA busy_timeout = 2000")
        busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    except Exception:  # not a database any more: nothing to wait for
        return
    finally:
        conn.close()
    if busy:
        raise ProjectBusy(
            f"{path} is being read or written by another program: close it, then restore"
        )


def _remove_partials(folder: Path) -> None:
    """Remove what a backup cut short left behind (its process is gone)."""
    for partial in folder.glob(".*.partial"):
        pid = partial.name.rsplit(".", 2)[-2]
        if pid.isdigit() and not _alive(int(pid)):
            partial.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
