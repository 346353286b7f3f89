"""The REFI-QDA project and codebook as plain Python objects, read leniently.

Elements are matched by their local name, so a codebook pasted into a project in its
own namespace (as one MAXQDA-based script does) is read all the same; GUIDs are compared
in lower case without braces; a Set member's GUID is read from ``targetGUID`` or
``guid``. Nothing here touches a project: :mod:`thematica.interop.importer` decides what
becomes what.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


def local(element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""  # a comment or processing instruction
    return tag.rsplit("}", 1)[-1]


def children(element, name: str | None = None) -> Iterator:
    for child in element:
        if local(child) and (name is None or local(child) == name):
            yield child


def child(element, name: str):
    return next(children(element, name), None)


def text_of(element, name: str) -> str | None:
    found = child(element, name)
    return None if found is None else (found.text or "")


def guid_key(value: str | None) -> str | None:
    """A GUID as compared here: lower case, no braces, no surrounding space."""
    if value is None:
        return None
    cleaned = value.strip().strip("{}").strip().lower()
    return cleaned or None


def ref(element, *attributes: str) -> str | None:
    for attribute in attributes:
        value = guid_key(element.get(attribute))
        if value:
            return value
    return None


def refs(element, name: str, *attributes: str) -> list[str]:
    found = (ref(c, *(attributes or ("targetGUID",))) for c in children(element, name))
    return [g for g in found if g]


@dataclass
class User:
    guid: str
    name: str


@dataclass
class Code:
    guid: str
    name: str
    colour: str | None
    description: str
    codable: bool
    notes: list[str]
    children: list[Code]


@dataclass
class Variable:
    guid: str
    name: str
    type: str
    description: str


@dataclass
class Value:
    variable: str
    kind: str  # TextValue, BooleanValue, IntegerValue, FloatValue, DateValue, DateTimeValue
    text: str


@dataclass
class Case:
    guid: str
    name: str
    description: str
    values: list[Value]
    sources: list[str]
    selections: list[str]
    codes: list[str]


@dataclass
class Coding:
    guid: str
    code: str | None
    user: str | None
    created: str | None
    notes: list[str]


@dataclass
class Selection:
    guid: str
    name: str | None
    start: int | None
    end: int | None
    user: str | None
    created: str | None
    description: str
    codings: list[Coding]
    notes: list[str]


@dataclass
class SyncPoint:
    guid: str
    position: int | None
    ms: int | None


@dataclass
class TextSource:
    """A TextSource, a PDF's text representation, or an audio or video transcript."""

    guid: str
    name: str | None
    element: str  # TextSource | Representation | Transcript
    plain_text_path: str | None
    rich_text_path: str | None
    content: str | None
    description: str
    user: str | None
    created: str | None
    selections: list[Selection]
    codings: list[Coding]  # codings of the whole source
    notes: list[str]
    values: list[Value]
    sync_points: list[SyncPoint] = field(default_factory=list)
    transcript_selections: list[tuple[Selection, str | None, str | None]] = field(
        default_factory=list
    )
    media: str | None = None  # the media source's name, for a transcript


@dataclass
class OtherSource:
    """A picture, PDF page area, audio or video source: not text, so not imported."""

    guid: str
    element: str
    name: str
    selections: int
    codings: int
    values: list[Value]
    notes: list[str]
    text: bool = False  # whether its text (a PDF's representation, a transcript) was read


@dataclass
class Note:
    guid: str
    name: str
    plain_text_path: str | None
    content: str | None
    description: str
    user: str | None
    created: str | None
    selections: int


@dataclass
class Link:
    guid: str
    name: str
    origin: str | None
    target: str | None
    notes: list[str]


@dataclass
class Set:
    guid: str
    name: str
    description: str
    codes: list[str]
    sources: list[str]
    notes: list[str]


@dataclass
class Project:
    name: str
    origin: str | None
    created: str | None
    user: str | None
    description: str
    users: list[User] = field(default_factory=list)
    codes: list[Code] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    sources: list[TextSource] = field(default_factory=list)
    others: list[OtherSource] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    sets: list[Set] = field(default_factory=list)
    graphs: int = 0
    project_notes: list[str] = field(default_factory=list)


