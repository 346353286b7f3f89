"""Themes and subthemes: building, reorganising and documenting them, with their history.

>>> project.themes.add("Trust earned by constancy", definition="...", codes=["Warmth"])
>>> project.themes.add("Like a mum would", parent="Trust earned by constancy")
>>> project.themes.set_status("Like a mum would", "reviewed")
>>> project.themes.split("Trust earned by constancy", "Endings", codes=["Ending therapy"])
>>> project.themes.history("Endings")

Every change is one audit event that names the themes it touched (``"themes": [ids]``
in its before or after), which is how :meth:`Themes.history` finds a theme's events
again after renames, merges and splits. Undo is the project's generic undo.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select

from thematica.errors import InvalidInput, NotFound
from thematica.store.schema import (
    audit,
    exemplar,
    exemplar_span,
    framework_summary,
    theme,
    theme_code,
)
from thematica.store.schema import coding as coding_table
from thematica.themes.tree import (
    SEPARATOR,
    CodeNames,
    Row,
    Theme,
    ThemeTree,
    check_name,
    check_status,
    clean_text,
)

if TYPE_CHECKING:
    from thematica.project import Project, Transaction
    from thematica.themes.framework import Framework
    from thematica.themes.phases import Progress
    from thematica.themes.prevalence import Prevalence
    from thematica.themes.quotes import Quote
    from thematica.themes.wording import Wording

# The audit actions of theme changes; history() reads these (and undos of them).
ACTIONS = (
    "add theme",
    "rename theme",
    "define theme",
    "set theme status",
    "set theme contextual",
    "move theme",
    "link codes to theme",
    "unlink codes from theme",
    "merge themes",
    "split theme",
    "delete theme",
    "delete theme (forced)",
    "import themes",
    "add quote",
    "remove quote",
    "summarise theme",
)


@dataclass(frozen=True)
class ThemeImport:
    created: int
    updated: int
    links: int


@dataclass(frozen=True)
class ThemeEvent:
    """One change in a theme's history."""

    id: int
    at: str
    actor: str
    action: str
    what: str  # one line, as seen from the theme asked about
    undone_by: int | None
    before: Any = None  # the audit event's own record, in full
    after: Any = None

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def insert_theme(
    tx: Transaction,
    tree: ThemeTree,
    name: str,
    parent_id: int | None,
    definition: str = "",
    status: str = "candidate",
    contextual: bool = False,
    position: int | None = None,
) -> int:
    """Insert a theme under ``parent_id`` (last, or at ``position`` from 0) and keep the
    in-memory ``tree`` in step."""
    name = check_name(name)
    if tree.child_named(parent_id, name) is not None:
        where = f"under {tree.path(parent_id)!r}" if parent_id else "at the top level"
        raise InvalidInput(f"a theme named {name!r} already exists {where}")
    siblings = list(tree.children.get(parent_id, []))
    index = len(siblings) if position is None else position
    values = {
        "parent_id": parent_id,
        "name": name,
        "definition": clean_text(definition),
        "status": check_status(status),
        "contextual": bool(contextual),
        "position": index,
    }
    theme_id = tx.insert(theme, values)
    tree.rows[theme_id] = Row(id=theme_id, **values)
    siblings.insert(index, theme_id)
    renumber(tx, tree, parent_id, siblings)
    return theme_id


def renumber(tx: Transaction, tree: ThemeTree, parent_id: int | None, order: list[int]) -> None:
    """Make ``order`` the children of ``parent_id``, positions 0, 1, 2..."""
    changes = {}
    for index, theme_id in enumerate(order):
        row = tree.rows[theme_id]
        values: dict[str, Any] = {}
        if row.position != index:
            values["position"] = index
        if row.parent_id != parent_id:
            values["parent_id"] = parent_id
        if values:
            changes[theme_id] = values
            row.position, row.parent_id = index, parent_id
    tx.update_each(theme, changes)
    tree.children[parent_id] = list(order)


def _ids(conn, column, values: Sequence[int], wanted) -> list[int]:
    found: list[int] = []
    for at in range(0, len(values), 500):
        chunk = list(values[at : at + 500])
        found += conn.execute(select(wanted).where(column.in_(chunk))).scalars()
    return found


