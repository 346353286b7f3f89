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
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from thematica.errors import InvalidInput, NotFound
from thematica.team.blind import visible_memos
from thematica.team.permissions import Permission
from thematica.web import colours, views
from thematica.web.access import project_of, refuse_blind, require_owner, requires
from thematica.web.app import done, local, page, render, wants_fragment

if TYPE_CHECKING:
    from thematica.coding.memos import Memo
    from thematica.project import Project

router = APIRouter()

OptionalText = Annotated[str | None, Form()]
Text = Annotated[str, Form()]
Layer = Annotated[str | None, Query(alias="coder")]


def reader_url(source: str, layer: str | None = None) -> str:
    url = f"/sources/{quote(source, safe='')}"
    return f"{url}?coder={quote(layer, safe='')}" if layer else url


# -- the dashboard ----------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse, dependencies=[requires(Permission.READ)])
def dashboard(request: Request) -> Response:
    return page(request, "dashboard.html", dash=views.dashboard(project_of(request)))


@router.post("/journal", dependencies=[requires(Permission.CODE)])
def journal_add(request: Request, text: Text = "", title: Text = "") -> Response:
    memo = project_of(request).memos.add(text, title)
    return done(request, f"Added journal entry {memo.id}.", "/#journal")


# -- the reader -----------------------------------------------------------------------------


@router.get(
    "/sources/{name:path}", response_class=HTMLResponse, dependencies=[requires(Permission.READ)]
)
def reader(request: Request, name: str, layer: Layer = None) -> Response:
    project = project_of(request)
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


@router.get("/media/{name:path}", dependencies=[requires(Permission.READ)])
def media(request: Request, name: str) -> Response:
    """The recording attached to source ``name``, and nothing else: the file is the one
    the project names for that source, never a path from the request. Range requests
    are answered (206), so the player can seek to a turn's time."""
    source = project_of(request).sources.get(name)
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
    panel = views.panel(project_of(request), source, layer)
    html = render(request, "_panel_update.html", panel=panel, here=reader_url(source, layer))
    return HTMLResponse(html, headers={"x-message": quote(message), "cache-control": "no-store"})


@router.get(
    "/panel/{name:path}", response_class=HTMLResponse, dependencies=[requires(Permission.READ)]
)
def reader_panel(request: Request, name: str, layer: Layer = None) -> Response:
    panel = views.panel(project_of(request), name, layer or None)
    html = render(request, "_panel_update.html", panel=panel, here=reader_url(name, layer))
    return HTMLResponse(html, headers={"cache-control": "no-store"})


