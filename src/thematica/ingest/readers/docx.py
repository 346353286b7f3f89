"""Word ``.docx`` documents.

The body is read in document order: paragraphs, tables (one paragraph per row, cells
separated by a tab), content controls (``w:sdt``), text boxes, line breaks and tabs.
Tracked changes are read as if accepted: inserted and moved-to text is kept, deleted and
moved-from text is left out. Footnotes and endnotes are cited in the text as ``[1]`` and
``[i]`` and their text follows the body under a ``Footnotes`` or ``Endnotes`` line.

Left out on purpose: headers and footers (page furniture such as "Transcript - page 3",
not what anyone said), comments (annotations on the text, not the text), field codes
(``w:instrText``; a field's visible result is kept), generated list numbers and symbol-
font glyphs from the private use area. Placeholder text of an empty content control is
kept, because Word shows it on the page.
Pieces of HTML or RTF imported whole (``w:altChunk``, which Word turns into ordinary
text the next time it saves the file) live in parts of their own and are not read;
the reader says so in a warning.

The archive is opened through :mod:`thematica.ingest.archives` before python-docx sees
it, so zip bombs, members outside the archive and encrypted archives are refused first;
python-docx then validates the package and resolves its parts, and the XML is walked
with lxml because python-docx's paragraph API skips content controls, text boxes and
notes.

This module also holds the small helpers the other office readers share
(:func:`refuse_impostor`, :func:`parse_part`, :func:`finish_text`).
"""

from __future__ import annotations

import codecs
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thematica.errors import InvalidInput
from thematica.ingest.archives import open_archive, parse_xml, read_member
from thematica.ingest.readers import Document, ReadOptions, register

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

# A text format may start with a byte-order mark or blank lines before its magic.
_LEADING = b"\xef\xbb\xbf \t\r\n"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An OLE compound file is searched this far for the names of its streams.
_OLE_SCAN_BYTES = 64 * 1024 * 1024

# Elements whose content is never body text: properties, field codes, deleted and
# moved-from text (tracked changes read as accepted), and the fallback copy of content
# that also sits in the alternate choice.
_SKIP = frozenset(
    W + name
    for name in (
        "pPr", "rPr", "sdtPr", "sdtEndPr", "tblPr", "tblGrid", "trPr", "tcPr", "sectPr",
        "del", "moveFrom", "delText", "instrText", "delInstrText", "footnoteRef",
        "endnoteRef", "commentReference", "annotationRef", "customXmlPr", "smartTagPr",
    )
) | {MC + "Fallback"}  # fmt: skip


def refuse_impostor(path: Path, kind: str, magic: bytes = b"PK\x03\x04") -> None:
    """Refuse a file whose first bytes say it is something other than ``kind`` file.

    ``kind`` comes with its article: "a Word .docx", "an RTF".

    ``magic`` is how the format starts (a zip's local header by default). A file that
    starts like a zip but whose archive is truncated or damaged is refused here too,
    because :class:`zipfile.ZipFile` would only call it "not a zip file".
    """
    with path.open("rb") as handle:
        head = handle.read(512)
    zipped = magic == b"PK\x03\x04"
    if (head if zipped else head.lstrip(_LEADING)).startswith(magic):
        if zipped and not zipfile.is_zipfile(path):
            raise InvalidInput(
                f"{path.name} is damaged: its zip archive is incomplete or corrupt "
                "(a truncated download or copy?)"
            )
        return
    if head.startswith(_OLE_MAGIC) and _ole_stream(path, "EncryptedPackage"):
        # Word and LibreOffice wrap a password-protected .docx/.xlsx in an OLE file.
        raise InvalidInput(
            f"{path.name} is password-protected; save an unprotected copy to import it"
        )
    found = _what_it_is(path, head)
    raise InvalidInput(
        f"{path.name} is {found[0]}, not {kind} file; {found[1]}"
        if found
        else f"{path.name} is not {kind} file"
    )


def _what_it_is(path: Path, head: bytes) -> tuple[str, str] | None:
    """What a mislabelled file really is, and what to do about it, when that is known."""
    if head.startswith(_OLE_MAGIC):
        if _ole_stream(path, "WordDocument"):
            return "an old binary Word .doc file", "save it as .docx in Word or LibreOffice"
        return "an old binary Office file", "save it as .docx in Word or LibreOffice"
    if head.startswith(b"PK\x03\x04"):
        return "a zip archive", "is it a .docx or .odt with the wrong extension?"
    if head.startswith(b"%PDF-"):
        return "a PDF", "rename it to .pdf"
    if head.startswith(b"{\\rtf"):
        return "an RTF document", "rename it to .rtf"
    if _looks_like_text(head):
        return "plain text", "rename it to .txt"
    return None


