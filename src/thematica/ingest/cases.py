"""Cases: the participants of a study and their typed attributes.

>>> project.cases.import_csv("participants.csv", id_column="id")
>>> project.cases.get("Mother 10").attributes["age"]
22
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.engine import Connection

from thematica.errors import InvalidInput, not_found
from thematica.ingest.tables import read_csv
from thematica.store.schema import attribute, case, case_value, source, source_case

if TYPE_CHECKING:
    from thematica.project import Project, Transaction

TYPES = ("text", "integer", "number", "boolean", "date")
_TRUE = {"yes", "true", "y"}
_FALSE = {"no", "false", "n"}


@dataclass(frozen=True)
class CaseRef:
    id: int
    key: str
    label: str


@dataclass(frozen=True)
class Attribute:
    name: str
    type: str
    position: int


@dataclass(frozen=True)
class Case:
    key: str
    label: str
    attributes: dict[str, Any] = field(default_factory=dict)
    sources: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        values = {
            k: v.isoformat() if isinstance(v, date) else v for k, v in self.attributes.items()
        }
        return {
            "key": self.key,
            "label": self.label,
            "attributes": values,
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class CaseImport:
    created: int
    updated: int
    attributes: tuple[Attribute, ...]


def find_case(conn: Connection, key_or_label: str) -> CaseRef:
    """A case by its key (the id column of the CSV) or its label (``Mother 3``)."""
    row = conn.execute(
        select(case.c.id, case.c.key, case.c.label).where(
            or_(case.c.key == key_or_label, case.c.label == key_or_label)
        )
    ).first()
    if row is None:
        labels = list(conn.execute(select(case.c.label)).scalars())
        raise not_found("case", key_or_label, labels, "thematica cases list")
    return CaseRef(*row)


def infer_type(values: list[str]) -> str:
    """The narrowest attribute type that every non-empty value fits."""
    present = [v for v in values if v != ""]
    if not present:
        return "text"
    for kind in ("integer", "number", "boolean", "date"):
        try:
            for value in present:
                to_stored(value, kind)
        except ValueError:
            continue
        return kind
    return "text"


def to_stored(value: str, kind: str) -> str | None:
    """Canonical string form of ``value`` for an attribute of type ``kind``."""
    if value == "":
        return None
    if kind == "integer":
        if not re.fullmatch(r"[+-]?\d+", value):
            raise ValueError(value)
        return str(int(value))
    if kind == "number":
        return repr(float(value))
    if kind == "boolean":
        lowered = value.lower()
        if lowered in _TRUE:
            return "true"
        if lowered in _FALSE:
            return "false"
        raise ValueError(value)
    if kind == "date":
        return date.fromisoformat(value).isoformat()
    return value


def from_stored(value: str | None, kind: str) -> Any:
    if value is None:
        return None
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "boolean":
        return value == "true"
    if kind == "date":
        return date.fromisoformat(value)
    return value


class Cases:
    """The project's participants. Reached as ``project.cases``."""

    def __init__(self, project: Project) -> None:
        self.project = project

    def import_csv(
        self,
        path: str | Path,
        id_column: str,
        types: Mapping[str, str] | None = None,
        encoding: str | None = None,
    ) -> CaseImport:
        """Create or update one case per row; every other column becomes a typed attribute.

        Types are inferred (integer, number, boolean, date, text) unless given in
        ``types``. Labels come from the project's participant label template.
        """
        columns, rows = read_csv(path, [id_column], encoding)
        types = dict(types or {})
        for name, kind in types.items():
            if kind not in TYPES:
                raise InvalidInput(
                    f"unknown type {kind!r} for {name!r}: use one of {', '.join(TYPES)}"
                )
        seen: dict[str, int] = {}
        for number, row in enumerate(rows, start=2):
            key = row[id_column]
            if not key:
                raise InvalidInput(f"{path}, line {number}: the {id_column!r} cell is empty")
            if key in seen:
                raise InvalidInput(
                    f"{path}: id {key!r} appears twice (lines {seen[key]} and {number})"
                )
            seen[key] = number
        columns = [c for c in columns if c != id_column]
        unknown = set(types) - set(columns)
        if unknown:
            raise InvalidInput(
                f"--type names a column that is not in {path}: {sorted(unknown)[0]!r}"
            )
        template = self.project.participant_label
        with self.project.transaction("import cases", str(path)) as tx:
            attributes = [
                self._attribute(tx, name, types.get(name), [r[name] for r in rows], position)
                for position, name in enumerate(columns)
            ]
            existing = dict(tx.conn.execute(select(case.c.key, case.c.id)).all())
            created = updated = 0
            for number, row in enumerate(rows, start=2):
                key = row[id_column]
                case_id = existing.get(key)
                if case_id is None:
                    case_id = tx.insert(case, {"key": key, "label": template.format(id=key)})
                    created += 1
                else:
                    updated += 1
                values = {}
                for attr_id, attr in attributes:
                    try:
                        values[attr_id] = to_stored(row[attr.name], attr.type)
                    except ValueError:
                        raise InvalidInput(
                            f"{path}, line {number}: {row[attr.name]!r} in column "
                            f"{attr.name!r} is not {_article(attr.type)}"
                        ) from None
                _set_values(tx, case_id, values)
            tx.after = {"created": created, "updated": updated, "attributes": columns}
        return CaseImport(created, updated, tuple(a for _, a in attributes))

    def _attribute(
        self, tx: Transaction, name: str, kind: str | None, values: list[str], position: int
    ) -> tuple[int, Attribute]:
        row = tx.conn.execute(
            select(attribute.c.id, attribute.c.type, attribute.c.position).where(
                attribute.c.name == name
            )
        ).first()
        if row is not None:
            if kind is not None and kind != row.type:
                raise InvalidInput(f"attribute {name!r} is already of type {row.type}, not {kind}")
            return row.id, Attribute(name, row.type, row.position)
        kind = kind or infer_type(values)
        count = tx.conn.execute(select(attribute.c.id)).all()
        attr = Attribute(name, kind, len(count))
        return tx.insert(attribute, {"name": name, "type": kind, "position": attr.position}), attr

    def add(self, key: str, attributes: Mapping[str, Any] | None = None) -> Case:
        """Add one case; its attributes must already exist (import a CSV to create them)."""
        with self.project.transaction("add case", key) as tx:
            if tx.conn.execute(select(case.c.id).where(case.c.key == key)).first():
                raise InvalidInput(f"case {key!r} already exists")
            case_id = tx.insert(
                case, {"key": key, "label": self.project.participant_label.format(id=key)}
            )
            values = {}
            for name, value in (attributes or {}).items():
                row = tx.conn.execute(
                    select(attribute.c.id, attribute.c.type).where(attribute.c.name == name)
                ).first()
                if row is None:
                    raise InvalidInput(f"unknown attribute {name!r}")
                try:
                    values[row.id] = to_stored(str(value), row.type)
                except ValueError:
                    raise InvalidInput(f"{value!r} is not {_article(row.type)}") from None
            _set_values(tx, case_id, values)
            tx.after = {"key": key, "attributes": dict(attributes or {})}
        return self.get(key)

    def attributes(self) -> list[Attribute]:
        with self.project.read() as conn:
            rows = conn.execute(
                select(attribute.c.name, attribute.c.type, attribute.c.position).order_by(
                    attribute.c.position
                )
            )
            return [Attribute(*row) for row in rows]

    def list(self) -> list[Case]:
        with self.project.read() as conn:
            return _cases(conn)

    def get(self, key_or_label: str) -> Case:
        with self.project.read() as conn:
            ref = find_case(conn, key_or_label)
            return _cases(conn, ref.id)[0]

    def link(self, case_key: str, source_name: str) -> None:
        """Link a case to a source: the source's words are this participant's."""
        from thematica.ingest.sources import find_source

        with self.project.transaction("link case", f"{case_key} -> {source_name}") as tx:
            ref = find_case(tx.conn, case_key)
            src = find_source(tx.conn, source_name)
            linked = tx.conn.execute(
                select(source_case.c.id).where(
                    source_case.c.case_id == ref.id, source_case.c.source_id == src.id
                )
            ).first()
            if linked:
                raise InvalidInput(f"{ref.label} is already linked to {src.name}")
            tx.insert(source_case, {"case_id": ref.id, "source_id": src.id})
            tx.after = {"case": ref.label, "source": src.name}


