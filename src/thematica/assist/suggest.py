"""Suggest codes for a selection: its nearest coded segments and code descriptions vote.

The selection is compared with every coded segment (outside the selection itself) and
with each code's description. The ``neighbours`` most similar of these vote for their
codes, each with its cosine similarity; the codes with the most votes come back with the
segments that voted for them, so the researcher sees why a code is proposed. A new code
with a description and no codings yet can still be proposed. Nothing is coded here.

>>> for suggestion in suggest(project, model, "interview-03.txt", 1200, 1264):
...     print(suggestion.code, suggestion.score, [s.coding for s in suggestion.segments])
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from thematica.assist.cache import vectors
from thematica.assist.embedders import Embedder
from thematica.assist.passages import description_text
from thematica.assist.similarity import best
from thematica.errors import InvalidInput
from thematica.ingest.refs import find_source
from thematica.store.schema import source
from thematica.store.texts import cases_by_source, span_texts
from thematica.text import Span

if TYPE_CHECKING:
    import numpy as np

    from thematica.project import Project

NEIGHBOURS = 10


@dataclass
class Support:
    coding: int
    source: str
    start: int
    end: int
    text: str
    case: str | None
    score: float

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass
class CodeSuggestion:
    code: str
    score: float  # the sum of its voters' similarities
    description: float | None  # the description's similarity, when it voted
    segments: list[Support] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {**vars(self), "segments": [s.as_dict() for s in self.segments]}


def vote(
    query: np.ndarray, examples: np.ndarray, labels: Sequence[Hashable], neighbours: int
) -> list[tuple[Hashable, float, list[int]]]:
    """Rank labels by the summed similarity of the query's nearest labelled examples.

    Returns ``(label, score, voters)`` best first, ``voters`` being example indices,
    most similar first.
    """
    scores = examples @ query
    tally: dict[Hashable, tuple[float, list[int]]] = {}
    for row in best(scores, neighbours):
        total, voters = tally.get(labels[row], (0.0, []))
        tally[labels[row]] = (total + float(scores[row]), [*voters, int(row)])
    ranked = sorted(tally.items(), key=lambda item: -item[1][0])
    return [(label, total, voters) for label, (total, voters) in ranked]


def suggest(
    project: Project,
    model: Embedder,
    source_name: str,
    start: int,
    end: int,
    coder: str | None = None,
    limit: int = 3,
    neighbours: int = NEIGHBOURS,
) -> list[CodeSuggestion]:
    """The ``limit`` codes the selection ``[start, end)`` of a source is most like."""
    if limit < 1 or neighbours < 1:
        raise InvalidInput("limit and neighbours must be 1 or more")
    with project.read() as conn:
        ref = find_source(conn, source_name)
        Span(start, end).check_within(ref.length)
        ((_, selection, _),) = span_texts(conn, [(ref.id, start, end)])
        linked = cases_by_source(conn)
        cases = {
            name: ", ".join(linked[sid]) if sid in linked else None
            for sid, name in conn.execute(select(source.c.id, source.c.name))
        }
    if not selection.strip():
        raise InvalidInput(f"{source_name} [{start}, {end}) holds no words to compare")
    codings = [
        c for c in project.codings.list(coder_name=coder)
        if not (c.source == ref.name and c.start < end and c.end > start)
    ]  # fmt: skip
    described = [c for c in project.codes.list() if c.description.strip()]
    if not codings and not described:
        raise InvalidInput(
            "nothing to compare with: code some passages, or describe the codes, first"
        )
    texts = [c.text for c in codings] + [description_text(c.name, c.description) for c in described]
    labels = [c.code for c in codings] + [c.path for c in described]
    # The selection is embedded, not cached: it is seldom a passage or a coding, and the
    # cache keeps only those.
    query = model.encode([selection])[0]
    examples = vectors(project, model, texts)
    ranked = vote(query, examples, labels, neighbours)[:limit]
    suggestions = []
    for label, total, voters in ranked:
        suggestion = CodeSuggestion(str(label), round(total, 4), None)
        for row in voters:
            score = round(float(query @ examples[row]), 4)
            if row >= len(codings):
                suggestion.description = score
                continue
            c = codings[row]
            suggestion.segments.append(
                Support(c.id, c.source, c.start, c.end, c.text, cases.get(c.source), score)
            )
        suggestions.append(suggestion)
    return suggestions
