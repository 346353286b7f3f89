"""Assisted coding in the workbench: "More like this" and suggested codes.

* ``GET /assist/similar?code=ID`` (like a code's segments; ``coder`` picks a layer) or
  ``?coding=ID`` (like one segment): the participant turns not coded with the code that
  are most like it (``project.assist.similar``), each with its participant, source,
  context and score, and an *Add to CODE* form. ``reader=SOURCE`` draws the list for the
  reader's dialog, whose script sends the forms; elsewhere they are htmx's (the code
  page) or plain forms (without script, a page of its own).
* ``GET /assist/suggest?source=S&start=A&end=B``: the codes a selection is most like,
  with the segments that voted for each (``project.assist.suggest``) and *Apply* forms.
* ``POST /assist/accept``: one call to ``project.assist.accept``, so one coding by you
  with the record of the suggestion (model, score, what it was like), one audit event,
  one Undo. An applied suggestion goes through it too, not through ``POST /codings``:
  the API counts accepted suggestions by that record, and a suggestion applied as a
  plain coding would not be counted. Its score is the passage's similarity to the
  code's nearest segment in the layer asked about (what ``accept`` records for a code).

The GETs change nothing. While the model loads (:mod:`thematica.web.assist_model`) they
answer "The model is loading…", and the answer asks again every second (htmx polling).
Without the ``assist`` extra the pages do not offer them and they answer 400.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

from thematica.errors import InvalidInput
from thematica.team.permissions import Permission
from thematica.text import Span
from thematica.web import views
from thematica.web.access import project_of, requires
from thematica.web.app import done, page, render, wants_fragment
from thematica.web.routes import panel_response, reader_url

if TYPE_CHECKING:
    from thematica.project import Project
    from thematica.web.assist_model import BackgroundModel

router = APIRouter()

Layer = Annotated[str | None, Query(alias="coder")]
OptionalText = Annotated[str | None, Form()]
LIMIT = 10  # passages in a "More like this" list, as the CLI's default


def _coder(layer: str | None) -> str | None:
    """The coder layer the API is asked about: None for every coder's."""
    return None if layer in (None, "", views.ALL_CODERS) else layer


def _offered(request: Request) -> BackgroundModel:
    """The model, when the assist extra is installed: the pages offer nothing without."""
    model: BackgroundModel = request.app.state.assist
    if not model.installed:
        raise InvalidInput(
            f"assisted coding needs the assist extra, which is not installed: {model.install}"
        )
    return model


def _selection(project: Project, source: str, start: int, end: int) -> str:
    """The words of ``[start, end)`` in ``source``; an unknown source or a span outside
    its text is refused here, before any model is asked."""
    text = project.sources.text(source)
    Span(start, end).check_within(len(text))
    return text[start:end]


@dataclass(frozen=True)
class LikeThis:
    """What a "More like this" list is like, and where it is shown."""

    code: str  # the code's path
    code_id: int
    coding: int | None  # one segment; None: the code's segments
    layer: str | None  # as the page has it ("*": every coder's)
    reader: str | None  # the source open in the reader, when shown there

    @property
    def coder(self) -> str | None:
        return _coder(self.layer)

    @property
    def url(self) -> str:
        query: dict[str, Any] = (
            {"coding": self.coding} if self.coding is not None else {"code": self.code_id}
        )
        if self.layer:
            query["coder"] = self.layer
        if self.reader:
            query["reader"] = self.reader
        return f"/assist/similar?{urlencode(query)}"

    @property
    def home(self) -> str:
        """The page the list belongs to: the reader, else the code's page."""
        if self.reader:
            return reader_url(self.reader, self.layer)
        url = f"/codes/{self.code_id}"
        return f"{url}?{urlencode({'coder': self.layer})}" if self.layer else url


def _like_this(
    project: Project, code: str, coding: int | None, layer: str | None, reader: str | None
) -> LikeThis:
    found = project.codes.get(code)
    return LikeThis(found.path, found.id, coding, layer or None, reader or None)


def _similar_html(request: Request, question: LikeThis, focus: int, back: str) -> str:
    model = _offered(request)
    state = model.status()
    found = None
    if state == "ready":
        found = project_of(request).assist.similar(
            question.code if question.coding is None else None,
            question.coding,
            model=model.name,
            coder=question.coder,
            limit=LIMIT,
        )
    return render(
        request,
        "_assist_similar.html",
        question=question,
        state=state,
        error=model.error,
        found=found,
        focus=focus,
        back=back,
    )


