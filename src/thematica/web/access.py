"""Who may do what: every route declares the permission it needs, here.

>>> @router.post("/codes/{code_id}/rename", dependencies=[requires(Permission.CODEBOOK)])

The local workbench has one user, who may do everything: the declarations let every
request through. On a team server (``create_app(..., team=True)``) the guard in front
(:class:`thematica.web.team.TeamGuard`) has found the request's account and given the
request a project that acts as that account; then a route is answered only when the
account's role allows it: an account with no role in the project gets 404 on every
route of the project (there is nothing there for it), a role without the permission
403. A test walks every route of the app and fails on one without a declaration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Depends, Request
from starlette.exceptions import HTTPException

from thematica.team.permissions import DOES, PROJECT, Permission

if TYPE_CHECKING:
    from fastapi.params import Depends as DependsParam

    from thematica.project import Project
    from thematica.team.accounts import User


class Requirement:
    """The check :func:`requires` declares: the permission is kept for the tests to read."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def __call__(self, request: Request) -> None:
        if not request.app.state.team or self.permission is Permission.PUBLIC:
            return
        user = user_of(request)
        if user is None:
            raise HTTPException(401, "Log in first.")
        if self.permission in PROJECT and user.role is None:
            raise HTTPException(404)
        if self.permission not in user.permissions:
            raise HTTPException(403, f"Refused: {_who(user)} may not {DOES[self.permission]}.")


def requires(permission: Permission) -> DependsParam:
    """The dependency a route declares: ``dependencies=[requires(Permission.READ)]``."""
    return Depends(Requirement(permission))


def _who(user: User) -> str:
    if user.role is None:
        return "an account without a role in this project"
    return f"{'an' if user.role.value[0] in 'aeiou' else 'a'} {user.role.value}"


def user_of(request: Request) -> User | None:
    """The logged-in account (None in the local workbench, or before log-in)."""
    return getattr(request.state, "user", None)


def project_of(request: Request) -> Project:
    """The project as the request's user: on a team server, one that records changes
    as the account and hides what a blind coder may not see; locally, the one project."""
    return getattr(request.state, "project", None) or request.app.state.project


def can(request: Request, permission: Permission) -> bool:
    """Whether the request's user may do what ``permission`` allows (pages offer only
    what is allowed; the routes check again)."""
    if not request.app.state.team:
        return True
    user = user_of(request)
    return user is not None and permission in user.permissions


def refuse_blind(project: Project, what: str) -> None:
    """Refuse (403) a screen that shows every coder's codings to a coder who is blind."""
    from thematica.team.blind import is_blind

    if is_blind(project):
        raise HTTPException(
            403,
            f"{project.actor} is coding blind: {what} show other coders' codings; ask the "
            "lead to lift the blind (thematica double-coding blind NAME --off).",
        )


def require_owner(request: Request, author: str, what: str) -> None:
    """Refuse (403) a change to someone else's coding or memo, unless the role may."""
    if author == project_of(request).actor or can(request, Permission.EDIT_OTHERS):
        return
    raise HTTPException(403, f"Refused: this {what} is {author}’s; you may change only your own.")
