"""The codebook: a tree of codes with names, descriptions and colours.

>>> project.codes.add("Therapist relationship")
>>> project.codes.add("Warmth", parent="Therapist relationship", description="Kindness felt")
>>> project.codes.merge("Kindness", into="Warmth")
>>> warmth = project.codes.get("Warmth")
>>> warmth.codings, warmth.sources, warmth.participants, warmth.with_children.participants

Codes are named; a name is unique among its siblings. Anywhere a code is asked for, its
name will do when it is unique in the codebook, and its path (``Parent/Child``) otherwise.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.engine import Connection

from thematica.coding.anchors import detach_coding_memos
from thematica.coding.coders import hide_from_blind
from thematica.errors import Conflict, InvalidInput, NotFound, not_found
from thematica.store.schema import audit, code, coding, memo, source_case
from thematica.themes.links import drop_code_links, move_code_links

if TYPE_CHECKING:
    from thematica.project import Project, Transaction

# Tableau 10: distinct, colour-blind-tolerant colours for top-level codes.
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)  # fmt: skip
SEPARATOR = "/"


@dataclass(frozen=True)
class Counts:
    """How much a code is used: its codings, the distinct sources they are in, and the
    distinct participants: the cases linked to those sources."""

    codings: int = 0
    sources: int = 0
    participants: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"codings": self.codings, "sources": self.sources, "participants": self.participants}


@dataclass(frozen=True)
class Code:
    id: int
    name: str
    path: str
    parent: str | None
    description: str
    colour: str
    depth: int
    codings: int = 0
    sources: int = 0
    participants: int = 0
    # The same counts over the code and all its sub-codes: a source or participant
    # that two of them share counts once, so these are not sums of the children's.
    with_children: Counts = Counts()
    # Raised by every change to the code itself; a change made against an older version
    # is refused (see Codebook.rename's ``version``).
    version: int = 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "parent": self.parent,
            "description": self.description,
            "colour": self.colour,
            "codings": self.codings,
            "sources": self.sources,
            "participants": self.participants,
            "with_children": self.with_children.as_dict(),
            "version": self.version,
        }


@dataclass(frozen=True)
class CodebookImport:
    created: int
    updated: int


def check_colour(colour: str) -> str:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        raise InvalidInput(f"colour {colour!r} is not of the form #rrggbb")
    return colour.lower()


def check_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput("a code needs a name")
    return cleaned


class NamedTree:
    """Named rows in a tree (``id``, ``parent_id``, ``name``, ``position``), held in
    memory: the codebook's codes, and the themes (see thematica.themes.tree)."""

    def __init__(self, rows: dict[int, Any]) -> None:
        self.rows = rows
        self.children: dict[int | None, list[int]] = {}
        for row in sorted(self.rows.values(), key=lambda r: (r.position, r.id)):
            self.children.setdefault(row.parent_id, []).append(row.id)

    def path(self, node_id: int) -> str:
        """``Parent/Child``: the names from the top down."""
        parts = []
        current: int | None = node_id
        while current is not None:
            parts.append(self.rows[current].name)
            current = self.rows[current].parent_id
        return SEPARATOR.join(reversed(parts))

    def walk(self, parent: int | None = None, depth: int = 0) -> Iterable[tuple[int, int]]:
        """``(id, depth)`` depth first, in order."""
        for child in self.children.get(parent, []):
            yield child, depth
            yield from self.walk(child, depth + 1)

    def descendants(self, node_id: int) -> list[int]:
        return [n for n, _ in self.walk(node_id)]

    def child_named(self, parent: int | None, name: str) -> int | None:
        for child in self.children.get(parent, []):
            if self.rows[child].name == name:
                return child
        return None

    def at_path(self, path: str) -> int | None:
        """The row at ``Parent/Child``, or None."""
        current: int | None = None
        for part in path.split(SEPARATOR):
            current = self.child_named(current, part.strip())
            if current is None:
                return None
        return current


