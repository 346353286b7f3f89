"""A familiarisation aid: uncoded participant turns in groups, each with keywords.

The passages no coding touches are grouped by k-means on their embeddings, and each
group is labelled with the words that set it apart from the other groups: class-based
TF-IDF (Grootendorst's c-TF-IDF, as in BERTopic), where each group's turns are read as
one document. The groups are prompts for the researcher, with a few turns nearest each
group's centre to read; none is ever made into a code.

>>> for group in clusters(project, model, coder="Hannah"):
...     print(group.keywords, group.size, group.participants)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from thematica.assist.extra import require
from thematica.assist.passages import Passage, Spans
from thematica.assist.similar import build_index
from thematica.errors import InvalidInput
from thematica.store.schema import coder, coding, source

if TYPE_CHECKING:
    import numpy as np

    from thematica.assist.embedders import Embedder
    from thematica.project import Project

# Transcription marks, fillers and discourse markers: frequent in speech, never what a
# group is about.
SPEECH_WORDS = frozenset(
    {
        "um", "uh", "er", "erm", "mm", "mmm", "hmm", "yeah", "yes", "oh", "okay", "ok",
        "laughs", "laughing", "pause", "inaudible", "crosstalk", "gonna", "wanna", "dunno",
        # discourse markers of spoken English ("like", "you know", "I mean", "sort of")
        "like", "just", "really", "know", "mean", "sort", "kind",
    }
)  # fmt: skip
KEYWORDS = 6
BRACKETS = re.compile(r"\[[^\]]*\]")
EXAMPLES = 3


@dataclass
class Cluster:
    keywords: list[str]
    size: int
    participants: int
    examples: list[Passage] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {**vars(self), "examples": [p.as_dict() for p in self.examples]}


def default_groups(passages: int) -> int:
    """How many groups for so many passages when none is asked for: about one group per
    fifty passages, between 2 and 20."""
    return max(2, min(20, round(passages / 50)))


def clusters(
    project: Project,
    model: Embedder,
    coder: str | None = None,
    groups: int | None = None,
    unit: str = "turn",
    roles: tuple[str, ...] = ("participant",),
) -> list[Cluster]:
    """Groups of the passages no coding (in ``coder``'s layer, else anyone's) touches,
    largest first."""
    np = require("numpy")
    index = build_index(project, model, unit, roles)
    with project.read() as conn:
        taken = Spans(conn.execute(select_codings(coder)))
    keep = [i for i, p in enumerate(index.passages) if not taken.overlaps(p.source, p.start, p.end)]
    groups = groups or default_groups(len(keep))
    if groups < 2:
        raise InvalidInput("ask for 2 groups or more")
    if len(keep) < 2 * groups:
        raise InvalidInput(
            f"only {len(keep)} uncoded passages: too few for {groups} groups; ask for fewer"
        )
    uncoded = [index.passages[i] for i in keep]
    rows = index.vectors[keep]
    cluster = require("sklearn.cluster")
    fitted = cluster.KMeans(n_clusters=groups, n_init=10, random_state=0).fit(rows)
    words = keywords([p.text for p in uncoded], fitted.labels_, groups)
    found = []
    for label in range(groups):
        members = np.flatnonzero(fitted.labels_ == label)
        centre = fitted.cluster_centers_[label]
        nearest = members[np.argsort(-(rows[members] @ centre), kind="stable")[:EXAMPLES]]
        found.append(
            Cluster(
                keywords=words[label],
                size=len(members),
                participants=len({uncoded[i].case or uncoded[i].source for i in members}),
                examples=[uncoded[i] for i in nearest],
            )
        )
    return sorted(found, key=lambda c: -c.size)


def select_codings(coder_name: str | None):
    """SQL for ``(source name, start, end)`` of every coding in ``coder_name``'s layer
    (every coder's when it is None)."""
    query = select(source.c.name, coding.c.start, coding.c.end).join(
        source, source.c.id == coding.c.source_id
    )
    if coder_name is not None:
        query = query.join(coder, coder.c.id == coding.c.coder_id).where(coder.c.name == coder_name)
    return query


def keywords(texts: Sequence[str], labels: np.ndarray, groups: int) -> list[list[str]]:
    """The ``KEYWORDS`` words that most set each group's texts apart (c-TF-IDF):
    a word's frequency in the group times ``log(1 + A / f)``, where ``A`` is the mean
    number of words in a group and ``f`` the word's frequency across all groups."""
    np = require("numpy")
    text = require("sklearn.feature_extraction.text")
    stop = list(text.ENGLISH_STOP_WORDS | SPEECH_WORDS)
    counter = text.CountVectorizer(stop_words=stop, token_pattern=r"(?u)\b[^\W\d_]{3,}\b")
    # Words in square brackets are transcription marks and anonymisation placeholders
    # ("[pause]", "[Person 3]", "[my baby]"), not what a participant talked about.
    plain = [BRACKETS.sub(" ", t) for t in texts]
    try:
        counts = counter.fit_transform(plain)
    except ValueError:  # not one word left that is not a stop word
        return [[] for _ in range(groups)]
    vocabulary = counter.get_feature_names_out()
    per_group = np.vstack(
        [np.asarray(counts[labels == g].sum(axis=0)).ravel() for g in range(groups)]
    ).astype(np.float64)
    frequency = per_group.sum(axis=0)
    mean_words = per_group.sum() / groups
    tf = per_group / np.maximum(per_group.sum(axis=1, keepdims=True), 1)
    weights = tf * np.log(1 + mean_words / np.maximum(frequency, 1))
    return [
        [str(vocabulary[i]) for i in np.argsort(-row, kind="stable")[:KEYWORDS] if row[i] > 0]
        for row in weights
    ]
