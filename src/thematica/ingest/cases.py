"""Cases: the participants of a study and their typed attributes.

>>> project.cases.import_table("participants.csv", id_column="id")
>>> project.cases.get("Mother 10").attributes["age"]
22
>>> project.cases.withdraw("10", key="study.key", passphrase=key_passphrase)
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.engine import Connection

from thematica.errors import InvalidInput, not_found
from thematica.ingest.refs import CaseRef, find_case, find_source
from thematica.ingest.tables import read_table
from thematica.store import erase
from thematica.store.schema import (
    attribute,
    audit,
    case,
    case_value,
    code,
    memo,
    source,
    source_case,
    theme,
    turn,
)

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
class Withdrawal:
    """What :meth:`Cases.withdraw` removed, and what it could not."""

    case: str  # the case's id, as imported
    label: str
    sources: tuple[str, ...]
    removed: dict[str, int]  # rows deleted, per table
    key_entries: int | None  # identifiers removed from the key file; None: no key given
    events_erased: int  # earlier audit events whose details were erased
    event: int  # the audit event that records the withdrawal
    wiped: bool  # False: another process kept the write-ahead log in use
    still_named: tuple[str, ...]  # researchers' notes that still name the participant

    def as_dict(self) -> dict[str, Any]:
        return {**vars(self), "sources": list(self.sources), "still_named": list(self.still_named)}


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
        number = float(value)
        if not math.isfinite(number):  # float() takes "nan" and "inf"; no table can count them
            raise ValueError(value)
        return repr(number)
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


def shown(value: Any) -> str:
    """A stored value as a person types it: ``yes``/``no``, ``2025-03-02``, ``""`` for none.

    >>> shown(True), shown(date(2025, 3, 2)), shown(None), shown(24)
    ('yes', '2025-03-02', '', '24')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


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

    def set_value(self, case_key: str, name: str, value: Any) -> Case:
        """Set one participant's value of one attribute: one audit event, undoable.

        >>> project.cases.set_value("Mother 3", "age", "25")       # or 25
        >>> project.cases.set_value("Mother 3", "partner", "no")   # yes/no, true/false
        >>> project.cases.set_value("Mother 3", "age", "")         # no value

        ``value`` is checked against the attribute's type (an ordinal's levels, a date as
        YYYY-MM-DD, ...); text is taken without the spaces around it. Setting the value a
        case already has changes nothing and records nothing.
        """
        typed = shown(value).strip()
        with self.project.read() as conn:
            ref = find_case(conn, case_key)
            attr, attr_id = _find_attribute(conn, name)
            try:
                stored = to_stored(typed, attr.type, attr.levels)
            except ValueError:
                raise InvalidInput(
                    f"{ref.label}'s {name}: {typed!r} is not {_article(attr)}; "
                    "type one, or leave the cell empty for no value"
                ) from None
            was = conn.execute(
                select(case_value.c.value).where(
                    case_value.c.case_id == ref.id, case_value.c.attribute_id == attr_id
                )
            ).scalar()
        if was == stored:
            return self.get(ref.key)
        with self.project.transaction("set attribute", f"{ref.label}: {name}") as tx:
            _set_values(tx, ref.id, {attr_id: stored})
            tx.before = {name: was}
            tx.after = {name: stored}
        return self.get(ref.key)

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

    def withdraw(
        self,
        key_or_label: str,
        *,
        key: str | Path | None = None,
        passphrase: str | None = None,
        without_key: bool = False,
        include_shared: bool = False,
    ) -> Withdrawal:
        """Remove a participant who withdrew consent, and every trace of their words.

        Deleted: the case and its attributes, its sources with their text, turns, times
        and full-text index, and every row that points at them (codings, memos anchored
        to them, exemplar quotes, framework summaries, consensus items, double-coding
        picks, and any table added later with a foreign key to them) and the cached
        embedding vectors of their words, in one transaction; with ``key`` (the
        anonymisation key file) and its ``passphrase``, their identifiers leave the key
        too. Earlier audit events that touched them lose their details and undo data
        (see :func:`thematica.store.erase.erase_from_log`); one new event records who
        withdrew which case id, and when, and nothing of the content. Then the file is
        rewritten so that nothing deleted stays in its free pages or its write-ahead
        log. Withdrawal cannot be undone, and nothing before it can be undone either.

        A source also linked to another participant is refused unless
        ``include_shared`` (it is then removed whole); in a project that was anonymised
        the ``key`` is needed, or ``without_key`` to go on without it (the key destroyed,
        or holding none of theirs).
        """
        from thematica.anonymise.vault import KeyVault

        with self.project.read() as conn:
            ref = find_case(conn, key_or_label)
            linked = conn.execute(
                select(source.c.id, source.c.name)
                .join(source_case, source_case.c.source_id == source.c.id)
                .where(source_case.c.case_id == ref.id)
                .order_by(source.c.name)
            ).all()
            names = [name for _, name in linked]
            _refuse_shared(conn, ref, [sid for sid, _ in linked], include_shared)
            anonymised = _anonymised(conn)
        if anonymised and key is None and not without_key:
            raise InvalidInput(
                f"the project was anonymised: give the key file (--key) so that "
                f"{ref.label}'s identifiers leave it too, or --without-key if it no longer "
                "exists or holds none of theirs"
            )
        vault = KeyVault.open(key, passphrase or "") if key is not None else None
        with self.project.transaction("withdraw case", f"case {ref.key}") as tx:
            # The row changes would hold every deleted word for undo: keep none.
            tx.undoable = False
            if self.project.dialect == "sqlite":
                tx.conn.exec_driver_sql("PRAGMA secure_delete = ON")
            roots = {"case": {ref.id}, "source": {sid for sid, _ in linked}}
            gone = erase.dependent_rows(tx.conn, roots)
            removed = erase.delete_rows(tx, gone)
            # Vectors of their words are kept by the hash of the words, not by a key:
            # the embedding cache's own pruning finds them.
            from thematica.assist.cache import prune

            vectors = prune(tx.conn)
            if vectors:
                removed["embedding"] = vectors
            erased = erase.erase_from_log(tx.conn, gone, [*names, ref.label], ref.key)
            entries = None
            if vault is not None:
                entries = vault.remove_sources(names)
                vault.save()  # inside the transaction: if this fails, nothing is deleted
            tx.after = {
                "case": ref.key,
                "sources": len(names),
                "rows": removed,
                "events_erased": erased,
                "key_entries": entries,
            }
        wiped = erase.wipe_free_space(self.project.engine)
        with self.project.read() as conn:
            named = _still_named(conn, ref.label)
        return Withdrawal(
            ref.key, ref.label, tuple(names), removed, entries, erased, tx.event_id or 0,
            wiped, named,
        )  # fmt: skip

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


