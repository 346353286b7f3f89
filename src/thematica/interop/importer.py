"""Reading a REFI-QDA project or codebook into a Thematica project.

Everything is read, decoded and placed first; then the whole import is written in one
transaction (one audit event), so a file that fails half-way leaves nothing behind.

What becomes what: Users become coders; the code tree keeps its colours and
descriptions; text sources (and PDF text representations and transcripts) become
sources in canonical text; each Coding of a selection becomes a coding by its user;
Notes become memos, anchored where their NoteRefs (or NVivo's Links) put them, or to the
reflexive journal; Cases and Variables become cases with typed attributes; Sets that
Thematica wrote for themes become themes again, and other Sets become journal memos
listing their members. What has no place in Thematica (pictures, audio and video,
graphs, links between codes) is counted in :attr:`ImportReport.skipped` with the reason.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from thematica.coding.codebook import PALETTE, check_colour
from thematica.coding.coders import ensure_coder
from thematica.errors import InvalidInput, ProjectError
from thematica.ingest.cases import TYPES, infer_type, to_stored
from thematica.interop import conventions as conv
from thematica.interop import refi
from thematica.interop.offsets import (
    ALL,
    Counting,
    PositionMap,
    counting_for,
    find_quoted,
    matches,
    name_text,
)
from thematica.interop.package import Package, open_package
from thematica.store import engine as store_engine
from thematica.store.schema import (
    TABLES,
    attribute,
    case,
    case_value,
    code,
    coder,
    coding,
    memo,
    source,
    source_case,
    source_chunk,
    time_anchor,
    turn,
)
from thematica.store.texts import chunk_rows
from thematica.text import canonical, checksum, detect_turns, word_count
from thematica.text.turns import DEFAULT_LABEL

if TYPE_CHECKING:
    from thematica.project import Project, Transaction

NEARBY = 64  # how far a selection whose quoted text is cut short is looked for


@dataclass(frozen=True)
class Unplaced:
    """A selection that could not be put in its source's text, and why."""

    source: str
    start: int | None
    end: int | None
    name: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass
class ImportReport:
    """What an import brought in, what it left out, and why."""

    path: str
    format: str  # qdpx | qde | qdc
    origin: str  # the exporting tool as the file names it
    tool: str  # the tool as recognised, which decides how positions are counted
    project: str = ""
    coders: int = 0
    codes: int = 0
    sources: int = 0
    selections: int = 0
    codings: int = 0
    duplicates: int = 0  # codings of the same span, code and coder, merged
    memos: int = 0
    cases: int = 0
    attributes: int = 0
    themes: int = 0
    verified: int = 0  # selections whose quoted text matched where they were placed
    by_position: int = 0  # selections placed by their positions alone
    moved: int = 0  # selections placed where their quoted text is
    adjusted: int = 0  # selections with an edge moved out of a character
    counting: dict[str, str] = field(default_factory=dict)  # source -> how it was counted
    unplaced: list[Unplaced] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (what, why)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = dict(vars(self))
        data["unplaced"] = [u.as_dict() for u in self.unplaced]
        data["skipped"] = [list(s) for s in self.skipped]
        return data

    def skip(self, what: str, why: str) -> None:
        self.skipped.append((what, why))


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _fit(text: str, limit: int) -> str:
    """A name as stored: NFC (as macOS tools may write it decomposed), one line, not
    longer than its column."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _unique(name: str, taken: set[str], limit: int) -> str:
    name = _fit(name, limit)
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        suffix = f" ({n})"
        candidate = _fit(name, limit - len(suffix)) + suffix
    taken.add(candidate)
    return candidate


def decode(data: bytes) -> str:
    """A plain text file's text: UTF-8 (with or without BOM) or UTF-16 with a BOM."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


# -- the plan: everything worked out before the first write ------------------------------


@dataclass(eq=False)
class _Code:
    key: str
    name: str
    parent: _Code | None
    colour: str
    description: str
    id: int | None = None


@dataclass(eq=False)
class _Source:
    name: str
    guid: str
    text: str
    counting: Counting
    origin: str
    created: str
    anchors: list[tuple[int, int]] = field(default_factory=list)  # (position, ms)
    id: int | None = None
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # selection guid -> span


@dataclass
class _Memo:
    title: str
    text: str
    author: str
    created: str
    anchor: tuple


