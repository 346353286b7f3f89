"""Filters every query shares: which sources, which participants, whose coding, whose
words, and which part of the text.

>>> only = Filter(where='primary_diagnosis = "Postnatal depression" and age <= 25',
...               coder="Hannah")
>>> project.query.coding('"Feeling judged"', only)

Each field narrows what a query looks at; fields left empty do not. Within a field the
names are alternatives (``cases=("Mother 1", "Mother 3")`` is either of them); across
fields they must all hold. By default only participants' turns count (``roles``); a
source without speaker turns counts whole. ``within`` scopes a query to the text coded
with a code (and its sub-codes): the parts of broader interviews that concern one
service, say.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, exists, or_, select
from sqlalchemy.engine import Connection

from thematica.coding.codebook import _Tree
from thematica.coding.coders import find_coder, visible_coders
from thematica.errors import InvalidInput
from thematica.ingest.cases import Attribute, from_stored
from thematica.ingest.refs import find_case, find_source
from thematica.query.places import Place
from thematica.query.where import compile_where
from thematica.store.schema import attribute, case, case_value, coding, turn
from thematica.text.span import Span, intersection, union
from thematica.themes.participants import Participants

ROLES = ("participant", "interviewer", "other")


@dataclass(frozen=True)
class Filter:
    """What a query looks at (see the module's docstring). ``roles=()`` is every role."""

    sources: tuple[str, ...] = ()
    source_sets: tuple[str, ...] = ()
    cases: tuple[str, ...] = ()
    case_sets: tuple[str, ...] = ()
    where: str | None = None
    coder: str | None = None
    roles: tuple[str, ...] = ("participant",)
    within: str | None = None

    def __post_init__(self) -> None:
        for name in ("sources", "source_sets", "cases", "case_sets", "roles"):
            value = getattr(self, name)
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, name, tuple(value))
        unknown = [r for r in self.roles if r not in ROLES]
        if unknown:
            raise InvalidInput(
                f"unknown speaker role {unknown[0]!r}: use {', '.join(ROLES)} (or none for all)"
            )
        if self.where is not None and not self.where.strip():
            object.__setattr__(self, "where", None)

    def as_dict(self) -> dict[str, Any]:
        """The fields that differ from the defaults, as plain JSON values."""
        default = Filter()
        return {
            k: list(v) if isinstance(v, tuple) else v
            for k, v in asdict(self).items()
            if v != getattr(default, k)
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Filter:
        known = set(cls.__dataclass_fields__)
        unknown = set(data or {}) - known
        if unknown:
            raise InvalidInput(f"unknown filter field {sorted(unknown)[0]!r}")
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in (data or {}).items()})


@dataclass
class Scope:
    """A :class:`Filter` worked out against one snapshot of the project: ids, not names."""

    people: Participants
    tree: _Tree
    source_ids: frozenset[int] | None  # None: every source
    case_ids: frozenset[int] | None  # None: whoever's words they are
    coder_id: int | None  # None: every coder's layer
    roles: frozenset[str] | None  # None: every speaker
    within: dict[int, list[Span]] | None  # source id -> the scoping code's text
    hidden: tuple[int, list[int]] | None  # a blind coder's id and the sources hidden

    def codings(self, query: Select, table: Table = coding, roles: bool = True) -> Select:
        """``query`` over codings, narrowed to the sources, the coder layer, the speakers'
        turns (unless ``roles`` is false: the caller places them itself) and what a blind
        coder may see."""
        if roles and self.roles is not None:
            query = query.where(spoken_by(table, self.roles))
        if self.source_ids is not None:
            query = query.where(table.c.source_id.in_(sorted(self.source_ids)))
        if self.coder_id is not None:
            query = query.where(table.c.coder_id == self.coder_id)
        if self.hidden is not None:
            me, sources = self.hidden
            query = query.where((table.c.coder_id == me) | table.c.source_id.not_in(sources))
        return query

    def admits(self, source_id: int, start: int, end: int, place: Place) -> bool:
        """Whether a span (with its :class:`Place`) passes the role, case and scope tests."""
        if self.source_ids is not None and source_id not in self.source_ids:
            return False
        if self.roles is not None and place.has_turns and not (place.roles & self.roles):
            return False
        if self.case_ids is not None and not (
            self.people.of_span(source_id, start, end) & self.case_ids
        ):
            return False
        if self.within is not None:
            return any(s.start < end and start < s.end for s in self.within.get(source_id, ()))
        return True

    def clip(self, source_id: int, spans: Iterable[Span]) -> list[Span]:
        """``spans`` cut to the scoping code's text (unchanged without ``within``)."""
        if self.within is None:
            return list(spans)
        return intersection(spans, self.within.get(source_id, []))