class Themes:
    """The project's themes. Reached as ``project.themes``."""

    def __init__(self, project: Project) -> None:
        self.project = project

    # -- reading ---------------------------------------------------------------------

    def list(self) -> list[Theme]:
        """Every theme and subtheme, depth first, in order."""
        with self.project.read() as conn:
            tree, names = ThemeTree(conn), CodeNames(conn)
            quotes = _quote_counts(conn)
            return [tree.theme(t, names, quotes.get(t, 0)) for t, _ in tree.walk()]

    def get(self, name: str) -> Theme:
        """A theme by its name, its ``Theme/Subtheme`` path, or its number (``3``, ``#3``)."""
        with self.project.read() as conn:
            tree = ThemeTree(conn)
            theme_id = tree.find(name)
            return tree.theme(theme_id, CodeNames(conn), _quote_counts(conn).get(theme_id, 0))

    def _get_id(self, theme_id: int) -> Theme:
        with self.project.read() as conn:
            tree = ThemeTree(conn)
            return tree.theme(theme_id, CodeNames(conn), _quote_counts(conn).get(theme_id, 0))

    # -- changing --------------------------------------------------------------------

    def add(
        self,
        name: str,
        parent: str | None = None,
        definition: str = "",
        status: str = "candidate",
        contextual: bool = False,
        codes: Sequence[str] = (),
    ) -> Theme:
        """Add a theme, or a subtheme under ``parent``, optionally with linked codes."""
        with self.project.transaction("add theme", name) as tx:
            tree = ThemeTree(tx.conn)
            parent_id = tree.find(parent) if parent else None
            theme_id = insert_theme(tx, tree, name, parent_id, definition, status, contextual)
            names = CodeNames(tx.conn)
            linked = self._link(tx, tree, names, theme_id, codes)
            tx.target = tree.path(theme_id) or name
            row = tree.rows[theme_id]
            tx.after = {
                "themes": [theme_id],
                "name": tx.target,
                "definition": row.definition,
                "status": row.status,
                "contextual": row.contextual,
                "codes": [names.ref(c) for c in linked],
            }
        return self._get_id(theme_id)

    def rename(self, name: str, new_name: str) -> Theme:
        new_name = check_name(new_name)
        with self.project.transaction("rename theme", name) as tx:
            tree = ThemeTree(tx.conn)
            theme_id = tree.find(name)
            row = tree.rows[theme_id]
            clash = tree.child_named(row.parent_id, new_name)
            if clash is not None and clash != theme_id:
                raise InvalidInput(f"a sibling theme is already named {new_name!r}")
            tx.target = tree.path(theme_id) or name
            tx.before = {"themes": [theme_id], "name": row.name}
            tx.after = {"themes": [theme_id], "name": new_name}
            tx.update(theme, theme_id, {"name": new_name})
        return self._get_id(theme_id)

    def define(self, name: str, definition: str) -> Theme:
        """Set a theme's definition (what it is about, and what it is not)."""
        return self._set(name, "define theme", "definition", clean_text(definition))

    def set_status(self, name: str, status: str) -> Theme:
        """Set a theme's status: candidate, reviewed or defined."""
        return self._set(name, "set theme status", "status", check_status(status))

    def set_contextual(self, name: str, contextual: bool = True) -> Theme:
        """Mark a theme as contextual (it frames the others), or not."""
        return self._set(name, "set theme contextual", "contextual", bool(contextual))

    def _set(self, name: str, action: str, column: str, value: Any) -> Theme:
        with self.project.transaction(action, name) as tx:
            tree = ThemeTree(tx.conn)
            theme_id = tree.find(name)
            tx.target = tree.path(theme_id) or name
            tx.before = {"themes": [theme_id], column: getattr(tree.rows[theme_id], column)}
            tx.after = {"themes": [theme_id], column: value}
            tx.update(theme, theme_id, {column: value})
        return self._get_id(theme_id)

    def move(
        self,
        name: str,
        parent: str | None = None,
        *,
        top: bool = False,
        position: int | None = None,
    ) -> Theme:
        """Move a theme (with its subthemes) under ``parent``, or to the top level with
        ``top``, and/or to ``position`` among its siblings (1 is first). With neither
        ``parent`` nor ``top`` it stays under its parent and is only reordered."""
        if parent is not None and top:
            raise InvalidInput("give a parent theme or the top level, not both")
        with self.project.transaction("move theme", name) as tx:
            tree = ThemeTree(tx.conn)
            theme_id = tree.find(name)
            old_parent = tree.rows[theme_id].parent_id
            if parent is not None:
                new_parent: int | None = tree.find(parent)
            else:
                new_parent = None if top else old_parent
            if new_parent is not None and (
                new_parent == theme_id or new_parent in tree.descendants(theme_id)
            ):
                raise InvalidInput(f"cannot move {name!r} under itself or one of its subthemes")
            if new_parent != old_parent and tree.child_named(new_parent, tree.rows[theme_id].name):
                where = repr(tree.path(new_parent)) if new_parent else "the top level"
                raise InvalidInput(
                    f"{where} already has a theme named {tree.rows[theme_id].name!r}: "
                    "merge them instead"
                )
            old_index = tree.children[old_parent].index(theme_id)
            siblings = [t for t in tree.children.get(new_parent, []) if t != theme_id]
            if position is None:
                index = old_index if new_parent == old_parent else len(siblings)
            elif not 1 <= position <= len(siblings) + 1:
                raise InvalidInput(f"position must be 1 to {len(siblings) + 1}")
            else:
                index = position - 1
            tx.target = tree.path(theme_id) or name
            tx.before = {
                "themes": [theme_id],
                "parent": tree.path(old_parent),
                "position": old_index + 1,
            }
            if new_parent != old_parent:
                renumber(
                    tx, tree, old_parent, [t for t in tree.children[old_parent] if t != theme_id]
                )
            siblings.insert(index, theme_id)
            renumber(tx, tree, new_parent, siblings)
            tx.after = {
                "themes": [theme_id],
                "parent": tree.path(new_parent),
                "position": index + 1,
            }
        return self._get_id(theme_id)

    def link(self, name: str, codes: Sequence[str]) -> Theme:
        """Link codes (names or paths) to a theme."""
        if not codes:
            raise InvalidInput("name at least one code to link")
        with self.project.transaction("link codes to theme", name) as tx:
            tree, names = ThemeTree(tx.conn), CodeNames(tx.conn)
            theme_id = tree.find(name)
            linked = self._link(tx, tree, names, theme_id, codes)
            tx.target = tree.path(theme_id) or name
            tx.after = {"themes": [theme_id], "codes": [names.ref(c) for c in linked]}
        return self._get_id(theme_id)

    def _link(
        self,
        tx: Transaction,
        tree: ThemeTree,
        names: CodeNames,
        theme_id: int,
        codes: Sequence[str],
        skip_linked: bool = False,
    ) -> list[int]:
        current = tree.codes(theme_id)
        wanted: list[int] = []
        for given in codes:
            code_id = names.find(given)
            if code_id in current or code_id in wanted:
                if skip_linked:
                    continue
                raise InvalidInput(
                    f"code {names.ref(code_id)!r} is already linked to {tree.path(theme_id)!r}"
                )
            wanted.append(code_id)
        rows = [
            {"theme_id": theme_id, "code_id": code_id, "position": len(current) + index}
            for index, code_id in enumerate(wanted)
        ]
        link_ids = tx.insert_many(theme_code, rows)
        tree.links.setdefault(theme_id, []).extend(zip(link_ids, wanted, strict=True))
        return wanted

    def unlink(self, name: str, codes: Sequence[str]) -> Theme:
        """Unlink codes from a theme; the codes and their codings stay as they are."""
        if not codes:
            raise InvalidInput("name at least one code to unlink")
        with self.project.transaction("unlink codes from theme", name) as tx:
            tree, names = ThemeTree(tx.conn), CodeNames(tx.conn)
            theme_id = tree.find(name)
            links = dict((c, link) for link, c in tree.links.get(theme_id, []))
            doomed = []
            for given in codes:
                code_id = names.find(given)
                if code_id not in links:
                    raise InvalidInput(
                        f"code {names.ref(code_id)!r} is not linked to {tree.path(theme_id)!r}"
                    )
                doomed.append(code_id)
            tx.delete_many(theme_code, [links[c] for c in doomed])
            tx.target = tree.path(theme_id) or name
            tx.before = {"themes": [theme_id], "codes": [names.ref(c) for c in doomed]}
        return self._get_id(theme_id)

    def merge(self, name: str, into: str) -> Theme:
        """Merge theme ``name`` into ``into``: its codes, subthemes, quotes and framework
        summaries move over (a summary for the same participant is appended to the one
        there), ``into`` keeps its name and definition (or takes the merged one's if it
        had none), and ``name`` is removed. The audit event keeps what it was."""
        with self.project.transaction("merge themes", f"{name} -> {into}") as tx:
            conn = tx.conn
            tree, names = ThemeTree(conn), CodeNames(conn)
            gone, kept = tree.find(name), tree.find(into)
            if gone == kept:
                raise InvalidInput("cannot merge a theme into itself")
            if kept in tree.descendants(gone):
                raise InvalidInput(f"cannot merge {name!r} into one of its own subthemes")
            gone_row, kept_row = tree.rows[gone], tree.rows[kept]
            tx.target = f"{tree.path(gone)} -> {tree.path(kept)}"
            tx.before = {
                "themes": [gone, kept],
                "merged": {
                    "name": tree.path(gone),
                    "definition": gone_row.definition,
                    "status": gone_row.status,
                    "codes": [names.ref(c) for c in tree.codes(gone)],
                },
            }
            # Code links.
            kept_codes = set(tree.codes(kept))
            offset = len(kept_codes)
            moving, doubled = {}, []
            for link_id, code_id in tree.links.get(gone, []):
                if code_id in kept_codes:
                    doubled.append(link_id)
                else:
                    moving[link_id] = {"theme_id": kept, "position": offset + len(moving)}
            tx.delete_many(theme_code, doubled)
            tx.update_each(theme_code, moving)
            # Subthemes.
            kept_children = [t for t in tree.children.get(kept, []) if t != gone]
            for child in tree.children.get(gone, []):
                if tree.child_named(kept, tree.rows[child].name) not in (None, gone):
                    raise InvalidInput(
                        f"both themes have a subtheme named {tree.rows[child].name!r}: "
                        "merge those first"
                    )
            moved_children = list(tree.children.get(gone, []))
            renumber(tx, tree, kept, kept_children + moved_children)
            # Quotes.
            quotes = conn.execute(
                select(exemplar.c.id, exemplar.c.theme_id)
                .order_by(exemplar.c.position, exemplar.c.id)
                .where(exemplar.c.theme_id.in_([gone, kept]))
            ).all()
            have = sum(1 for q in quotes if q.theme_id == kept)
            tx.update_each(
                exemplar,
                {
                    q.id: {"theme_id": kept, "position": have + index}
                    for index, q in enumerate(q for q in quotes if q.theme_id == gone)
                },
            )
            # Framework summaries.
            summaries = conn.execute(
                select(
                    framework_summary.c.id,
                    framework_summary.c.theme_id,
                    framework_summary.c.case_id,
                    framework_summary.c.text,
                ).where(framework_summary.c.theme_id.in_([gone, kept]))
            ).all()
            there = {s.case_id: s for s in summaries if s.theme_id == kept}
            for summary in (s for s in summaries if s.theme_id == gone):
                if summary.case_id in there:
                    joined = f"{there[summary.case_id].text}\n\n{summary.text}"
                    tx.update(framework_summary, there[summary.case_id].id, {"text": joined})
                    tx.delete(framework_summary, summary.id)
                else:
                    tx.update(framework_summary, summary.id, {"theme_id": kept})
            if not kept_row.definition and gone_row.definition:
                tx.update(theme, kept, {"definition": gone_row.definition})
            old_parent = gone_row.parent_id
            if old_parent != kept:
                renumber(tx, tree, old_parent, [t for t in tree.children[old_parent] if t != gone])
            tx.delete(theme, gone)
            tx.after = {
                "themes": [gone, kept],
                "into": tree.path(kept),
                "codes_moved": len(moving),
                "subthemes_moved": len(moved_children),
                "quotes_moved": len(quotes) - have,
            }
        return self._get_id(kept)

    def split(
        self,
        name: str,
        new_name: str,
        codes: Sequence[str] = (),
        subthemes: Sequence[str] = (),
        definition: str = "",
    ) -> Theme:
        """Split a theme: a new sibling theme, right after it, takes the given linked
        ``codes`` and ``subthemes`` (and the quotes chosen from codings of those codes).
        Returns the new theme."""
        if not codes and not subthemes:
            raise InvalidInput("name the codes or subthemes that go to the new theme")
        with self.project.transaction("split theme", name) as tx:
            conn = tx.conn
            tree, names = ThemeTree(conn), CodeNames(conn)
            old_id = tree.find(name)
            links = {c: link for link, c in tree.links.get(old_id, [])}
            code_ids = []
            for given in codes:
                code_id = names.find(given)
                if code_id not in links:
                    raise InvalidInput(
                        f"code {names.ref(code_id)!r} is not linked to {tree.path(old_id)!r}"
                    )
                if code_id not in code_ids:
                    code_ids.append(code_id)
            sub_ids = []
            for given in subthemes:
                sub_id = tree.find(given)
                if tree.rows[sub_id].parent_id != old_id:
                    raise InvalidInput(
                        f"{tree.path(sub_id)!r} is not a subtheme of {tree.path(old_id)!r}"
                    )
                if sub_id not in sub_ids:
                    sub_ids.append(sub_id)
            parent_id = tree.rows[old_id].parent_id
            index = tree.children[parent_id].index(old_id) + 1
            new_id = insert_theme(
                tx, tree, new_name, parent_id, definition, "candidate", False, index
            )
            tx.update_each(
                theme_code,
                {links[c]: {"theme_id": new_id, "position": i} for i, c in enumerate(code_ids)},
            )
            tree.links[new_id] = [(links[c], c) for c in code_ids]
            tree.links[old_id] = [(k, c) for k, c in tree.links[old_id] if c not in code_ids]
            renumber(tx, tree, new_id, sub_ids)
            renumber(
                tx, tree, old_id, [t for t in tree.children.get(old_id, []) if t not in sub_ids]
            )
            # Quotes chosen from codings of the codes that moved go with them.
            moved_codes = {d for c in code_ids for d in names.with_descendants(c)}
            quotes = conn.execute(
                select(exemplar.c.id, coding_table.c.code_id)
                .join(coding_table, coding_table.c.id == exemplar.c.coding_id)
                .where(exemplar.c.theme_id == old_id)
                .order_by(exemplar.c.position, exemplar.c.id)
            ).all()
            going = [q.id for q in quotes if q.code_id in moved_codes]
            tx.update_each(
                exemplar, {q: {"theme_id": new_id, "position": i} for i, q in enumerate(going)}
            )
            tx.target = tree.path(old_id) or name
            tx.after = {
                "themes": [old_id, new_id],
                "from": tree.path(old_id),
                "new": tree.path(new_id),
                "codes": [names.ref(c) for c in code_ids],
                "subthemes": [tree.rows[s].name for s in sub_ids],
                "quotes": len(going),
            }
        return self._get_id(new_id)

    def delete(self, name: str, force: bool = False) -> Theme:
        """Delete a theme with its subthemes and code links (the codes stay).

        Refused while it has subthemes, quotes or framework summaries, unless ``force``.
        Returns the theme as it was.
        """
        was = self.get(name)
        with self.project.transaction("delete theme", name) as tx:
            conn = tx.conn
            tree, names = ThemeTree(conn), CodeNames(conn)
            theme_id = tree.find(name)
            doomed = [theme_id, *tree.descendants(theme_id)]
            quotes = _ids(conn, exemplar.c.theme_id, doomed, exemplar.c.id)
            summaries = _ids(conn, framework_summary.c.theme_id, doomed, framework_summary.c.id)
            subs = len(doomed) - 1
            if (subs or quotes or summaries) and not force:
                parts = [
                    _count(n, noun)
                    for n, noun in (
                        (subs, "subtheme"),
                        (len(quotes), "quote"),
                        (len(summaries), "framework summary"),
                    )
                    if n
                ]
                raise InvalidInput(
                    f"theme {tree.path(theme_id)!r} has {' and '.join(parts)}; use --force to "
                    "delete them too, or merge it into another theme"
                )
            tx.target = tree.path(theme_id) or name
            row = tree.rows[theme_id]
            tx.before = {
                "themes": doomed,
                "name": tx.target,
                "definition": row.definition,
                "status": row.status,
                "codes": [names.ref(c) for c in tree.codes(theme_id)],
                "subthemes": [tree.path(t) for t in doomed[1:]],
                "quotes": len(quotes),
                "summaries": len(summaries),
            }
            pieces = _ids(conn, exemplar_span.c.exemplar_id, quotes, exemplar_span.c.id)
            tx.delete_many(exemplar_span, pieces)
            tx.delete_many(exemplar, quotes)
            tx.delete_many(framework_summary, summaries)
            tx.delete_many(theme_code, [link for t in doomed for link, _ in tree.links.get(t, [])])
            parent_id = row.parent_id
            renumber(tx, tree, parent_id, [t for t in tree.children[parent_id] if t != theme_id])
            for victim in reversed(doomed):
                tx.delete(theme, victim)
            if force and (subs or quotes or summaries):
                tx.action = "delete theme (forced)"
        return was

    # -- history ---------------------------------------------------------------------

    def history(self, name: str) -> list[ThemeEvent]:
        """Every audited change to a theme, oldest first: added, renamed, redefined,
        moved, linked, merged, split, quotes chosen, and undos of these.

        A theme that no longer exists (merged away, deleted) is named by its number,
        ``#7``, which its events and the log show.
        """
        import re

        with self.project.read() as conn:
            tree = ThemeTree(conn)
            try:
                theme_id = tree.find(name)
            except NotFound:
                number = re.fullmatch(r"#?(\d+)", name.strip())
                if number is None:
                    raise
                theme_id = int(number.group(1))
            rows = conn.execute(
                select(audit)
                .where(or_(audit.c.action.in_(ACTIONS), audit.c.action == "undo"))
                .order_by(audit.c.id)
            ).mappings()
            events = []
            for row in rows:
                involved = _themes_of(row["before"]) | _themes_of(row["after"])
                if theme_id in involved:
                    events.append(
                        ThemeEvent(
                            id=row["id"],
                            at=row["at"],
                            actor=row["actor"],
                            action=row["action"],
                            what=describe(row, theme_id),
                            undone_by=row["undone_by"],
                            before=row["before"],
                            after=row["after"],
                        )
                    )
        if not events:
            raise NotFound(f"no theme #{theme_id} in the log; `thematica themes list` shows them")
        return events

    # -- import and export -----------------------------------------------------------

    def export(self, path: str | Path) -> int:
        """Write the themes to YAML (the format :meth:`import_file` reads); return how many
        themes and subthemes were written."""
        import yaml

        path = Path(path)
        if path.suffix.lower() not in (".yaml", ".yml"):
            raise InvalidInput(f"cannot export to {path.name}: use a .yaml file name")
        with self.project.read() as conn:
            tree, names = ThemeTree(conn), CodeNames(conn)

        def node(theme_id: int) -> dict[str, Any]:
            row = tree.rows[theme_id]
            item: dict[str, Any] = {
                "name": row.name,
                "definition": row.definition,
                "status": row.status,
                "contextual": row.contextual,
                "codes": [names.ref(c) for c in tree.codes(theme_id)],
            }
            children = tree.children.get(theme_id, [])
            if children:
                item["subthemes"] = [node(c) for c in children]
            return item

        class Dumper(yaml.SafeDumper):
            """Long text (definitions) folded over lines, as a person would write it."""

        def text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
            style = ">" if len(value) > 80 else None
            return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

        Dumper.add_representer(str, text)
        data = {"themes": [node(t) for t in tree.children.get(None, [])]}
        path.write_text(
            yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=88),
            encoding="utf-8",
        )
        return len(tree.rows)

    def import_file(self, path: str | Path) -> ThemeImport:
        """Add the themes of a YAML file (a ``themes`` list; each with ``name`` and
        optionally ``definition``, ``status``, ``contextual``, ``codes`` and
        ``subthemes``). A theme already at the same path has its definition, status and
        contextual flag updated and the missing codes linked; links are never removed."""
        from thematica.themes.yaml_file import read_themes

        path = Path(path)
        items = read_themes(path)
        with self.project.transaction("import themes", str(path)) as tx:
            tree, names = ThemeTree(tx.conn), CodeNames(tx.conn)
            touched: list[int] = []
            counts = {"created": 0, "updated": 0, "links": 0}

            def add(item: dict[str, Any], parent_id: int | None) -> None:
                existing = tree.child_named(parent_id, item["name"])
                if existing is None:
                    theme_id = insert_theme(
                        tx,
                        tree,
                        item["name"],
                        parent_id,
                        item.get("definition", ""),
                        item.get("status", "candidate"),
                        item.get("contextual", False),
                    )
                    counts["created"] += 1
                else:
                    theme_id = existing
                    row = tree.rows[theme_id]
                    changes = {
                        k: item[k]
                        for k in ("definition", "status", "contextual")
                        if k in item and item[k] != getattr(row, k)
                    }
                    if changes:
                        tx.update(theme, theme_id, changes)
                        counts["updated"] += 1
                touched.append(theme_id)
                try:
                    linked = self._link(
                        tx, tree, names, theme_id, item.get("codes", []), skip_linked=True
                    )
                except NotFound as error:
                    raise NotFound(f"{path}: {error}") from None
                counts["links"] += len(linked)
                for child in item.get("subthemes", []):
                    add(child, theme_id)

            for item in items:
                add(item, None)
            tx.after = {"themes": touched, **counts}
        return ThemeImport(**counts)

    # -- quotes, prevalence, framework, phases -----------------------------------------

    def add_quote(
        self,
        name: str,
        coding: int,
        keep: Sequence[tuple[int, int]] | None = None,
        interviewer: bool = False,
    ) -> Quote:
        """Choose a coded segment as an exemplar quote for a theme (see
        :mod:`thematica.themes.quotes`)."""
        from thematica.themes.quotes import add_quote

        return add_quote(self.project, name, coding, keep, interviewer)

    def quotes(self, name: str | None = None) -> list[Quote]:
        """The exemplar quotes of one theme, or of every theme, in theme order."""
        from thematica.themes.quotes import list_quotes

        return list_quotes(self.project, name)

    def remove_quote(self, quote_id: int) -> Quote:
        from thematica.themes.quotes import remove_quote

        return remove_quote(self.project, quote_id)

    def prevalence(self, coder: str | None = None) -> Prevalence:
        """How many participants and sources each theme, subtheme and linked code draws
        on, in one coder's layer (default: every layer together)."""
        from thematica.themes.prevalence import prevalence

        return prevalence(self.project, coder)

    def wording(self) -> Wording:
        """The participant noun and the scale that turns counts into words."""
        from thematica.themes.wording import project_wording

        return project_wording(self.project)

    def set_wording(
        self,
        noun: str | None = None,
        scale: str | Path | None = None,
        default: bool = False,
    ) -> Wording:
        """Set the participant noun (``woman/women``) and/or the wording scale (a TOML
        or YAML file; see :mod:`thematica.themes.wording`); ``default`` restores the
        default scale."""
        from thematica.themes.wording import set_wording

        return set_wording(self.project, noun, scale, default)

    def framework(self, coder: str | None = None, subthemes: bool = False) -> Framework:
        """The framework matrix: participants x themes (x subthemes with ``subthemes``)."""
        from thematica.themes.framework import framework

        return framework(self.project, coder, subthemes)

    def summarise(self, name: str, case: str, text: str) -> None:
        """Write (or, with empty ``text``, remove) the researcher's summary of one
        participant's data for one theme: a cell of the framework matrix."""
        from thematica.themes.framework import summarise

        summarise(self.project, name, case, text)

    @property
    def phase(self) -> int:
        """The Braun & Clarke phase the analysis is in, 1 to 6."""
        from thematica.themes.phases import current_phase

        return current_phase(self.project)

    def set_phase(self, phase: int) -> int:
        from thematica.themes.phases import set_phase

        return set_phase(self.project, phase)

    def progress(self, coder: str | None = None) -> Progress:
        """Where the analysis stands: phase, sources familiarised and coded, codes in
        themes, themes defined."""
        from thematica.themes.phases import progress

        return progress(self.project, coder)


