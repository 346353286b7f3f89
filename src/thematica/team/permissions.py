"""Roles and what each may do.

>>> Permission.CODE in permissions(Role.CODER, admin=False)
True
>>> Permission.UNDO in permissions(Role.CODER, admin=False)
False

A project role (lead, coder, viewer) is granted per account; ``admin`` is a flag of the
account that manages accounts and grants and, alone, sees no project data.
"""

from __future__ import annotations

from enum import StrEnum

from thematica.errors import InvalidInput


class Permission(StrEnum):
    """What a request needs. The web app declares one on every route."""

    PUBLIC = "public"  # the log-in page: anyone, before logging in
    SIGNED_IN = "signed-in"  # any logged-in account (log out)
    READ = "read"  # pages, the report and its downloads
    CODE = "code"  # codings and memos of one's own, new codes, journal entries
    EDIT_OTHERS = "edit-others"  # remove or edit other people's codings and memos
    CODEBOOK = "codebook"  # rename, recolour, describe, move, merge and delete codes
    THEMES = "themes"  # the themes board's changes
    CASES = "cases"  # participants' attributes and the Table 1 spec
    CONSENSUS = "consensus"  # start consensus, resolve disagreements
    ANONYMISE = "anonymise"  # the anonymisation review (names files on the server)
    UNDO = "undo"  # undo the project's latest change, whoever made it
    AUDIT = "audit"  # the whole audit log, by user
    ACCOUNTS = "accounts"  # accounts and grants


# What each permission lets one do, for the line that says why a request was refused.
DOES: dict[Permission, str] = {
    Permission.PUBLIC: "open the log-in page",
    Permission.SIGNED_IN: "log out",
    Permission.READ: "read this project",
    Permission.CODE: "code or write memos",
    Permission.EDIT_OTHERS: "change other people's codings or memos",
    Permission.CODEBOOK: "rename, move, merge or delete codes",
    Permission.THEMES: "change the themes",
    Permission.CASES: "change participants' attributes or Table 1",
    Permission.CONSENSUS: "run consensus",
    Permission.ANONYMISE: "review or apply anonymisation",
    Permission.UNDO: "undo changes",
    Permission.AUDIT: "read the whole audit log",
    Permission.ACCOUNTS: "manage accounts",
}


class Role(StrEnum):
    LEAD = "lead"
    CODER = "coder"
    VIEWER = "viewer"


# Permissions that concern the project's data: an account with no role in the project
# is answered as if the project were not there (404).
PROJECT = frozenset(Permission) - {Permission.PUBLIC, Permission.SIGNED_IN, Permission.ACCOUNTS}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ}),
    Role.CODER: frozenset({Permission.READ, Permission.CODE}),
    Role.LEAD: PROJECT,
}


def permissions(role: Role | None, admin: bool) -> frozenset[Permission]:
    """Everything an account with ``role`` in the project (None: none) may do."""
    granted = {Permission.PUBLIC, Permission.SIGNED_IN}
    if role is not None:
        granted |= ROLE_PERMISSIONS[role]
    if admin:
        granted.add(Permission.ACCOUNTS)
    return frozenset(granted)


ADMIN = "admin"
GRANTABLE = (*(r.value for r in Role), ADMIN)


def parse_role(name: str) -> str:
    """``name`` as a role to grant: lead, coder, viewer, or admin (the account flag)."""
    cleaned = name.strip().lower()
    if cleaned not in GRANTABLE:
        raise InvalidInput(f"unknown role {name!r}: choose one of {', '.join(GRANTABLE)}")
    return cleaned
