"""Prevalence: how many participants and sources each theme, subtheme and code draws on.

A theme draws on the codings of its linked codes (with their child codes) and of its
subthemes' codes; a linked code row counts that code with its child codes. Counts are
of one coder layer (one coder, ``consensus``), or of every layer together. Participants
are the cases a coding is attributed to (see :mod:`thematica.themes.participants`); the
study's N is every case with a source or a claimed turn.

>>> table = project.themes.prevalence(coder="Hannah")
>>> [(row.name, row.participants, row.words) for row in table.rows]
[('Trust earned by constancy', 9, 'most women'), ...]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from thematica.coding.coders import find_coder, hide_from_blind
from thematica.store.schema import coding, source
from thematica.themes.participants import Participants
from thematica.themes.tree import CodeNames, ThemeTree
from thematica.themes.wording import Wording, project_wording

if TYPE_CHECKING:
    from thematica.project import Project


@dataclass(frozen=True)
class Count:
    """One row: a theme, subtheme, or a code linked to the theme above it."""

    kind: str  # theme | subtheme | code
    name: str  # the theme's name, or the code's name (its path where names repeat)
    theme: str  # the theme's path (for a code: of the theme it is linked to)
    depth: int
    participants: int
    sources: int
    codings: int
    words: str
    cases: tuple[str, ...]  # labels of the participants, in case order

    def as_dict(self) -> dict[str, Any]:
        out = dict(vars(self))
        out["cases"] = list(self.cases)
        return out


@dataclass(frozen=True)
class Prevalence:
    coder: str | None  # None: every coder layer together
    participants: int  # N: cases with data
    sources: int
    wording: Wording
    rows: tuple[Count, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "coder": self.coder,
            "participants": self.participants,
            "sources": self.sources,
            "noun": f"{self.wording.singular}/{self.wording.plural}",
            "rows": [row.as_dict() for row in self.rows],
        }


def prevalence(project: Project, coder: str | None = None) -> Prevalence:
    wording = project_wording(project)
    with project.read() as conn:
        tree, names = ThemeTree(conn), CodeNames(conn)
        people = Participants(conn)
        query = select(coding.c.source_id, coding.c.start, coding.c.end, coding.c.code_id)
        if coder is not None:
            query = query.where(coding.c.coder_id == find_coder(conn, coder))
        query = hide_from_blind(query, conn, project.actor, coding)
        codings = conn.execute(query).all()
        total_sources = len(conn.execute(select(source.c.id)).all())
    total = len(people.with_data())

    # The rows, in tree order, and which rows each code counts towards.
    rows: list[tuple[str, str, str, int]] = []  # kind, name, theme path, depth
    buckets: dict[int, list[int]] = {}  # code id -> row indexes
    for theme_id, depth in tree.walk():
        path = tree.path(theme_id) or ""
        rows.append(("theme" if depth == 0 else "subtheme", tree.rows[theme_id].name, path, depth))
        for code_id in tree.code_set(theme_id, names):
            buckets.setdefault(code_id, []).append(len(rows) - 1)
        for linked in tree.codes(theme_id):
            rows.append(("code", names.ref(linked), path, depth + 1))
            for code_id in names.with_descendants(linked):
                buckets.setdefault(code_id, []).append(len(rows) - 1)

    cases: list[set[int]] = [set() for _ in rows]
    sources: list[set[int]] = [set() for _ in rows]
    counts = [0] * len(rows)
    for source_id, start, end, code_id in codings:
        indexes = buckets.get(code_id)
        if not indexes:
            continue
        whose = people.of_span(source_id, start, end)
        for index in indexes:
            cases[index] |= whose
            sources[index].add(source_id)
            counts[index] += 1
    found = tuple(
        Count(
            kind=kind,
            name=name,
            theme=theme_path,
            depth=depth,
            participants=len(cases[i]),
            sources=len(sources[i]),
            codings=counts[i],
            words=wording.words(len(cases[i]), total) if total else "",
            cases=tuple(people.label_of(cases[i])),
        )
        for i, (kind, name, theme_path, depth) in enumerate(rows)
    )
    return Prevalence(coder, total, total_sources, wording, found)