class _ProjectImport:
    def __init__(self, model: refi.Project, package: Package, report: ImportReport, actor: str):
        from thematica.project import now

        self.model = model
        self.package = package
        self.report = report
        self.actor = actor
        self.now = now()
        self.provenance = _fit(f"refi:{model.origin or report.tool}", 200)
        self.users: dict[str, str] = {}
        self.coders: list[str] = []
        self.codes: list[_Code] = []
        self.code_by_guid: dict[str, _Code] = {}
        self.sources: list[_Source] = []
        self.source_by_guid: dict[str, _Source] = {}
        self.selection_source: dict[str, _Source] = {}
        self.codings: list[dict[str, Any]] = []
        self.memos: list[_Memo] = []
        self.note_anchors: dict[str, list[tuple]] = defaultdict(list)
        self._lines: tuple[str | None, list[int]] = (None, [])

    # users -------------------------------------------------------------------------

    def plan_users(self) -> None:
        taken: dict[str, str] = {}
        for user in self.model.users:
            name = _fit(user.name or f"User {user.guid[:8]}", 200)
            if name in taken:
                self.report.notes.append(f"two users are named {name!r}; they are one coder here")
            else:
                taken[name] = user.guid
                self.coders.append(name)
            self.users[user.guid] = name

    def user(self, *guids: str | None) -> str | None:
        for guid in guids:
            if guid and guid in self.users:
                return self.users[guid]
        return None

    # codes -------------------------------------------------------------------------

    def plan_codes(self, codes: list[refi.Code], parent: _Code | None = None) -> None:
        taken: set[str] = set()
        for index, given in enumerate(codes):
            name = _unique(given.name or "(unnamed code)", taken, 300)
            if name != _fit(given.name or "", 10**6):
                self.report.notes.append(f"code {given.name!r} was renamed {name!r}")
            colour = conv.parse_colour(given.colour)
            if given.colour and colour is None:
                self.report.notes.append(f"code {name!r}: colour {given.colour!r} not understood")
            if colour is None:
                colour = parent.colour if parent else PALETTE[index % len(PALETTE)]
            made = _Code(given.guid, name, parent, check_colour(colour), given.description.strip())
            if not given.codable:
                self.report.notes.append(
                    f"code {name!r} was a folder (isCodable=false); here it is a code"
                )
            self.codes.append(made)
            if given.guid in self.code_by_guid:
                self.report.notes.append(f"two codes share the GUID {given.guid}")
            self.code_by_guid.setdefault(given.guid, made)
            for note in given.notes:
                self.note_anchors[note].append(("code", made))
            self.plan_codes(given.children, made)

    # sources and selections ----------------------------------------------------------

    def plan_sources(self) -> None:
        taken: set[str] = set()
        by_path: dict[str, _Source] = {}
        for given in self.model.sources:
            label = _nfc(given.name or given.plain_text_path or given.guid)
            raw = self._text_of(given, _kind_of(given, label))
            if raw is None:
                continue
            path_key = (given.plain_text_path or "").lower()
            if given.element == "Transcript" and path_key and path_key in by_path:
                existing = by_path[path_key]
                self.report.notes.append(
                    f"transcript {label!r} is the text of source {existing.name!r}: "
                    "its sync points were added to that source"
                )
                self._plan_text(given, existing, raw)
                continue
            fallback = Path((given.plain_text_path or "").split("://")[-1]).name
            name = _unique(given.name or fallback or f"Source {given.guid[:8]}", taken, 500)
            made = self._plan_text(given, None, raw, name)
            if path_key:
                by_path.setdefault(path_key, made)
        for other in self.model.others:
            kind = other.element.replace("Source", "").lower()
            what = f"{kind} {_nfc(other.name)!r}"
            if other.selections or other.codings:
                what += (
                    f" with {_plural(other.selections, 'selection')} and "
                    f"{_plural(other.codings, 'coding')}"
                )
            if other.text:
                self.report.skip(what, "Thematica keeps its text, not the file itself")
            else:
                self.report.skip(what, "Thematica holds text sources only")
            for note in other.notes:
                self.note_anchors[note].append(("other", other.name))

    def _text_of(self, given: refi.TextSource, what: str) -> str | None:
        if given.content is not None and not given.plain_text_path:
            return given.content
        reference = given.plain_text_path
        if not reference:
            only = f" (only {given.rich_text_path})" if given.rich_text_path else ""
            self.report.skip(what, f"it has no plain text{only}")
            self._lose_selections(given, what, "its source has no plain text")
            return None
        data = self.package.read(reference)
        if data is None and given.content is not None:
            return given.content
        if data is None:
            if re.match(r"(?i)(relative|absolute)://", reference):
                why = f"its text is an external file ({reference}), which is not read"
            elif self.package.bare:
                why = f"its text file {reference} is not in a sources folder beside the .qde"
            else:
                why = f"its text file {reference} is not in {self.package.path.name}"
            self.report.skip(what, why)
            self._lose_selections(given, what, "its source's text is missing")
            return None
        try:
            return decode(data)
        except UnicodeDecodeError:
            self.report.skip(what, f"its text file {reference} is not UTF-8")
            self._lose_selections(given, what, "its source's text could not be read")
            return None

    def _lose_selections(self, given: refi.TextSource, what: str, reason: str) -> None:
        label = _nfc(given.name or what)
        for note in given.notes:
            self.note_anchors[note].append(("other", label))
        for sel in given.selections:
            self.report.selections += 1
            self.report.unplaced.append(
                Unplaced(label, sel.start, sel.end, (sel.name or "")[:80], reason)
            )
            for note in sel.notes + [n for c in sel.codings for n in c.notes]:
                self.note_anchors[note].append(("other", label))
            if sel.description.strip():
                self.memos.append(
                    _Memo(_fit(f"On a selection of {what}", 300), sel.description.strip(),
                          self._author(sel.user), conv.parse_time(sel.created) or self.now,
                          ("project",))
                )  # fmt: skip

    def _plan_text(
        self,
        given: refi.TextSource,
        existing: _Source | None,
        raw: str | None,
        name: str = "",
    ) -> _Source:
        _, default = counting_for(self.model.origin)
        if existing is None:
            mapping = PositionMap(raw or "", default)
            mapping = self._choose_counting(mapping, given.selections, name)
            made = _Source(
                name=name,
                guid=given.guid,
                created=conv.parse_time(given.created) or self.now,
                text=mapping.canonical,
                counting=mapping.counting,
                origin=_fit(f"{self.package.path.name}: {given.element} {given.guid}", 2000),
            )
            self.sources.append(made)
            self.source_by_guid[given.guid] = made
            self.report.counting[name] = mapping.counting.describe()
            if given.description.strip():
                self.memos.append(
                    _Memo("Description", given.description.strip(), self._author(given.user),
                          conv.parse_time(given.created) or self.now, ("source", made))
                )  # fmt: skip
        else:
            made = existing
            self.source_by_guid.setdefault(given.guid, made)
            mapping = PositionMap(raw or "", made.counting)
        for note in given.notes:
            self.note_anchors[note].append(("source", made))
        for sel in given.selections:
            self._plan_selection(made, mapping, sel)
        for whole in given.codings:  # codings of the whole source
            self._plan_coding(made, 0, len(made.text), whole, None, given.user)
        points = {}
        for point in given.sync_points:
            if point.position is None or point.ms is None:
                continue
            at = mapping.point(point.position)
            if at is None:
                self.report.notes.append(f"{made.name}: a sync point lies outside the text")
                continue
            points[point.guid] = at
            made.anchors.append((at, point.ms))
        for sel, start_point, end_point in given.transcript_selections:
            self.report.selections += 1
            start, end = points.get(start_point or ""), points.get(end_point or "")
            if start is None or end is None or start >= end:
                self.report.unplaced.append(
                    Unplaced(made.name, start, end, (sel.name or "")[:80],
                             "its sync points are missing or out of order")
                )  # fmt: skip
                continue
            self.report.by_position += 1
            self._selection_codings(made, start, end, sel)
        return made

    def _choose_counting(
        self, mapping: PositionMap, selections: list[refi.Selection], name: str
    ) -> PositionMap:
        named = [(s, name_text(s.name)) for s in selections]
        named = [(s, n) for s, n in named if n is not None and s.start is not None]
        if not named:
            return mapping
        candidates = [mapping] + [
            mapping.recount(c) for c in ALL if c != mapping.counting and mapping.differs(c)
        ]
        if len(candidates) == 1:
            return mapping
        unique: list[PositionMap] = []
        for candidate in candidates:
            if all(candidate.differs(u.counting) for u in unique):
                unique.append(candidate)

        def score(candidate: PositionMap) -> int:
            hits = 0
            for sel, name in named:
                placed = candidate.place(sel.start, sel.end or 0)
                if placed and matches(name, candidate.canonical[placed.start : placed.end]):
                    hits += 1
            return hits

        scores = [score(c) for c in unique]
        best = max(range(len(unique)), key=lambda i: (scores[i], i == 0))
        if best != 0:
            self.report.notes.append(
                f"{name}: positions counted as {unique[best].counting.describe()}, where "
                f"{self.report.tool} usually counts otherwise: the selections' text matched so"
            )
        return unique[best]

    def _plan_selection(self, made: _Source, mapping: PositionMap, sel: refi.Selection) -> None:
        report = self.report
        report.selections += 1
        name = name_text(sel.name)
        label = (sel.name or "")[:80]
        if sel.start is None or sel.end is None:
            why = "it has no positions"
            report.unplaced.append(Unplaced(made.name, sel.start, sel.end, label, why))
            return
        placed = mapping.place(sel.start, sel.end)
        if placed is None:
            if sel.start >= sel.end:
                why = "it is empty or its end comes before its start"
            else:
                why = f"it runs past the end of the text ({mapping.length} counted)"
            report.unplaced.append(Unplaced(made.name, sel.start, sel.end, label, why))
            return
        text = mapping.canonical
        start, end = placed.start, placed.end
        if name is None:
            line = re.fullmatch(r"line:(\d+)", (sel.name or "").strip())
            if line and start == self._line_start(mapping.canonical, int(line.group(1))):
                report.verified += 1  # qc names a selection by the line it starts
            else:
                report.by_position += 1
        elif matches(name, text[start:end]):
            report.verified += 1
        else:
            moved = self._find(name, text, start, end)
            if moved is not None:
                start, end = moved
                report.moved += 1
            elif name[1]:
                report.unplaced.append(
                    Unplaced(made.name, sel.start, sel.end, label,
                             "the text it quotes is not at its positions nor nearby")
                )  # fmt: skip
                return
            else:
                report.by_position += 1  # its name is a label, not its text
        if placed.adjusted and (start, end) == (placed.start, placed.end):
            report.adjusted += 1
        made.spans[sel.guid] = (start, end)
        self.selection_source[sel.guid] = made
        self._selection_codings(made, start, end, sel)

    def _line_start(self, text: str, line: int) -> int | None:
        """Where line ``line`` (from 0) of ``text`` starts."""
        if self._lines[0] is not text:
            self._lines = (text, [0] + [m.end() for m in re.finditer("\n", text)])
        starts = self._lines[1]
        return starts[line] if line < len(starts) else None

    def _find(self, name: tuple[str, bool], text: str, start: int, end: int):
        hits = find_quoted(name, text, start)
        length = end - start
        for hit_start, hit_end in hits:
            if name[1]:
                if abs(hit_start - start) <= NEARBY:
                    return hit_start, min(len(text), hit_start + length)
            elif abs((hit_end - hit_start) - length) <= 2 + length // 50:
                return hit_start, hit_end
        return None

    def _selection_codings(self, made: _Source, start: int, end: int, sel: refi.Selection) -> None:
        for given in sel.codings:
            self._plan_coding(made, start, end, given, sel.created, sel.user)
        for note in sel.notes:
            self.note_anchors[note].append(("span", made, start, end))
        if sel.description.strip():
            self.memos.append(
                _Memo("", sel.description.strip(), self._author(sel.user),
                      conv.parse_time(sel.created) or self.now, ("span", made, start, end))
            )  # fmt: skip

    def _plan_coding(self, made, start, end, given: refi.Coding, created, user) -> None:
        target = self.code_by_guid.get(given.code or "")
        if target is None:
            self.report.skip(
                f"a coding in {made.name!r} [{start}, {end})",
                f"its code {given.code or '(none)'} is not in the codebook",
            )
            return
        who = self.user(given.user, user, self.model.user)
        if who is None:
            who = "unknown"
            if "unknown" not in self.coders:
                self.coders.append("unknown")
                self.report.notes.append(
                    "some codings name no known user: they are coded by 'unknown'"
                )
        when = conv.parse_time(given.created) or conv.parse_time(created) or self.now
        self.codings.append(
            {"source": made, "start": start, "end": end, "code": target, "coder": who,
             "created": when}
        )  # fmt: skip
        for note in given.notes:
            self.note_anchors[note].append(("coding", made, start, end, target, who))

    # cases and variables ---------------------------------------------------------------

    def plan_cases(self) -> tuple[list[dict], dict[str, dict], str | None]:
        """Cases (label, key, values, source and selection links), attributes by
        variable GUID, and the participant label template the names suggest."""
        report = self.report
        attributes: dict[str, dict] = {}
        values_by_var: dict[str, list[refi.Value]] = defaultdict(list)
        for case_ in self.model.cases:
            for value in case_.values:
                values_by_var[value.variable].append(value)
        for given in self.model.sources:
            for value in given.values:
                values_by_var[value.variable].append(value)
        taken: set[str] = set()
        for position, var in enumerate(self.model.variables):
            name = _unique(var.name or f"Variable {position + 1}", taken, 200)
            kind, levels = self._type(var, values_by_var[var.guid])
            attributes[var.guid] = {
                "name": name,
                "type": kind,
                "levels": levels,
                "position": position,
            }
            if var.description.strip() and conv.read_type_description(var.description) is None:
                self.memos.append(
                    _Memo(f"Variable {name}", var.description.strip(), self.actor, self.now,
                          ("project",))
                )  # fmt: skip
        cases: list[dict] = []
        names = [_fit(c.name or f"Case {i + 1}", 200) for i, c in enumerate(self.model.cases)]
        template, keys = _template(names)
        labels: set[str] = set()
        for given, name, key in zip(self.model.cases, names, keys, strict=True):
            label = _unique(name, labels, 200)
            if label != name:
                key = label
            made = {
                "label": label,
                "key": key,
                "values": self._values(label, given.values, attributes),
                "sources": [],
                "spans": [],
            }
            for target in given.sources:
                if target in self.source_by_guid:
                    made["sources"].append(self.source_by_guid[target])
                else:
                    report.skip(f"a link of case {label!r}", f"source {target} was not imported")
            for target in given.selections:
                found = self.selection_source.get(target)
                if found is None:
                    report.skip(
                        f"a selection of case {label!r}", f"selection {target} was not placed"
                    )
                    continue
                made["spans"].append((found, *found.spans[target]))
            if given.codes:
                report.skip(
                    f"{_plural(len(given.codes), 'code')} of case {label!r}",
                    "Thematica does not code cases",
                )
            if given.description.strip():
                self.memos.append(
                    _Memo(f"Case {label}", given.description.strip(), self.actor, self.now,
                          ("project",))
                )  # fmt: skip
            cases.append(made)
        # Variables on sources (MAXQDA's document variables) go to the source's case.
        by_source: dict[int, list[dict]] = defaultdict(list)
        for made in cases:
            for linked in made["sources"]:
                by_source[id(linked)].append(made)
        for given in self.model.sources:
            made_source = self.source_by_guid.get(given.guid)
            if not given.values or made_source is None:
                continue
            owners = by_source.get(id(made_source), [])
            if len(owners) > 1:
                report.skip(
                    f"variables of source {made_source.name!r}",
                    "the source belongs to several cases",
                )
                continue
            if not owners:
                label = _unique(made_source.name, labels, 200)
                owner = {"label": label, "key": label, "values": {}, "sources": [made_source],
                         "spans": []}  # fmt: skip
                cases.append(owner)
                by_source[id(made_source)].append(owner)
                report.notes.append(
                    f"source {made_source.name!r} had variables: they are on a case of its name"
                )
            else:
                owner = owners[0]
            for attr_guid, value in self._values(owner["label"], given.values, attributes).items():
                if owner["values"].get(attr_guid, value) != value:
                    report.skip(
                        f"{attributes[attr_guid]['name']} of source {made_source.name!r}",
                        f"its case {owner['label']!r} has another value",
                    )
                    continue
                owner["values"][attr_guid] = value
        for other in self.model.others:
            if other.values:
                report.skip(
                    f"{_plural(len(other.values), 'variable value')} of {other.name!r}",
                    "its source is not text, so it was not imported",
                )
        return cases, attributes, template

    def _type(self, var: refi.Variable, values: list[refi.Value]) -> tuple[str, list | None]:
        declared = conv.read_type_description(var.description)
        if declared is not None:
            kind, levels = declared
            if kind in TYPES and (kind != "ordinal" or (levels and len(levels) >= 2)):
                return kind, list(levels) if kind == "ordinal" else None
        given = (var.type or "Text").strip()
        mapped = {
            "Integer": "integer",
            "Float": "number",
            "Boolean": "boolean",
            "Date": "date",
            "DateTime": "text",
        }
        if given == "DateTime":
            self.report.notes.append(f"variable {var.name!r}: date-times are kept as text")
        if given in mapped:
            return mapped[given], None
        kind = infer_type([(v.text or "").strip() for v in values])
        return kind, None

    def _values(self, label: str, values: list[refi.Value], attributes: dict) -> dict[str, str]:
        found: dict[str, str] = {}
        for value in values:
            attr = attributes.get(value.variable)
            if attr is None:
                self.report.skip(
                    f"a value of {label!r}", f"its variable {value.variable} is not declared"
                )
                continue
            text = (value.text or "").strip()
            if attr["type"] == "boolean":
                text = {"1": "true", "0": "false"}.get(text, text)
            try:
                stored = to_stored(text, attr["type"], tuple(attr["levels"] or ()))
            except ValueError:
                self.report.skip(
                    f"{attr['name']} of {label!r}",
                    f"{text!r} is not a valid {attr['type']} value",
                )
                continue
            if stored is not None:
                found[value.variable] = stored
        return found

    # notes -------------------------------------------------------------------------

    def plan_notes(self) -> None:
        report = self.report
        for note in self.model.project_notes:
            self.note_anchors[note].append(("project",))
        by_guid = {n.guid: n for n in self.model.notes}
        for link in self.model.links:
            ends = [link.origin, link.target]
            note_ends = [e for e in ends if e in by_guid]
            others = [e for e in ends if e not in by_guid]
            anchor = self._anchor_of(others[0]) if len(note_ends) == 1 and others else None
            if anchor is not None:
                self.note_anchors[note_ends[0]].append(anchor)
            else:
                report.skip(
                    f"link {link.name or link.guid!r}",
                    "Thematica keeps no links between codes, sources or selections",
                )
        for note in self.model.notes:
            text = self._note_text(note)
            if text is None:
                continue
            author = self._author(note.user)
            created = conv.parse_time(note.created) or self.now
            title = _fit(note.name, 300)
            anchors = self.note_anchors.get(note.guid) or [("project",)]
            if note.selections:
                report.notes.append(
                    f"note {title!r}: its {_plural(note.selections, 'selection')} of its own "
                    "text were not kept"
                )
            for anchor in anchors:
                if anchor[0] == "other":
                    report.notes.append(
                        f"note {title!r} was on {anchor[1]!r}, which was not imported: "
                        "it is in the journal"
                    )
                    anchor = ("project",)
                self.memos.append(_Memo(title, text, author, created, anchor))
            if len(anchors) > 1:
                report.notes.append(f"note {title!r} hangs on {len(anchors)} things: copied")

    def _anchor_of(self, guid: str) -> tuple | None:
        if guid in self.code_by_guid:
            return ("code", self.code_by_guid[guid])
        if guid in self.source_by_guid:
            return ("source", self.source_by_guid[guid])
        if guid in self.selection_source:
            made = self.selection_source[guid]
            return ("span", made, *made.spans[guid])
        return None

    def _note_text(self, note: refi.Note) -> str | None:
        text = note.content
        if text is None and note.plain_text_path:
            data = self.package.read(note.plain_text_path)
            if data is None:
                self.report.skip(
                    f"note {note.name or note.guid!r}",
                    f"its text file {note.plain_text_path} is not in {self.package.path.name}",
                )
                return None
            try:
                text = decode(data)
            except UnicodeDecodeError:
                self.report.skip(f"note {note.name or note.guid!r}", "its text is not UTF-8")
                return None
        text = canonical(text or "").strip()
        description = canonical(note.description).strip()
        if description and description != text:
            text = f"{description}\n\n{text}".strip()
        return text

    def _author(self, user: str | None) -> str:
        return self.user(user, self.model.user) or self.actor

    # sets ---------------------------------------------------------------------------

    def plan_sets(self, sets: list[refi.Set]) -> tuple[list[dict], list[_Source]]:
        themes: list[dict] = []
        double: list[_Source] = []
        note_titles = {n.guid: n.name or n.guid for n in self.model.notes}
        codes, sources = self.code_by_guid, self.source_by_guid
        kept: list[str] = []
        other_names = {s.guid: s.name or s.guid for s in self.model.sources}
        other_names.update({o.guid: o.name or o.guid for o in self.model.others})
        for given in sets:
            theme = conv.read_theme_set(given.name, given.description)
            if theme is not None and "theme" in TABLES:
                path, definition, status, contextual = theme
                themes.append(
                    {
                        "path": path,
                        "definition": definition,
                        "status": status if status in ("candidate", "reviewed", "defined")
                        else "candidate",
                        "contextual": contextual,
                        "codes": [codes[c] for c in given.codes if c in codes],
                    }
                )  # fmt: skip
                continue
            mark = given.description.strip() == conv.DOUBLE_CODED_MARK
            if given.name == conv.DOUBLE_CODED and mark:
                double += [sources[s] for s in given.sources if s in sources]
                continue
            lines = [given.description.strip()] if given.description.strip() else []
            code_paths = [_path(codes[c]) for c in given.codes if c in codes]
            names = [sources[s].name for s in given.sources if s in sources]
            notes = [note_titles[n] for n in given.notes if n in note_titles]
            absent = [_fit(other_names.get(s, s), 500) for s in given.sources if s not in sources]
            missing = len(given.codes) - len(code_paths) + len(given.notes) - len(notes)
            for label, items in (
                ("Codes", code_paths),
                ("Sources", names),
                ("Sources not imported", absent),
                ("Notes", notes),
            ):
                if items:
                    lines.append(f"{label}: " + "; ".join(items))
            if missing:
                lines.append(f"({_plural(missing, 'other member')} not found in the file)")
            self.memos.append(
                _Memo(_fit(f"Set {given.name}", 300), "\n".join(lines) or "(empty set)",
                      self.actor, self.now, ("project",))
            )  # fmt: skip
            kept.append(given.name)
        if kept:
            names = ", ".join(repr(n) for n in kept[:3]) + (", ..." if len(kept) > 3 else "")
            self.report.notes.append(
                f"{_plural(len(kept), 'set')} ({names}) kept as journal memos titled 'Set ...'"
            )
        return themes, double


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _kind_of(given: refi.TextSource, name: str) -> str:
    if given.element == "Transcript":
        return f"transcript {name!r} of {_nfc(given.media or '')!r}"
    if given.element == "Representation":
        return f"the text of PDF {name!r}"
    return f"source {name!r}"


