"""The workbench's routes: parse the request, make one API call, render.

Pages answer GET. A change answers POST (or DELETE), carries the CSRF token (checked
by :class:`thematica.web.security.Guard` before routing) and makes exactly one change
through the public API, which is one transaction and one audit event, so one undo.
Coding with a new code (in vivo, or "create" in the palette) is one call too:
``project.codings.add_with_new_code``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from thematica.errors import InvalidInput, NotFound
from thematica.web import views
from thematica.web.app import done, local, page, render, wants_fragment

if TYPE_CHECKING:
    from thematica.coding.memos import Memo

router = APIRouter()

OptionalText = Annotated[str | None, Form()]
Text = Annotated[str, Form()]
Layer = Annotated[str | None, Query(alias="coder")]


def _project(request: Request):
    return request.app.state.project


def reader_url(source: str, layer: str | None = None) -> str:
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
        timed=any(getattr(item, "time", None) is not None for item in items),
        media=views.media_kind(source.media),
        panel=views.panel(project, name, layer or None),
    )


@router.get("/media/{name:path}")
def media(request: Request, name: str) -> Response:
    """The recording attached to source ``name``, and nothing else: the file is the one
    the project names for that source, never a path from the request. Range requests
    are answered (206), so the player can seek to a turn's time."""
    source = _project(request).sources.get(name)
    if not source.media:
        raise NotFound(
            f"no recording is attached to {name}: attach one with "
            "`thematica sources media NAME FILE`"
        )
    path = Path(source.media)
    if not path.is_file():
        raise NotFound(
            f"the recording of {name} is no longer at {path}: attach it again with "
            "`thematica sources media NAME FILE`"
        )
    return FileResponse(
        path, media_type=views.media_type(path.name), headers={"cache-control": "private, no-cache"}
    )


def panel_response(request: Request, source: str, layer: str | None, message: str) -> Response:
    """The reader's side panel, palette and undo button after a change, for its script;
    a plain form is sent back to the reader page."""
    if not wants_fragment(request):
        return done(request, message, reader_url(source, layer))
    panel = views.panel(_project(request), source, layer)
    html = render(request, "_panel_update.html", panel=panel, here=reader_url(source, layer))
    return HTMLResponse(html, headers={"x-message": quote(message), "cache-control": "no-store"})


@router.get("/panel/{name:path}", response_class=HTMLResponse)
def reader_panel(request: Request, name: str, layer: Layer = None) -> Response:
    panel = views.panel(_project(request), name, layer or None)
    html = render(request, "_panel_update.html", panel=panel, here=reader_url(name, layer))
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
        if in_vivo:
            words = project.sources.text(source)[max(start, 0) : max(end, 0)]
            parent, name = "", views.in_vivo_name(words)
        else:
            parent, _, name = (new_code or "").rpartition("/")  # "Parent/New code"
        result = project.codings.add_with_new_code(
            source, name, start, end, parent=parent.strip() or None
        )
        coding = result.coding
        made = f"Created code “{coding.code}”; " if result.created else ""
    elif code:
        coding = project.codings.add(source, code, start, end)
    else:
        raise InvalidInput("choose a code to apply")
    message = f"{made}coded [{coding.start}, {coding.end}) as “{coding.code}”."
    return panel_response(request, source, layer, message[0].upper() + message[1:])


def _uncode(request: Request, coding_id: int, source: str | None, layer: str | None) -> Response:
    removed = _project(request).codings.remove(coding_id)
    message = f"Removed coding “{removed.code}” from [{removed.start}, {removed.end})."
    return panel_response(request, source or removed.source, layer, message)


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
    return panel_response(request, source, layer, f"Added memo {memo.id} on [{start}, {end}).")


@router.post("/memos/{memo_id}/edit")
def memo_edit(
    request: Request,
    memo_id: int,
    text: OptionalText = None,
    title: OptionalText = None,
    source: OptionalText = None,
    layer: OptionalText = None,
) -> Response:
    memo = _project(request).memos.edit(memo_id, text=text, title=title)
    return _memo_answer(request, memo, source, layer, f"Saved memo {memo.id}.")