class _Tree(NamedTree):
    """All codes of a project in memory: a few hundred rows, read in one query."""

    def __init__(self, conn: Connection) -> None:
        super().__init__(
            {
                row.id: row
                for row in conn.execute(
                    select(
                        code.c.id,
                        code.c.parent_id,
                        code.c.name,
                        code.c.description,
                        code.c.colour,
                        code.c.position,
                        code.c.version,
                    )
                )
            }
        )

    def find(self, name: str) -> int:
        matches = [r.id for r in self.rows.values() if r.name == name]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            paths = " or ".join(repr(self.path(m)) for m in matches[:3])
            raise InvalidInput(f"code name {name!r} is ambiguous: use its path, e.g. {paths}")
        if SEPARATOR in name and (found := self.at_path(name)) is not None:
            return found
        raise not_found("code", name, [r.name for r in self.rows.values()], "thematica codes list")

    def code(self, code_id: int, counts: tuple[Counts, Counts]) -> Code:
        """The code with its ``(own, with_children)`` counts (see :func:`code_counts`)."""
        row = self.rows[code_id]
        own, with_children = counts
        return Code(
            id=row.id,
            name=row.name,
            path=self.path(code_id),
            parent=self.path(row.parent_id) if row.parent_id is not None else None,
            description=row.description,
            colour=row.colour,
            depth=self.path(code_id).count(SEPARATOR),
            codings=own.codings,
            sources=own.sources,
            participants=own.participants,
            with_children=with_children,
            version=row.version,
        )

    def check_version(self, code_id: int, version: int | None, conn: Connection) -> None:
        """Refuse a change made against ``version`` of a code that has moved on since.

        Two members of a team may open the same code; the second to save must not undo
        the first's change unseen. ``None``: no version was given, nothing to check.
        """
        current = self.rows[code_id].version
        if version is None or version == current:
            return
        who = last_change(conn, code_id)
        by = f" by {who[0]} at {who[1][:16].replace('T', ' ')}" if who else ""
        raise Conflict(
            f"code {self.path(code_id)!r} was changed{by} since you opened it (it is at "
            f"version {current}, your change was made to version {version}): reload it "
            "and make your change again"
        )

    def bump(self, tx: Transaction, code_id: int, values: dict[str, Any]) -> None:
        """Update a code's row and raise its version."""
        tx.update(code, code_id, {**values, "version": self.rows[code_id].version + 1})


_CODINGS_BY_SOURCE_AND_CASE = (
    select(coding.c.code_id, coding.c.source_id, source_case.c.case_id, func.count())
    .outerjoin(source_case, source_case.c.source_id == coding.c.source_id)
    .group_by(coding.c.code_id, coding.c.source_id, source_case.c.case_id)
)


def code_counts(
    conn: Connection, tree: NamedTree, actor: str, code_ids: list[int] | None = None
) -> dict[int, tuple[Counts, Counts]]:
    """``code id -> (own counts, counts with its sub-codes)`` for every code of ``tree``
    (or only ``code_ids``), from one query, as ``actor`` may see them: a blind coder's
    counts leave out the codings hidden from them, which would otherwise show others at
    work on the double-coded sources.

    The query groups codings by code, source and linked case: a few rows per code and
    source, however many codings there are. Distinct sources and participants of a
    subtree are then unions of its codes' sets, which SQL could only count with a
    recursive join over every coding (ten times slower at 3,600 codings).
    """
    query = hide_from_blind(_CODINGS_BY_SOURCE_AND_CASE, conn, actor, coding)
    wanted = list(tree.rows) if code_ids is None else code_ids
    if code_ids is not None:
        subtrees = {d for c in code_ids for d in (c, *tree.descendants(c))}
        query = query.where(coding.c.code_id.in_(subtrees))
    # code -> source -> codings; a source's count repeats on each of its linked cases
    per_source: dict[int, dict[int, int]] = defaultdict(dict)
    cases: dict[int, set[int]] = defaultdict(set)
    for code_id, source_id, case_id, n in conn.execute(query).all():
        per_source[code_id][source_id] = n
        if case_id is not None:
            cases[code_id].add(case_id)

    def usage(ids: list[int]) -> Counts:
        sources: set[int] = set()
        participants: set[int] = set()
        codings = 0
        for i in ids:
            codings += sum(per_source.get(i, {}).values())
            sources.update(per_source.get(i, ()))
            participants.update(cases.get(i, ()))
        return Counts(codings, len(sources), len(participants))

    return {c: (usage([c]), usage([c, *tree.descendants(c)])) for c in wanted}


_CODE_BY_NAME = select(code.c.id).where(code.c.name == bindparam("name"))
_CODE_BY_ID = select(code.c.name, code.c.parent_id).where(code.c.id == bindparam("id"))


def find_code(conn: Connection, name: str) -> int:
    """A code's id from its name (when unique) or its ``Parent/Child`` path."""
    found = conn.execute(_CODE_BY_NAME, {"name": name}).scalars().all()
    if len(found) == 1:
        return found[0]
    return _Tree(conn).find(name)