def _path(made: _Code) -> str:
    parts = []
    current: _Code | None = made
    while current is not None:
        parts.append(current.name)
        current = current.parent
    return "/".join(reversed(parts))


def _template(names: list[str]) -> tuple[str | None, list[str]]:
    """``Mother {id}`` and the ids, when every case is named ``Mother <id>``."""
    found = [re.fullmatch(r"(.*\S)\s+(\S*\d\S*)", n) for n in names]
    if not names or not all(found):
        return None, list(names)
    prefixes = {m.group(1) for m in found}
    keys = [m.group(2) for m in found]
    if len(prefixes) != 1 or len(set(keys)) != len(keys) or "{" in next(iter(prefixes)):
        return None, list(names)
    return next(iter(prefixes)) + " {id}", keys


# -- writing ------------------------------------------------------------------------------


def _turn_rows(source_id: int, text: str, anchors: list[tuple[int, int]]) -> list[dict]:
    turns = detect_turns(text, DEFAULT_LABEL, (), ())
    starts = [a for a, _ in anchors]
    rows = []
    times: list[int | None] = []
    from bisect import bisect_right

    for t in turns:
        at = bisect_right(starts, t.start) - 1
        times.append(anchors[at][1] if at >= 0 else None)
    for i, t in enumerate(turns):
        rows.append(
            {
                "source_id": source_id,
                "start": t.start,
                "end": t.end,
                "speaker": t.speaker,
                "role": t.role,
                "case_id": None,
                "t_start": times[i],
                "t_end": times[i + 1] if i + 1 < len(times) else None,
            }
        )
    return rows


