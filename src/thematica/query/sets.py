"""Source and case sets: named groups a query can be scoped to.

>>> project.sets.add("Pilot", "source", ["interview-01.txt", "interview-02.txt"])
>>> project.sets.define("Young mothers", "case", Filter(where="age <= 25"))
>>> project.sets.define("Referred", "case", coded="Getting referred")
>>> project.query.coding('"Waiting"', Filter(case_sets=("Referred",)))

A static set lists its members. A dynamic set keeps its definition and is worked out
each time it is used, so it follows the project as cases, codings and attributes
change: a filter (every case, or source, it admits), and optionally coded content (the
cases, or sources, with at least one coding of a code that the filter admits: "the
participants who described being referred"). A dynamic set's filter may name other
sets, never itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from thematica.errors import InvalidInput
from thematica.ingest.refs import find_case, find_source
from thematica.query.filters import Filter, resolve
from thematica.query.named import named
from thematica.store.schema import case, coding, query_set, query_set_members, source

if TYPE_CHECKING:
    from thematica.project import Project, Transaction

KINDS = ("source", "case")
LISTING = "thematica sets list"


@dataclass(frozen=True)
class QuerySet:
    name: str
    kind: str  # source | case
    members: tuple[str, ...]  # source names or participant labels, as of now
    definition: dict[str, Any] | None  # None for a static set
    description: str

    @property
    def dynamic(self) -> bool:
        return self.definition is not None

    def described(self) -> str:
        """The definition in words: ``static``, or the filter and coded content."""
        if self.definition is None:
            return "static"
        parts = [f"{k}={v}" for k, v in self.definition.get("filter", {}).items()]
        if self.definition.get("coded"):
            coded = self.definition["coded"]
            below = " (with sub-codes)" if coded["children"] else ""
            parts.append(f"coded {coded['path']}{below}")
        return "; ".join(parts) or "everything"

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "dynamic": self.dynamic,
            "definition": self.described(),
            "description": self.description,
            "members": list(self.members),
        }


class Sets:
    """The project's source and case sets. Reached as ``project.sets``."""

    def __init__(self, project: Project) -> None:
        self.project = project

    def add(self, name: str, kind: str, members: Sequence[str], description: str = "") -> QuerySet:
        """A static set of sources (by name) or cases (by key or label)."""
        name = _name(name)
        with self.project.transaction("add set", name) as tx:
            set_id = _insert(tx, name, kind, None, description, self.project.actor)
            ids = _member_ids(tx.conn, kind, members)
            rows = [{"set_id": set_id, "member_id": i} for i in ids]
            tx.insert_many(query_set_members[kind], rows)
            tx.after = {"kind": kind, "members": list(members)}
        return self.get(name)

    def define(
        self,
        name: str,
        kind: str,
        where: Filter | None = None,
        coded: str | None = None,
        children: bool = False,
        description: str = "",
    ) -> QuerySet:
        """A dynamic set: what ``where`` admits, and, with ``coded``, only the cases (or
        sources) with at least one coding of that code (``children``: or a sub-code)."""
        name = _name(name)
        where = where or Filter()
        definition: dict[str, Any] = {"filter": where.as_dict()}
        with self.project.transaction("define set", name) as tx:
            if coded is not None:
                from thematica.coding.codebook import _Tree

                tree = _Tree(tx.conn)
                code_id = tree.find(coded)
                # Kept by id, so that renaming or moving the code keeps the set.
                definition["coded"] = {
                    "id": code_id,
                    "path": tree.path(code_id),
                    "children": children,
                }
            _insert(tx, name, kind, definition, description, self.project.actor)
            # Worked out once now, so a mistake in the filter is found when it is made.
            _evaluate(tx.conn, name, kind, definition, self.project.actor, ())
            tx.after = {"kind": kind, **definition}
        return self.get(name)

    def add_members(self, name: str, members: Sequence[str]) -> QuerySet:
        with self.project.transaction("add to set", name) as tx:
            set_id, kind = _static(tx.conn, name)
            table = query_set_members[kind]
            have = set(
                tx.conn.execute(select(table.c.member_id).where(table.c.set_id == set_id)).scalars()
            )
            new = [i for i in _member_ids(tx.conn, kind, members) if i not in have]
            tx.insert_many(table, [{"set_id": set_id, "member_id": i} for i in new])
            tx.after = {"added": list(members)}
        return self.get(name)

    def remove_members(self, name: str, members: Sequence[str]) -> QuerySet:
        with self.project.transaction("remove from set", name) as tx:
            set_id, kind = _static(tx.conn, name)
            table = query_set_members[kind]
            ids = _member_ids(tx.conn, kind, members)
            rows = tx.conn.execute(
                select(table.c.id, table.c.member_id).where(table.c.set_id == set_id)
            ).all()
            gone = [row_id for row_id, member in rows if member in ids]
            if len(gone) < len(set(ids)):
                raise InvalidInput(f"not every one of those is in set {name!r}")
            tx.delete_many(table, gone)
            tx.before = {"removed": list(members)}
        return self.get(name)

    def delete(self, name: str) -> QuerySet:
        found = self.get(name)
        with self.project.transaction("delete set", name) as tx:
            set_id, kind, _ = _find(tx.conn, name)
            table = query_set_members[kind]
            rows = tx.conn.execute(select(table.c.id).where(table.c.set_id == set_id)).scalars()
            tx.delete_many(table, list(rows))
            tx.delete(query_set, set_id)
            tx.before = found.as_dict()
        return found

    def list(self) -> list[QuerySet]:
        with self.project.read() as conn:
            names = conn.execute(select(query_set.c.name).order_by(query_set.c.name)).scalars()
            return [_get(conn, n, self.project.actor) for n in names.all()]

    def get(self, name: str) -> QuerySet:
        """A set with its members as they are now."""
        with self.project.read() as conn:
            return _get(conn, name, self.project.actor)


