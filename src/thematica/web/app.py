"""The browser workbench's application: a thin face over :class:`thematica.Project`.

>>> from thematica import open_project
>>> from thematica.web import create_app
>>> app = create_app(open_project("study.thematica"), port=8765)

Every page reads through the public API; every change is one API call, so one
transaction and one audit event. Served by ``thematica serve``; see docs/browser.md.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from thematica import __version__
from thematica.errors import InvalidInput, NotFound, ProjectBusy, ThematicaError
from thematica.team.permissions import Permission
from thematica.web import colours
from thematica.web.access import can, project_of, user_of
from thematica.web.security import Guard, is_api, new_token

if TYPE_CHECKING:
    from thematica.project import Project

HERE = Path(__file__).resolve().parent
API_SCHEMA = "/api/openapi.json"
FLASH_COOKIE = "thematica_flash"
log = logging.getLogger("thematica.web")


def _when(at: str) -> str:
    try:
        return datetime.fromisoformat(at).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return at


def templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["q"] = lambda value: quote(str(value), safe="")
    env.filters["when"] = _when
    env.filters["day"] = lambda at: at[:10]
    return env


def create_app(
    project: Project,
    port: int | None = None,
    token: str | None = None,
    assist_model: str | None = None,
    team: bool = False,
    allowed_hosts: Sequence[str] = (),
) -> FastAPI:
    """The web app over ``project``.

    ``port`` is the port the server listens on: only ``127.0.0.1:port`` and
    ``localhost:port`` are answered (None answers those names on any port, for tests).
    ``token`` is the CSRF token pages carry (default: a new random one).
    ``assist_model`` names the model of "More like this" and "Suggest codes" (default:
    the project's ``assist.model``, else the registry's); it is loaded in the
    background on first use, and only when the ``assist`` extra is installed.
    ``team``: a team server (:mod:`thematica.web.team`): log-in, roles, a CSRF token per
    session, and ``allowed_hosts``, the public names it answers to besides the local
    ones (``team.example.org``, or with a port).
    """
    from thematica.web import api, assist, cases, reports, review, routes
    from thematica.web.assist_model import BackgroundModel

    if allowed_hosts and not team:
        raise InvalidInput(
            "allowed_hosts needs team=True: without log-in the workbench answers only to "
            "this machine"
        )

    app = FastAPI(
        title="Thematica",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        # The schema of every route (the JSON API's and the pages'), for programs and for
        # schemathesis; no documentation pages, which would load scripts from a CDN.
        openapi_url=API_SCHEMA,
    )
    app.state.project = project
    app.state.team = team
    app.state.token = token or new_token()
    app.state.templates = templates()
    app.state.study = project.setting("name") or "study"
    app.state.assist = BackgroundModel(project, assist_model)
    screens = [routes, review, cases, reports, assist, api]
    if team:
        from thematica.web import team as team_screens

        screens.append(team_screens)
    for screen in screens:
        app.include_router(screen.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_exception_handler(ThematicaError, _thematica_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
    if team:
        from thematica.team.ratelimit import LoginLimiter
        from thematica.web.team import TeamGuard

        app.state.limiter = LoginLimiter()
        app.add_middleware(TeamGuard, project=project, port=port, hosts=allowed_hosts)
    else:
        app.add_middleware(Guard, token=app.state.token, port=port)
    return app


def csrf_of(request: Request) -> str:
    """The CSRF token the request's pages carry: the session's on a team server."""
    session = getattr(request.state, "session", None)
    return session.csrf if session is not None else request.app.state.token


# -- rendering ----------------------------------------------------------------------------


def wants_fragment(request: Request) -> bool:
    """A request from the page's own script (htmx or the reader), answered with a
    fragment or a line of text rather than a whole page."""
    return (
        request.headers.get("hx-request") == "true" or request.headers.get("x-thematica") == "fetch"
    )


def render(request: Request, template: str, **context: Any) -> str:
    state = request.app.state
    values = {
        "csrf": csrf_of(request),
        "actor": project_of(request).actor,
        "team": state.team,
        "user": user_of(request),
        "can": lambda permission: can(request, Permission(permission)),
        "study": state.study,
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "asset": __version__,
        "assist": state.assist,  # whether "More like this" and suggestions are offered
        # Called by the templates that link /codes.css, so other renders skip the read.
        "codes_css": lambda: colours.stamp(project_of(request)),
    }
    values.update(context)
    return state.templates.get_template(template).render(values)


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A whole page, with the message left by the change before it (if any)."""
    flash = request.cookies.get(FLASH_COOKIE)
    html = render(request, template, flash=unquote(flash) if flash else "", **context)
    response = HTMLResponse(html, status_code=status, headers={"cache-control": "no-store"})
    if flash:
        response.delete_cookie(FLASH_COOKIE, path="/", samesite="strict", httponly=True)
    return response


def local(url: str | None, default: str = "/") -> str:
    """``url`` if it is a path on this server, else ``default``: never redirect away."""
    if url and url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return default


def done(request: Request, message: str, next_url: str) -> Response:
    """The answer to a change that worked: back to ``next_url`` with ``message`` shown.

    htmx follows ``HX-Redirect`` with a full page load, so the page shows what the
    database holds after the change.
    """
    next_url = local(next_url)
    if request.headers.get("hx-request") == "true":
        # Without the #fragment: a location that differs from the page's only by its
        # fragment would scroll instead of loading the page again.
        target = next_url.split("#", 1)[0]
        response: Response = Response(status_code=204, headers={"HX-Redirect": target})
    else:
        response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(
        FLASH_COOKIE,
        quote(message, safe=""),
        path="/",
        samesite="strict",
        httponly=True,
        max_age=60,
    )
    return response


# -- errors ---------------------------------------------------------------------------------


def _status(error: ThematicaError) -> int:
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, ProjectBusy):
        return 503
    if isinstance(error, InvalidInput):
        return 400
    return 409


def error_response(request: Request, status: int, message: str) -> Response:
    """The page's script shows ``message`` and leaves the screen as it was (nothing
    changed); a plain browser form gets a page that says what went wrong; the JSON API
    ``{"detail": message}``."""
    if is_api(request.url.path):
        return JSONResponse({"detail": message}, status, headers={"cache-control": "no-store"})
    if wants_fragment(request):
        return PlainTextResponse(message, status_code=status, headers={"cache-control": "no-store"})
    html = render(request, "error.html", status=status, message=message, flash="")
    return HTMLResponse(html, status_code=status, headers={"cache-control": "no-store"})


async def _thematica_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ThematicaError)
    return error_response(request, _status(error), str(error))


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in item.get("loc", ())[1:]) or "request"
        problems.append(f"{where}: {item.get('msg', 'invalid')}")
    return error_response(request, 400, "Bad request: " + "; ".join(problems))


async def _data_error(request: Request, error: Exception) -> Response:
    # The database refused a value the request carried (PostgreSQL stores no NUL
    # character, say): the request's fault, and nothing was changed.
    assert isinstance(error, DataError)
    reason = str(error.orig).splitlines()[0] if error.orig else "a value it cannot store"
    return error_response(request, 400, f"Bad request: the database refused it ({reason}).")


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    message = "No such page." if error.status_code == 404 else str(error.detail)
    return error_response(request, error.status_code, message)


async def _unexpected_error(request: Request, error: Exception) -> Response:
    log.exception("unexpected error in %s %s", request.method, request.url.path)
    return error_response(
        request, 500, f"Something went wrong inside Thematica ({type(error).__name__})."
    )