def _article(kind: str) -> str:
    return {
        "integer": "an integer",
        "number": "a number",
        "boolean": "yes or no",
        "date": "a date (YYYY-MM-DD)",
    }.get(kind, kind)


def _set_values(tx: Transaction, case_id: int, values: Mapping[int, str | None]) -> None:
    current = {
        attr_id: (row_id, value)
        for row_id, attr_id, value in tx.conn.execute(
            select(case_value.c.id, case_value.c.attribute_id, case_value.c.value).where(
                case_value.c.case_id == case_id
            )
        )
    }
    new_rows, updates = [], {}
    for attr_id, value in values.items():
        if attr_id not in current:
            new_rows.append({"case_id": case_id, "attribute_id": attr_id, "value": value})
        elif current[attr_id][1] != value:
            updates[current[attr_id][0]] = {"value": value}
    tx.insert_many(case_value, new_rows)
    tx.update_each(case_value, updates)


def _cases(conn: Connection, case_id: int | None = None) -> list[Case]:
    query = select(case.c.id, case.c.key, case.c.label).order_by(case.c.id)
    if case_id is not None:
        query = query.where(case.c.id == case_id)
    attrs = {
        row.id: row
        for row in conn.execute(
            select(attribute.c.id, attribute.c.name, attribute.c.type, attribute.c.position)
        )
    }
    values: dict[int, dict[str, Any]] = {}
    for cid, attr_id, value in conn.execute(
        select(case_value.c.case_id, case_value.c.attribute_id, case_value.c.value)
    ):
        attr = attrs[attr_id]
        values.setdefault(cid, {})[attr.name] = from_stored(value, attr.type)
    order = {a.name: a.position for a in attrs.values()}
    sources: dict[int, list[str]] = {}
    for cid, name in conn.execute(
        select(source_case.c.case_id, source.c.name).join(source).order_by(source.c.name)
    ):
        sources.setdefault(cid, []).append(name)
    return [
        Case(
            key=row.key,
            label=row.label,
            attributes=dict(sorted(values.get(row.id, {}).items(), key=lambda kv: order[kv[0]])),
            sources=tuple(sources.get(row.id, ())),
        )
        for row in conn.execute(query)
    ]