def code_path(conn: Connection, code_id: int) -> str:
    """A code's ``Parent/Child`` path, read up its ancestors (a few rows, not the tree)."""
    parts: list[str] = []
    current: int | None = code_id
    while current is not None:
        name, current = conn.execute(_CODE_BY_ID, {"id": current}).one()
        parts.append(name)
    return SEPARATOR.join(reversed(parts))


def insert_code(
    tx: Transaction,
    tree: _Tree,
    name: str,
    parent_id: int | None,
    description: str,
    colour: str | None,
) -> int:
    """Insert a code under ``parent_id`` and keep the in-memory ``tree`` in step."""
    name = check_name(name)
    if tree.child_named(parent_id, name) is not None:
        where = f"under {tree.path(parent_id)!r}" if parent_id else "at the top level"
        raise InvalidInput(f"a code named {name!r} already exists {where}")
    siblings = tree.children.get(parent_id, [])
    if colour is None:
        colour = (
            tree.rows[parent_id].colour
            if parent_id is not None
            else PALETTE[len(siblings) % len(PALETTE)]
        )
    values = {
        "parent_id": parent_id,
        "name": name,
        "description": description.strip(),
        "colour": check_colour(colour),
        "position": len(siblings),
        "version": 1,
    }
    code_id = tx.insert(code, values)
    tree.rows[code_id] = _Row(id=code_id, **values)
    tree.children.setdefault(parent_id, []).append(code_id)
    return code_id


