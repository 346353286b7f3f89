"""Accounts: a name, an argon2id password hash, the admin flag, and one role in the
project.

>>> add_user(project, "Dev", "correct horse battery", role="coder")
User(name='Dev', role=<Role.CODER: 'coder'>, admin=False, disabled=False, ...)
>>> authenticate(project, "Dev", "correct horse battery").name
'Dev'
>>> reset_password(project, "Dev", "another long passphrase")   # ends Dev's sessions
1

An account's name is also its coder name: what it codes is recorded in that layer, and
a blind coder's blind is that coder's. Every change here is one audit event (who
changed which account, never a password or a hash), not undoable: undoing a password
reset or a revoked role would hand back access that was taken away on purpose.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from thematica.errors import InvalidInput, NotFound
from thematica.store.schema import team_grant, team_user
from thematica.team import sessions
from thematica.team.permissions import ADMIN, Permission, Role, parse_role, permissions

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from thematica.project import Project, Transaction

MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # hashing costs memory per call: a megabyte "password" is refused
MAX_NAME = 100
# argon2id with argon2-cffi's defaults: RFC 9106's second recommended profile.
_HASHER = PasswordHasher()


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: Role | None  # the role in this project; None: no grant
    admin: bool
    disabled: bool
    created: str

    @property
    def roles(self) -> str:
        """What the account holds, in words: ``coder``, ``lead, admin``, ``no role``."""
        held = [
            r for r in (self.role.value if self.role else None, "admin" if self.admin else None)
        ]
        return ", ".join(r for r in held if r) or "no role"

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions(self.role, self.admin)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role.value if self.role else None,
            "admin": self.admin,
            "disabled": self.disabled,
            "created": self.created,
        }


def check_name(name: str) -> str:
    """An account name as stored: NFC, no space around it, no control characters."""
    cleaned = unicodedata.normalize("NFC", name.strip())
    if not cleaned:
        raise InvalidInput("an account needs a name")
    if len(cleaned) > MAX_NAME:
        raise InvalidInput(f"an account name has at most {MAX_NAME} characters")
    if any(unicodedata.category(ch).startswith("C") for ch in cleaned):
        raise InvalidInput(f"account name {cleaned!r} contains a control character")
    return cleaned


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"the password is too short: use at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"the password is too long: use at most {MAX_PASSWORD} characters")


def hash_password(password: str) -> str:
    check_password(password)
    return _HASHER.hash(password)


@cache
def _decoy() -> str:
    """A hash to check passwords of unknown accounts against, so that a wrong name takes
    as long to refuse as a wrong password."""
    return _HASHER.hash("no account has this password")


_USERS = select(
    team_user.c.id,
    team_user.c.name,
    team_grant.c.role,
    team_user.c.admin,
    team_user.c.disabled,
    team_user.c.created,
).outerjoin(team_grant, team_grant.c.user_id == team_user.c.id)


def _user(row: Any) -> User:
    role = Role(row.role) if row.role else None
    return User(row.id, row.name, role, bool(row.admin), bool(row.disabled), row.created)


def find_user(conn: Connection, name: str) -> User:
    row = conn.execute(_USERS.where(team_user.c.name == name)).first()
    if row is None:
        raise NotFound(f"no account named {name!r}; `thematica admin users` lists them")
    return _user(row)


def user_by_id(conn: Connection, user_id: int) -> User | None:
    row = conn.execute(_USERS.where(team_user.c.id == user_id)).first()
    return _user(row) if row else None


def get_user(project: Project, name: str) -> User:
    with project.read() as conn:
        return find_user(conn, name)


def list_users(project: Project) -> list[User]:
    """Every account, by name."""
    with project.read() as conn:
        return [_user(row) for row in conn.execute(_USERS.order_by(team_user.c.name))]


def add_user(
    project: Project, name: str, password: str, role: str | None = None, admin: bool = False
) -> User:
    """A new account; ``role`` (lead, coder or viewer) is its role in the project."""
    from thematica.project import now

    name = check_name(name)
    chosen = None
    if role:
        parsed = parse_role(role)
        if parsed == ADMIN:
            raise InvalidInput("admin is not a role in the project: make an admin with --admin")
        chosen = Role(parsed)
    hashed = hash_password(password)
    with project.transaction("add user", name) as tx:
        taken = tx.conn.execute(
            select(team_user.c.name).where(func.lower(team_user.c.name) == name.lower())
        ).scalar()
        if taken is not None:
            raise InvalidInput(f"an account named {taken!r} already exists: choose another name")
        at = now()
        values = {
            "name": name,
            "password_hash": hashed,
            "admin": admin,
            "disabled": False,
            "created": at,
        }
        user_id = tx.insert(team_user, values)
        if chosen is not None:
            tx.insert(team_grant, {"user_id": user_id, "role": chosen.value, "granted": at})
        _audited(tx, after={"role": chosen.value if chosen else None, "admin": admin})
        return find_user(tx.conn, name)


def _audited(tx: Transaction, before: Any = None, after: Any = None) -> None:
    # The rows (a password hash among them) stay out of the log: not undoable.
    tx.undoable = False
    tx.before, tx.after = before, after


def reset_password(project: Project, name: str, password: str) -> int:
    """Set a new password; every session of the account ends. Returns how many ended."""
    hashed = hash_password(password)
    with project.transaction("reset password", name) as tx:
        user = find_user(tx.conn, name)
        tx.update(team_user, user.id, {"password_hash": hashed})
        ended = sessions.end_all(tx.conn, user.id)
        _audited(tx, after={"sessions ended": ended})
        return ended


def grant(project: Project, name: str, role: str) -> User:
    """Give the account ``role``: lead, coder or viewer (replacing its role in the
    project, if any), or admin."""
    from thematica.project import now

    role = parse_role(role)
    with project.transaction("grant role", name) as tx:
        user = find_user(tx.conn, name)
        before = _roles(user)
        if role == ADMIN:
            tx.update(team_user, user.id, {"admin": True})
        else:
            held = tx.conn.execute(
                select(team_grant.c.id).where(team_grant.c.user_id == user.id)
            ).scalar()
            if held is None:
                tx.insert(team_grant, {"user_id": user.id, "role": role, "granted": now()})
            else:
                tx.update(team_grant, held, {"role": role, "granted": now()})
        made = find_user(tx.conn, name)
        _audited(tx, before=before, after=_roles(made))
        return made


def revoke(project: Project, name: str, role: str) -> User:
    """Take ``role`` away from the account; its next request is answered accordingly
    (a project role gone: the project is no longer there for it)."""
    role = parse_role(role)
    with project.transaction("revoke role", name) as tx:
        user = find_user(tx.conn, name)
        held = user.admin if role == ADMIN else user.role is not None and user.role.value == role
        if not held:
            raise InvalidInput(f"{user.name} does not hold the role {role}: nothing to revoke")
        before = _roles(user)
        if role == ADMIN:
            tx.update(team_user, user.id, {"admin": False})
        else:
            held_id = tx.conn.execute(
                select(team_grant.c.id).where(team_grant.c.user_id == user.id)
            ).scalar_one()
            tx.delete(team_grant, held_id)
        made = find_user(tx.conn, name)
        _audited(tx, before=before, after=_roles(made))
        return made


def set_disabled(project: Project, name: str, disabled: bool = True) -> int:
    """Disable an account (it cannot log in; its sessions end) or enable it again.
    Returns how many sessions ended."""
    with project.transaction("disable user" if disabled else "enable user", name) as tx:
        user = find_user(tx.conn, name)
        tx.update(team_user, user.id, {"disabled": disabled})
        ended = sessions.end_all(tx.conn, user.id) if disabled else 0
        _audited(tx, after={"disabled": disabled})
        return ended


def _roles(user: User) -> dict[str, Any]:
    return {"role": user.role.value if user.role else None, "admin": user.admin}


def authenticate(project: Project, name: str, password: str) -> User | None:
    """The account, when ``password`` is its password and it is not disabled; else None.

    An unknown name is checked against a decoy hash, so that the time taken does not
    tell which names exist. A hash made with weaker parameters than today's is
    replaced on a successful log-in.
    """
    if len(password) > MAX_PASSWORD:
        return None
    with project.read() as conn:
        row = conn.execute(
            select(team_user.c.id, team_user.c.password_hash).where(
                team_user.c.name == unicodedata.normalize("NFC", name.strip())
            )
        ).first()
    stored = row.password_hash if row else _decoy()
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    if _HASHER.check_needs_rehash(stored):
        # Not a change anyone made to the study: written outside the audit log.
        with project.writing() as conn:
            conn.execute(
                team_user.update()
                .where(team_user.c.id == row.id)
                .values(password_hash=_HASHER.hash(password))
            )
    with project.read() as conn:
        user = user_by_id(conn, row.id)
    return user if user is not None and not user.disabled else None
