"""The JSON API: the workbench for programs (a team's scripts, the load test, schemathesis),
described by OpenAPI at ``/api/openapi.json``.

>>> import httpx
>>> client = httpx.Client(base_url="https://qual.example.ac.uk", cookies=logged_in)
>>> made = client.post("/api/codings", json={"source": "interview-01.txt",
...     "code": "Warmth", "start": 120, "end": 164},
...     headers={"x-csrf-token": token}).json()
>>> client.delete(f"/api/codings/{made['id']}", headers={"x-csrf-token": token})

Every route declares its permission as the pages do (:mod:`thematica.web.access`), and
reads through the request's project, so a blind coder's answers hold only what the pages
would show. Errors are ``{"detail": "one line"}`` with 400, 401, 403, 404 or 409. Changes
carry the CSRF token in ``X-CSRF-Token`` like every other change.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from thematica.errors import InvalidInput
from thematica.team.permissions import Permission
from thematica.web.access import project_of, require_owner, requires
from thematica.web.views import code_by_id


class Problem(BaseModel):
    detail: str = Field(description="One line: what went wrong, and what to do next")


ANSWERS: dict[int | str, dict] = {
    status: {"model": Problem, "description": description}
    for status, description in (
        (400, "The request cannot be used as given"),
        (401, "Not logged in, or the session has ended"),
        (403, "The account's role does not allow it, or the CSRF token is missing"),
        (404, "No such thing, or no role in this project"),
        (409, "Changed by someone else since the version given"),
        (413, "The request is too large"),
    )
}

router = APIRouter(prefix="/api", tags=["api"], responses=ANSWERS)

# Bounded as the database's integers are, so that no number a client sends reaches SQL
# out of range.
Offset = Annotated[int, Field(ge=0, le=2**31 - 1, description="A code-point offset")]
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class SourceOut(BaseModel):
    name: str
    kind: str
    characters: int
    words: int
    turns: int
    codings: int
    cases: list[str]


class CodeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # read from a Code

    id: int
    name: str
    path: str
    parent: str | None
    description: str
    colour: str
    codings: int
    version: int = Field(description="Raised by every change; send it back with a change")


class CodingIn(BaseModel):
    source: str = Field(min_length=1, max_length=500)
    code: str = Field(min_length=1, max_length=1000, description="A code's name or path")
    start: Offset
    end: Offset


class CodingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # read from a Coding

    id: int
    source: str
    start: int
    end: int
    code: str
    coder: str
    text: str
    created: str


class CodeChange(BaseModel):
    version: int = Field(ge=1, description="The version the change is made to")
    name: str | None = Field(None, min_length=1, max_length=300)
    description: str | None = Field(None, max_length=10_000)
    colour: str | None = Field(None, pattern=r"^#[0-9a-fA-F]{6}$")


@router.get("/sources", dependencies=[requires(Permission.READ)])
def api_sources(request: Request) -> list[SourceOut]:
    """Every source, with its counts of turns and codings."""
    return [SourceOut(**s.as_dict()) for s in project_of(request).sources.list()]


@router.get("/codes", dependencies=[requires(Permission.READ)])
def api_codes(request: Request) -> list[CodeOut]:
    """The codebook, depth first, each code with its version."""
    return [CodeOut.model_validate(c) for c in project_of(request).codes.list()]


@router.get("/codings", dependencies=[requires(Permission.READ)])
def api_codings(
    request: Request,
    source: Annotated[str | None, Query(max_length=500)] = None,
    code: Annotated[str | None, Query(max_length=1000)] = None,
    coder: Annotated[str | None, Query(max_length=200)] = None,
    after: Annotated[int, Query(ge=0, le=2**63 - 1, description="Only ids above this")] = 0,
) -> list[CodingOut]:
    """Codings, filtered; those a blind coder may not see are left out. ``after`` gives
    only codings added since the highest id a client has seen, for polling."""
    found = project_of(request).codings.list(source, code, coder)
    return [CodingOut.model_validate(c) for c in found if c.id > after]


@router.post("/codings", status_code=201, dependencies=[requires(Permission.CODE)])
def api_code(request: Request, body: CodingIn) -> CodingOut:
    """Code a span as the request's user. Coding the same span again returns it."""
    project = project_of(request)
    made = project.codings.add(body.source, body.code, body.start, body.end)
    return CodingOut.model_validate(made)


@router.delete("/codings/{coding_id}", status_code=204, dependencies=[requires(Permission.CODE)])
def api_uncode(request: Request, coding_id: RowId) -> Response:
    """Remove a coding: one's own, or anyone's for a lead."""
    project = project_of(request)
    require_owner(request, project.codings.get(coding_id).coder, "coding")
    project.codings.remove(coding_id)
    return Response(status_code=204)


@router.patch("/codes/{code_id}", dependencies=[requires(Permission.CODEBOOK)])
def api_change_code(request: Request, code_id: RowId, body: CodeChange) -> CodeOut:
    """Rename, describe or recolour a code, made to ``version``: 409 with who changed
    it if someone has since. One change per request, so one version step each."""
    project = project_of(request)
    given = {k: v for k, v in body.model_dump(exclude={"version"}).items() if v is not None}
    if len(given) != 1:
        raise InvalidInput("change one of name, description or colour at a time")
    field, value = given.popitem()
    change = {
        "name": project.codes.rename,
        "description": project.codes.describe,
        "colour": project.codes.recolour,
    }[field]
    changed = change(code_by_id(project, code_id).path, value, version=body.version)
    return CodeOut.model_validate(changed)
