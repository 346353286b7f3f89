"""The workbench's routes: parse the request, make one API call, render.

Pages answer GET. A change answers POST (or DELETE), carries the CSRF token (checked
by :class:`thematica.web.security.Guard` before routing) and makes exactly one change
through the public API, which is one transaction and one audit event. The one
exception is coding with a new code (in vivo, or "create" in the palette): that is
two calls, adding the code and then coding with it, and so two events to undo.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from thematica.errors import InvalidInput, NotFound
from thematica.text import Span
from thematica.web import views
from thematica.web.app import done, local, page, render, wants_fragment

router = APIRouter()

OptionalText = Annotated[str | None, Form()]
Text = Annotated[str, Form()]
Layer = Annotated[str | None, Query(alias="coder")]


def _project(request: Request):
    return request.app.state.project


def _reader_url(source: str, layer: str | None = None) -> str:
    url = f"/sources/{quote(source, safe='')}"
    return f"{url}?coder={quote(layer, safe='')}" if layer else url


# -- the dashboard ----------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request) -> Response:
    return page(request, "dashboard.html", dash=views.dashboard(_project(request)))


@router.post("/journal")
def journal_add(request: Request, text: Text = "", title: Text = "") -> Response:
    memo = _project(request).memos.add(text, title)
    return done(request, f"Added journal entry {memo.id}.", "/#journal")


# -- the reader -----------------------------------------------------------------------------


@router.get("/sources/{name:path}", response_class=HTMLResponse)
def reader(request: Request, name: str, layer: Layer = None) -> Response:
    project = _project(request)
    source = project.sources.get(name)
    text = project.sources.text(name)
    items = views.layout(text, project.sources.turns(name))
    return page(
        request,
        "reader.html",
        source=source,
        items=items,
        panel=views.panel(project, name, layer or None),
    )


def _panel_response(request: Request, source: str, layer: str | None, message: str) -> Response:
    """The reader's side panel, palette and undo button after a change, for its script;
    a plain form is sent back to the reader page."""
    if not wants_fragment(request):
        return done(request, message, _reader_url(source, layer))
    panel = views.panel(_project(request), source, layer)
    html = render(request, "_panel_update.html", panel=panel, here=_reader_url(source, layer))
    return HTMLResponse(html, headers={"x-message": quote(message), "cache-control": "no-store"})


@router.get("/panel/{name:path}", response_class=HTMLResponse)
def reader_panel(request: Request, name: str, layer: Layer = None) -> Response:
    panel = views.panel(_project(request), name, layer or None)
    html = render(request, "_panel_update.html", panel=panel, here=_reader_url(name, layer))
    return HTMLResponse(html, headers={"cache-control": "no-store"})


@router.post("/codings")
def coding_add(
    request: Request,
    source: Text,
    start: Annotated[int, Form()],
    end: Annotated[int, Form()],
    code: OptionalText = None,
    new_code: OptionalText = None,
    in_vivo: Annotated[bool, Form()] = False,
    layer: OptionalText = None,
) -> Response:
    project = _project(request)
    made = ""
    if in_vivo or new_code:
        # Check the source and span first: a request that cannot code adds no code.
        Span(start, end).check_within(project.sources.get(source).length)
        if in_vivo:
            parent, name = "", views.in_vivo_name(project.sources.text(source)[start:end])
        else:
            parent, _, name = (new_code or "").rpartition("/")  # "Parent/New code"
        wanted = f"{parent.strip()}/{name.strip()}" if parent.strip() else name
        try:
            code = project.codes.get(wanted).path  # a code of that name: use it
        except (NotFound, InvalidInput):
            code = project.codes.add(name, parent=parent.strip() or None).path
            made = f"Created code “{code}”; "
    if not code:
        raise InvalidInput("choose a code to apply")
    coding = project.codings.add(source, code, start, end)
    message = f"{made}coded [{coding.start}, {coding.end}) as “{coding.code}”."
    return _panel_response(request, source, layer, message[0].upper() + message[1:])


def _uncode(request: Request, coding_id: int, source: str | None, layer: str | None) -> Response:
    removed = _project(request).codings.remove(coding_id)
    message = f"Removed coding “{removed.code}” from [{removed.start}, {removed.end})."
    return _panel_response(request, source or removed.source, layer, message)


@router.delete("/codings/{coding_id}")
def coding_delete(
    request: Request, coding_id: int, source: str | None = None, layer: str | None = None
) -> Response:
    return _uncode(request, coding_id, source, layer)


@router.post("/codings/{coding_id}/remove")
def coding_remove(
    request: Request, coding_id: int, source: OptionalText = None, layer: OptionalText = None
) -> Response:
    return _uncode(request, coding_id, source, layer)


@router.post("/memos")
def memo_add(
    request: Request,
    source: Text,
    start: Annotated[int, Form()],
    end: Annotated[int, Form()],
    text: Text = "",
    title: Text = "",
    layer: OptionalText = None,
) -> Response:
    memo = _project(request).memos.add(text, title, source=source, start=start, end=end)
    return _panel_response(request, source, layer, f"Added memo {memo.id} on [{start}, {end}).")


@router.post("/undo")
def undo(
    request: Request,
    next_url: Annotated[str | None, Form(alias="next")] = None,
    source: OptionalText = None,
    layer: OptionalText = None,
) -> Response:
    event = _project(request).undo()
    message = f"Undid: {event.action} {event.target}".rstrip() + "."
    if source and request.headers.get("x-thematica") == "fetch":
        return _panel_response(request, source, layer, message)
    return done(request, message, local(next_url))


# -- the codebook ---------------------------------------------------------------------------


@router.get("/codes", response_class=HTMLResponse)
def codebook(request: Request) -> Response:
    project = _project(request)
    codes = project.codes.list()
    undo, version = views.latest_event(project)
    return page(
        request,
        "codebook.html",
        tree=views.code_tree(codes),
        codes=codes,
        undo=undo,
        version=version,
    )


@router.post("/codes")
def code_add(
    request: Request, name: Text = "", parent: OptionalText = None, description: Text = ""
) -> Response:
    made = _project(request).codes.add(name, parent=parent or None, description=description)
    return done(request, f"Added code “{made.path}”.", f"/codes#code-{made.id}")


@router.get("/codes.css")
def code_colours(request: Request) -> Response:
    """One rule per code: its colour as ``--c``, so that pages need no inline style."""
    rules = [f".code-{c.id}{{--c:{c.colour}}}" for c in _project(request).codes.list()]
    return Response(
        "\n".join(rules) + "\n",
        media_type="text/css",
        headers={"cache-control": "private, max-age=31536000, immutable"},
    )


@router.get("/codes/{code_id}", response_class=HTMLResponse)
def code_page(request: Request, code_id: int, layer: Layer = None, scope: str = "all") -> Response:
    """A code's segments (with its sub-codes' unless ``scope=own``) and its forms."""
    project = _project(request)
    codes = project.codes.list()
    found = next((c for c in codes if c.id == code_id), None)
    if found is None:
        raise NotFound(f"no code with id {code_id}: it may have been merged, deleted or undone")
    every = project.segments(found.path, context=160, children=scope != "own")
    segments = [s for s in every if s.coder == layer] if layer else every
    below = views.descendants(codes, found.path)
    memos = [m for m in project.memos.list("code") if m.anchor == f"code {found.path}"]
    undo, version = views.latest_event(project)
    return page(
        request,
        "code.html",
        code=found,
        codes=codes,
        segments=segments,
        coders=sorted({s.coder for s in every}),
        layer=layer or "",
        scope="own" if scope == "own" else "all",
        movable=[c for c in codes if c.path != found.path and c.path not in below],
        memos=memos,
        undo=undo,
        version=version,
    )


def _code_path(request: Request, code_id: int) -> str:
    return views.code_by_id(_project(request), code_id).path


@router.post("/codes/{code_id}/rename")
def code_rename(request: Request, code_id: int, name: Text = "") -> Response:
    old = _code_path(request, code_id)
    made = _project(request).codes.rename(old, name)
    return done(request, f"Renamed “{old}” to “{made.path}”.", f"/codes/{code_id}")


@router.post("/codes/{code_id}/recolour")
def code_recolour(request: Request, code_id: int, colour: Text = "") -> Response:
    made = _project(request).codes.recolour(_code_path(request, code_id), colour)
    return done(request, f"“{made.path}” is now {made.colour}.", f"/codes/{code_id}")


@router.post("/codes/{code_id}/describe")
def code_describe(request: Request, code_id: int, description: Text = "") -> Response:
    made = _project(request).codes.describe(_code_path(request, code_id), description)
    return done(request, f"Described “{made.path}”.", f"/codes/{code_id}")


@router.post("/codes/{code_id}/move")
def code_move(request: Request, code_id: int, parent: OptionalText = None) -> Response:
    made = _project(request).codes.move(_code_path(request, code_id), parent or None)
    where = f"under “{made.parent}”" if made.parent else "to the top level"
    return done(request, f"Moved “{made.name}” {where}.", f"/codes/{code_id}")


@router.post("/codes/{code_id}/merge")
def code_merge(request: Request, code_id: int, into: OptionalText = None) -> Response:
    if not into:
        raise InvalidInput("choose the code to merge into")
    old = _code_path(request, code_id)
    made = _project(request).codes.merge(old, into)
    return done(request, f"Merged “{old}” into “{made.path}”.", f"/codes/{made.id}")


# -- agreement and consensus ------------------------------------------------------------


@router.get("/agreement", response_class=HTMLResponse)
def agreement(
    request: Request, a: str | None = None, b: str | None = None, unit: str = "turn"
) -> Response:
    from thematica.agreement import consensus
    from thematica.agreement.compare import compare

    project = _project(request)
    coders = views.coders_of(project)
    a = a or (coders[0] if coders else "")
    b = b or (next((c for c in coders if c != a), ""))
    unit = unit if unit in ("turn", "char") else "turn"
    comparison = compare(project, [a, b], unit=unit) if a and b and a != b else None
    try:
        progress = consensus.progress(project)
    except NotFound:
        progress = None
    item = consensus.next_item(project) if progress else None
    sides = []
    if item:
        for key, name in zip("ab", item.coders, strict=False):
            spans = item.spans.get(name, [])
            sides.append((key, name, spans, views.marked_pieces(item.text, item.start, spans)))
    undo, version = views.latest_event(project)
    return page(
        request,
        "agreement.html",
        coders=coders,
        a=a,
        b=b,
        unit=unit,
        comparison=comparison,
        progress=progress,
        item=item,
        sides=sides,
        keys=views.CONSENSUS_KEYS,
        undo=undo,
        version=version,
    )


@router.post("/consensus/start")
def consensus_start(request: Request, a: Text = "", b: Text = "") -> Response:
    from thematica.agreement import consensus

    started = consensus.start(_project(request), [a, b])
    message = (
        f"Started consensus of {a} and {b}: {started.seeded} agreed codings copied, "
        f"{started.queued} disagreements to resolve."
    )
    return done(request, message, f"/agreement?a={quote(a)}&b={quote(b)}#queue")


@router.post("/consensus/{item_id}/resolve")
def consensus_resolve(
    request: Request,
    item_id: int,
    key: Text = "",
    memo: Text = "",
    next_url: Annotated[str | None, Form(alias="next")] = None,
) -> Response:
    from thematica.agreement import consensus

    if key not in views.CONSENSUS_KEYS:
        raise InvalidInput("decide with A, B, U, I or D")
    how, which, _ = views.CONSENSUS_KEYS[key]
    project = _project(request)
    coder = None
    if which is not None:
        coder = consensus.items_by_id(project, [item_id])
        if not coder:
            raise NotFound(f"no consensus item {item_id}")
        coder = coder[0].coders[which]
    made = consensus.resolve(project, item_id, how, coder=coder, memo_text=memo)
    message = f"Resolved item {made.id} ({made.code}): {made.resolution}."
    return done(request, message, local(next_url, "/agreement") + "#queue")


# -- the themes board ---------------------------------------------------------------------

THEME_STATUSES = ("candidate", "reviewed", "defined")


@router.get("/themes", response_class=HTMLResponse)
def themes_board(request: Request) -> Response:
    project = _project(request)
    themes = project.themes.list()
    words = {
        row.theme: row.words
        for row in project.themes.prevalence().rows
        if row.kind in ("theme", "subtheme")
    }
    undo, version = views.latest_event(project)
    return page(
        request,
        "themes.html",
        columns=[t for t in themes if t.parent is None],
        children={t.path: [c for c in themes if c.parent == t.path] for t in themes},
        words=words,
        codes=project.codes.list(),
        statuses=THEME_STATUSES,
        undo=undo,
        version=version,
    )


@router.post("/themes")
def theme_add(request: Request, name: Text = "", parent: OptionalText = None) -> Response:
    made = _project(request).themes.add(name, parent=parent or None)
    return done(request, f"Added theme “{made.path}”.", "/themes")


@router.post("/themes/define")
def theme_define(request: Request, theme: Text = "", definition: Text = "") -> Response:
    made = _project(request).themes.define(theme, definition)
    return done(request, f"Defined “{made.path}”.", "/themes")


@router.post("/themes/status")
def theme_status(request: Request, theme: Text = "", status: Text = "") -> Response:
    made = _project(request).themes.set_status(theme, status)
    return done(request, f"“{made.path}” is now {made.status}.", "/themes")


@router.post("/themes/link")
def theme_link(request: Request, theme: Text = "", code: Text = "") -> Response:
    if not code:
        raise InvalidInput("choose a code to link")
    made = _project(request).themes.link(theme, [code])
    return done(request, f"Linked “{code}” to “{made.path}”.", "/themes")


@router.post("/themes/unlink")
def theme_unlink(request: Request, theme: Text = "", code: Text = "") -> Response:
    made = _project(request).themes.unlink(theme, [code])
    return done(request, f"Unlinked “{code}” from “{made.path}”.", "/themes")