def spoken_by(table: Table, roles: Iterable[str]) -> ColumnElement[bool]:
    """SQL: the span of a row of ``table`` touches a turn of one of ``roles``, or its
    source has no turns. Worked out in the database, where it costs a few index
    lookups per coding instead of a round trip."""
    roles = sorted(roles)
    first, inside, other = (
        turn.alias("first_turn"),
        turn.alias("inside_turn"),
        turn.alias("any_turn"),
    )
    starts_in = (
        select(first.c.id)
        .where(first.c.source_id == table.c.source_id, first.c.start <= table.c.start)
        .order_by(first.c.start.desc())
        .limit(1)
        .correlate_except(first)  # the coding is two queries out, not one
        .scalar_subquery()
    )
    at_start = turn.alias("start_turn")
    return or_(
        exists().where(
            at_start.c.id == starts_in, at_start.c.end > table.c.start, at_start.c.role.in_(roles)
        ),
        exists().where(
            inside.c.source_id == table.c.source_id,
            inside.c.start > table.c.start,
            inside.c.start < table.c.end,
            inside.c.role.in_(roles),
        ),
        ~exists().where(other.c.source_id == table.c.source_id),
    )


def resolve(conn: Connection, given: Filter, actor: str, seen: tuple[str, ...] = ()) -> Scope:
    """Work ``given`` out into ids; ``seen`` holds the sets being worked out (a set may
    be defined by a filter that names another set, but never by itself)."""
    from thematica.query.sets import members

    tree = _Tree(conn)
    people = Participants(conn)
    source_ids: set[int] | None = None
    if given.sources or given.source_sets:
        named = {find_source(conn, name).id for name in given.sources}
        in_sets = set().union(*(members(conn, s, "source", actor, seen) for s in given.source_sets))
        source_ids = _both(named if given.sources else None, in_sets if given.source_sets else None)
    case_ids = _cases(conn, given, actor, seen)
    if case_ids is not None:
        theirs = {s for s, cases in people.linked.items() if case_ids.intersection(cases)} | {
            s for s, (_, _, cases) in people.claimed.items() if case_ids.intersection(cases)
        }
        source_ids = theirs if source_ids is None else source_ids & theirs
    coder_id = find_coder(conn, given.coder) if given.coder is not None else None
    hidden = visible_coders(conn, actor)
    within = None
    if given.within is not None:
        code_id = tree.find(given.within)
        query = select(coding.c.source_id, coding.c.start, coding.c.end).where(
            coding.c.code_id.in_([code_id, *tree.descendants(code_id)])
        )
        partial = Scope(people, tree, _frozen(source_ids), None, coder_id, None, None, hidden)
        spans: dict[int, list[Span]] = {}
        for source_id, start, end in conn.execute(partial.codings(query)):
            spans.setdefault(source_id, []).append(Span(start, end))
        within = {s: union(found) for s, found in spans.items()}
        source_ids = set(within) if source_ids is None else source_ids & set(within)
    return Scope(
        people=people,
        tree=tree,
        source_ids=_frozen(source_ids),
        case_ids=_frozen(case_ids),
        coder_id=coder_id,
        roles=frozenset(given.roles) or None,
        within=within,
        hidden=hidden,
    )


def _cases(conn: Connection, given: Filter, actor: str, seen: tuple[str, ...]) -> set[int] | None:
    from thematica.query.sets import members

    found: set[int] | None = None
    if given.cases:
        found = {find_case(conn, name).id for name in given.cases}
    if given.case_sets:
        in_sets = set().union(*(members(conn, s, "case", actor, seen) for s in given.case_sets))
        found = _both(found, in_sets)
    if given.where is not None:
        found = _both(found, cases_where(conn, given.where))
    return found


def cases_where(conn: Connection, expression: str) -> set[int]:
    """The ids of the cases whose attributes satisfy ``expression``."""
    attrs: dict[int, Attribute] = {
        row.id: Attribute(row.name, row.type, row.position, tuple(row.levels or ()) or None)
        for row in conn.execute(
            select(
                attribute.c.id,
                attribute.c.name,
                attribute.c.type,
                attribute.c.position,
                attribute.c.levels,
            )
        )
    }
    by_name = {a.name: a for a in attrs.values()}
    values: dict[int, dict[str, Any]] = {
        case_id: {} for case_id in conn.execute(select(case.c.id)).scalars()
    }
    categories: dict[str, set[str]] = {}
    for case_id, attr_id, value in conn.execute(
        select(case_value.c.case_id, case_value.c.attribute_id, case_value.c.value)
    ):
        attr = attrs[attr_id]
        values[case_id][attr.name] = from_stored(value, attr.type)
        if attr.type == "categorical" and value is not None:
            categories.setdefault(attr.name, set()).add(value)
    test = compile_where(expression, by_name, categories)
    return {case_id for case_id, row in values.items() if test(row)}


def _both(a: set[int] | None, b: set[int] | None) -> set[int] | None:
    if a is None:
        return b
    return a if b is None else a & b


def _frozen(ids: set[int] | None) -> frozenset[int] | None:
    return None if ids is None else frozenset(ids)
