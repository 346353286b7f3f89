"""Writing a project as a REFI-QDA ``.qdpx`` (project) or ``.qdc`` (codebook).

The whole project is read in one snapshot. Texts are written as UTF-8 plain text files
with ``\\n`` line ends and no BOM, so a selection's positions are code points from 0
with an exclusive end, exactly as the standard counts them and as Thematica stores them:
nothing is converted on the way out.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from thematica.errors import InvalidInput
from thematica.interop import conventions as conv
from thematica.interop.package import CODEBOOK_URN, PROJECT_URN
from thematica.store.schema import (
    TABLES,
    attribute,
    case,
    case_value,
    code,
    coder,
    coding,
    memo,
    setting,
    source,
    source_case,
    turn,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from thematica.project import Project

SNIPPET = 100  # characters of a selection's text kept in its name


@dataclass
class ExportReport:
    """What an export wrote."""

    path: str
    format: str  # qdpx | qdc
    users: int = 0
    codes: int = 0
    variables: int = 0
    cases: int = 0
    sources: int = 0
    selections: int = 0
    codings: int = 0
    notes: int = 0
    themes: int = 0
    sets: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def _origin() -> str:
    from thematica import __version__

    return f"Thematica {__version__}"


class _Snapshot:
    """Every row an export needs, read in one transaction."""

    def __init__(self, conn: Connection) -> None:
        settings = dict(conn.execute(select(setting.c.key, setting.c.value)).all())
        self.name = settings.get("name") or "study"
        self.created = settings.get("created")
        self.coders = dict(conn.execute(select(coder.c.id, coder.c.name)).all())
        self.codes = {r.id: r for r in conn.execute(select(code))}
        self.children: dict[int | None, list[int]] = defaultdict(list)
        for row in sorted(self.codes.values(), key=lambda r: (r.position, r.id)):
            self.children[row.parent_id].append(row.id)
        self.sources = {r.id: r for r in conn.execute(select(source).order_by(source.c.name))}
        self.codings = list(
            conn.execute(select(coding).order_by(coding.c.source_id, coding.c.start, coding.c.id))
        )
        self.memos = list(conn.execute(select(memo).order_by(memo.c.created, memo.c.id)))
        self.attributes = list(conn.execute(select(attribute).order_by(attribute.c.position)))
        self.cases = list(conn.execute(select(case).order_by(case.c.label)))
        self.values = list(conn.execute(select(case_value)))
        self.links = list(conn.execute(select(source_case)))
        self.turns = list(
            conn.execute(
                select(turn.c.source_id, turn.c.start, turn.c.end, turn.c.case_id).where(
                    turn.c.case_id.is_not(None)
                )
            )
        )
        self.themes: list[Any] = []
        self.theme_codes: dict[int, list[int]] = defaultdict(list)
        if "theme" in TABLES and "theme_code" in TABLES:
            theme, theme_code = TABLES["theme"], TABLES["theme_code"]
            self.themes = list(conn.execute(select(theme)))
            for row in conn.execute(select(theme_code).order_by(theme_code.c.position)):
                self.theme_codes[row.theme_id].append(row.code_id)
        self.double_coded: list[int] = []
        if "double_coded" in TABLES:
            table = TABLES["double_coded"]
            self.double_coded = list(conn.execute(select(table.c.source_id)).scalars())
        self._paths: dict[int, str] = {}

    def code_path(self, code_id: int) -> str:
        if code_id not in self._paths:
            row = self.codes[code_id]
            parent = f"{self.code_path(row.parent_id)}/" if row.parent_id is not None else ""
            self._paths[code_id] = parent + row.name
        return self._paths[code_id]

    def guid(self, kind: str, *key: object) -> str:
        return conv.guid(self.name, kind, *key)

    def theme_walk(self) -> list[tuple[Any, str]]:
        """Themes depth first, in order, with their paths."""
        by_parent: dict[int | None, list[Any]] = defaultdict(list)
        for row in sorted(self.themes, key=lambda r: (r.position, r.id)):
            by_parent[row.parent_id].append(row)
        found: list[tuple[Any, str]] = []

        def walk(parent: int | None, prefix: str) -> None:
            for row in by_parent.get(parent, []):
                path = prefix + row.name
                found.append((row, path))
                walk(row.id, path + "/")

        walk(None, "")
        return found


class _Writer:
    """Builds the XML, keeping count of characters XML could not hold."""

    def __init__(self, namespace: str) -> None:
        from lxml import etree

        self.etree = etree
        self.namespace = namespace
        self.replaced = 0

    def text(self, value: str) -> str:
        cleaned, count = conv.xml_text(value)
        self.replaced += count
        return cleaned

    def element(self, parent, tag: str, attributes: dict[str, Any] | None = None, text=None):
        attrs = {
            k: self.text(str(v)) for k, v in (attributes or {}).items() if v is not None and v != ""
        }
        qualified = f"{{{self.namespace}}}{tag}"
        if parent is None:
            made = self.etree.Element(qualified, attrs, nsmap={None: self.namespace})
        else:
            made = self.etree.SubElement(parent, qualified, attrs)
        if text is not None:
            made.text = self.text(text)
        return made

    def serialise(self, root) -> bytes:
        return self.etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _codes(w: _Writer, snap: _Snapshot, parent_el, parent_id: int | None, notes) -> int:
    count = 0
    for code_id in snap.children.get(parent_id, []):
        row = snap.codes[code_id]
        path = snap.code_path(code_id)
        element = w.element(
            parent_el,
            "Code",
            {
                "guid": snap.guid("code", path),
                "name": row.name,
                "isCodable": "true",
                "color": row.colour,
            },
        )
        if row.description:
            w.element(element, "Description", text=row.description)
        for note in notes.get(code_id, []) if notes is not None else []:
            w.element(element, "NoteRef", {"targetGUID": note})
        count += 1 + _codes(w, snap, element, code_id, notes)
    return count


def _float(value: str) -> str | None:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def export_project(project: Project, path: str | Path) -> ExportReport:
    """Write the whole project to a ``.qdpx`` file."""
    path = Path(path)
    if path.suffix.lower() != ".qdpx":
        raise InvalidInput(f"cannot export a project to {path.name}: use a .qdpx file name")
    if not path.parent.is_dir():
        raise InvalidInput(f"cannot write {path}: folder {path.parent} does not exist")
    with project.read() as conn:
        snap = _Snapshot(conn)
    qde, files, report = _project_xml(snap)
    report.path = str(path)
    _write_zip(path, qde, files)
    return report


def _write_zip(path: Path, qde: bytes, files: dict[str, bytes]) -> None:
    partial = path.with_name(path.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in [("project.qde", qde), *sorted(files.items())]:
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, data)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def _project_xml(snap: _Snapshot) -> tuple[bytes, dict[str, bytes], ExportReport]:
    w = _Writer(PROJECT_URN)
    report = ExportReport(path="", format="qdpx")
    files: dict[str, bytes] = {}
    root = w.element(
        None,
        "Project",
        {"name": snap.name, "origin": _origin(), "creationDateTime": conv.xsd_time(snap.created)},
    )

    # Users: every coder, and every memo author.
    people = sorted(set(snap.coders.values()) | {m.author for m in snap.memos})
    user = {name: snap.guid("user", name) for name in people}
    if people:
        users = w.element(root, "Users")
        for name in people:
            w.element(users, "User", {"guid": user[name], "name": name})
    report.users = len(people)

    # Notes first (as GUIDs), so that what they hang on can point at them.
    note_refs: dict[tuple, list[str]] = defaultdict(list)
    seen: dict[str, int] = defaultdict(int)
    notes: list[tuple[Any, str]] = []
    for row in snap.memos:
        digest = hashlib.sha256(f"{row.title}\x1f{row.text}".encode()).hexdigest()[:16]
        key = (row.created, row.author, digest)
        seen[repr(key)] += 1
        note = snap.guid("note", *key, seen[repr(key)])
        notes.append((row, note))
        if row.anchor_kind == "project":
            note_refs[("project",)].append(note)
        elif row.anchor_kind == "code":
            note_refs[("code", row.anchor_id)].append(note)
        elif row.anchor_kind == "coding":
            note_refs[("coding", row.anchor_id)].append(note)
        elif row.start is not None:
            note_refs[("span", row.source_id, row.start, row.end)].append(note)
        else:
            note_refs[("source", row.source_id)].append(note)
    code_notes = {key[1]: value for key, value in note_refs.items() if key[0] == "code"}

    if snap.codes:
        codebook = w.element(root, "CodeBook")
        report.codes = _codes(w, snap, w.element(codebook, "Codes"), None, code_notes)

    attributes = {row.id: row for row in snap.attributes}
    if snap.attributes:
        variables = w.element(root, "Variables")
        for row in snap.attributes:
            element = w.element(
                variables,
                "Variable",
                {
                    "guid": snap.guid("variable", row.name),
                    "name": row.name,
                    "typeOfVariable": conv.VARIABLE_TYPES.get(row.type, "Text"),
                },
            )
            levels = tuple(row.levels) if row.levels else None
            w.element(element, "Description", text=conv.type_description(row.type, levels))
    report.variables = len(snap.attributes)

    # Selections: one per distinct span of a source, holding its codings and notes.
    spans: dict[int, set[tuple[int, int]]] = defaultdict(set)
    by_span: dict[tuple[int, int, int], list[Any]] = defaultdict(list)
    for row in snap.codings:
        spans[row.source_id].add((row.start, row.end))
        by_span[(row.source_id, row.start, row.end)].append(row)
    for key in note_refs:
        if key[0] == "span":
            spans[key[1]].add((key[2], key[3]))
    for row in snap.turns:
        spans[row.source_id].add((row.start, row.end))

    def selection_guid(source_id: int, start: int, end: int) -> str:
        return snap.guid("selection", snap.sources[source_id].name, start, end)

    if snap.cases:
        cases = w.element(root, "Cases")
        values: dict[int, list[Any]] = defaultdict(list)
        for row in snap.values:
            if row.value is not None:
                values[row.case_id].append(row)
        linked: dict[int, list[int]] = defaultdict(list)
        for row in snap.links:
            linked[row.case_id].append(row.source_id)
        turns: dict[int, list[Any]] = defaultdict(list)
        for row in snap.turns:
            turns[row.case_id].append(row)
        for row in snap.cases:
            case_guid = snap.guid("case", row.label)
            element = w.element(cases, "Case", {"guid": case_guid, "name": row.label})
            for value in sorted(values[row.id], key=lambda v: attributes[v.attribute_id].position):
                _value(w, snap, element, attributes[value.attribute_id], value.value, report)
            for source_id in sorted(linked[row.id], key=lambda s: snap.sources[s].name):
                target = snap.guid("source", snap.sources[source_id].name)
                w.element(element, "SourceRef", {"targetGUID": target})
            for t in sorted(turns[row.id], key=lambda t: (snap.sources[t.source_id].name, t.start)):
                target = selection_guid(t.source_id, t.start, t.end)
                w.element(element, "SelectionRef", {"targetGUID": target})
        report.cases = len(snap.cases)

    if snap.sources:
        sources = w.element(root, "Sources")
        for source_id, row in snap.sources.items():
            source_guid = snap.guid("source", row.name)
            files[f"sources/{source_guid}.txt"] = row.text.encode("utf-8")
            element = w.element(
                sources,
                "TextSource",
                {
                    "guid": source_guid,
                    "name": row.name,
                    "plainTextPath": f"internal://{source_guid}.txt",
                    "creationDateTime": conv.xsd_time(row.created),
                },
            )
            for start, end in sorted(spans.get(source_id, ())):
                _selection(w, snap, element, row, start, end, by_span, note_refs, user, report)
            for note in note_refs.get(("source", source_id), []):
                w.element(element, "NoteRef", {"targetGUID": note})
        report.sources = len(snap.sources)

    if notes:
        notes_el = w.element(root, "Notes")
        for row, note in notes:
            files[f"sources/{note}.txt"] = row.text.encode("utf-8")
            w.element(
                notes_el,
                "Note",
                {
                    "guid": note,
                    "name": row.title,
                    "plainTextPath": f"internal://{note}.txt",
                    "creatingUser": user.get(row.author),
                    "creationDateTime": conv.xsd_time(row.created),
                },
            )
        report.notes = len(notes)

    sets = _theme_sets(snap)
    if snap.double_coded:
        members = sorted(snap.sources[s].name for s in snap.double_coded)
        sets.append(
            (
                snap.guid("set", conv.DOUBLE_CODED),
                conv.DOUBLE_CODED,
                conv.DOUBLE_CODED_MARK,
                [],
                [snap.guid("source", name) for name in members],
            )
        )
    if sets:
        sets_el = w.element(root, "Sets")
        for set_guid, name, description, codes, members in sets:
            element = w.element(sets_el, "Set", {"guid": set_guid, "name": name})
            w.element(element, "Description", text=description)
            for code_guid in codes:
                w.element(element, "MemberCode", {"targetGUID": code_guid})
            for member in members:
                w.element(element, "MemberSource", {"targetGUID": member})
    report.themes = len(snap.themes)
    report.sets = len(sets)

    for note in note_refs.get(("project",), []):
        w.element(root, "NoteRef", {"targetGUID": note})
    if w.replaced:
        report.warnings.append(
            f"{w.replaced} characters that XML cannot hold were written as U+FFFD"
        )
    return w.serialise(root), files, report


def _theme_sets(snap: _Snapshot) -> list[tuple[str, str, str, list[str], list[str]]]:
    found = []
    for row, path in snap.theme_walk():
        codes = [snap.guid("code", snap.code_path(c)) for c in snap.theme_codes.get(row.id, [])]
        description = conv.theme_description(row.definition or "", row.status, bool(row.contextual))
        found.append((snap.guid("theme", path), conv.THEME_PREFIX + path, description, codes, []))
    return found


def _value(w: _Writer, snap: _Snapshot, parent, attr, value: str, report: ExportReport) -> None:
    kind = conv.VARIABLE_TYPES.get(attr.type, "Text")
    if kind == "Float":
        value = _float(value)
        if value is None:
            report.warnings.append(f"a value of {attr.name!r} is not a finite number; left out")
            return
    element = w.element(parent, "VariableValue")
    w.element(element, "VariableRef", {"targetGUID": snap.guid("variable", attr.name)})
    w.element(element, conv.VALUE_ELEMENTS[kind], text=value)


def _selection(w, snap, parent, source_row, start, end, by_span, note_refs, user, report) -> None:
    codings = by_span.get((source_row.id, start, end), [])
    words = " ".join(conv.xml_strip(source_row.text[start:end]).split())
    name = words if len(words) <= SNIPPET else words[:SNIPPET].rstrip() + "\u2026"
    earliest = min(((c.created, snap.coders[c.coder_id]) for c in codings), default=None)
    created, first = earliest if earliest else (None, None)
    element = w.element(
        parent,
        "PlainTextSelection",
        {
            "guid": snap.guid("selection", source_row.name, start, end),
            "name": name,
            "startPosition": start,
            "endPosition": end,
            "creatingUser": user.get(first) if first else None,
            "creationDateTime": conv.xsd_time(created),
        },
    )
    for row in sorted(codings, key=lambda c: (snap.code_path(c.code_id), snap.coders[c.coder_id])):
        who = snap.coders[row.coder_id]
        path = snap.code_path(row.code_id)
        made = w.element(
            element,
            "Coding",
            {
                "guid": snap.guid("coding", source_row.name, start, end, path, who),
                "creatingUser": user[who],
                "creationDateTime": conv.xsd_time(row.created),
            },
        )
        w.element(made, "CodeRef", {"targetGUID": snap.guid("code", path)})
        for note in note_refs.get(("coding", row.id), []):
            w.element(made, "NoteRef", {"targetGUID": note})
        report.codings += 1
    for note in note_refs.get(("span", source_row.id, start, end), []):
        w.element(element, "NoteRef", {"targetGUID": note})
    report.selections += 1


def export_codebook(project: Project, path: str | Path) -> ExportReport:
    """Write the codebook (codes with colours and descriptions, themes as Sets of codes)
    to a ``.qdc`` file."""
    path = Path(path)
    if path.suffix.lower() != ".qdc":
        raise InvalidInput(f"cannot export a codebook to {path.name}: use a .qdc file name")
    if not path.parent.is_dir():
        raise InvalidInput(f"cannot write {path}: folder {path.parent} does not exist")
    with project.read() as conn:
        snap = _Snapshot(conn)
    if not snap.codes:
        raise InvalidInput("the codebook is empty: a .qdc needs at least one code")
    w = _Writer(CODEBOOK_URN)
    report = ExportReport(path=str(path), format="qdc")
    root = w.element(None, "CodeBook", {"origin": _origin()})
    report.codes = _codes(w, snap, w.element(root, "Codes"), None, None)
    sets = _theme_sets(snap)
    if sets:
        sets_el = w.element(root, "Sets")
        for set_guid, name, description, codes, _ in sets:
            element = w.element(sets_el, "Set", {"guid": set_guid, "name": name})
            w.element(element, "Description", text=description)
            for code_guid in codes:
                w.element(element, "MemberCode", {"guid": code_guid})
    report.themes = report.sets = len(sets)
    if w.replaced:
        report.warnings.append(
            f"{w.replaced} characters that XML cannot hold were written as U+FFFD"
        )
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_bytes(w.serialise(root))
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return report