@router.get("/live/{name:path}", dependencies=[requires(Permission.READ)])
def reader_live(
    request: Request,
    name: str,
    layer: Layer = None,
    since: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """Has the reader's panel changed since the page drew the one whose token is
    ``since``? 204 when not; else ``{"live": TOKEN, "changed": bool}``, and the page
    reads ``/panel/NAME`` again when ``changed``. The reader asks every few seconds, so
    that other coders' codings show without reloading (none that a blind coder may not
    see: the answer is worked out through the request's project)."""
    found = views.live_changes(project_of(request), name, layer or None, since)
    if found is None:
        return Response(status_code=204, headers={"cache-control": "no-store"})
    token, changed = found
    return JSONResponse({"live": token, "changed": changed}, headers={"cache-control": "no-store"})


@router.post("/codings", dependencies=[requires(Permission.CODE)])
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
    project = project_of(request)
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
    project = project_of(request)
    require_owner(request, project.codings.get(coding_id).coder, "coding")
    removed = project.codings.remove(coding_id)
    message = f"Removed coding “{removed.code}” from [{removed.start}, {removed.end})."
    return panel_response(request, source or removed.source, layer, message)


@router.delete("/codings/{coding_id}", dependencies=[requires(Permission.CODE)])
def coding_delete(
    request: Request, coding_id: int, source: str | None = None, layer: str | None = None
) -> Response:
    return _uncode(request, coding_id, source, layer)


@router.post("/codings/{coding_id}/remove", dependencies=[requires(Permission.CODE)])
def coding_remove(
    request: Request, coding_id: int, source: OptionalText = None, layer: OptionalText = None
) -> Response:
    return _uncode(request, coding_id, source, layer)


@router.post("/memos", dependencies=[requires(Permission.CODE)])
def memo_add(
    request: Request,
    source: Text,
    start: Annotated[int, Form()],
    end: Annotated[int, Form()],
    text: Text = "",
    title: Text = "",
    layer: OptionalText = None,
) -> Response:
    memo = project_of(request).memos.add(text, title, source=source, start=start, end=end)
    return panel_response(request, source, layer, f"Added memo {memo.id} on [{start}, {end}).")


@router.post("/memos/{memo_id}/edit", dependencies=[requires(Permission.CODE)])
def memo_edit(
    request: Request,
    memo_id: int,
    text: OptionalText = None,
    title: OptionalText = None,
    source: OptionalText = None,
    layer: OptionalText = None,
) -> Response:
    project = _memo_owned(request, memo_id)
    memo = project.memos.edit(memo_id, text=text, title=title)
    return _memo_answer(request, memo, source, layer, f"Saved memo {memo.id}.")


def _memo_owned(request: Request, memo_id: int) -> Project:
    """The request's project, once the memo is one the user sees and may change."""
    project = project_of(request)
    memo = project.memos.get(memo_id)
    if not visible_memos(project, [memo]):
        raise NotFound(f"no memo with id {memo_id}; `thematica memo list` shows them")
    require_owner(request, memo.author, "memo")
    return project


def _memo_gone(request: Request, memo_id: int, source: str | None, layer: str | None) -> Response:
    memo = _memo_owned(request, memo_id).memos.delete(memo_id)
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


@router.delete("/memos/{memo_id}", dependencies=[requires(Permission.CODE)])
def memo_delete(
    request: Request, memo_id: int, source: str | None = None, layer: str | None = None
) -> Response:
    return _memo_gone(request, memo_id, source, layer)


@router.post("/memos/{memo_id}/delete", dependencies=[requires(Permission.CODE)])
def memo_delete_form(
    request: Request, memo_id: int, source: OptionalText = None, layer: OptionalText = None
) -> Response:
    return _memo_gone(request, memo_id, source, layer)


@router.post("/undo", dependencies=[requires(Permission.UNDO)])
def undo(
    request: Request,
    next_url: Annotated[str | None, Form(alias="next")] = None,
    source: OptionalText = None,
    layer: OptionalText = None,
) -> Response:
    event = project_of(request).undo()
    message = f"Undid: {event.action} {event.target}".rstrip() + "."
    if source and request.headers.get("x-thematica") == "fetch":
        return panel_response(request, source, layer, message)
    return done(request, message, local(next_url))


# -- the codebook ---------------------------------------------------------------------------


@router.get("/codes", response_class=HTMLResponse, dependencies=[requires(Permission.READ)])
def codebook(request: Request) -> Response:
    project = project_of(request)
    codes = project.codes.list()
    undo = views.undo_of(project)
    return page(
        request,
        "codebook.html",
        tree=views.code_tree(codes),
        codes=codes,
        undo=undo,
    )


@router.post("/codes", dependencies=[requires(Permission.CODE)])
def code_add(
    request: Request, name: Text = "", parent: OptionalText = None, description: Text = ""
) -> Response:
    made = project_of(request).codes.add(name, parent=parent or None, description=description)
    return done(request, f"Added code “{made.path}”.", f"/codes#code-{made.id}")


@router.get("/codes.css", dependencies=[requires(Permission.READ)])
def code_colours(request: Request) -> Response:
    """One rule per code: its colour as ``--c``, so that pages need no inline style."""
    return Response(
        colours.stylesheet(project_of(request)),
        media_type="text/css",
        headers={"cache-control": "private, max-age=31536000, immutable"},
    )


@router.get(
    "/codes/{code_id}", response_class=HTMLResponse, dependencies=[requires(Permission.READ)]
)
def code_page(
    request: Request, code_id: int, layer: Layer = None, scope: str = "all", where: str = ""
) -> Response:
    """A code's segments (with its sub-codes' unless ``scope=own``), of the participants
    whose attributes satisfy ``where`` (``age <= 25``) when given, and its forms."""
    project = project_of(request)
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
    undo = views.undo_of(project)
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
    )


def _code_path(request: Request, code_id: int) -> str:
    return views.code_by_id(project_of(request), code_id).path


# The code's version as the page showed it: a change made to an older one is refused
# (409, naming who changed it), so two members of a team never overwrite each other.
Version = Annotated[int | None, Form()]


@router.post("/codes/{code_id}/rename", dependencies=[requires(Permission.CODEBOOK)])
def code_rename(
    request: Request, code_id: int, name: Text = "", version: Version = None
) -> Response:
    old = _code_path(request, code_id)
    made = project_of(request).codes.rename(old, name, version=version)
    return done(request, f"Renamed “{old}” to “{made.path}”.", f"/codes/{code_id}")