@router.get(
    "/assist/similar", response_class=HTMLResponse, dependencies=[requires(Permission.READ)]
)
def similar(
    request: Request,
    code: int | None = None,
    coding: int | None = None,
    layer: Layer = None,
    reader: str | None = None,
    focus: int = 0,
) -> Response:
    """Passages like a code (``code=ID``) or one coding (``coding=ID``); changes nothing."""
    project = project_of(request)
    if reader:
        project.sources.get(reader)  # NotFound, before any model is asked
    if coding is not None and code is None:
        path = project.codings.get(coding).code
    elif code is not None and coding is None:
        path = views.code_by_id(project, code).path
    else:
        raise InvalidInput("give code=ID or coding=ID: the passages are found like it")
    question = _like_this(project, path, coding, layer, reader)
    if wants_fragment(request):
        html = _similar_html(request, question, focus, question.home)
        return HTMLResponse(html, headers={"cache-control": "no-store"})
    # Without script: a page of its own, whose plain forms come back to it.
    html = _similar_html(request, question, focus, question.url)
    undo = views.undo_of(project)
    return page(
        request,
        "assist.html",
        title=f"More like “{question.code}”",
        body=html,
        back=question.home,
        undo=undo,
    )


@router.get(
    "/assist/suggest", response_class=HTMLResponse, dependencies=[requires(Permission.CODE)]
)
def suggest(request: Request, source: str, start: int, end: int, layer: Layer = None) -> Response:
    """The codes a selection of ``source`` is most like; changes nothing."""
    project = project_of(request)
    words = _selection(project, source, start, end)
    model = _offered(request)
    state = model.status()
    coder = _coder(layer)
    context: dict[str, Any] = {"suggestions": [], "codes": {}, "appliable": set()}
    if state == "ready":
        context["suggestions"] = project.assist.suggest(
            source, start, end, model=model.name, coder=coder
        )
        context["codes"] = {c.path: c for c in project.codes.list()}
        # accept() scores the passage against the code's segments in the layer: a code
        # proposed for its description alone, with none there, cannot be accepted.
        context["appliable"] = {c.code for c in project.codings.list(coder_name=coder)}
    query = {"source": source, "start": start, "end": end, "coder": layer or ""}
    html = render(
        request,
        "_assist_suggest.html",
        url=f"/assist/suggest?{urlencode(query)}",
        state=state,
        error=model.error,
        model=model.name,
        source=source,
        start=start,
        end=end,
        words=words,
        layer=layer or "",
        coder=coder,
        back=reader_url(source, layer),
        **context,
    )
    # Only the reader's script asks (a selection needs it), for its dialog.
    return HTMLResponse(html, headers={"cache-control": "no-store"})


@router.post("/assist/accept", dependencies=[requires(Permission.CODE)])
def accept(
    request: Request,
    source: Annotated[str, Form()],
    start: Annotated[int, Form()],
    end: Annotated[int, Form()],
    code: Annotated[str, Form()],
    like: Annotated[int | None, Form()] = None,
    layer: OptionalText = None,
    reader: OptionalText = None,
    rank: Annotated[int, Form()] = 0,
    next_url: Annotated[str | None, Form(alias="next")] = None,
) -> Response:
    """Code a suggested passage as you, with the record of the suggestion: one change."""
    project = project_of(request)
    _selection(project, source, start, end)
    model = _offered(request)
    if model.status() != "ready":
        # Accepting records the model's score, so it needs the model; and a request
        # must not wait for it to load.
        raise HTTPException(503, "The model is still loading: nothing was coded. Try again.")
    made = project.assist.accept(
        source, start, end, code, like=like, model=model.name, layer=_coder(layer)
    )
    c = made.coding
    message = (
        f"Coded {c.source} [{c.start}, {c.end}) as “{c.code}” (suggested by {made.model}, "
        f"score {made.score:.3f})."
    )
    if request.headers.get("hx-request") == "true":
        # The code page: its list again (the passage is coded now, so it is gone), with
        # the focus on the passage that took its place, the message and the Undo button.
        question = _like_this(project, c.code, like, layer, reader)
        back = next_url or question.home
        html = _similar_html(request, question, rank, back)
        undo = views.undo_of(project)
        oob = render(request, "_assist_changed.html", message=message, undo=undo, here=back)
        return HTMLResponse(html + oob, headers={"cache-control": "no-store"})
    if reader and wants_fragment(request):
        return panel_response(request, reader, layer, message)
    return done(request, message, next_url or reader_url(reader or source, layer))