def _require_empty(tx: Transaction, location: str) -> None:
    tables = ["source", "code", "case", "attribute", "memo", "coder", "coding"]
    tables += [t for t in ("theme",) if t in TABLES]
    held = []
    for name in tables:
        count = tx.conn.execute(select(func.count()).select_from(TABLES[name])).scalar_one()
        if count:
            held.append(_plural(count, name.replace("case", "case")))
    if held:
        raise InvalidInput(
            f"{location} is not empty ({', '.join(held)}); a REFI-QDA project is imported "
            "into a new project: name one with --into"
        )


def _write_project(tx: Transaction, plan: _ProjectImport, location: str) -> None:
    from thematica.project import write_setting

    report = plan.report
    _require_empty(tx, location)
    cases, attributes, template = plan.plan_cases()
    plan.plan_notes()
    themes, double = plan.plan_sets(plan.model.sets)
    if plan.model.name.strip():
        write_setting(tx, "name", _fit(plan.model.name, 500))
    if template:
        write_setting(tx, "participant_label", template)
    if plan.model.description.strip():
        plan.memos.append(
            _Memo("Project description", plan.model.description.strip(), plan.actor, plan.now,
                  ("project",))
        )  # fmt: skip
    for name in plan.coders:
        ensure_coder(tx, name)
    report.coders = len(plan.coders)
    _write_codes(tx, plan.codes)
    report.codes = len(plan.codes)
    if plan.model.graphs:
        report.skip(_plural(plan.model.graphs, "graph"), "Thematica draws no graphs")

    for made in plan.sources:
        made.id = tx.insert(
            source,
            {
                "name": made.name,
                "kind": "text",
                "text": made.text,
                "length": len(made.text),
                "words": word_count(made.text),
                "checksum": checksum(made.text),
                "origin": made.origin,
                "created": made.created,
            },
        )
        tx.insert_many(source_chunk, chunk_rows(made.id, made.text))
        anchors = sorted(set(made.anchors))
        tx.insert_many(turn, _turn_rows(made.id, made.text, anchors))
        ends = [a for a, _ in anchors[1:]] + ([len(made.text)] if anchors else [])
        tx.insert_many(
            time_anchor,
            [
                {"source_id": made.id, "start": at, "end": end, "ms": ms}
                for (at, ms), end in zip(anchors, ends, strict=True)
                if end > at
            ],
        )
    report.sources = len(plan.sources)

    attr_ids = {}
    for guid, attr in attributes.items():
        attr_ids[guid] = tx.insert(
            attribute,
            {
                "name": attr["name"],
                "type": attr["type"],
                "position": attr["position"],
                "levels": attr["levels"],
            },
        )
    report.attributes = len(attributes)
    _write_cases(tx, cases, attr_ids)
    report.cases = len(cases)

    coder_ids = dict(tx.conn.execute(select(coder.c.name, coder.c.id)).all())
    rows, keys = [], {}
    for given in plan.codings:
        key = (given["source"].id, given["start"], given["end"], given["code"].id,
               coder_ids[given["coder"]])  # fmt: skip
        if key in keys:
            report.duplicates += 1
            continue
        keys[key] = len(rows)
        rows.append(
            {
                "source_id": key[0],
                "start": key[1],
                "end": key[2],
                "code_id": key[3],
                "coder_id": key[4],
                "created": given["created"],
                "provenance": plan.provenance,
            }
        )
    ids = tx.insert_many(coding, rows)
    report.codings = len(ids)

    def coding_of(anchor: tuple) -> int:
        made, start, end, target, who = anchor[1:]
        return ids[keys[(made.id, start, end, target.id, coder_ids[who])]]

    memo_rows = [_memo_row(m, coding_of) for m in plan.memos]
    tx.insert_many(memo, memo_rows)
    report.memos = len(memo_rows)
    report.themes = _write_themes(tx, themes, report)
    if double and "double_coded" in TABLES:
        from thematica.project import now

        tx.insert_many(
            TABLES["double_coded"],
            [
                {
                    "source_id": s.id,
                    "method": _fit(f"imported from {plan.package.path.name}", 300),
                    "picked": now(),
                }
                for s in dict.fromkeys(double)
            ],
        )