def _int(value: str | None) -> int | None:
    try:
        return int(value.strip()) if value is not None else None
    except ValueError:
        return None


def _codes(parent) -> list[Code]:
    found = []
    for element in children(parent, "Code"):
        found.append(
            Code(
                guid=ref(element, "guid") or "",
                name=element.get("name") or "",
                colour=element.get("color") or element.get("colour"),
                description=text_of(element, "Description") or "",
                codable=(element.get("isCodable") or "true").strip().lower() not in ("false", "0"),
                notes=refs(element, "NoteRef"),
                children=_codes(element),
            )
        )
    return found


def _values(element) -> list[Value]:
    found = []
    for value in children(element, "VariableValue"):
        variable = child(value, "VariableRef")
        target = ref(variable, "targetGUID", "guid") if variable is not None else None
        for kind in (
            "TextValue",
            "BooleanValue",
            "IntegerValue",
            "FloatValue",
            "DateValue",
            "DateTimeValue",
        ):
            given = child(value, kind)
            if given is not None and target:
                found.append(Value(target, kind, given.text or ""))
                break
    return found


def _coding(element) -> Coding:
    code_ref = child(element, "CodeRef")
    return Coding(
        guid=ref(element, "guid") or "",
        code=ref(code_ref, "targetGUID", "guid") if code_ref is not None else None,
        user=ref(element, "creatingUser"),
        created=element.get("creationDateTime"),
        notes=refs(element, "NoteRef"),
    )


def _selection(element) -> Selection:
    return Selection(
        guid=ref(element, "guid") or "",
        name=element.get("name"),
        start=_int(element.get("startPosition")),
        end=_int(element.get("endPosition")),
        user=ref(element, "creatingUser", "modifyingUser"),
        created=element.get("creationDateTime") or element.get("modifiedDateTime"),
        description=text_of(element, "Description") or "",
        codings=[_coding(c) for c in children(element, "Coding")],
        notes=refs(element, "NoteRef"),
    )


def _text_source(element, kind: str, fallback_name: str | None = None) -> TextSource:
    source = TextSource(
        guid=ref(element, "guid") or "",
        name=element.get("name") or fallback_name,
        element=kind,
        plain_text_path=element.get("plainTextPath"),
        rich_text_path=element.get("richTextPath"),
        content=text_of(element, "PlainTextContent"),
        description=text_of(element, "Description") or "",
        user=ref(element, "creatingUser", "modifyingUser"),
        created=element.get("creationDateTime") or element.get("modifiedDateTime"),
        selections=[_selection(s) for s in children(element, "PlainTextSelection")],
        codings=[_coding(c) for c in children(element, "Coding")],
        notes=refs(element, "NoteRef"),
        values=_values(element),
    )
    if kind == "Transcript":
        source.sync_points = [
            SyncPoint(ref(p, "guid") or "", _int(p.get("position")), _int(p.get("timeStamp")))
            for p in children(element, "SyncPoint")
        ]
        source.transcript_selections = [
            (_selection(s), ref(s, "fromSyncPoint"), ref(s, "toSyncPoint"))
            for s in children(element, "TranscriptSelection")
        ]
    return source


_SELECTIONS = {
    "PictureSource": "PictureSelection",
    "PDFSource": "PDFSelection",
    "AudioSource": "AudioSelection",
    "VideoSource": "VideoSelection",
}