def _refuse_shared(
    conn: Connection, ref: CaseRef, source_ids: list[int], include_shared: bool
) -> None:
    """Refuse to remove a source that holds another participant's words too."""
    if include_shared or not source_ids:
        return
    shared = conn.execute(
        select(source.c.name, case.c.label)
        .join(source_case, source_case.c.source_id == source.c.id)
        .join(case, case.c.id == source_case.c.case_id)
        .where(source.c.id.in_(source_ids), case.c.id != ref.id)
        .order_by(source.c.name, case.c.label)
    ).first()
    if shared:
        raise InvalidInput(
            f"{shared.name} also holds the words of {shared.label}: withdrawing {ref.label} "
            "would remove theirs too; give --include-shared to remove the whole source"
        )


def _anonymised(conn: Connection) -> bool:
    """Whether the audit log shows sources of the project were anonymised. Which ones
    is not asked: an earlier withdrawal erases the names from those events."""
    query = select(audit.c.id).where(audit.c.action == "anonymise").limit(1)
    return conn.execute(query).first() is not None


def _still_named(conn: Connection, label: str) -> tuple[str, ...]:
    """The researchers' own writing that names ``label`` and was not anchored to the
    participant's data (journal entries, memos on codes, theme definitions, code
    descriptions): a withdrawal leaves it to them to reword."""
    pattern = re.compile(rf"(?<!\w){re.escape(label)}(?!\w)")
    like = f"%{label}%"
    found = [
        f"memo {memo_id} ({kind})"
        for memo_id, kind, title, text in conn.execute(
            select(memo.c.id, memo.c.anchor_kind, memo.c.title, memo.c.text)
            .where(or_(memo.c.text.like(like), memo.c.title.like(like)))
            .order_by(memo.c.id)
        )
        if pattern.search(title) or pattern.search(text)
    ]
    for kind, table, column in (
        ("theme", theme, theme.c.definition),
        ("code", code, code.c.description),
    ):
        for name, words in conn.execute(
            select(table.c.name, column).where(column.like(like)).order_by(table.c.id)
        ):
            if pattern.search(words):
                found.append(f"{kind} {name!r}")
    return tuple(found)


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


def _find_attribute(conn: Connection, name: str) -> tuple[Attribute, int]:
    row = conn.execute(
        select(attribute.c.id, attribute.c.type, attribute.c.position, attribute.c.levels).where(
            attribute.c.name == name
        )
    ).first()
    if row is None:
        names = select(attribute.c.name).order_by(attribute.c.position)
        raise not_found(
            "attribute", name, list(conn.execute(names).scalars()), "thematica cases list"
        )
    levels = tuple(row.levels) if row.levels else None
    return Attribute(name, row.type, row.position, levels), row.id


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