def _ole_stream(path: Path, name: str) -> bool:
    """Whether an OLE compound file (old Office formats) holds a stream called ``name``."""
    with path.open("rb") as handle:
        data = handle.read(_OLE_SCAN_BYTES)
    # Directory entries name their streams in UTF-16LE.
    return name.encode("utf-16-le") in data


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    try:
        # Incremental, so a character cut off at the end of ``head`` is no error.
        codecs.getincrementaldecoder("utf-8")().decode(head)
    except UnicodeDecodeError:
        return False
    return not any(byte < 9 or 13 < byte < 32 for byte in head)


@contextmanager
def damaged_zip(path: Path) -> Iterator[None]:
    """Turn what :mod:`zipfile` raises for damaged archives into one clear line.

    A corrupt deflate stream raises zlib.error, a damaged header NotImplementedError
    ("zip file version 12.2") or UnicodeDecodeError (a member name); python-docx,
    which opens the archive again itself, lets them all through.
    """
    try:
        yield
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, UnicodeDecodeError) as error:
        raise InvalidInput(
            f"{path.name} is damaged: its zip archive is corrupt ({error})"
        ) from None


def parse_part(archive: zipfile.ZipFile, name: str, path: Path) -> Any:
    """Parse one XML member, refusing any that declares a DTD.

    Office formats never declare a DTD, so one that does is crafted: its entities could
    expand without end ("billion laughs") or, left unexpanded, hide words.
    """
    data = read_member(archive, name, path)
    if _declares_dtd(data):
        raise InvalidInput(
            f"{path.name} is refused: its {name} declares XML entities (a DTD), which "
            "office programs never write"
        )
    root = parse_xml(data, path)
    if root.getroottree().docinfo.internalDTD is not None:
        raise InvalidInput(f"{path.name} is refused: its {name} declares a DTD")
    return root


def _declares_dtd(data: bytes) -> bool:
    marker = "<!DOCTYPE"
    return any(marker.encode(codec) in data for codec in ("utf-8", "utf-16-le", "utf-16-be"))


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_BREAKS = str.maketrans({"\r": "\n", "\v": "\n", "\u2028": "\n", "\f": "\n\n", "\u2029": "\n\n"})


def finish_text(blocks: Iterable[str]) -> str:
    """Join paragraphs into transcript-shaped text.

    Each block is one paragraph (it may hold line breaks). Lines lose leading and
    trailing white space, so a speaker label always starts its line; paragraphs are
    separated by exactly one blank line; control characters other than tab and line
    end are removed. The result ends with one line end, or is empty.
    """
    paragraphs: list[str] = []
    for block in blocks:
        block = _CONTROL.sub("", block.replace("\r\n", "\n").translate(_BREAKS))
        current: list[str] = []
        for line in block.split("\n"):
            line = line.strip()
            if line:
                current.append(line)
            elif current:
                paragraphs.append("\n".join(current))
                current = []
        if current:
            paragraphs.append("\n".join(current))
    return "\n\n".join(paragraphs) + "\n" if paragraphs else ""


def roman(number: int) -> str:
    """Lower-case roman numerals, as Word numbers endnotes by default."""
    numerals = (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    )  # fmt: skip
    out = []
    for value, numeral in numerals:
        count, number = divmod(number, value)
        out.append(numeral * count)
    return "".join(out)


@dataclass
class _Notes:
    """Footnotes or endnotes of one kind, labelled in the order the text cites them."""

    heading: str
    notes: dict[str, Any]  # w:id -> w:footnote / w:endnote element
    numbering: Any  # int -> label
    labels: dict[str, str] = field(default_factory=dict)

    def cite(self, note_id: str) -> str:
        if note_id not in self.labels:
            self.labels[note_id] = self.numbering(len(self.labels) + 1)
        return f"[{self.labels[note_id]}]"

    def uncited(self) -> list[str]:
        """Real notes the text never cites (their words must not be lost either)."""
        return [i for i, note in self.notes.items() if i not in self.labels and _is_real(note)]


def _is_real(note: Any) -> bool:
    # Separator "notes" hold the line drawn above the notes, not text.
    return note.get(W + "type") in (None, "normal")