def _memo_row(made: _Memo, coding_of=None) -> dict:
    anchor = made.anchor
    row = {
        "anchor_kind": "project",
        "anchor_id": None,
        "source_id": None,
        "start": None,
        "end": None,
        "title": made.title,
        "text": made.text,
        "author": _fit(made.author, 200),
        "created": made.created,
    }
    if anchor[0] == "code":
        row.update(anchor_kind="code", anchor_id=anchor[1].id)
    elif anchor[0] == "source":
        row.update(anchor_kind="source", anchor_id=anchor[1].id, source_id=anchor[1].id)
    elif anchor[0] == "span":
        made_source = anchor[1]
        row.update(
            anchor_kind="source",
            anchor_id=made_source.id,
            source_id=made_source.id,
            start=anchor[2],
            end=anchor[3],
        )
    elif anchor[0] == "coding":
        row.update(
            anchor_kind="coding",
            anchor_id=coding_of(anchor),
            source_id=anchor[1].id,
            start=anchor[2],
            end=anchor[3],
        )
    return row


def _write_codes(tx: Transaction, codes: list[_Code]) -> None:
    positions: dict[int | None, int] = defaultdict(int)
    for made in codes:  # parents come before their children
        parent_id = made.parent.id if made.parent else None
        made.id = tx.insert(
            code,
            {
                "parent_id": parent_id,
                "name": made.name,
                "description": made.description,
                "colour": made.colour,
                "position": positions[parent_id],
            },
        )
        positions[parent_id] += 1


