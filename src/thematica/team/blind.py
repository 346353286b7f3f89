"""What a blind coder may see, beyond what the coding queries already hide.

Codings are hidden where they are read (:func:`thematica.coding.coders.hide_from_blind`).
Memos, the audit log and exemplar quotes are read whole by the API; a face that shows
them to a person filters them here for that person (``project.actor``):

>>> memos = visible_memos(project, project.memos.list())
>>> events = visible_events(project, project.log(15))

While ``project.actor`` codes blind, another author's memo on a double-coded source (or
on a coding there) is hidden, and so is an exemplar quote chosen from another coder's
coding there; of the audit log they see only their own changes, since other people's
name what they coded where.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from thematica.coding.coders import visible_coders
from thematica.store.schema import source

if TYPE_CHECKING:
    from thematica.coding.memos import Memo
    from thematica.project import AuditEvent, Project
    from thematica.themes.quotes import Quote


def blind_sources(project: Project) -> frozenset[str] | None:
    """The double-coded sources whose other coders' work is hidden from
    ``project.actor``; None when they are not coding blind."""
    with project.read() as conn:
        hidden = visible_coders(conn, project.actor)
        if hidden is None:
            return None
        _, ids = hidden
        names = conn.execute(select(source.c.name).where(source.c.id.in_(ids))).scalars()
        return frozenset(names)


def is_blind(project: Project) -> bool:
    return blind_sources(project) is not None


def visible_memos(project: Project, memos: list[Memo]) -> list[Memo]:
    hidden = blind_sources(project)
    if hidden is None:
        return memos
    return [m for m in memos if m.author == project.actor or m.source not in hidden]


def visible_events(project: Project, events: list[AuditEvent]) -> list[AuditEvent]:
    if not is_blind(project):
        return events
    return [e for e in events if e.actor == project.actor]


def visible_quotes(project: Project, quotes: list[Quote]) -> list[Quote]:
    hidden = blind_sources(project)
    if hidden is None:
        return quotes
    seen = {c.id for c in project.codings.list()}  # less what the blind hides
    return [q for q in quotes if q.source not in hidden or q.coding in seen]