class _Walker:
    """Collects the text of a WordprocessingML story in reading order."""

    def __init__(self, footnotes: _Notes, endnotes: _Notes) -> None:
        self.notes = {W + "footnoteReference": footnotes, W + "endnoteReference": endnotes}
        self.alt_chunks = 0  # imported HTML/RTF pieces kept in parts of their own

    def blocks(self, container: Any) -> list[str]:
        """The paragraphs of a block container: body, cell, text box, note, content control."""
        out: list[str] = []
        carried = ""
        for child in _unwrapped(container):
            if child.tag == W + "p":
                text, floating = self.paragraph(child)
                if _mark_removed(child):
                    # Accepting the deletion of a paragraph mark joins the paragraph
                    # to the next one.
                    carried += text
                else:
                    out.append(carried + text)
                    carried = ""
                out.extend(floating)
            elif child.tag == W + "tbl":
                out.extend(self.table(child))
            elif child.tag == W + "altChunk":
                self.alt_chunks += 1
        if carried:
            out.append(carried)
        return out

    def paragraph(self, paragraph: Any) -> tuple[str, list[str]]:
        """A paragraph's text, and the paragraphs of text boxes anchored in it."""
        parts: list[str] = []
        floating: list[str] = []
        self._inline(paragraph, parts, floating)
        return "".join(parts), floating

    def table(self, table: Any) -> list[str]:
        """One paragraph per row; a cell's own paragraphs become lines."""
        rows = []
        for row in _unwrapped(table):
            if row.tag != W + "tr" or _row_removed(row):
                continue
            cells = [
                "\n".join(b for b in self.blocks(cell) if b.strip())
                for cell in _unwrapped(row)
                if cell.tag == W + "tc"
            ]
            rows.append("\t".join(cells))
        return rows

    def _inline(self, element: Any, parts: list[str], floating: list[str]) -> None:
        for child in element:
            tag = child.tag
            if tag in _SKIP or not isinstance(tag, str):
                continue
            if tag in (W + "t", M + "t"):
                # A line end inside w:t is not a break in Word; it shows as a space.
                parts.append((child.text or "").replace("\r", " ").replace("\n", " "))
            elif tag in (W + "tab", W + "ptab"):
                parts.append("\t")
            elif tag in (W + "br", W + "cr"):
                parts.append("\n")
            elif tag == W + "noBreakHyphen":
                parts.append("-")
            elif tag == W + "sym":
                parts.append(_symbol(child))
            elif tag in self.notes:
                parts.append(self.notes[tag].cite(child.get(W + "id", "")))
            elif tag == W + "txbxContent":
                floating.extend(self.blocks(child))
            elif tag == MC + "AlternateContent":
                self._inline(_choice(child), parts, floating)
            else:
                # Runs, hyperlinks, insertions, moved-to text, content controls, smart
                # tags, simple fields, drawings: descend, so no container hides words.
                self._inline(child, parts, floating)

    def notes_text(self, notes: _Notes) -> list[str]:
        """The heading and one paragraph per note, cited notes first."""
        ids = list(notes.labels)
        for note_id in notes.uncited():
            notes.cite(note_id)
            ids.append(note_id)
        out: list[str] = []
        for note_id in ids:
            note = notes.notes.get(note_id)
            if note is None:
                continue
            blocks = [b for b in self.blocks(note) if b.strip()] or [""]
            out.append(f"[{notes.labels[note_id]}] {blocks[0].strip()}")
            out.extend(blocks[1:])
        return [notes.heading, *out] if out else []


def _unwrapped(container: Any) -> Iterator[Any]:
    """Children of a block container, looking through content controls and custom XML."""
    for child in container:
        tag = child.tag
        if tag in _SKIP or not isinstance(tag, str):
            continue
        if tag == W + "sdt":
            content = child.find(W + "sdtContent")
            if content is not None:
                yield from _unwrapped(content)
        elif tag in (W + "customXml", W + "ins", W + "moveTo", W + "sdtContent"):
            yield from _unwrapped(child)
        elif tag == MC + "AlternateContent":
            yield from _unwrapped(_choice(child))
        else:
            yield child


def _choice(alternate: Any) -> Any:
    # Word writes new content (DrawingML text boxes, say) in mc:Choice and a copy for
    # older readers in mc:Fallback; exactly one copy is read.
    choice = alternate.find(MC + "Choice")
    if choice is None:
        choice = alternate.find(MC + "Fallback")
    return choice if choice is not None else ()


