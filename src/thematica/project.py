"""The project: the one entry point to a study's data.

>>> import thematica
>>> project = thematica.create_project("study.thematica", participant_label="Mother {id}")
>>> project.sources.add("interview-01.txt", "Interviewer: How was it?\\nParticipant: Calm.")
>>> project.codes.add("Warmth")
>>> project.codings.add("interview-01.txt", "Warmth", 39, 44, coder="Hannah")
>>> project.undo()

Every change runs in one transaction that also writes an audit event (who, when, what,
before and after, and the row changes that undo replays backwards).
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DatabaseError, OperationalError

from thematica.errors import InvalidInput, ProjectBusy, ProjectError
from thematica.store import encryption, migrations
from thematica.store import engine as store_engine
from thematica.store.changes import Writer, revert
from thematica.store.schema import audit, setting

if TYPE_CHECKING:
    from thematica.assist.assistant import Assist
    from thematica.coding.codebook import Codebook
    from thematica.coding.codings import Codings
    from thematica.coding.memos import Memos
    from thematica.coding.retrieve import Segment
    from thematica.ingest.cases import Cases
    from thematica.ingest.sources import Sources
    from thematica.query.queries import Queries
    from thematica.query.sets import Sets
    from thematica.themes.themes import Themes

DEFAULT_PARTICIPANT_LABEL = "Participant {id}"


def now() -> str:
    """The current time as an ISO 8601 UTC string with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def default_actor() -> str:
    """Who is making changes: ``THEMATICA_USER``, else the login name."""
    return os.environ.get("THEMATICA_USER") or getpass.getuser()


@dataclass(frozen=True)
class AuditEvent:
    id: int
    at: str
    actor: str
    action: str
    target: str
    before: Any
    after: Any
    undone_by: int | None
    undoable: bool

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))  # shallow: the fields are plain values


class Transaction(Writer):
    """A :class:`Writer` plus the audit event it will be recorded under.

    Operations fill in ``target``, ``before`` and ``after`` as they learn them. A
    transaction marked ``undoable = False`` is logged without its row changes.
    """

    def __init__(self, conn: Connection, action: str, target: str = "") -> None:
        super().__init__(conn)
        self.action = action
        self.target = target
        self.before: Any = None
        self.after: Any = None
        self.undoable = True
        self.event_id: int | None = None