@router.post("/codes/{code_id}/recolour", dependencies=[requires(Permission.CODEBOOK)])
def code_recolour(
    request: Request, code_id: int, colour: Text = "", version: Version = None
) -> Response:
    path = _code_path(request, code_id)
    made = project_of(request).codes.recolour(path, colour, version=version)
    return done(request, f"“{made.path}” is now {made.colour}.", f"/codes/{code_id}")


@router.post("/codes/{code_id}/describe", dependencies=[requires(Permission.CODEBOOK)])
def code_describe(
    request: Request, code_id: int, description: Text = "", version: Version = None
) -> Response:
    path = _code_path(request, code_id)
    made = project_of(request).codes.describe(path, description, version=version)
    return done(request, f"Described “{made.path}”.", f"/codes/{code_id}")


@router.post("/codes/{code_id}/move", dependencies=[requires(Permission.CODEBOOK)])
def code_move(
    request: Request, code_id: int, parent: OptionalText = None, version: Version = None
) -> Response:
    path = _code_path(request, code_id)
    made = project_of(request).codes.move(path, parent or None, version=version)
    where = f"under “{made.parent}”" if made.parent else "to the top level"
    return done(request, f"Moved “{made.name}” {where}.", f"/codes/{code_id}")


@router.post("/codes/{code_id}/merge", dependencies=[requires(Permission.CODEBOOK)])
def code_merge(
    request: Request, code_id: int, into: OptionalText = None, version: Version = None
) -> Response:
    if not into:
        raise InvalidInput("choose the code to merge into")
    project = project_of(request)
    old = views.code_by_id(project, code_id)
    target = project.codes.get(into)
    made = project.codes.merge(old.path, target.path, version=version)
    moved = project.codes.get(made.path).codings - target.codings
    message = f"Merged “{old.path}” into “{made.path}”: {_count(moved, 'coding')} moved"
    if old.codings > moved:
        message += f", {_count(old.codings - moved, 'duplicate')} dropped"
    return done(request, message + ".", f"/codes/{made.id}")


@router.post("/codes/{code_id}/delete", dependencies=[requires(Permission.CODEBOOK)])
def code_delete(
    request: Request,
    code_id: int,
    force: Annotated[bool, Form()] = False,
    version: Version = None,
) -> Response:
    path = _code_path(request, code_id)
    removed = project_of(request).codes.delete(path, force=force, version=version)
    also = f" and its {_count(removed, 'coding')}" if removed else ""
    return done(request, f"Deleted code “{path}”{also}; Undo brings it back.", "/codes")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# -- agreement and consensus ------------------------------------------------------------


@router.get("/agreement", response_class=HTMLResponse, dependencies=[requires(Permission.READ)])
def agreement(
    request: Request, a: str | None = None, b: str | None = None, unit: str = "turn"
) -> Response:
    from thematica.agreement import consensus
    from thematica.agreement.compare import compare

    project = project_of(request)
    refuse_blind(project, "agreement and the consensus queue")
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
    people = set(coders)
    if request.app.state.team:  # the accounts that code, before they have coded
        from thematica.team.accounts import list_users
        from thematica.team.permissions import Role

        people |= {u.name for u in list_users(project) if u.role in (Role.CODER, Role.LEAD)}
    undo = views.undo_of(project)
    return page(
        request,
        "agreement.html",
        double=views.double_coding(project, people),
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
    )


@router.post("/consensus/start", dependencies=[requires(Permission.CONSENSUS)])
def consensus_start(request: Request, a: Text = "", b: Text = "") -> Response:
    from thematica.agreement import consensus

    started = consensus.start(project_of(request), [a, b])
    message = (
        f"Started consensus of {a} and {b}: {started.seeded} agreed codings copied, "
        f"{started.queued} disagreements to resolve."
    )
    return done(request, message, f"/agreement?a={quote(a)}&b={quote(b)}#queue")