def _mark_removed(paragraph: Any) -> bool:
    marks = paragraph.find(f"{W}pPr/{W}rPr")
    return marks is not None and (
        marks.find(W + "del") is not None or marks.find(W + "moveFrom") is not None
    )


def _row_removed(row: Any) -> bool:
    return row.find(f"{W}trPr/{W}del") is not None


def _symbol(sym: Any) -> str:
    try:
        code = int(sym.get(W + "char", ""), 16)
    except ValueError:
        return ""
    # Symbol fonts (Wingdings, Symbol) map glyphs into the private use area; the
    # character would mean nothing outside that font.
    if 0xE000 <= code <= 0xF8FF or not 0x20 <= code <= 0x10FFFF:
        return ""
    return chr(code)


def _notes(document_part: Any, parsed: dict[str, Any], kind: str) -> dict[str, Any]:
    """The footnotes or endnotes of the main document, by w:id."""
    for rel in document_part.rels.values():
        if rel.reltype == _RELS + f"{kind}s" and not rel.is_external:
            root = parsed.get(str(rel.target_part.partname).lstrip("/"))
            if root is not None:
                return {note.get(W + "id"): note for note in root.iter(W + kind)}
    return {}


def _open_with_python_docx(path: Path, members: list[str]) -> Any:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    if "[Content_Types].xml" not in members:
        what = "an OpenDocument file" if "mimetype" in members else "a zip archive"
        raise InvalidInput(f"{path.name} is {what}, not a Word .docx document")
    try:
        return docx.Document(str(path))
    except ValueError as error:
        # python-docx says "file '...' is not a Word file, content type is '...'"
        found = str(error).rsplit("content type is ", 1)[-1]
        raise InvalidInput(f"{path.name} is not a Word document (content type {found})") from None
    except (
        PackageNotFoundError,
        KeyError,
        etree.XMLSyntaxError,
        zipfile.BadZipFile,
        OSError,
        EOFError,
        # python-docx trusts a part's root element to be the one its content type
        # promises; a part that is well-formed XML of another kind breaks that trust
        # as an AttributeError or TypeError.
        AttributeError,
        TypeError,
    ) as error:
        raise InvalidInput(
            f"{path.name} is not a readable Word document ({type(error).__name__}: {error})"
        ) from None


def docx_text(path: str | Path) -> str:
    """The body text of a ``.docx`` file, shaped as a transcript (see the module doc).

    Headers, footers and comments are not part of it. Raises :class:`InvalidInput` for
    anything that is not a readable, unencrypted Word document.
    """
    return _read(Path(path))[0]


def _read(path: Path) -> tuple[str, tuple[str, ...]]:
    """The text, and warnings about content that could not be read."""
    refuse_impostor(path, "a Word .docx")
    with damaged_zip(path), open_archive(path, "Word .docx") as archive:
        members = archive.namelist()
        # Every XML part is checked before python-docx parses any of them.
        parsed = {
            name: parse_part(archive, name, path)
            for name in members
            if name.endswith((".xml", ".rels"))
        }
    with damaged_zip(path):
        document = _open_with_python_docx(path, members)
    part = document.part
    root = parsed.get(str(part.partname).lstrip("/"))
    if root is None:
        raise InvalidInput(f"{path.name} is not a readable Word document (no XML main part)")
    footnotes = _Notes("Footnotes", _notes(part, parsed, "footnote"), str)
    endnotes = _Notes("Endnotes", _notes(part, parsed, "endnote"), roman)
    walker = _Walker(footnotes, endnotes)
    body = root.find(W + "body")
    blocks = walker.blocks(body) if body is not None else []
    blocks += walker.notes_text(footnotes)
    blocks += walker.notes_text(endnotes)
    warnings = ()
    if walker.alt_chunks:
        warnings = (
            f"{path.name}: {walker.alt_chunks} embedded HTML/RTF piece(s) (w:altChunk) were "
            "not read; open the file in Word and save it again to make them ordinary text",
        )
    return finish_text(blocks), warnings


@register(".docx")
def read_docx(path: Path, options: ReadOptions) -> Document:
    """A Word document; a Zoom or Teams transcript pasted into Word keeps its cue times."""
    from thematica.ingest.readers.subtitles import looks_like_webvtt, parse_webvtt_text

    text, warnings = _read(path)
    if looks_like_webvtt(text):
        pasted = parse_webvtt_text(text, kind="vtt", name=path.name)
        return Document(pasted.text, "docx-vtt", pasted.anchors, warnings + pasted.warnings)
    return Document(text=text, kind="docx", warnings=warnings)