def read_project(root) -> Project:
    """Read a ``<Project>`` element."""
    project = Project(
        name=root.get("name") or "",
        origin=root.get("origin"),
        created=root.get("creationDateTime"),
        user=ref(root, "creatingUserGUID"),
        description=text_of(root, "Description") or "",
        project_notes=refs(root, "NoteRef"),
    )
    for element in children(root):
        name = local(element)
        if name == "Users":
            project.users = [
                User(ref(u, "guid") or "", u.get("name") or u.get("id") or "")
                for u in children(element, "User")
            ]
        elif name == "CodeBook":
            codes = child(element, "Codes")
            project.codes = _codes(codes) if codes is not None else []
        elif name == "Variables":
            project.variables = [
                Variable(
                    ref(v, "guid") or "",
                    v.get("name") or "",
                    v.get("typeOfVariable") or "Text",
                    text_of(v, "Description") or "",
                )
                for v in children(element, "Variable")
            ]
        elif name == "Cases":
            project.cases = [
                Case(
                    guid=ref(c, "guid") or "",
                    name=c.get("name") or "",
                    description=text_of(c, "Description") or "",
                    values=_values(c),
                    sources=refs(c, "SourceRef"),
                    selections=refs(c, "SelectionRef"),
                    codes=refs(c, "CodeRef"),
                )
                for c in children(element, "Case")
            ]
        elif name == "Sources":
            _sources(project, element)
        elif name == "Notes":
            project.notes = [
                Note(
                    guid=ref(n, "guid") or "",
                    name=n.get("name") or "",
                    plain_text_path=n.get("plainTextPath"),
                    content=text_of(n, "PlainTextContent"),
                    description=text_of(n, "Description") or "",
                    user=ref(n, "creatingUser", "modifyingUser"),
                    created=n.get("creationDateTime") or n.get("modifiedDateTime"),
                    selections=len(list(children(n, "PlainTextSelection"))),
                )
                for n in children(element, "Note")
            ]
        elif name == "Links":
            project.links = [
                Link(
                    ref(link, "guid") or "",
                    link.get("name") or "",
                    ref(link, "originGUID"),
                    ref(link, "targetGUID"),
                    refs(link, "NoteRef"),
                )
                for link in children(element, "Link")
            ]
        elif name == "Sets":
            project.sets = read_sets(element)
        elif name == "Graphs":
            project.graphs = len(list(children(element, "Graph")))
    return project


def read_sets(element) -> list[Set]:
    return [
        Set(
            guid=ref(s, "guid") or "",
            name=s.get("name") or "",
            description=text_of(s, "Description") or "",
            codes=refs(s, "MemberCode", "targetGUID", "guid"),
            sources=refs(s, "MemberSource", "targetGUID", "guid"),
            notes=refs(s, "MemberNote", "targetGUID", "guid"),
        )
        for s in children(element, "Set")
    ]


def _sources(project: Project, element) -> None:
    for source in children(element):
        kind = local(source)
        if kind == "TextSource":
            project.sources.append(_text_source(source, "TextSource"))
            continue
        name = source.get("name") or ""
        representation = child(source, "Representation")
        if kind == "PDFSource" and representation is not None:
            text = _text_source(representation, "Representation", name)
            text.name = name or text.name  # the PDF's name, not "Representation_for_..."
            text.values += _values(source)
            text.notes += refs(source, "NoteRef")
            text.codings += [_coding(c) for c in children(source, "Coding")]
            project.sources.append(text)
        for transcript in children(source, "Transcript"):
            text = _text_source(transcript, "Transcript", f"{name} transcript")
            text.media = name
            project.sources.append(text)
        selection = _SELECTIONS.get(kind)
        if selection is None:
            continue
        selections = list(children(source, selection))
        project.others.append(
            OtherSource(
                guid=ref(source, "guid") or "",
                element=kind,
                name=name,
                selections=len(selections),
                codings=sum(len(list(children(s, "Coding"))) for s in selections)
                + len(list(children(source, "Coding"))),
                values=_values(source),
                notes=refs(source, "NoteRef") + [n for s in selections for n in refs(s, "NoteRef")],
                text=representation is not None or child(source, "Transcript") is not None,
            )
        )


def read_codebook(root) -> tuple[list[Code], list[Set], str | None]:
    """Read a ``<CodeBook>`` element: its codes, sets and origin."""
    codes = child(root, "Codes")
    sets = child(root, "Sets")
    return (
        _codes(codes) if codes is not None else [],
        read_sets(sets) if sets is not None else [],
        root.get("origin"),
    )