def _write_cases(tx: Transaction, cases: list[dict], attr_ids: dict[str, int]) -> None:
    for made in cases:
        case_id = tx.insert(case, {"key": _fit(made["key"], 200), "label": made["label"]})
        # every case has a row for every attribute, empty where it has no value (as a
        # table import leaves them)
        tx.insert_many(
            case_value,
            [
                {"case_id": case_id, "attribute_id": attr_id, "value": made["values"].get(guid)}
                for guid, attr_id in attr_ids.items()
            ],
        )
        linked = {s.id: s for s in made["sources"]}
        for span_source, start, end in made["spans"]:
            linked.setdefault(span_source.id, span_source)
            within = (
                tx.conn.execute(
                    select(turn.c.id).where(
                        turn.c.source_id == span_source.id,
                        turn.c.start >= start,
                        turn.c.end <= end,
                        turn.c.case_id.is_(None),
                    )
                )
                .scalars()
                .all()
            )
            tx.update_many(turn, within, {"case_id": case_id})
        tx.insert_many(
            source_case, [{"source_id": sid, "case_id": case_id} for sid in sorted(linked)]
        )


def _write_themes(tx: Transaction, themes: list[dict], report: ImportReport) -> int:
    if not themes:
        return 0
    theme, theme_code = TABLES["theme"], TABLES["theme_code"]
    existing = {}
    for row in tx.conn.execute(select(theme.c.id, theme.c.parent_id, theme.c.name)):
        existing[(row.parent_id, row.name)] = row.id
    ids: dict[str, int] = {}
    positions: dict[int | None, int] = defaultdict(int)
    for row in tx.conn.execute(select(theme.c.parent_id, func.count()).group_by(theme.c.parent_id)):
        positions[row[0]] = row[1]
    made = 0
    for given in themes:
        parent_path, _, name = given["path"].rpartition("/")
        parent_id = ids.get(parent_path) if parent_path else None
        if parent_path and parent_id is None:
            report.skip(f"theme {given['path']!r}", f"its parent {parent_path!r} is not there")
            continue
        name = _fit(name, 500)
        if (parent_id, name) in existing:
            report.skip(f"theme {given['path']!r}", "a theme of that name is already there")
            continue
        theme_id = tx.insert(
            theme,
            {
                "parent_id": parent_id,
                "name": name,
                "definition": given["definition"],
                "status": given["status"],
                "contextual": given["contextual"],
                "position": positions[parent_id],
            },
        )
        positions[parent_id] += 1
        existing[(parent_id, name)] = theme_id
        ids[given["path"]] = theme_id
        codes = list(dict.fromkeys(c.id for c in given["codes"] if c.id is not None))
        tx.insert_many(
            theme_code,
            [{"theme_id": theme_id, "code_id": c, "position": i} for i, c in enumerate(codes)],
        )
        made += 1
    return made


