"""The theme tree in memory, and finding a theme by its name, path or number.

A project has a few dozen themes at most, so every operation reads the whole tree in
one query (and the code links in another) and works on it in memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from thematica.coding.codebook import NamedTree, find_code
from thematica.errors import InvalidInput, not_found
from thematica.store.schema import code, theme, theme_code

STATUSES = ("candidate", "reviewed", "defined")
SEPARATOR = "/"
_NUMBER = re.compile(r"#?(\d+)")
_QUOTES = re.compile("[\"'\u201c\u201d\u2018\u2019]")  # quotation marks and apostrophes


@dataclass(frozen=True)
class Theme:
    """A theme (depth 0) or subtheme, as the API hands it out."""

    id: int
    name: str
    path: str
    parent: str | None
    definition: str
    status: str
    contextual: bool
    depth: int
    codes: tuple[str, ...] = ()  # linked codes, by name (by path where a name repeats)
    subthemes: tuple[str, ...] = ()  # names of the children, in order
    quotes: int = 0

    @property
    def kind(self) -> str:
        return "theme" if self.depth == 0 else "subtheme"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "path": self.path,
            "parent": self.parent,
            "kind": self.kind,
            "definition": self.definition,
            "status": self.status,
            "contextual": self.contextual,
            "codes": list(self.codes),
            "subthemes": list(self.subthemes),
            "quotes": self.quotes,
        }


@dataclass
class Row:
    id: int
    parent_id: int | None
    name: str
    definition: str
    status: str
    contextual: bool
    position: int


def check_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput("a theme needs a name")
    return cleaned


def _loose(name: str) -> str:
    return " ".join(_QUOTES.sub("", name).casefold().split())


def clean_text(text: str) -> str:
    """Paragraphs kept, white space inside each one collapsed (as YAML's folded text)."""
    paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*\n", text))
    return "\n\n".join(p for p in paragraphs if p)


def check_status(status: str) -> str:
    cleaned = status.strip().lower()
    if cleaned not in STATUSES:
        raise InvalidInput(f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
    return cleaned


class CodeNames:
    """The codebook's names and paths, read once, to show and expand linked codes."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        query = select(code.c.id, code.c.parent_id, code.c.name)
        self.rows = {r.id: r for r in conn.execute(query)}
        self.children: dict[int | None, list[int]] = {}
        for row in self.rows.values():
            self.children.setdefault(row.parent_id, []).append(row.id)
        counts: dict[str, int] = {}
        for row in self.rows.values():
            counts[row.name] = counts.get(row.name, 0) + 1
        self._repeated = {name for name, n in counts.items() if n > 1}

    def path(self, code_id: int) -> str:
        parts = []
        current: int | None = code_id
        while current is not None:
            parts.append(self.rows[current].name)
            current = self.rows[current].parent_id
        return SEPARATOR.join(reversed(parts))

    def ref(self, code_id: int) -> str:
        """The code's name, or its path where another code has the same name."""
        name = self.rows[code_id].name
        return self.path(code_id) if name in self._repeated else name

    def with_descendants(self, code_id: int) -> list[int]:
        found, stack = [], [code_id]
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(self.children.get(current, []))
        return found

    def find(self, name: str) -> int:
        return find_code(self.conn, name)


class ThemeTree(NamedTree):
    """Every theme of a project and its linked codes."""

    def __init__(self, conn: Connection) -> None:
        rows = {
            r.id: Row(
                r.id, r.parent_id, r.name, r.definition, r.status, bool(r.contextual), r.position
            )
            for r in conn.execute(
                select(
                    theme.c.id,
                    theme.c.parent_id,
                    theme.c.name,
                    theme.c.definition,
                    theme.c.status,
                    theme.c.contextual,
                    theme.c.position,
                )
            )
        }
        super().__init__(rows)
        # theme id -> [(link id, code id)], in the order they were linked
        self.links: dict[int, list[tuple[int, int]]] = {}
        for link_id, theme_id, code_id in conn.execute(
            select(theme_code.c.id, theme_code.c.theme_id, theme_code.c.code_id).order_by(
                theme_code.c.position, theme_code.c.id
            )
        ):
            self.links.setdefault(theme_id, []).append((link_id, code_id))

    def path(self, theme_id: int | None) -> str | None:  # type: ignore[override]
        """A theme's path; None for no theme (the parent of a top-level theme)."""
        return None if theme_id is None else super().path(theme_id)

    def depth(self, theme_id: int) -> int:
        depth, current = 0, self.rows[theme_id].parent_id
        while current is not None:
            depth, current = depth + 1, self.rows[current].parent_id
        return depth

    def codes(self, theme_id: int) -> list[int]:
        return [code_id for _, code_id in self.links.get(theme_id, [])]

    def find(self, ref: str) -> int:
        """A theme by its name (when unique), its ``Theme/Subtheme`` path, or its number."""
        ref = " ".join(str(ref).split())
        matches = [r.id for r in self.rows.values() if r.name == ref]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            paths = " or ".join(f"{self.path(m)!r} (#{m})" for m in sorted(matches)[:3])
            raise InvalidInput(
                f"theme name {ref!r} is ambiguous: use its path or number, e.g. {paths}"
            )
        if SEPARATOR in ref and (found := self.at_path(ref)) is not None:
            return found
        number = _NUMBER.fullmatch(ref)
        if number and int(number.group(1)) in self.rows:
            return int(number.group(1))
        loose = self._loosely(ref)
        if loose is not None:
            return loose
        raise not_found("theme", ref, [r.name for r in self.rows.values()], "thematica themes list")

    def _loosely(self, ref: str) -> int | None:
        """The one theme whose name, without quotation marks and case, is ``ref`` or
        starts with it at a word's end: ``Like a mum would`` finds ``"Like a mum
        would"``, and ``she just kept coming`` finds ``"She just kept coming": trust
        earned by constancy``. Several candidates are an error, never a guess."""
        wanted = _loose(ref)
        if not wanted:
            return None
        keys = {theme_id: _loose(row.name) for theme_id, row in self.rows.items()}
        matches = [t for t, key in keys.items() if key == wanted]
        if not matches:
            matches = [
                t
                for t, key in keys.items()
                if key.startswith(wanted) and not key[len(wanted)].isalnum()
            ]
        if len(matches) > 1:
            paths = " or ".join(f"{self.path(m)!r} (#{m})" for m in sorted(matches)[:3])
            raise InvalidInput(f"theme {ref!r} could be {paths}: use the full name or number")
        return matches[0] if matches else None

    def theme(self, theme_id: int, names: CodeNames, quotes: int = 0) -> Theme:
        row = self.rows[theme_id]
        return Theme(
            id=row.id,
            name=row.name,
            path=self.path(theme_id) or "",
            parent=self.path(row.parent_id),
            definition=row.definition,
            status=row.status,
            contextual=row.contextual,
            depth=self.depth(theme_id),
            codes=tuple(names.ref(c) for c in self.codes(theme_id)),
            subthemes=tuple(self.rows[c].name for c in self.children.get(theme_id, [])),
            quotes=quotes,
        )

    def code_set(self, theme_id: int, names: CodeNames, subthemes: bool = True) -> set[int]:
        """The codes a theme draws on: its linked codes with their child codes, and (with
        ``subthemes``) those of every subtheme below it."""
        found: set[int] = set()
        for member in [theme_id, *(self.descendants(theme_id) if subthemes else [])]:
            for code_id in self.codes(member):
                found.update(names.with_descendants(code_id))
        return found