def _quote_counts(conn) -> dict[int, int]:
    return dict(
        conn.execute(select(exemplar.c.theme_id, func.count()).group_by(exemplar.c.theme_id)).all()
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _themes_of(payload: Any) -> set[int]:
    if isinstance(payload, dict) and isinstance(payload.get("themes"), list):
        return {t for t in payload["themes"] if isinstance(t, int)}
    return set()


def _names(values: Sequence[str]) -> str:
    return ", ".join(values)


def _q(name: Any) -> str:
    """A name in single quotes, as it is: theme names often hold quotation marks."""
    return f"'{name}'"


def describe(row: Any, theme_id: int) -> str:
    """One line saying what an audit event did, as seen from theme ``theme_id``."""
    action, before, after = row["action"], row["before"] or {}, row["after"] or {}
    if action == "undo":
        return f"undid {row['target']}"
    if action == "add theme":
        extra = f", codes {_names(after['codes'])}" if after.get("codes") else ""
        return f"added {_q(after['name'])} ({after['status']}{extra})"
    if action == "rename theme":
        return f"renamed {_q(before['name'])} to {_q(after['name'])}"
    if action == "define theme":
        old = "no definition" if not before.get("definition") else "definition"
        text = " ".join(after["definition"].split())
        shown = text if len(text) <= 80 else text[:77].rstrip() + "..."
        return f"{'defined' if old == 'no definition' else 'redefined'}: {_q(shown)}"
    if action == "set theme status":
        return f"status {before['status']} -> {after['status']}"
    if action == "set theme contextual":
        return "marked contextual" if after["contextual"] else "no longer contextual"
    if action == "move theme":
        if before["parent"] == after["parent"]:
            return f"moved from position {before['position']} to {after['position']}"
        where = _q(after["parent"]) if after["parent"] else "the top level"
        return f"moved under {where}, position {after['position']}"
    if action == "link codes to theme":
        return f"linked {_names(after['codes'])}"
    if action == "unlink codes from theme":
        return f"unlinked {_names(before['codes'])}"
    if action == "merge themes":
        gone, kept = before["themes"]
        if theme_id == kept:
            return f"took in {_q(before['merged']['name'])} (merged, theme #{gone})"
        return f"merged into {_q(after['into'])} (theme #{kept})"
    if action == "split theme":
        old, new = after["themes"]
        moved = ", ".join(after["codes"] + after["subthemes"])
        if theme_id == old:
            return f"split: {_q(after['new'])} (theme #{new}) took {moved}"
        return f"split from {_q(after['from'])} (theme #{old}), taking {moved}"
    if action.startswith("delete theme"):
        if before["themes"][0] != theme_id:
            return f"deleted with {_q(before['name'])}"
        return f"deleted {_q(before['name'])}"
    if action == "import themes":
        return f"imported from {row['target']}"
    if action == "add quote":
        span = f"{after['source']} [{after['start']}, {after['end']})"
        return f"chose quote {after['quote']} ({span})"
    if action == "remove quote":
        return f"removed quote {before['quote']}"
    if action == "summarise theme":
        return f"summary for {after['case']}"
    return row["target"]


__all__ = ["SEPARATOR", "Theme", "ThemeEvent", "ThemeImport", "Themes"]