# -- the public entry points --------------------------------------------------------------


def _new_report(path: Path, package: Package, origin: str | None) -> ImportReport:
    tool, _ = counting_for(origin)
    fmt = "qdc" if package.kind == "codebook" else ("qde" if package.bare else "qdpx")
    return ImportReport(str(path), fmt, (origin or "").strip() or "unknown", tool)


def import_into(project: Project, path: str | Path) -> ImportReport:
    """Import a ``.qdpx`` or ``.qde`` into ``project``, which must be empty, in one
    transaction."""
    path = Path(path)
    with open_package(path, expect="project") as package:
        model = refi.read_project(package.root)
        report = _new_report(path, package, model.origin)
        plan = _plan(model, package, report, project.actor)
        with project.transaction("import REFI-QDA project", path.name) as tx:
            _write_project(tx, plan, project.location)
            tx.after = _counts(report)
    report.project = project.location
    return report


def _plan(model, package, report, actor) -> _ProjectImport:
    plan = _ProjectImport(model, package, report, actor)
    plan.plan_users()
    plan.plan_codes(model.codes)
    plan.plan_sources()
    return plan


def _counts(report: ImportReport) -> dict[str, int]:
    keys = ("coders", "codes", "sources", "selections", "codings", "memos", "cases", "themes")
    counts = {k: getattr(report, k) for k in keys}
    counts["unplaced"] = len(report.unplaced)
    counts["skipped"] = len(report.skipped)
    return counts


