"""Find similar passages: more like a code's segments, or like one segment.

Every passage not yet coded with the code is ranked by two scorings, fused:

* the model's: its cosine similarity with the nearest of the code's segments (or with
  the one segment asked about). A nearest neighbour's, not a centroid's: a code whose
  segments say several different things finds passages like any of them, and each
  result is explained by the one segment it is most like;
* keyword search's: its best TF-IDF cosine with any of those segments
  (:mod:`thematica.assist.keywords`), which rewards the study's own words.

The two rankings are fused by reciprocal rank fusion (:func:`~thematica.assist.
similarity.fuse`, k = 60): a passage high in both comes first. This is ranking
``"hybrid"``, the registry's default; ranking ``"model"`` uses the model's alone (the
project setting ``assist.ranking``, or ``ranking`` in the model registry, chooses).
Measured against human coding (``benchmarks/assist_eval.py``), MiniLM's ranking fused
with keyword search's beat each of them alone on both corpora. Nothing is coded here: a
person accepts a passage with :func:`thematica.assist.provenance.accept`.

>>> found = similar(project, model, code="Feeling mothered", limit=5, ranking="hybrid")
>>> [(s.source, s.case, round(s.score, 2), round(s.similarity, 2)) for s in found.passages]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from thematica.assist.cache import cached, vectors
from thematica.assist.embedders import Embedder
from thematica.assist.extra import require
from thematica.assist.keywords import keyword_index
from thematica.assist.passages import Passage, Spans, passages
from thematica.assist.registry import check_ranking
from thematica.assist.similarity import best, best_cosine, fuse
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
    score: float  # what it was ranked by: the fused score, or the similarity alone
    similarity: float  # the model's cosine with the segment it is most like
    like: int  # that segment's coding
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
    ranking: str  # "hybrid" or "model"
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


def rank(
    rows: np.ndarray,
    seed_rows: np.ndarray,
    excluded: np.ndarray,
    limit: int,
    words: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The ``limit`` best passages for some seeds, best first, with their scores.

    ``rows`` are the passages' vectors and ``seed_rows`` the seeds'; a passage where
    ``excluded`` is true is not offered. Passages are ranked by their best cosine with a
    seed, or, given their keyword scores for the same seeds (``words``, from
    :meth:`~thematica.assist.keywords.KeywordIndex.best_cosine`), by that ranking fused
    with keyword search's (see the module's docstring).
    """
    np = require("numpy")
    similarity = best_cosine(seed_rows, rows)
    similarity[excluded] = -np.inf
    if words is None:
        chosen = best(similarity, limit)
        return chosen, similarity[chosen]
    return fuse([similarity, words], limit)


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
    *,
    ranking: str,
) -> Similar:
    """Passages most like a code's segments (or one coding's), not yet coded with it,
    ranked by ``ranking`` ("hybrid" or "model")."""
    np = require("numpy")
    if limit < 1:
        raise InvalidInput("limit must be 1 or more")
    check_ranking(ranking)
    segments, path, basis = seeds(project, code, coding, coder)
    # Passages already coded with the code are not offered again, in the layer asked
    # about (all coders' when none is named).
    coded = project.segments(path, coder=coder, context=0) if coding is not None else segments
    taken = Spans((s.source, s.start, s.end) for s in coded)
    index = build_index(project, model, unit, roles)
    texts = [s.text for s in segments]
    seed_vectors = vectors(project, model, texts)
    excluded = np.array(
        [taken.overlaps(p.source, p.start, p.end) for p in index.passages], dtype=bool
    )
    words = None
    if ranking == "hybrid":
        words = keyword_index(tuple(p.text for p in index.passages)).best_cosine(texts)
    chosen, scores = rank(index.vectors, seed_vectors, excluded, limit, words)
    # Which segment each is most like: asked of the few chosen only, not of every passage.
    likeness = index.vectors[chosen] @ seed_vectors.T
    with project.read() as conn:
        around = span_texts(
            conn, [(index.passages[r].source_id, index.passages[r].start, index.passages[r].end)
                   for r in chosen], context
        )  # fmt: skip
    found = []
    for at, (row, (before, _, after)) in enumerate(zip(chosen, around, strict=True)):
        p, nearest = index.passages[row], int(likeness[at].argmax())
        seed = segments[nearest]
        found.append(
            SimilarPassage(p.source, p.start, p.end, p.text, p.case, p.speaker,
                           round(float(scores[at]), 4), round(float(likeness[at, nearest]), 4),
                           seed.coding, seed.text, before, after)
        )  # fmt: skip
    return Similar(path, basis, model.name, ranking, len(segments), found)


def score_against(project: Project, model: Embedder, text: str, segments: list[Segment]) -> float:
    """``text``'s best cosine with any of ``segments``: the similarity :func:`similar`
    gives it (the same vectors: a passage's from the cache, else embedded as the cache
    would). A fused score depends on every other passage, so accepting records this."""
    row = cached(project, model, text)
    passage = model.encode([text]) if row is None else row[None, :]
    scores = best_cosine(vectors(project, model, [s.text for s in segments]), passage)
    return round(float(scores[0]), 4)