class Project:
    """An open study project. Create with :func:`create_project`, open with :func:`open_project`."""

    def __init__(self, engine: Engine, location: str, actor: str | None = None) -> None:
        self.engine = engine
        self.location = location
        self.actor = actor or default_actor()

    def __repr__(self) -> str:
        return f"<Project {self.location}>"

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    # -- transactions -------------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for consistent reads (one snapshot)."""
        with self._busy_guard(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def transaction(self, action: str, target: str = "") -> Iterator[Transaction]:
        """Run a change atomically and record it as one audit event.

        If the block raises, nothing is written. SQLite takes the write lock when the
        transaction begins, so a second writer waits here, not half-way through.
        """
        with self.writing() as conn:
            tx = Transaction(conn, action, target)
            yield tx
            if tx.event_id is None:
                self._record(tx)

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write that is no change to the study (a cache, a log-in session), so it has
        no audit event and no undo. Like a transaction, it takes SQLite's write lock at
        BEGIN, so a second writer waits here instead of failing half-way."""
        with self._busy_guard(), self.engine.connect() as conn:
            conn.info["write"] = True
            try:
                with conn.begin():
                    yield conn
            finally:
                conn.info["write"] = False

    def _record(self, tx: Transaction) -> int:
        values = {
            "at": now(),
            "actor": self.actor,
            "action": tx.action,
            "target": tx.target,
            "before": tx.before,
            "after": tx.after,
            "changes": tx.changes if tx.undoable else None,
        }
        tx.event_id = tx.conn.execute(audit.insert(), values).inserted_primary_key[0]
        return tx.event_id

    @contextmanager
    def _busy_guard(self) -> Iterator[None]:
        try:
            yield
        except OperationalError as error:
            if "locked" in str(error.orig) or "busy" in str(error.orig):
                raise ProjectBusy(
                    f"project is busy: another process kept {self.location} locked for more "
                    f"than {store_engine.busy_timeout():g} s; try again"
                ) from None
            raise

    # -- settings -----------------------------------------------------------------------

    def setting(self, key: str, default: str | None = None) -> str | None:
        with self.read() as conn:
            value = conn.execute(select(setting.c.value).where(setting.c.key == key)).scalar()
        return default if value is None else value

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction("set setting", key) as tx:
            write_setting(tx, key, value)

    @property
    def participant_label(self) -> str:
        """Template for participant labels in quotes and tables, e.g. ``Mother {id}``."""
        return self.setting("participant_label", DEFAULT_PARTICIPANT_LABEL) or ""

    # -- the parts of a study -------------------------------------------------------------

    @cached_property
    def sources(self) -> Sources:
        from thematica.ingest.sources import Sources

        return Sources(self)

    @cached_property
    def cases(self) -> Cases:
        from thematica.ingest.cases import Cases

        return Cases(self)

    @cached_property
    def codes(self) -> Codebook:
        from thematica.coding.codebook import Codebook

        return Codebook(self)

    @cached_property
    def codings(self) -> Codings:
        from thematica.coding.codings import Codings

        return Codings(self)

    @cached_property
    def memos(self) -> Memos:
        from thematica.coding.memos import Memos

        return Memos(self)

    @cached_property
    def themes(self) -> Themes:
        from thematica.themes.themes import Themes

        return Themes(self)

    @cached_property
    def assist(self) -> Assist:
        """Assisted coding with local models (the ``assist`` extra): similar passages,
        code suggestions, groups of uncoded turns, and accepting a suggestion."""
        from thematica.assist.assistant import Assist

        return Assist(self)

    @cached_property
    def query(self) -> Queries:
        """Coding queries, matrices, text search and saved queries."""
        from thematica.query.queries import Queries

        return Queries(self)

    @cached_property
    def sets(self) -> Sets:
        """Source and case sets, static or worked out from a filter."""
        from thematica.query.sets import Sets

        return Sets(self)

    def segments(
        self, code: str, coder: str | None = None, context: int = 120, children: bool = False
    ) -> list[Segment]:
        """Every segment coded with ``code``, with its participant and surrounding text.

        ``coder`` picks one coder's layer (default: all coders); ``children`` includes
        segments coded with the code's descendants.
        """
        from thematica.coding.retrieve import segments

        return segments(self, code, coder=coder, context=context, children=children)

    # -- audit log and undo -------------------------------------------------------------

    def log(self, limit: int | None = 50) -> list[AuditEvent]:
        """The most recent audit events, newest first."""
        query = select(audit).order_by(audit.c.id.desc())
        if limit:
            query = query.limit(limit)
        with self.read() as conn:
            return [_event(row) for row in conn.execute(query).mappings()]

    def undo(self) -> AuditEvent:
        """Undo the most recent change that has not been undone; return that change."""
        with self.transaction("undo") as tx:
            candidates = tx.conn.execute(
                select(audit)
                .where(audit.c.undone_by.is_(None), audit.c.action != "undo")
                .order_by(audit.c.id.desc())
            ).mappings()
            # An event that changed nothing (a record that the key was read, say) has
            # nothing to undo: the change before it is the one to undo.
            row = next((r for r in candidates if r["changes"] != []), None)
            if row is None or row["changes"] is None:
                what = f": the last change, {row['action']!r}, cannot be undone" if row else ""
                raise InvalidInput(f"nothing to undo{what}")
            revert(tx, row["changes"])
            tx.target = f"event {row['id']}: {row['action']} {row['target']}".rstrip()
            tx.before, tx.after = row["after"], row["before"]
            # Undo is itself logged, and its event is linked from the one it reverted.
            undo_id = self._record(tx)
            tx.conn.execute(update(audit).where(audit.c.id == row["id"]).values(undone_by=undo_id))
        return _event({**row, "undone_by": undo_id})


def write_setting(tx: Writer, key: str, value: str) -> None:
    existing = tx.conn.execute(select(setting.c.id).where(setting.c.key == key)).scalar()
    if existing is None:
        tx.insert(setting, {"key": key, "value": value})
    else:
        tx.update(setting, existing, {"value": value})


def _event(row: Any) -> AuditEvent:
    return AuditEvent(
        id=row["id"],
        at=row["at"],
        actor=row["actor"],
        action=row["action"],
        target=row["target"],
        before=row["before"],
        after=row["after"],
        undone_by=row["undone_by"],
        undoable=row["changes"] is not None,
    )


def create_project(
    location: str | os.PathLike[str],
    name: str | None = None,
    participant_label: str = DEFAULT_PARTICIPANT_LABEL,
    actor: str | None = None,
    passphrase: str | None = None,
) -> Project:
    """Create a new, empty project: a SQLite file path, or a PostgreSQL URL.

    With ``passphrase`` the file is encrypted (see :mod:`thematica.store.encryption`).
    """
    location = str(location)
    if passphrase is not None:
        encryption.check_new_passphrase(passphrase)
    if "{id}" not in participant_label:
        raise InvalidInput(f"participant label {participant_label!r} must contain {{id}}")
    if not store_engine.is_url(location):
        path = Path(location)
        if path.exists():
            raise ProjectError(f"{path} already exists; open it, or choose another name")
        if not path.parent.is_dir():
            raise ProjectError(f"cannot create {path}: folder {path.parent} does not exist")
        name = name or path.stem
    engine = store_engine.make_engine(location, passphrase)
    try:
        with engine.connect() as conn:
            if store_engine.is_sqlite(engine):
                store_engine.stamp_application_id(conn)
                conn.commit()
            elif _revision(conn) is not None:
                raise ProjectError(f"{location} already holds a Thematica project")
            with conn.begin():
                migrations.upgrade(conn)
    except OperationalError as error:
        engine.dispose()
        raise ProjectError(f"cannot create a project at {location}: {error.orig}") from None
    project = Project(engine, location, actor)
    with project.transaction("create project", name or location) as tx:
        write_setting(tx, "name", name or "study")
        write_setting(tx, "participant_label", participant_label)
        write_setting(tx, "created", now())
        tx.undoable = False
        tx.after = {"name": name, "participant_label": participant_label}
    return project


def _revision(conn: Connection) -> str | None:
    try:
        with conn.begin():
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DatabaseError:
        return None


def open_project(
    location: str | os.PathLike[str], actor: str | None = None, passphrase: str | None = None
) -> Project:
    """Open an existing project (a path or a database URL), upgrading an older schema.

    An encrypted file opens with ``passphrase``, else ``THEMATICA_PASSPHRASE``.
    """
    location = str(location)
    if not store_engine.is_url(location):
        passphrase = encryption.passphrase_for(Path(location), passphrase)
        store_engine.check_sqlite_file(Path(location), passphrase)
    engine = store_engine.make_engine(location, passphrase)
    not_ours = f"{location} is not a Thematica project"
    try:
        with engine.connect() as conn:
            revision = _revision(conn)
            if revision is None:
                raise ProjectError(f"{not_ours}: create one with `thematica init {location}`")
            if revision not in migrations.REVISIONS:
                raise ProjectError(
                    f"{location} was saved by a newer version of Thematica (schema {revision}); "
                    "upgrade Thematica to open it"
                )
            if revision != migrations.HEAD:
                with conn.begin():
                    migrations.upgrade(conn)
    except ProjectError:
        engine.dispose()
        raise
    except DatabaseError as error:
        engine.dispose()
        raise ProjectError(f"{not_ours} ({error.orig})") from None
    return Project(engine, location, actor)
