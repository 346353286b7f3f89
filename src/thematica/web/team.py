"""The team server's parts of the web app: the guard that logs requests in, the log-in
and log-out pages, the accounts page (admin) and the audit log by user (lead).

* ``GET /login``, ``POST /login`` (``name``, ``password``, ``next``): a new session on
  the right password, in a new cookie; wrong ones are counted
  (:class:`thematica.team.ratelimit.LoginLimiter`) and the sixth in a minute is answered
  429 "Too many attempts: try again in N s.". The form carries a token that is also
  in a cookie of its own (a log-in from another site's form is refused).
* ``POST /logout``: the session ends on the server; its cookie opens nothing after.
* ``GET /admin`` and its forms: accounts and their roles (admin only).
* ``GET /activity?user=NAME``: who did what and when (lead).

The session cookie is HttpOnly (no script reads it), ``Secure`` and named with the
``__Host-`` prefix when the server is reached over https (directly, or behind a proxy on
this machine that says so: ``thematica serve --behind-proxy``), and SameSite=Lax: a
link to a page of the workbench from mail or chat opens it logged in, while every change
is a POST that must carry the session's CSRF token and come from the server's own
origin, so Lax loses nothing that Strict would keep.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import cookie_parser

from thematica.errors import InvalidInput
from thematica.project import Project
from thematica.team import accounts, sessions
from thematica.team.blind import visible_events
from thematica.team.permissions import GRANTABLE, Permission, Role
from thematica.team.ratelimit import TooManyAttempts
from thematica.web.access import project_of, requires
from thematica.web.app import done, local, page
from thematica.web.security import (
    MAX_FORM_BYTES,
    SAFE_METHODS,
    Guard,
    Receive,
    Scope,
    Send,
    buffer_body,
    is_api,
    new_token,
    refuse,
)

if TYPE_CHECKING:
    from thematica.team.accounts import User

router = APIRouter()

Text = Annotated[str, Form()]
LOGIN_PATH = "/login"
SESSION_COOKIE = "thematica_session"
SECURE_SESSION_COOKIE = "__Host-thematica_session"  # https only: no Domain, Path=/
LOGIN_COOKIE = "thematica_login"
ACTIVITY_LIMIT = 500
TOO_LARGE = "Refused: the request is too large. Nothing was changed."


def _fetch(scope: Scope, headers: dict[str, str]) -> bool:
    """A request from the page's own script or to the JSON API, which cannot follow a
    log-in page."""
    return (
        headers.get("hx-request") == "true"
        or headers.get("x-thematica") == "fetch"
        or is_api(scope["path"])
    )


class TeamGuard(Guard):
    """The guard of a team server: before any route, the request's session cookie is
    looked up and the request given its account and a project acting as it; a request
    without a live session is sent to the log-in page (a page) or answered 401 (a
    change, or a request of the page's script). Every change's body is read first, and
    one over ``max_body`` bytes is refused with 413 before anything else is done."""

    def __init__(
        self,
        app,
        project: Project,
        port: int | None,
        hosts: tuple[str, ...] = (),
        max_body: int = MAX_FORM_BYTES,
    ) -> None:
        super().__init__(app, token="", port=port, hosts=hosts)
        self.project = project
        self.max_body = max_body

    async def admit(
        self, scope: Scope, headers: dict[str, str], receive: Receive, send: Send
    ) -> Receive | None:
        if scope["method"] not in SAFE_METHODS:
            declared = headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_body:
                await refuse(scope, send, TOO_LARGE, status=413)
                return None
            body, receive = await buffer_body(receive, self.max_body)
            if body is None:
                await refuse(scope, send, TOO_LARGE, status=413)
                return None
        cookies = cookie_parser(headers.get("cookie", ""))
        token = cookies.get(SECURE_SESSION_COOKIE) or cookies.get(SESSION_COOKIE)
        session = await run_in_threadpool(sessions.resolve, self.project, token) if token else None
        state = scope.setdefault("state", {})
        state["login_token"] = cookies.get(LOGIN_COOKIE)
        if session is not None:
            state["session"] = session
            state["user"] = session.user
            state["project"] = Project(
                self.project.engine, self.project.location, actor=session.user.name
            )
            return receive
        path = scope["path"]
        if path == LOGIN_PATH or path.startswith("/static/"):
            return receive
        if scope["method"] in ("GET", "HEAD") and not _fetch(scope, headers):
            query = scope.get("query_string", b"").decode("latin-1")
            wanted = path + (f"?{query}" if query else "")
            target = f"{LOGIN_PATH}?next={quote(wanted, safe='')}".encode()
            await refuse(scope, send, "Log in first.", status=303, headers=[(b"location", target)])
        else:
            await refuse(scope, send, "Your session has ended: log in again.", status=401)
        return None

    def expected_token(self, scope: Scope, headers: dict[str, str]) -> str | None:
        state = scope.get("state", {})
        if scope["path"] == LOGIN_PATH:
            return state.get("login_token")  # the log-in form's own, also in its cookie
        session = state.get("session")
        return session.csrf if session is not None else None


def _https(request: Request) -> bool:
    return request.url.scheme == "https"


def _address(request: Request) -> str:
    return request.client.host if request.client else ""


# -- log-in and log-out -------------------------------------------------------------------


def _login_page(request: Request, next_url: str, message: str = "", status: int = 200) -> Response:
    """The log-in form, with a new form token in a cookie of its own."""
    token = new_token()
    response = page(
        request, "login.html", status=status, csrf=token, next=next_url, problem=message
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        path=LOGIN_PATH,
        httponly=True,
        samesite="strict",
        secure=_https(request),
        max_age=3600,
    )
    return response


def _landing(user: User, next_url: str) -> str:
    if next_url == "/" and user.role is None and user.admin:
        return "/admin"
    return next_url


@router.get(LOGIN_PATH, response_class=HTMLResponse, dependencies=[requires(Permission.PUBLIC)])
def login_page(request: Request, next: str = "/") -> Response:
    """The form, also when logged in already: logging in again (as another account,
    say) ends the session the browser held."""
    return _login_page(request, local(next))


@router.post(LOGIN_PATH, dependencies=[requires(Permission.PUBLIC)])
def login(
    request: Request,
    name: Text = "",
    password: Text = "",
    next_url: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    limiter = request.app.state.limiter
    address = _address(request)
    next_url = local(next_url)
    try:
        limiter.check(name, address)
    except TooManyAttempts as error:
        response = _login_page(request, next_url, str(error), status=429)
        response.headers["retry-after"] = str(error.seconds)
        return response
    project = request.app.state.project
    user = accounts.authenticate(project, name, password)
    if user is None:
        limiter.failed(name, address)
        return _login_page(request, next_url, "Wrong name or password.", status=401)
    limiter.succeeded(name)
    # Whatever session the browser held ends; the new one has a token it never saw.
    cookies = request.cookies
    sessions.end(project, cookies.get(SECURE_SESSION_COOKIE) or cookies.get(SESSION_COOKIE))
    token, _ = sessions.start(project, user, address)
    response = RedirectResponse(_landing(user, next_url), status_code=303)
    secure = _https(request)
    response.set_cookie(
        SECURE_SESSION_COOKIE if secure else SESSION_COOKIE,
        token,
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure,
        max_age=int(sessions.LIFETIME.total_seconds()),
    )
    response.delete_cookie(LOGIN_COOKIE, path=LOGIN_PATH)
    return response


@router.post("/logout", dependencies=[requires(Permission.SIGNED_IN)])
def logout(request: Request) -> Response:
    cookies = request.cookies
    sessions.end(
        request.app.state.project,
        cookies.get(SECURE_SESSION_COOKIE) or cookies.get(SESSION_COOKIE),
    )
    response = done(request, "You have logged out.", LOGIN_PATH)
    for name in (SESSION_COOKIE, SECURE_SESSION_COOKIE):
        response.delete_cookie(name, path="/", secure=name == SECURE_SESSION_COOKIE)
    return response


# -- the audit log, by user -----------------------------------------------------------------


@router.get("/activity", response_class=HTMLResponse, dependencies=[requires(Permission.AUDIT)])
def activity(request: Request, user: str = "") -> Response:
    """Who did what and when: the newest ``ACTIVITY_LIMIT`` changes, of one user or all."""
    project = project_of(request)
    events = visible_events(project, project.log(None))
    actors = sorted({e.actor for e in events})
    if user:
        events = [e for e in events if e.actor == user]
    return page(
        request,
        "activity.html",
        nav="activity",
        events=events[:ACTIVITY_LIMIT],
        total=len(events),
        actors=actors,
        chosen=user,
    )


# -- accounts (admin) -----------------------------------------------------------------------


@router.get("/admin", response_class=HTMLResponse, dependencies=[requires(Permission.ACCOUNTS)])
def admin_page(request: Request) -> Response:
    project = project_of(request)
    users = accounts.list_users(project)
    live = {u.name: sessions.count(project, u.id) for u in users}
    return page(
        request,
        "admin.html",
        nav="admin",
        users=users,
        live=live,
        roles=[r.value for r in Role],
        grantable=GRANTABLE,
    )


def _not_yourself(request: Request, name: str, what: str) -> None:
    """An admin cannot lock themselves out from the web: another admin (or the
    `thematica admin` command) must."""
    if name == project_of(request).actor:
        raise InvalidInput(f"you cannot {what} your own account here: ask another admin")


@router.post("/admin/users", dependencies=[requires(Permission.ACCOUNTS)])
def admin_add(
    request: Request,
    name: Text = "",
    password: Text = "",
    role: Text = "",
    admin: Annotated[bool, Form()] = False,
) -> Response:
    made = accounts.add_user(project_of(request), name, password, role=role or None, admin=admin)
    return done(request, f"Added the account {made.name} ({made.roles}).", "/admin")


@router.post("/admin/grant", dependencies=[requires(Permission.ACCOUNTS)])
def admin_grant(request: Request, user: Text = "", role: Text = "") -> Response:
    made = accounts.grant(project_of(request), user, role)
    return done(request, f"{made.name} now holds: {made.roles}.", "/admin")


@router.post("/admin/revoke", dependencies=[requires(Permission.ACCOUNTS)])
def admin_revoke(request: Request, user: Text = "", role: Text = "") -> Response:
    if role.strip().lower() == "admin":
        _not_yourself(request, user, "take the admin role from")
    made = accounts.revoke(project_of(request), user, role)
    return done(request, f"{made.name} now holds: {made.roles}.", "/admin")


@router.post("/admin/password", dependencies=[requires(Permission.ACCOUNTS)])
def admin_password(request: Request, user: Text = "", password: Text = "") -> Response:
    ended = accounts.reset_password(project_of(request), user, password)
    s = "" if ended == 1 else "s"
    return done(request, f"Reset the password of {user}; {ended} session{s} ended.", "/admin")


@router.post("/admin/disable", dependencies=[requires(Permission.ACCOUNTS)])
def admin_disable(
    request: Request, user: Text = "", disabled: Annotated[bool, Form()] = True
) -> Response:
    if disabled:
        _not_yourself(request, user, "disable")
    ended = accounts.set_disabled(project_of(request), user, disabled)
    if not disabled:
        return done(request, f"Enabled the account {user}.", "/admin")
    s = "" if ended == 1 else "s"
    return done(request, f"Disabled the account {user}; {ended} session{s} ended.", "/admin")