@router.post("/double-coding/pick", dependencies=[requires(Permission.CONSENSUS)])
def double_coding_pick(
    request: Request,
    source: OptionalText = None,
    count: OptionalText = None,
    seed: OptionalText = None,
    stratify: OptionalText = None,
) -> Response:
    """Pick sources for double coding (``thematica double-coding pick``): one by name,
    or ``count`` drawn at random with ``seed`` (a new one, recorded, when blank), spread
    over a participant attribute's values when ``stratify`` names one."""
    from thematica.agreement.double_coding import pick, picked

    project = project_of(request)
    if source:
        names = pick(project, [source])
    else:
        drawn = _whole_number(count, "how many sources to draw")
        given = _whole_number(seed, "the seed") if seed and seed.strip() else None
        names = pick(project, random=drawn, seed=given, stratify=stratify or None)
    method = {p.source: p.method for p in picked(project)}[names[0]]
    message = f"Picked {len(names)} for double coding ({method}): {', '.join(names)}."
    return done(request, message, "/agreement#double-coding")


def _whole_number(value: str | None, what: str) -> int:
    if not (value or "").strip():
        raise InvalidInput(f"give {what}")
    try:
        return int(value.strip())
    except ValueError:
        raise InvalidInput(f"{what} must be a whole number, not {value!r}") from None


@router.post("/double-coding/blind", dependencies=[requires(Permission.CONSENSUS)])
def double_coding_blind(
    request: Request,
    coder: Text = "",
    blind: Annotated[bool, Form()] = False,
    next_url: Annotated[str | None, Form(alias="next")] = None,
) -> Response:
    """Blind a coder, or lift their blind (``thematica double-coding blind NAME
    [--off]``): the lead's, as consensus is."""
    from thematica.agreement.double_coding import set_blind

    if not coder.strip():
        raise InvalidInput("choose the coder to blind, or whose blind to lift")
    set_blind(project_of(request), coder, blind=blind)
    message = (
        f"{coder} is coding blind: other coders' codings of the double-coded sources are "
        "hidden from them."
        if blind
        else f"{coder} is no longer coding blind: they see the other coders' codings."
    )
    return done(request, message, local(next_url, "/agreement") + "#double-coding")


@router.post("/consensus/{item_id}/resolve", dependencies=[requires(Permission.CONSENSUS)])
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
    project = project_of(request)
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


@router.get("/themes", response_class=HTMLResponse, dependencies=[requires(Permission.READ)])
def themes_board(request: Request) -> Response:
    board = views.board(project_of(request))
    return page(
        request,
        "themes.html",
        board=board,
        statuses=THEME_STATUSES,
        undo=board.undo,
    )


@router.post("/themes", dependencies=[requires(Permission.THEMES)])
def theme_add(request: Request, name: Text = "", parent: OptionalText = None) -> Response:
    made = project_of(request).themes.add(name, parent=parent or None)
    return done(request, f"Added theme “{made.path}”.", "/themes")


@router.post("/themes/define", dependencies=[requires(Permission.THEMES)])
def theme_define(request: Request, theme: Text = "", definition: Text = "") -> Response:
    made = project_of(request).themes.define(theme, definition)
    return done(request, f"Defined “{made.path}”.", "/themes")


@router.post("/themes/status", dependencies=[requires(Permission.THEMES)])
def theme_status(request: Request, theme: Text = "", status: Text = "") -> Response:
    made = project_of(request).themes.set_status(theme, status)
    return done(request, f"“{made.path}” is now {made.status}.", "/themes")


@router.post("/themes/link", dependencies=[requires(Permission.THEMES)])
def theme_link(request: Request, theme: Text = "", code: Text = "") -> Response:
    if not code:
        raise InvalidInput("choose a code to link")
    made = project_of(request).themes.link(theme, [code])
    return done(request, f"Linked “{code}” to “{made.path}”.", "/themes")


@router.post("/themes/unlink", dependencies=[requires(Permission.THEMES)])
def theme_unlink(request: Request, theme: Text = "", code: Text = "") -> Response:
    made = project_of(request).themes.unlink(theme, [code])
    return done(request, f"Unlinked “{code}” from “{made.path}”.", "/themes")


@router.post("/themes/quotes", dependencies=[requires(Permission.THEMES)])
def theme_quote_add(
    request: Request, theme: Text = "", coding: Annotated[int | None, Form()] = None
) -> Response:
    if coding is None:
        raise InvalidInput("choose a segment to quote")
    made = project_of(request).themes.add_quote(theme, coding)
    return done(request, f"Chose a quote for “{made.theme}”: {made.render()}", "/themes")


@router.post("/themes/quotes/{quote_id}/remove", dependencies=[requires(Permission.THEMES)])
def theme_quote_remove(request: Request, quote_id: int) -> Response:
    removed = project_of(request).themes.remove_quote(quote_id)
    return done(request, f"Removed the quote {removed.render()} from “{removed.theme}”.", "/themes")
