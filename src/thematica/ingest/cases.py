"""Cases: the participants of a study and their typed attributes.

>>> project.cases.import_table("participants.csv", id_column="id")
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

from sqlalchemy import select
from sqlalchemy.engine import Connection

from thematica.errors import InvalidInput
from thematica.ingest.refs import CaseRef, find_case, find_source
from thematica.ingest.tables import read_table
from thematica.store.schema import attribute, case, case_value, source, source_case, turn

if TYPE_CHECKING:
    from thematica.project import Project, Transaction

TYPES = ("text", "categorical", "ordinal", "integer", "number", "boolean", "date")
_TRUE = {"yes", "true", "y"}
_FALSE = {"no", "false", "n"}


@dataclass(frozen=True)
class Attribute:
    name: str
    type: str
    position: int
    levels: tuple[str, ...] | None = None  # ordinal attributes: the values in order

    def describe(self) -> str:
        return f"ordinal: {' < '.join(self.levels)}" if self.levels else self.type


def parse_type(spec: str, name: str = "") -> tuple[str, tuple[str, ...] | None]:
    """``integer`` or ``ordinal:low|middle|high`` into a type and its levels."""
    kind, _, levels = spec.partition(":")
    kind = {"yes/no": "boolean", "yesno": "boolean"}.get(kind.strip(), kind.strip())
    where = f" for {name!r}" if name else ""
    if kind not in TYPES:
        raise InvalidInput(f"unknown type {kind!r}{where}: use one of {', '.join(TYPES)}")
    if kind == "ordinal":
        ordered = tuple(v.strip() for v in levels.split("|") if v.strip())
        if len(ordered) < 2 or len(set(ordered)) != len(ordered):
            raise InvalidInput(
                f"ordinal type{where} needs its distinct values in order, "
                "e.g. ordinal:GCSEs|A levels|Degree"
            )
        return kind, ordered
    if levels:
        raise InvalidInput(f"only ordinal types take a list of values{where}")
    return kind, None


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


def infer_type(values: list[str]) -> str:
    """The narrowest attribute type that every non-empty value fits.

    Text whose values repeat (at most half as many distinct values as filled cells) is
    ``categorical``; text that mostly differs from row to row is ``text``.
    """
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
    distinct = len(set(present))
    return "categorical" if distinct < len(present) and distinct <= len(present) / 2 else "text"


def to_stored(value: str, kind: str, levels: tuple[str, ...] | None = None) -> str | None:
    """Canonical string form of ``value`` for an attribute of type ``kind``."""
    if value == "":
        return None
    if kind == "ordinal":
        if value not in (levels or ()):
            raise ValueError(value)
        return value
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

    def import_table(
        self,
        path: str | Path,
        id_column: str,
        types: Mapping[str, str] | None = None,
        encoding: str | None = None,
        source_column: str | None = None,
    ) -> CaseImport:
        """Create or update one case per row of a CSV or Excel table.

        Every other column becomes a typed attribute. Types are inferred (integer,
        number, boolean, date, categorical, text) unless given in ``types`` as a type
        name or ``ordinal:low|middle|high``. Labels come from the project's participant
        label template. ``source_column`` names the sources (``;`` between several) each
        participant speaks in, and links them.
        """
        required = [id_column] + ([source_column] if source_column else [])
        columns, rows = read_table(path, required, encoding)
        parsed = {name: parse_type(spec, name) for name, spec in (types or {}).items()}
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
        columns = [c for c in columns if c not in (id_column, source_column)]
        unknown = set(parsed) - set(columns)
        if unknown:
            raise InvalidInput(
                f"--type names a column that is not in {path}: {sorted(unknown)[0]!r}"
            )
        template = self.project.participant_label
        with self.project.transaction("import cases", str(path)) as tx:
            attributes = [
                self._attribute(tx, name, parsed.get(name), [r[name] for r in rows], position)
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
                        values[attr_id] = to_stored(row[attr.name], attr.type, attr.levels)
                    except ValueError:
                        raise InvalidInput(
                            f"{path}, line {number}: {row[attr.name]!r} in column "
                            f"{attr.name!r} is not {_article(attr)}"
                        ) from None
                _set_values(tx, case_id, values)
                if source_column:
                    for name in filter(None, (n.strip() for n in row[source_column].split(";"))):
                        _link(tx, case_id, find_source(tx.conn, name).id)
            tx.after = {"created": created, "updated": updated, "attributes": columns}
        return CaseImport(created, updated, tuple(a for _, a in attributes))

    def _attribute(
        self,
        tx: Transaction,
        name: str,
        given: tuple[str, tuple[str, ...] | None] | None,
        values: list[str],
        position: int,
    ) -> tuple[int, Attribute]:
        row = tx.conn.execute(
            select(
                attribute.c.id, attribute.c.type, attribute.c.position, attribute.c.levels
            ).where(attribute.c.name == name)
        ).first()
        if row is not None:
            levels = tuple(row.levels) if row.levels else None
            if given is not None and given != (row.type, levels):
                raise InvalidInput(
                    f"attribute {name!r} is already of type {row.type}, not {given[0]}"
                )
            return row.id, Attribute(name, row.type, row.position, levels)
        kind, levels = given or (infer_type(values), None)
        count = tx.conn.execute(select(attribute.c.id)).all()
        attr = Attribute(name, kind, len(count), levels)
        values_row = {
            "name": name,
            "type": kind,
            "position": attr.position,
            "levels": list(levels) if levels else None,
        }
        return tx.insert(attribute, values_row), attr

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
                    select(attribute.c.id, attribute.c.type, attribute.c.levels).where(
                        attribute.c.name == name
                    )
                ).first()
                if row is None:
                    raise InvalidInput(f"unknown attribute {name!r}")
                attr = Attribute(name, row.type, 0, tuple(row.levels) if row.levels else None)
                try:
                    values[row.id] = to_stored(str(value), attr.type, attr.levels)
                except ValueError:
                    raise InvalidInput(f"{value!r} is not {_article(attr)}") from None
            _set_values(tx, case_id, values)
            tx.after = {"key": key, "attributes": dict(attributes or {})}
        return self.get(key)

    def attributes(self) -> list[Attribute]:
        with self.project.read() as conn:
            rows = conn.execute(
                select(
                    attribute.c.name, attribute.c.type, attribute.c.position, attribute.c.levels
                ).order_by(attribute.c.position)
            )
            return [Attribute(n, t, p, tuple(lv) if lv else None) for n, t, p, lv in rows]

    def list(self) -> list[Case]:
        with self.project.read() as conn:
            return _cases(conn)

    def get(self, key_or_label: str) -> Case:
        with self.project.read() as conn:
            ref = find_case(conn, key_or_label)
            return _cases(conn, ref.id)[0]

    def link(self, case_key: str, source_name: str, speaker: str | None = None) -> None:
        """Link a case to a source: the source's words are this participant's.

        With ``speaker``, only that speaker's turns are the participant's: two
        participants in one interview stay apart.
        """
        with self.project.transaction("link case", f"{case_key} -> {source_name}") as tx:
            ref = find_case(tx.conn, case_key)
            src = find_source(tx.conn, source_name)
            if speaker is None:
                linked = tx.conn.execute(
                    select(source_case.c.id).where(
                        source_case.c.case_id == ref.id, source_case.c.source_id == src.id
                    )
                ).first()
                if linked:
                    raise InvalidInput(f"{ref.label} is already linked to {src.name}")
            else:
                _claim_turns(tx, ref, src.id, src.name, speaker)
            _link(tx, ref.id, src.id)
            tx.after = {"case": ref.label, "source": src.name, "speaker": speaker}

    def link_by_pattern(self, pattern: str) -> list[tuple[str, str]]:
        """Link every source whose name matches ``pattern`` to the case its ``id`` group
        names, e.g. ``interview-(?P<id>\\d+)``; numeric ids match without leading zeros.

        Returns the ``(case label, source)`` pairs linked.
        """
        try:
            regex = re.compile(pattern)
        except re.error as error:
            raise InvalidInput(f"{pattern!r} is not a valid regular expression: {error}") from None
        if "id" not in regex.groupindex:
            raise InvalidInput("the pattern needs a group named id, e.g. interview-(?P<id>\\d+)")
        made: list[tuple[str, str]] = []
        with self.project.transaction("link cases by pattern", pattern) as tx:
            keys = {_id_key(k): (i, label) for i, k, label in tx.conn.execute(
                select(case.c.id, case.c.key, case.c.label)
            )}  # fmt: skip
            for source_id, name in tx.conn.execute(select(source.c.id, source.c.name)).all():
                found = regex.search(name)
                if found and _id_key(found.group("id")) in keys:
                    case_id, label = keys[_id_key(found.group("id"))]
                    if _link(tx, case_id, source_id):
                        made.append((label, name))
            if not made:
                raise InvalidInput(f"no source name matches {pattern!r} with the id of a case")
            tx.after = {"links": [list(m) for m in made]}
        return made


def _id_key(value: str) -> str:
    value = value.strip()
    return str(int(value)) if value.isdigit() else value


def _link(tx: Transaction, case_id: int, source_id: int) -> bool:
    """Link a case and a source unless they already are; True if a link was made."""
    exists = tx.conn.execute(
        select(source_case.c.id).where(
            source_case.c.case_id == case_id, source_case.c.source_id == source_id
        )
    ).first()
    if exists:
        return False
    tx.insert(source_case, {"case_id": case_id, "source_id": source_id})
    return True


def _claim_turns(tx: Transaction, ref: CaseRef, source_id: int, name: str, speaker: str) -> None:
    rows = tx.conn.execute(
        select(turn.c.id, turn.c.speaker, turn.c.case_id).where(turn.c.source_id == source_id)
    ).all()
    mine = [r.id for r in rows if r.speaker == speaker]
    if not mine:
        speakers = ", ".join(sorted({r.speaker for r in rows})) or "none"
        raise InvalidInput(f"no turns by {speaker!r} in {name}; its speakers are: {speakers}")
    tx.update_many(turn, mine, {"case_id": ref.id})


def _article(attr: Attribute) -> str:
    if attr.levels:
        return "one of " + ", ".join(repr(v) for v in attr.levels)
    return {
        "integer": "an integer",
        "number": "a number",
        "boolean": "yes or no",
        "date": "a date (YYYY-MM-DD)",
    }.get(attr.type, attr.type)


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