def import_codebook(project: Project, path: str | Path) -> ImportReport:
    """Add the codes of a ``.qdc`` (and the themes Thematica wrote into it as Sets) to
    ``project``. Codes already at the same path are left as they are."""
    path = Path(path)
    with open_package(path, expect="codebook") as package:
        codes, sets, origin = refi.read_codebook(package.root)
        report = _new_report(path, package, origin)
        model = refi.Project(name="", origin=origin, created=None, user=None, description="")
        plan = _ProjectImport(model, package, report, project.actor)
        plan.plan_codes(codes)
        with project.transaction("import REFI-QDA codebook", path.name) as tx:
            _merge_codes(tx, plan, report)
            themes, _ = plan.plan_sets(sets)
            tx.insert_many(memo, [_memo_row(m) for m in plan.memos])
            report.memos = len(plan.memos)
            report.themes = _write_themes(tx, themes, report)
            tx.after = _counts(report)
    report.project = project.location
    return report


def _merge_codes(tx: Transaction, plan: _ProjectImport, report: ImportReport) -> None:
    rows = {r.id: r for r in tx.conn.execute(select(code.c.id, code.c.parent_id, code.c.name))}
    children: dict[int | None, dict[str, int]] = defaultdict(dict)
    counts: dict[int | None, int] = defaultdict(int)
    there: list[str] = []
    for row in rows.values():
        children[row.parent_id][row.name] = row.id
        counts[row.parent_id] += 1
    for made in plan.codes:
        parent_id = made.parent.id if made.parent else None
        existing = children[parent_id].get(made.name)
        if existing is not None:
            made.id = existing
            there.append(_path(made))
            continue
        made.id = tx.insert(
            code,
            {
                "parent_id": parent_id,
                "name": made.name,
                "description": made.description,
                "colour": made.colour,
                "position": counts[parent_id],
            },
        )
        counts[parent_id] += 1
        children[parent_id][made.name] = made.id
        report.codes += 1
    if there:
        names = ", ".join(repr(n) for n in there[:3]) + (", ..." if len(there) > 3 else "")
        report.skip(
            f"{_plural(len(there), 'code')} already in the codebook ({names})",
            "left as they are",
        )


def import_file(
    path: str | Path,
    into: str | Path | None = None,
    actor: str | None = None,
    expect: str | None = None,
) -> ImportReport:
    """Import a ``.qdpx``, ``.qde`` or ``.qdc`` into the project at ``into``.

    A project file that does not exist is created (named after the REFI project); an
    existing one must be empty for a project, and may hold anything for a codebook.
    ``into`` defaults to the file's name with ``.thematica`` in the current folder.
    ``expect`` ("project" or "codebook") refuses the other kind. When the import fails,
    a project this call created is removed again.
    """
    from thematica.project import create_project, open_project

    path = Path(path)
    with open_package(path, expect=expect) as package:
        kind = package.kind
        name = (package.root.get("name") or "").strip() if kind == "project" else ""
    location = str(into) if into is not None else str(path.with_suffix(".thematica").name)
    created = False
    if store_engine.is_url(location):
        try:
            project = open_project(location, actor=actor)
        except ProjectError:
            project = create_project(location, name=name or None, actor=actor)
    elif Path(location).exists():
        project = open_project(location, actor=actor)
    else:
        project = create_project(location, name=_fit(name, 500) or None, actor=actor)
        created = True
    try:
        with project:
            if kind == "codebook":
                return import_codebook(project, path)
            return import_into(project, path)
    except BaseException:
        if created:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(location + suffix).unlink(missing_ok=True)
        raise