def _memo_gone(request: Request, memo_id: int, source: str | None, layer: str | None) -> Response:
    memo = _project(request).memos.delete(memo_id)
    return _memo_answer(
        request, memo, source, layer, f"Deleted memo {memo.id}; Undo brings it back."
    )


def _memo_answer(
    request: Request, memo: Memo, source: str | None, layer: str | None, message: str
) -> Response:
    """The reader's panel after a change to a memo on a source; a journal entry's page
    is the dashboard."""
    source = source or memo.source
    if not source:
        return done(request, message, "/#journal")
    return panel_response(request, source, layer, message)


@router.delete("/memos/{memo_id}")
def memo_delete(
    request: Request, memo_id: int, source: str | None = None, layer: str | None = None
) -> Response:
    return _memo_gone(request, memo_id, source, layer)


@router.post("/memos/{memo_id}/delete")
def memo_delete_form(
    request: Request, memo_id: int, source: OptionalText = None, layer: OptionalText = None
) -> Response:
    return _memo_gone(request, memo_id, source, layer)


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
        return panel_response(request, source, layer, message)
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
def code_page(
    request: Request, code_id: int, layer: Layer = None, scope: str = "all", where: str = ""
) -> Response:
    """A code's segments (with its sub-codes' unless ``scope=own``), of the participants
    whose attributes satisfy ``where`` (``age <= 25``) when given, and its forms."""
    project = _project(request)
    codes = project.codes.list()
    found = next((c for c in codes if c.id == code_id), None)
    if found is None:
        raise NotFound(f"no code with id {code_id}: it may have been merged, deleted or undone")
    every = project.segments(found.path, context=160, children=scope != "own")
    segments = [s for s in every if s.coder == layer] if layer else every
    if where.strip():
        chosen = set(project.query.cases(where))
        segments = [s for s in segments if s.case and chosen & set(s.case.split(", "))]
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
        where=where.strip(),
        movable=[c for c in codes if c.path != found.path and c.path not in below],
        below=below,
        total=len(every),
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
    project = _project(request)
    old = views.code_by_id(project, code_id)
    target = project.codes.get(into)
    made = project.codes.merge(old.path, target.path)
    moved = project.codes.get(made.path).codings - target.codings
    message = f"Merged “{old.path}” into “{made.path}”: {_count(moved, 'coding')} moved"
    if old.codings > moved:
        message += f", {_count(old.codings - moved, 'duplicate')} dropped"
    return done(request, message + ".", f"/codes/{made.id}")


@router.post("/codes/{code_id}/delete")
def code_delete(request: Request, code_id: int, force: Annotated[bool, Form()] = False) -> Response:
    path = _code_path(request, code_id)
    removed = _project(request).codes.delete(path, force=force)
    also = f" and its {_count(removed, 'coding')}" if removed else ""
    return done(request, f"Deleted code “{path}”{also}; Undo brings it back.", "/codes")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


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
    board = views.board(_project(request))
    return page(
        request,
        "themes.html",
        board=board,
        statuses=THEME_STATUSES,
        undo=board.undo,
        version=board.version,
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


@router.post("/themes/quotes")
def theme_quote_add(
    request: Request, theme: Text = "", coding: Annotated[int | None, Form()] = None
) -> Response:
    if coding is None:
        raise InvalidInput("choose a segment to quote")
    made = _project(request).themes.add_quote(theme, coding)
    return done(request, f"Chose a quote for “{made.theme}”: {made.render()}", "/themes")


@router.post("/themes/quotes/{quote_id}/remove")
def theme_quote_remove(request: Request, quote_id: int) -> Response:
    removed = _project(request).themes.remove_quote(quote_id)
    return done(request, f"Removed the quote {removed.render()} from “{removed.theme}”.", "/themes")
