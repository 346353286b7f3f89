"""The anonymisation review screen: proposals highlighted in the text, decided one by one
or all alike, one key each.

A thin face over :class:`thematica.anonymise.review.Review`, the review that
`thematica anonymise review` runs in a terminal: each decision is saved to the
decisions file as it is made (the file `anonymise apply --decisions` reads), never to
the project, which keeps only the file's path. The proposals are found once, on the
first visit, and kept while the server runs (the names model is slow); a source added
or changed is read again, and a decision saved to the file elsewhere is taken up.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from thematica.anonymise.review import (
    Item,
    Progress,
    Review,
    ReviewFiles,
    choose_review_files,
    review_files,
)
from thematica.errors import InvalidInput, ThematicaError
from thematica.team.permissions import Permission
from thematica.web import views
from thematica.web.access import project_of, requires
from thematica.web.app import done, page, render, wants_fragment

router = APIRouter()

Text = Annotated[str, Form()]
Offset = Annotated[int, Form()]

# The screen's keys, with what each does (the answers are those of the CLI).
KEYS = (
    ("a", "Accept", "replace these words here"),
    ("r", "Reject", "keep these words here"),
    ("A", "Accept all alike", "replace the same words everywhere"),
    ("R", "Reject all alike", "keep the same words everywhere"),
)

# One review at a time: decisions are saved in the order they were made.
_LOCK = threading.Lock()


@dataclass
class _Held:
    """The review the server keeps between requests, and what it was made from."""

    files: ReviewFiles
    names_changed: int | None
    checksums: dict[str, str]
    review: Review


def _changed(path: Path | None) -> int | None:
    try:
        return path.stat().st_mtime_ns if path else None
    except FileNotFoundError:
        return None


@contextmanager
def _review(request: Request) -> Iterator[Review]:
    """The project's review as it stands now: its files as chosen, its texts as the
    project holds them, its decisions as the file holds them."""
    state = request.app.state
    project = project_of(request)
    with _LOCK:
        files = review_files(project)
        checksums = {s.name: s.checksum for s in project.sources.list()}
        names_changed = _changed(files.names)
        held: _Held | None = getattr(state, "anonymise_review", None)
        if held is None:
            texts = {name: project.sources.text(name) for name in checksums}
            review = Review(texts, files.decisions, files.read_names())
            held = state.anonymise_review = _Held(files, names_changed, checksums, review)
        if (held.files, held.names_changed) != (files, names_changed):
            held.review.use(files.decisions, files.read_names())
            held.files, held.names_changed = files, names_changed
        if held.checksums != checksums:
            held.review.refresh({name: project.sources.text(name) for name in checksums})
            held.checksums = checksums
        else:
            held.review.refresh()
        yield held.review


def _source_url(source: str, item: Item | None = None) -> str:
    url = f"/review/{quote(source, safe='')}"
    return f"{url}?at={item.proposal.start}#p-{item.proposal.start}" if item else url


def _terminal(files: ReviewFiles) -> str:
    """The same review's options for `thematica anonymise` in a terminal."""
    options = f"--decisions {_shell(files.decisions)}"
    return options + (f" --names {_shell(files.names)}" if files.names else "")


def _shell(path: Path) -> str:
    import shlex

    return shlex.quote(str(path))


# -- the list of sources ------------------------------------------------------------------


@router.get("/review", response_class=HTMLResponse, dependencies=[requires(Permission.ANONYMISE)])
def review_overview(request: Request) -> Response:
    """The sources with their counts; and, whatever is wrong with the files (a names
    file gone, a decisions file spoilt in a spreadsheet), the form to choose others."""
    project = project_of(request)
    rows: list[tuple[str, Progress]] = []
    total, first, stale, problem = Progress(0, 0, 0, 0), None, [], ""
    try:
        with _review(request) as review:
            rows = [(name, review.progress(name)) for name in review.texts]
            total = review.progress()
            first = next((name for name, p in rows if p.pending), None)
            stale = review.stale()
    except ThematicaError as error:
        problem = str(error)
    files = review_files(project)
    undo = views.undo_of(project)
    return page(
        request,
        "review.html",
        nav="review",
        rows=rows,
        total=total,
        first=first,
        files=files,
        terminal=_terminal(files),
        stale=stale,
        decisions_file=files.decisions,
        problem=problem,
        undo=undo,
    )


@router.post("/review/files", dependencies=[requires(Permission.ANONYMISE)])
def review_choose_files(request: Request, decisions: Text = "", names: Text = "") -> Response:
    chosen = choose_review_files(project_of(request), decisions, names)
    where = f"; names from {chosen.names}" if chosen.names else "; no names file"
    return done(request, f"Decisions are kept in {chosen.decisions}{where}.", "/review")


