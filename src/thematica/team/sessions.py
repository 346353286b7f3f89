"""Log-in sessions, kept on the server: the browser holds only a random token.

>>> token, session = start(project, user, address="10.0.0.7")
>>> resolve(project, token).user.name
'Dev'
>>> end(project, token)            # log out: the token opens nothing any more
>>> resolve(project, token) is None
True

The token is 256 random bits; the table keeps only its SHA-256 (a slow hash is not
needed for a random secret of that size), so a copy of the database opens no session.
Each log-in makes a new session with a new token, never one the browser brought with
it (no session fixation). A session ends when its account logs out, when it expires
(``LIFETIME`` after log-in), or when the account's password is reset or the account is
disabled. Sessions are the server's working state, like a cache: written outside the
audit log.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Connection

from thematica.store.schema import team_session

if TYPE_CHECKING:
    from thematica.project import Project
    from thematica.team.accounts import User

LIFETIME = timedelta(hours=12)


@dataclass(frozen=True)
class Session:
    id: int
    user: User
    csrf: str  # the token this session's pages carry in every change
    expires: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _stamp(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds")


def start(
    project: Project, user: User, address: str = "", lifetime: timedelta = LIFETIME
) -> tuple[str, Session]:
    """A new session for ``user`` (who has just proved their password): its token, for
    the browser's cookie, and the session. Expired sessions are cleared out here."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    at = datetime.now(UTC)
    values = {
        "token_hash": _hash(token),
        "user_id": user.id,
        "csrf": csrf,
        "created": _stamp(at),
        "expires": _stamp(at + lifetime),
        "address": address[:100],
    }
    with project.writing() as conn:
        conn.execute(delete(team_session).where(team_session.c.expires <= _stamp(at)))
        session_id = conn.execute(team_session.insert(), values).inserted_primary_key[0]
    return token, Session(session_id, user, csrf, values["expires"])


def resolve(project: Project, token: str | None) -> Session | None:
    """The live session ``token`` opens: not expired, its account not disabled."""
    from thematica.team.accounts import user_by_id

    if not token:
        return None
    with project.read() as conn:
        row = conn.execute(
            select(team_session).where(team_session.c.token_hash == _hash(token))
        ).first()
        if row is None or row.expires <= _stamp(datetime.now(UTC)):
            return None
        user = user_by_id(conn, row.user_id)
    if user is None or user.disabled:
        return None
    return Session(row.id, user, row.csrf, row.expires)


def end(project: Project, token: str | None) -> bool:
    """End the session ``token`` opens (log out); whether there was one."""
    if not token:
        return False
    with project.writing() as conn:
        gone = conn.execute(delete(team_session).where(team_session.c.token_hash == _hash(token)))
    return gone.rowcount > 0


def end_all(conn: Connection, user_id: int) -> int:
    """End every session of an account, in the caller's transaction; how many ended."""
    gone = conn.execute(delete(team_session).where(team_session.c.user_id == user_id))
    return gone.rowcount


def count(project: Project, user_id: int) -> int:
    """The account's live sessions."""
    with project.read() as conn:
        return conn.execute(
            select(func.count()).where(
                team_session.c.user_id == user_id,
                team_session.c.expires > _stamp(datetime.now(UTC)),
            )
        ).scalar_one()