def members(conn: Connection, name: str, kind: str, actor: str, seen: tuple[str, ...]) -> set[int]:
    """The ids of a set's members; the set must hold ``kind`` (source or case)."""
    set_id, found_kind, definition = _find(conn, name)
    if found_kind != kind:
        raise InvalidInput(
            f"set {name!r} is a set of {found_kind}s, not of {kind}s: give it as a {found_kind} set"
        )
    if definition is None:
        table = query_set_members[kind]
        ids = select(table.c.member_id).where(table.c.set_id == set_id)
        return set(conn.execute(ids).scalars())
    return _evaluate(conn, name, kind, definition, actor, seen)


def _evaluate(
    conn: Connection,
    name: str,
    kind: str,
    definition: dict[str, Any],
    actor: str,
    seen: tuple[str, ...],
) -> set[int]:
    from thematica.query.passages import admitted

    if name in seen:
        chain = " -> ".join([*seen, name])
        raise InvalidInput(f"set {name!r} is defined in terms of itself ({chain})")
    where = Filter.from_dict(definition.get("filter"))
    scope = resolve(conn, where, actor, (*seen, name))
    coded = definition.get("coded")
    if coded is None:
        if kind == "source":
            everything = conn.execute(select(source.c.id)).scalars()
            return set(scope.source_ids) if scope.source_ids is not None else set(everything)
        people = scope.people
        found = set(people.with_data()) if scope.case_ids is None else set(scope.case_ids)
        if scope.source_ids is not None:
            theirs = {c for s in scope.source_ids for c in people.linked.get(s, [])}
            theirs |= {c for s in scope.source_ids for c in people.claimed.get(s, ((), (), ()))[2]}
            found &= theirs
        return found
    code_ids = [coded["id"]]
    if coded["id"] not in scope.tree.rows:
        raise InvalidInput(
            f"set {name!r} is defined by code {coded['path']!r}, which no longer exists: "
            "delete the set and define it again"
        )
    if coded["children"]:
        code_ids += scope.tree.descendants(coded["id"])
    query = scope.codings(
        select(coding.c.source_id, coding.c.start, coding.c.end).where(
            coding.c.code_id.in_(code_ids)
        )
    )
    spans = [tuple(row) for row in conn.execute(query)]
    kept = admitted(conn, scope, spans)
    if kind == "source":
        return {s for (s, _, _), _ in kept}
    return {c for (s, a, b), _ in kept for c in scope.people.of_span(s, a, b)}


def _name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("a set needs a name")
    return name


def _insert(
    tx: Transaction,
    name: str,
    kind: str,
    definition: dict | None,
    description: str,
    author: str,
) -> int:
    from thematica.project import now

    if kind not in KINDS:
        raise InvalidInput(f"unknown kind of set {kind!r}: use source or case")
    if tx.conn.execute(select(query_set.c.id).where(query_set.c.name == name)).first():
        raise InvalidInput(f"a set named {name!r} already exists; choose another name")
    return tx.insert(
        query_set,
        {
            "name": name,
            "kind": kind,
            "definition": definition,
            "description": description,
            "author": author,
            "created": now(),
        },
    )


def _find(conn: Connection, name: str) -> tuple[int, str, dict | None]:
    columns = (query_set.c.id, query_set.c.kind, query_set.c.definition)
    row = named(conn, query_set, name, "set", LISTING, *columns)
    return row.id, row.kind, row.definition


def _static(conn: Connection, name: str) -> tuple[int, str]:
    set_id, kind, definition = _find(conn, name)
    if definition is not None:
        raise InvalidInput(
            f"set {name!r} is worked out from its definition: its members cannot be "
            "changed one by one"
        )
    return set_id, kind


def _member_ids(conn: Connection, kind: str, names: Sequence[str]) -> list[int]:
    if kind == "source":
        return [find_source(conn, n).id for n in names]
    return [find_case(conn, n).id for n in names]


def _get(conn: Connection, name: str, actor: str) -> QuerySet:
    _, kind, definition = _find(conn, name)
    row = conn.execute(
        select(query_set.c.name, query_set.c.description).where(query_set.c.name == name)
    ).one()
    ids = members(conn, name, kind, actor, ())
    table = source if kind == "source" else case
    label = table.c.name if kind == "source" else table.c.label
    found = conn.execute(select(table.c.id, label).where(table.c.id.in_(sorted(ids)))).all()
    order = (lambda r: r[1]) if kind == "source" else (lambda r: r[0])
    return QuerySet(
        name=row.name,
        kind=kind,
        members=tuple(r[1] for r in sorted(found, key=order)),
        definition=definition,
        description=row.description,
    )
