"""Saved queries: a name, the kind of query and all it needs to run again.

>>> project.query.save("Referral, young", "coding", '"Getting referred"',
...                    Filter(where="age <= 25"), children=True)
>>> project.query.run("Referral, young").passages

Saving and forgetting a query are changes (logged, undoable); each run is logged too,
with what it found, so the audit log shows which questions were asked of the data and
when. A run reads the project as it is then: new codings show up in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from thematica.errors import InvalidInput
from thematica.query.filters import Filter
from thematica.query.named import named
from thematica.store.schema import saved_query

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from thematica.project import Project

# The options each kind of query takes, besides its query text and filter.
OPTIONS: dict[str, tuple[str, ...]] = {
    "coding": ("children", "context"),
    "search": ("context",),
    "matrix": ("codes", "by", "count", "children"),
    "words": ("top", "stop_words", "min_length", "ignore"),
}
LISTING = "thematica query saved"


@dataclass(frozen=True)
class SavedQuery:
    name: str
    kind: str  # coding | search | matrix | words
    query: str
    filter: Filter
    options: dict[str, Any]
    description: str
    author: str
    created: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "query": self.query,
            "filter": self.filter.as_dict(),
            "options": self.options,
            "description": self.description,
            "author": self.author,
            "created": self.created,
        }


def save(
    project: Project,
    name: str,
    kind: str,
    query: str,
    where: Filter | None,
    description: str,
    options: dict[str, Any],
) -> SavedQuery:
    from thematica.project import now

    name = " ".join(name.split())
    if not name:
        raise InvalidInput("a saved query needs a name")
    _known(kind)
    unknown = sorted(set(options) - set(OPTIONS[kind]))
    if unknown:
        takes = ", ".join(OPTIONS[kind])
        raise InvalidInput(f"a {kind} query has no option {unknown[0]!r}; it takes {takes}")
    _check(kind, query)
    where = where or Filter()
    definition = {"query": query, "filter": where.as_dict(), "options": options}
    with project.transaction("save query", name) as tx:
        if tx.conn.execute(select(saved_query.c.id).where(saved_query.c.name == name)).first():
            raise InvalidInput(
                f"a saved query named {name!r} already exists: forget it first, or choose "
                "another name"
            )
        tx.insert(
            saved_query,
            {
                "name": name,
                "kind": kind,
                "definition": definition,
                "description": description,
                "author": project.actor,
                "created": now(),
            },
        )
        tx.after = {"kind": kind, **definition}
    return get(project, name)


def _known(kind: str) -> None:
    if kind not in OPTIONS:
        raise InvalidInput(f"unknown kind of query {kind!r}: use {', '.join(OPTIONS)}")


def _check(kind: str, query: str) -> None:
    """Parse the query now, so that a mistake is found when it is saved."""
    if kind == "coding":
        from thematica.query.coding import parse

        parse(query)
    elif kind == "search":
        from thematica.query.search import parse as parse_search

        parse_search(query)
    elif query:
        raise InvalidInput(f"a {kind} query takes no query text, only a filter and options")


def saved(project: Project) -> list[SavedQuery]:
    with project.read() as conn:
        names = conn.execute(select(saved_query.c.name).order_by(saved_query.c.name)).scalars()
        return [_read(conn, n) for n in names.all()]


def get(project: Project, name: str) -> SavedQuery:
    with project.read() as conn:
        return _read(conn, name)


def _read(conn: Connection, name: str) -> SavedQuery:
    row = named(conn, saved_query, name, "saved query", LISTING)
    definition = row.definition
    return SavedQuery(
        name=row.name,
        kind=row.kind,
        query=definition["query"],
        filter=Filter.from_dict(definition["filter"]),
        options=dict(definition["options"]),
        description=row.description,
        author=row.author,
        created=row.created,
    )


def ask(project: Project, kind: str, query: str, where: Filter | None, options: dict) -> Any:
    """Run a query of ``kind`` with that kind's ``options`` (see :data:`OPTIONS`)."""
    _known(kind)
    queries = project.query
    if kind == "coding":
        return queries.coding(query, where, **options)
    if kind == "search":
        return queries.search(query, where, **options)
    if kind == "matrix":
        return queries.matrix(where=where, **options)
    return queries.words(where, **options)


def run_saved(project: Project, name: str) -> Any:
    found = get(project, name)
    result = ask(project, found.kind, found.query, found.filter, found.options)
    if found.kind == "coding":
        size = {"passages": len(result.passages)}
    elif found.kind == "search":
        size = {"hits": len(result.hits)}
    elif found.kind == "matrix":
        size = {"rows": len(result.rows), "columns": len(result.columns)}
    else:
        size = {"words": len(result.words)}
    # A run changes nothing, so undo passes over its event to the change before.
    with project.transaction("run query", name) as tx:
        tx.after = size
    return result


def forget(project: Project, name: str) -> SavedQuery:
    found = get(project, name)
    with project.transaction("forget query", name) as tx:
        row_id = tx.conn.execute(
            select(saved_query.c.id).where(saved_query.c.name == name)
        ).scalar_one()
        tx.delete(saved_query, row_id)
        tx.before = found.as_dict()
    return found