class Codebook:
    """The project's codebook. Reached as ``project.codes``."""

    def __init__(self, project: Project) -> None:
        self.project = project

    # -- reading ---------------------------------------------------------------------

    def list(self) -> list[Code]:
        """Every code, depth first, in codebook order, with its counts of codings,
        sources and participants, alone and with its sub-codes (see :class:`Counts`)."""
        with self.project.read() as conn:
            tree = _Tree(conn)
            counts = code_counts(conn, tree, self.project.actor)
        return [tree.code(code_id, counts[code_id]) for code_id, _ in tree.walk()]

    def colours(self) -> dict[int, str]:
        """Each code's colour by id, without the counts :meth:`list` works out."""
        with self.project.read() as conn:
            return dict(conn.execute(select(code.c.id, code.c.colour).order_by(code.c.id)).all())

    def get(self, name: str) -> Code:
        """One code by name or path, with its counts as in :meth:`list`."""
        with self.project.read() as conn:
            tree = _Tree(conn)
            code_id = tree.find(name)
            counts = code_counts(conn, tree, self.project.actor, [code_id])
        return tree.code(code_id, counts[code_id])

    # -- changing --------------------------------------------------------------------

    def add(
        self,
        name: str,
        parent: str | None = None,
        description: str = "",
        colour: str | None = None,
    ) -> Code:
        """Add a code at the top level or under ``parent``."""
        with self.project.transaction("add code", name) as tx:
            tree = _Tree(tx.conn)
            parent_id = tree.find(parent) if parent else None
            code_id = insert_code(tx, tree, name, parent_id, description, colour)
            tx.target = tree.path(code_id)
            tx.after = {"name": tx.target, "description": description}
        return self.get(tx.target)

    def rename(self, name: str, new_name: str, version: int | None = None) -> Code:
        """Rename a code.

        ``version`` (as in every change to a code): the :attr:`Code.version` the change
        was made against, as a team member's page showed it; if someone has changed the
        code since, :class:`~thematica.errors.Conflict` says who and nothing changes.
        """
        new_name = check_name(new_name)
        with self.project.transaction("rename code", name) as tx:
            tree = _Tree(tx.conn)
            code_id = tree.find(name)
            tree.check_version(code_id, version, tx.conn)
            parent_id = tree.rows[code_id].parent_id
            clash = tree.child_named(parent_id, new_name)
            if clash is not None and clash != code_id:
                raise InvalidInput(f"a sibling code is already named {new_name!r}")
            tree.bump(tx, code_id, {"name": new_name})
            tx.before, tx.after = {"name": tree.rows[code_id].name}, {"name": new_name}
        return self._get_id(code_id)

    def describe(self, name: str, description: str, version: int | None = None) -> Code:
        values = {"description": description.strip()}
        return self._set(name, "describe code", values, version)

    def recolour(self, name: str, colour: str, version: int | None = None) -> Code:
        return self._set(name, "recolour code", {"colour": check_colour(colour)}, version)

    def _set(self, name: str, action: str, values: dict[str, Any], version: int | None) -> Code:
        with self.project.transaction(action, name) as tx:
            tree = _Tree(tx.conn)
            code_id = tree.find(name)
            tree.check_version(code_id, version, tx.conn)
            tx.target = tree.path(code_id)
            tx.before = {k: getattr(tree.rows[code_id], k) for k in values}
            tx.after = values
            tree.bump(tx, code_id, values)
        return self._get_id(code_id)

    def move(self, name: str, parent: str | None, version: int | None = None) -> Code:
        """Move a code (with its subtree) under ``parent``, or to the top level if None."""
        with self.project.transaction("move code", name) as tx:
            tree = _Tree(tx.conn)
            code_id = tree.find(name)
            tree.check_version(code_id, version, tx.conn)
            parent_id = tree.find(parent) if parent else None
            if parent_id is not None and (
                parent_id == code_id or parent_id in tree.descendants(code_id)
            ):
                raise InvalidInput(f"cannot move {name!r} under itself or one of its children")
            if tree.child_named(parent_id, tree.rows[code_id].name) not in (None, code_id):
                raise InvalidInput(
                    f"{parent or 'the top level'!r} already has a code named "
                    f"{tree.rows[code_id].name!r}: merge them instead"
                )
            old_parent = tree.rows[code_id].parent_id
            tx.before = {"parent": tree.path(old_parent) if old_parent else None}
            tx.after = {"parent": tree.path(parent_id) if parent_id else None}
            tx.target = tree.path(code_id)
            position = len(tree.children.get(parent_id, []))
            tree.bump(tx, code_id, {"parent_id": parent_id, "position": position})
        return self._get_id(code_id)

    def merge(self, name: str, into: str, version: int | None = None) -> Code:
        """Merge code ``name`` into ``into``: its codings, memos and children move over.

        A coding that would duplicate one already on ``into`` (same source, span and
        coder) is dropped; every other coding is kept. The merged code is then deleted.
        ``version`` is that of the code merged away.
        """
        with self.project.transaction("merge code", f"{name} -> {into}") as tx:
            tree = _Tree(tx.conn)
            code_id, target_id = tree.find(name), tree.find(into)
            tree.check_version(code_id, version, tx.conn)
            if code_id == target_id:
                raise InvalidInput("cannot merge a code into itself")
            if target_id in tree.descendants(code_id):
                raise InvalidInput(f"cannot merge {name!r} into one of its own children")
            existing = {
                tuple(row)
                for row in tx.conn.execute(
                    select(
                        coding.c.source_id, coding.c.start, coding.c.end, coding.c.coder_id
                    ).where(coding.c.code_id == target_id)
                )
            }
            moving, duplicates = [], []
            for row in tx.conn.execute(
                select(
                    coding.c.id, coding.c.source_id, coding.c.start, coding.c.end, coding.c.coder_id
                ).where(coding.c.code_id == code_id)
            ):
                (duplicates if tuple(row[1:]) in existing else moving).append(row.id)
            tx.update_many(coding, moving, {"code_id": target_id})
            detach_coding_memos(tx, duplicates)
            tx.delete_many(coding, duplicates)
            memos = (
                tx.conn.execute(
                    select(memo.c.id).where(
                        memo.c.anchor_kind == "code", memo.c.anchor_id == code_id
                    )
                )
                .scalars()
                .all()
            )
            tx.update_many(memo, memos, {"anchor_id": target_id})
            move_code_links(tx, code_id, target_id)
            offset = len(tree.children.get(target_id, []))
            for index, child in enumerate(tree.children.get(code_id, [])):
                if tree.child_named(target_id, tree.rows[child].name) is not None:
                    raise InvalidInput(
                        f"both codes have a child named {tree.rows[child].name!r}: "
                        "merge those first"
                    )
                tree.bump(tx, child, {"parent_id": target_id, "position": offset + index})
            tx.delete(code, code_id)
            tx.target = f"{tree.path(code_id)} -> {tree.path(target_id)}"
            tx.after = {"codings_moved": len(moving), "duplicates_dropped": len(duplicates)}
        return self._get_id(target_id)

    def delete(self, name: str, force: bool = False, version: int | None = None) -> int:
        """Delete a code and its subtree; return the number of codings deleted with it.

        Refused while the code or its children have codings or memos, unless ``force``.
        """
        with self.project.transaction("delete code", name) as tx:
            tree = _Tree(tx.conn)
            code_id = tree.find(name)
            tree.check_version(code_id, version, tx.conn)
            doomed = [code_id, *tree.descendants(code_id)]
            codings = (
                tx.conn.execute(select(coding.c.id).where(coding.c.code_id.in_(doomed)))
                .scalars()
                .all()
            )
            memos = (
                tx.conn.execute(
                    select(memo.c.id).where(
                        memo.c.anchor_kind == "code", memo.c.anchor_id.in_(doomed)
                    )
                )
                .scalars()
                .all()
            )
            if (codings or memos) and not force:
                raise InvalidInput(
                    f"code {name!r} has {_count(len(codings), 'coding')} and "
                    f"{_count(len(memos), 'memo')}; use --force to delete them too, "
                    "or merge it into another code"
                )
            tx.target = tree.path(code_id)
            tx.before = {
                "codes": [tree.path(c) for c in doomed],
                "codings": len(codings),
                "memos": len(memos),
            }
            detach_coding_memos(tx, codings)
            tx.delete_many(coding, codings)
            tx.delete_many(memo, memos)
            drop_code_links(tx, doomed)
            for victim in reversed(doomed):
                tx.delete(code, victim)
            if force:
                tx.action = "delete code (forced)"
        return len(codings)

    def _get_id(self, code_id: int) -> Code:
        with self.project.read() as conn:
            tree = _Tree(conn)
            counts = code_counts(conn, tree, self.project.actor, [code_id])
            return tree.code(code_id, counts[code_id])

    # -- import and export ------------------------------------------------------------

    def export(self, path: str | Path) -> int:
        """Write the codebook to ``.csv`` or ``.yaml``; return the number of codes."""
        path = Path(path)
        codes = self.list()
        if path.suffix.lower() == ".csv":
            import csv

            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["name", "parent", "description", "colour"])
                for c in codes:
                    writer.writerow([c.name, c.parent or "", c.description, c.colour])
        elif path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            path.write_text(
                yaml.safe_dump(
                    {"codes": _nested(codes)}, sort_keys=False, allow_unicode=True, width=88
                ),
                encoding="utf-8",
            )
        else:
            raise InvalidInput(f"cannot export to {path.name}: use a .csv or .yaml file name")
        return len(codes)

    def import_file(self, path: str | Path, encoding: str | None = None) -> CodebookImport:
        """Add the codes of a ``.csv`` or ``.yaml`` codebook; update descriptions and colours
        of codes that already exist at the same path."""
        with self.project.transaction("import codebook", str(path)) as tx:
            tree = _Tree(tx.conn)
            records = read_codebook(
                Path(path),
                encoding,
                known=lambda p: tuple(tree.path(tree.find(p)).split(SEPARATOR)),
            )
            created = updated = 0
            for parts, description, colour in records:
                parent_id: int | None = None
                for part in parts[:-1]:
                    parent_id = tree.child_named(parent_id, part)
                existing = tree.child_named(parent_id, parts[-1])
                if existing is None:
                    insert_code(tx, tree, parts[-1], parent_id, description, colour)
                    created += 1
                    continue
                changes = {}
                if description and description != tree.rows[existing].description:
                    changes["description"] = description
                if colour and check_colour(colour) != tree.rows[existing].colour:
                    changes["colour"] = check_colour(colour)
                if changes:
                    tree.bump(tx, existing, changes)
                    updated += 1
            tx.after = {"created": created, "updated": updated}
        return CodebookImport(created, updated)


