"""Accepting a suggestion, and counting the codings that began as one.

Assistance proposes; only a person codes. Accepting a passage is one action that makes
one coding, by the person who accepted it, and records beside it where it came from:
the model (name and weights hash), its score, what the passage was like (a code's
segments or one coding) and when. Both are written in one transaction, so one undo
takes both back. The coding's ``provenance`` reads ``assist:MODEL``.

>>> made = accept(project, model, "interview-03.txt", 1200, 1264, "Feeling mothered")
>>> made.coding.coder, made.score
('Hannah', 0.7132)
>>> count_accepted(project, code="Feeling mothered")
1
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from thematica.assist.embedders import Embedder
from thematica.assist.similar import score_against, seeds
from thematica.coding.codebook import find_code
from thematica.coding.coders import find_coder
from thematica.errors import InvalidInput
from thematica.ingest.refs import find_source
from thematica.store.schema import accepted_suggestion, coder, coding
from thematica.text import Span

if TYPE_CHECKING:
    from thematica.coding.codings import Coding
    from thematica.project import Project


@dataclass(frozen=True)
class Accepted:
    coding: Coding
    model: str
    score: float
    basis: str
    at: str

    def as_dict(self) -> dict[str, Any]:
        return {**vars(self), "coding": self.coding.as_dict()}


def accept(
    project: Project,
    model: Embedder,
    source_name: str,
    start: int,
    end: int,
    code: str,
    like: int | None = None,
    coder: str | None = None,
    layer: str | None = None,
) -> Accepted:
    """Code ``[start, end)`` of a source with ``code``, as ``coder`` (default: the
    project's actor), recording the suggestion: its score against the code's segments
    (in ``layer``, as :func:`~thematica.assist.similar.similar` was asked), or against
    coding ``like`` when the passage was found from that one segment."""
    from thematica.project import now

    span = Span(start, end)
    text = project.sources.text(source_name)
    span.check_within(len(text))
    segments, path, basis = seeds(project, None if like else code, like, layer)
    if like is not None and project.codes.get(code).path != path:
        raise InvalidInput(f"coding {like} is coded {path}, not {code}: accept it into {path}")
    score = score_against(project, model, text[start:end], segments)
    who = coder or project.actor
    at = now()
    with project.transaction("accept suggestion", source_name) as tx:
        ref = find_source(tx.conn, source_name)
        if _already_coded(tx.conn, ref.id, span, path, who):
            raise InvalidInput(f"{ref.name} [{start}, {end}) is already coded {path} by {who}")
        # Codings._add_one makes the coding inside this transaction, as Codings.add
        # does, so the coding and its record are one audit event.
        made = project.codings._add_one(tx, ref.name, path, span, who, f"assist:{model.name}")
        tx.insert(
            accepted_suggestion,
            {
                "coding_id": made.id,
                "model": model.name,
                "model_hash": model.hash,
                "score": score,
                "basis": basis,
                "accepted_by": who,
                "at": at,
            },
        )
        tx.action = "accept suggestion"
        tx.after = {**tx.after, "model": model.name, "score": score, "basis": basis}
    return Accepted(made, model.name, score, basis, at)


def _already_coded(conn, source_id: int, span: Span, code: str, who: str) -> bool:
    found = conn.execute(
        select(coding.c.id)
        .join(coder, coder.c.id == coding.c.coder_id)
        .where(
            coding.c.source_id == source_id,
            coding.c.start == span.start,
            coding.c.end == span.end,
            coding.c.code_id == find_code(conn, code),
            coder.c.name == who,
        )
    ).first()
    return found is not None


def count_accepted(project: Project, code: str | None = None, coder: str | None = None) -> int:
    """How many codings (of ``code``, by ``coder``) began as accepted suggestions; a
    coding since removed is not counted. For reports: "12 of 140 codings were suggested
    by the model and accepted by a coder"."""
    query = select(func.count()).select_from(
        accepted_suggestion.join(coding, coding.c.id == accepted_suggestion.c.coding_id)
    )
    with project.read() as conn:
        if code is not None:
            query = query.where(coding.c.code_id == find_code(conn, code))
        if coder is not None:
            query = query.where(coding.c.coder_id == find_coder(conn, coder))
        return int(conn.execute(query).scalar_one())
