"""Find similar passages: more like a code's segments, or like one segment.

Every passage not yet coded with the code is scored by its cosine similarity with the
nearest of the code's segments (or with the one segment asked about), and the best come
back with who said them, the words around them and the segment each is most like. The
score is a nearest neighbour's, not a centroid's: a code whose segments say several
different things finds passages like any of them, and each result can be explained by
one segment. Nothing is coded here: a person accepts a passage with
:func:`thematica.assist.provenance.accept`.

>>> found = similar(project, model, code="Feeling mothered", limit=5)
>>> [(s.source, s.case, round(s.score, 2)) for s in found.passages]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from thematica.assist.cache import cached, vectors
from thematica.assist.embedders import Embedder
from thematica.assist.passages import Passage, Spans, passages
from thematica.assist.similarity import best, nearest_seed
from thematica.errors import InvalidInput
from thematica.store.texts import span_texts

if TYPE_CHECKING:
    import numpy as np

    from thematica.coding.retrieve import Segment
    from thematica.project import Project


@dataclass
class Index:
    """Passages and their vectors, row for row."""

    passages: list[Passage]
    vectors: np.ndarray


def build_index(
    project: Project, model: Embedder, unit: str = "turn", roles: tuple[str, ...] = ("participant",)
) -> Index:
    """The project's passages with their vectors (embedding only what the cache lacks)."""
    with project.read() as conn:
        found = passages(conn, unit, roles)
    return Index(found, vectors(project, model, [p.text for p in found]))


@dataclass
class SimilarPassage:
    source: str
    start: int
    end: int
    text: str
    case: str | None
    speaker: str | None
    score: float
    like: int  # the coding whose segment it is most like
    like_text: str
    before: str
    after: str

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass
class Similar:
    """What :func:`similar` found, and what it compared against."""

    code: str
    basis: str  # "code Warmth" or "coding 41": recorded with an accepted passage
    model: str
    segments: int
    passages: list[SimilarPassage]

    def as_dict(self) -> dict[str, Any]:
        return {**vars(self), "passages": [p.as_dict() for p in self.passages]}


def seeds(project: Project, code: str | None, coding: int | None, coder: str | None):
    """The segments to compare with, the code they stand for, and the basis to record:
    every segment of ``code`` (in ``coder``'s layer), or the one of ``coding``."""
    if (code is None) == (coding is None):
        raise InvalidInput("give a code or a coding to find passages like it, not both")
    if coding is not None:
        chosen = project.codings.get(coding)
        segments = [
            s for s in project.segments(chosen.code, coder=chosen.coder, context=0)
            if s.coding == coding
        ]  # fmt: skip
        return segments, chosen.code, f"coding {coding}"
    segments = project.segments(code, coder=coder, context=0)
    if not segments:
        who = f" by {coder}" if coder else ""
        raise InvalidInput(
            f"code {code!r} has no segments{who} yet: code a few passages with it first"
        )
    return segments, segments[0].code, f"code {segments[0].code}"


def similar(
    project: Project,
    model: Embedder,
    code: str | None = None,
    coding: int | None = None,
    coder: str | None = None,
    unit: str = "turn",
    roles: tuple[str, ...] = ("participant",),
    limit: int = 10,
    context: int = 80,
) -> Similar:
    """Passages most like a code's segments (or one coding's), not yet coded with it."""
    if limit < 1:
        raise InvalidInput("limit must be 1 or more")
    segments, path, basis = seeds(project, code, coding, coder)
    # Passages already coded with the code are not offered again, in the layer asked
    # about (all coders' when none is named).
    coded = project.segments(path, coder=coder, context=0) if coding is not None else segments
    taken = Spans((s.source, s.start, s.end) for s in coded)
    index = build_index(project, model, unit, roles)
    seed_vectors = vectors(project, model, [s.text for s in segments])
    scores, nearest = nearest_seed(seed_vectors, index.vectors)
    for row, passage in enumerate(index.passages):
        if taken.overlaps(passage.source, passage.start, passage.end):
            scores[row] = float("-inf")
    chosen = best(scores, limit)
    with project.read() as conn:
        around = span_texts(
            conn, [(index.passages[r].source_id, index.passages[r].start, index.passages[r].end)
                   for r in chosen], context
        )  # fmt: skip
    found = []
    for row, (before, _, after) in zip(chosen, around, strict=True):
        p, seed = index.passages[row], segments[nearest[row]]
        found.append(
            SimilarPassage(p.source, p.start, p.end, p.text, p.case, p.speaker,
                           round(float(scores[row]), 4), seed.coding, seed.text, before, after)
        )  # fmt: skip
    return Similar(path, basis, model.name, len(segments), found)


def score_against(project: Project, model: Embedder, text: str, segments: list[Segment]) -> float:
    """``text``'s best cosine with any of ``segments``: the score :func:`similar` gives it
    (the same vectors: a passage's from the cache, else embedded as the cache would)."""
    row = cached(project, model, text)
    passage = model.encode([text]) if row is None else row[None, :]
    scores, _ = nearest_seed(vectors(project, model, [s.text for s in segments]), passage)
    return round(float(scores[0]), 4)
