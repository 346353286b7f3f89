"""The queries workload: seeded synthetic interview transcripts with their codings.

Shared by ``benchmarks/queries.py`` and the Taguette side of the comparison, so both
tools get byte-identical documents, codes and highlights; ``benchmarks/core.py`` writes
its transcripts with :func:`interview` too.

    >>> docs = generate(2, seed=1)
    >>> len(docs), len(docs[0].codings), docs[0].codings[0].code in CODE_NAMES
    (2, 20, True)

Each transcript has about 8,000 words in alternating ``Interviewer:`` and
``Participant:`` turns, and its participant's case attributes (``diagnosis``, ``age``).
The codebook has 30 codes: 5 parents with 5 children each. A quarter of all codings
(5 per transcript) fall in the subtree of ``PARENT`` so that "all segments of a parent
code with its children" returns 5,000 codings at 1,000 transcripts. Spans are half-open
``[start, end)`` code-point offsets over ``Doc.text`` that begin and end on word
boundaries inside one participant turn.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

WORDS = (  # noqa: SIM905 - a paragraph of words reads better than a list literal
    "I you she he we they it the a an and but so because then when if just really like "
    "know mean think felt feel was were is are had have been baby mum mother team therapist "
    "visit home room week weeks session sessions video watch watched scared worried tired "
    "kind warm judged trust social worker health visitor referral phone called rang waited "
    "partner husband dad family sister guilt guilty good bad enough love bond cry cried "
    "sleep night day morning um er yeah no not never always sometimes maybe quite very "
    "little bit much more better worse different same first last again still already"
).split()

PARENTS = ("Support", "Feelings", "Relationships", "Services", "Coping")
# (name, parent) in creation order: each parent comes before its children.
CODES: tuple[tuple[str, str | None], ...] = tuple(
    item
    for parent in PARENTS
    for item in [(parent, None)] + [(f"{parent} {n}", parent) for n in range(1, 6)]
)
CODE_NAMES = tuple(name for name, _ in CODES)
PARENT = PARENTS[0]
DIAGNOSES = ("Depression", "Anxiety", "Postnatal psychosis", "PTSD", "No diagnosis")
CODER = "Bench"
CODINGS_PER_DOC = 20
IN_PARENT_PER_DOC = 5


@dataclass(frozen=True, slots=True)
class Coding:
    code: str
    start: int
    end: int


@dataclass(slots=True)
class Doc:
    name: str  # also the case label of its one participant, without the extension
    text: str
    attributes: dict[str, str | int]
    codings: list[Coding] = field(default_factory=list)


def interview(rng: random.Random, words: int) -> tuple[str, list[tuple[int, int]]]:
    """About ``words`` words of alternating ``Interviewer:`` and ``Participant:`` turns,
    and the [start, end) spans of the participant turns' bodies."""
    parts: list[str] = []
    bodies: list[tuple[int, int]] = []
    at = count = 0
    speaker = 0
    while count < words:
        length = rng.randint(8, 40) if speaker == 0 else rng.randint(20, 220)
        label = "Interviewer: " if speaker == 0 else "Participant: "
        body = " ".join(rng.choices(WORDS, k=length)).capitalize() + "."
        if speaker == 1:
            bodies.append((at + len(label), at + len(label) + len(body)))
        parts.append(label + body)
        at += len(label) + len(body) + 2  # the "\n\n" between turns
        count += length + 1
        speaker = 1 - speaker
    return "\n\n".join(parts) + "\n", bodies


def _span(rng: random.Random, text: str, body: tuple[int, int]) -> tuple[int, int]:
    """A span of 5 to 60 whole words inside one turn body."""
    starts = [body[0]] + [i + 1 for i in range(body[0], body[1]) if text[i] == " "]
    first = rng.randrange(len(starts))
    last = min(len(starts) - 1, first + rng.randint(4, 59))
    end = text.find(" ", starts[last], body[1])
    return starts[first], body[1] if end == -1 else end


def generate(n_docs: int, seed: int = 20261127, words: int = 8000) -> list[Doc]:
    """``n_docs`` transcripts of about ``words`` words, each with 20 codings."""
    rng = random.Random(seed)
    subtree = [name for name, parent in CODES if PARENT in (name, parent)]
    others = [name for name in CODE_NAMES if name not in subtree]
    docs = []
    for i in range(n_docs):
        text, bodies = interview(rng, words)
        codes = rng.choices(subtree, k=IN_PARENT_PER_DOC) + rng.choices(
            others, k=CODINGS_PER_DOC - IN_PARENT_PER_DOC
        )
        codings = [Coding(code, *_span(rng, text, rng.choice(bodies))) for code in codes]
        attributes: dict[str, str | int] = {
            "diagnosis": rng.choice(DIAGNOSES),
            "age": rng.randint(18, 45),
        }
        docs.append(Doc(f"P{i + 1:04}", text, attributes, codings))
    return docs