@router.post("/review/apply", dependencies=[requires(Permission.ANONYMISE)])
def review_apply(request: Request, key: Text = "", passphrase: Text = "") -> Response:
    """Replace the identifiers in every source, as `thematica anonymise apply` does with
    the same decisions and names file."""
    from thematica.anonymise.apply import anonymise_sources

    if not key.strip():
        raise InvalidInput("name the key file that will hold the original words")
    if not passphrase:
        raise InvalidInput("type the key's passphrase")
    project = project_of(request)
    path = Path(key.strip()).expanduser().resolve()
    with _review(request) as review:
        report = anonymise_sources(
            project, path, passphrase, names=review.names or None, decisions=review.decisions
        )
    kinds = ", ".join(f"{n} {label}" for label, n in sorted(report.by_label.items()))
    s = "" if report.sources == 1 else "s"
    message = (
        f"Anonymised {report.sources} source{s}: {report.replaced} identifiers replaced "
        f"({kinds}); originals are in {path}."
    )
    return done(request, message, "/review")


# -- one source -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """A stretch of the text: plain, or the words of a proposal."""

    text: str
    item: Item | None = None
    number: int = 0  # the proposal's place among the source's, from 1


def pieces(text: str, items: list[Item]) -> list[Piece]:
    """``text`` cut at the proposals (which never overlap), in order."""
    out: list[Piece] = []
    at = 0
    for number, item in enumerate(items, start=1):
        p = item.proposal
        if p.start > at:
            out.append(Piece(text[at : p.start]))
        out.append(Piece(text[p.start : p.end], item, number))
        at = p.end
    if at < len(text):
        out.append(Piece(text[at:]))
    return out


def _current(items: list[Item], at: int | None) -> Item | None:
    """The proposal at offset ``at``, else the first one pending, else the first."""
    chosen = next((i for i in items if i.proposal.start == at), None)
    return (
        chosen or next((i for i in items if i.status == "pending"), None) or next(iter(items), None)
    )


def _after(items: list[Item], decided: Item) -> Item | None:
    """Where to go after a decision: the next proposal pending (from the top again at
    the end), else the one decided (or, gone, the one nearest to it)."""
    start = decided.proposal.start
    pending = [i for i in items if i.status == "pending"]
    later = next((i for i in pending if i.proposal.start > start), None)
    if later or pending:
        return later or pending[0]
    return min(items, key=lambda i: abs(i.proposal.start - start), default=None)


def _source_context(review: Review, source: str, current: Item | None) -> dict:
    items = review.items(source)
    names = list(review.texts)
    at = names.index(source)
    return {
        "source": source,
        "items": items,
        "pieces": pieces(review.texts[source], items),
        "current": current,
        "number": items.index(current) + 1 if current else 0,
        "progress": review.progress(source),
        "in_study": review.progress(),
        "previous": names[at - 1] if at > 0 else None,
        "following": names[at + 1] if at + 1 < len(names) else None,
        "keys": KEYS,
        "stale": [d for d in review.stale() if d.source == source],
        "decisions_file": review.path,
    }


@router.get(
    "/review/{source:path}",
    response_class=HTMLResponse,
    dependencies=[requires(Permission.ANONYMISE)],
)
def review_source(request: Request, source: str, at: int | None = None) -> Response:
    with _review(request) as review:
        items = review.items(source)
        context = _source_context(review, source, _current(items, at))
    if wants_fragment(request):
        html = render(request, "review_body.html", **context)
        return HTMLResponse(html, headers={"cache-control": "no-store"})
    undo = views.undo_of(project_of(request))
    return page(request, "review_source.html", nav="review", undo=undo, **context)


def _said(item: Item, answer: str) -> str:
    """What a decision did, in a line for the screen."""
    p = item.proposal
    words = f"“{p.text}”"
    everywhere = f"everywhere ({item.others + 1} places)" if item.others else "everywhere"
    here = f"at [{p.start}, {p.end})"
    if item.status == "rejected":
        return f"Rejected {words} {everywhere if item.alike else here}: the words stay."
    becomes = f"it becomes {item.placeholder}"
    if answer == "p":
        return f"Accepted {words} {everywhere} with a placeholder of its own: {becomes}."
    return f"Accepted {words} {everywhere if item.alike else here}: {becomes}."


@router.post("/review/decide", dependencies=[requires(Permission.ANONYMISE)])
def review_decide(
    request: Request,
    source: Text,
    start: Offset,
    end: Offset,
    key: Text = "",
    placeholder: Text = "",
) -> Response:
    """One decision about the proposal at ``[start, end)`` of ``source``: ``key`` is
    a, r, A, R (all alike) or p (with ``placeholder``)."""
    with _review(request) as review:
        item = review.item_at(source, start, end)
        review.decide(item.proposal, key, placeholder)
        items = review.items(source)
        # Found again by span: accepting words everywhere makes them a name to find, so
        # the proposal there may now carry another recogniser and score.
        span = (start, end)
        decided = next((i for i in items if (i.proposal.start, i.proposal.end) == span), None)
        message = _said(decided, key) if decided else f"Rejected “{item.text}”: the words stay."
        following = _after(items, decided or item)
        context = _source_context(review, source, following)
    if request.headers.get("hx-request") != "true":
        return done(request, message, _source_url(source, following))
    html = render(request, "review_body.html", message=message, **context)
    return HTMLResponse(html, headers={"cache-control": "no-store"})