@dataclass
class _Row:
    id: int
    parent_id: int | None
    name: str
    description: str
    colour: str
    position: int
    version: int


def last_change(conn: Connection, code_id: int, look_back: int = 500) -> tuple[str, str] | None:
    """Who last changed a code's row, and when, from the recent audit log (only read
    to explain a conflict, so a plain scan of the latest events is enough)."""
    recent = conn.execute(
        select(audit.c.actor, audit.c.at, audit.c.changes)
        .where(audit.c.undone_by.is_(None))
        .order_by(audit.c.id.desc())
        .limit(look_back)
    )
    for actor, at, changes in recent:
        for change in changes or []:
            if (
                change["table"] == "code"
                and change["op"] == "update"
                and any(row["id"] == code_id for row in change["rows"])
            ):
                return actor, at
    return None


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _nested(codes: Sequence[Code]) -> list[dict[str, Any]]:
    roots: list[dict[str, Any]] = []
    by_path: dict[str, dict[str, Any]] = {}
    for c in codes:
        node: dict[str, Any] = {"name": c.name, "description": c.description, "colour": c.colour}
        by_path[c.path] = node
        siblings = roots if c.parent is None else by_path[c.parent].setdefault("children", [])
        siblings.append(node)
    return roots


def read_codebook(
    path: Path,
    encoding: str | None = None,
    known: Callable[[str], tuple[str, ...]] | None = None,
) -> list[tuple[tuple[str, ...], str, str | None]]:
    """Read a codebook file into ``(path parts, description, colour)`` records, parents
    first. CSV columns: ``name`` and optionally ``parent`` (a name or path in the same
    file, or of a code ``known`` already), ``description``, ``colour``. YAML: a ``codes``
    list of nested mappings."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        from thematica.ingest.tables import read_csv

        rows = read_csv(path, ["name"], encoding).rows
        flat = [
            (r["name"], r.get("parent", ""), r.get("description", ""), r.get("colour") or None)
            for r in rows
        ]
    elif suffix in (".yaml", ".yml"):
        flat = _read_yaml(path)
    else:
        raise InvalidInput(f"cannot import {path.name}: use a .csv or .yaml codebook")
    return _resolve_parents(path, flat, known)


def _read_yaml(path: Path) -> list[tuple[str, str, str, str | None]]:
    import yaml

    from thematica.ingest.files import read_text

    try:
        data = yaml.safe_load(read_text(path))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise InvalidInput(f"{path} is not valid YAML{where}") from None
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        raise InvalidInput(f"{path} must hold a 'codes' list")
    flat: list[tuple[str, str, str, str | None]] = []

    def walk(items: list, parent: str) -> None:
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                raise InvalidInput(
                    f"{path}: every code needs a 'name' (under {parent or 'the top'!r})"
                )
            name = check_name(item["name"])
            flat.append((name, parent, str(item.get("description") or ""), item.get("colour")))
            children = item.get("children") or []
            if not isinstance(children, list):
                raise InvalidInput(f"{path}: 'children' of {name!r} must be a list")
            walk(children, f"{parent}{SEPARATOR}{name}" if parent else name)

    walk(data["codes"], "")
    return flat


def _resolve_parents(
    path: Path,
    flat: list[tuple[str, str, str, str | None]],
    known: Callable[[str], tuple[str, ...]] | None,
) -> list[tuple[tuple[str, ...], str, str | None]]:
    """Turn (name, parent name-or-path) rows into full paths, parents before children."""
    resolved: dict[int, tuple[str, ...]] = {}
    while len(resolved) < len(flat):
        progress = False
        for index, (name, parent, _, _) in enumerate(flat):
            if index in resolved:
                continue
            if not parent:
                resolved[index] = (name,)
                progress = True
                continue
            wanted = tuple(part.strip() for part in parent.split(SEPARATOR))
            candidates = [i for i, row in enumerate(flat) if row[0] == wanted[-1]]
            if not candidates:
                try:
                    resolved[index] = (*known(parent), name) if known else ()
                except (InvalidInput, NotFound):
                    resolved[index] = ()
                if not resolved[index]:
                    raise InvalidInput(
                        f"{path}: parent {parent!r} of {name!r} is neither in the file "
                        "nor in the codebook"
                    )
                progress = True
                continue
            if any(i not in resolved for i in candidates):
                continue  # decide once every candidate's own path is known
            matches = [i for i in candidates if resolved[i][-len(wanted) :] == wanted]
            if len(matches) != 1:
                problem = "is not in the file" if not matches else "is ambiguous: use its path"
                raise InvalidInput(f"{path}: parent {parent!r} of {name!r} {problem}")
            resolved[index] = (*resolved[matches[0]], name)
            progress = True
        if not progress:
            stuck = next(flat[i][0] for i in range(len(flat)) if i not in resolved)
            raise InvalidInput(f"{path}: code {stuck!r} is its own ancestor")
    records = sorted(
        ((resolved[i], row[2], row[3]) for i, row in enumerate(flat)), key=lambda r: len(r[0])
    )
    if len({r[0] for r in records}) < len(records):
        seen: set[tuple[str, ...]] = set()
        for parts, _, _ in records:
            if parts in seen:
                raise InvalidInput(f"{path}: code {SEPARATOR.join(parts)!r} appears twice")
            seen.add(parts)
    return records
