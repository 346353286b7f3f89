"""OpenDocument text (``.odt``), as LibreOffice and Google Docs write it.

The body is read in document order: paragraphs, headings, lists, sections, tables (one
paragraph per row, cells separated by a tab), frames and text boxes, line breaks, tabs
and ``text:s`` spaces. Tracked changes are read as accepted: an ODF body already holds
the text with insertions made, and deleted text lives apart in ``text:tracked-changes``,
which is skipped. Footnotes and endnotes are cited as in the document (``[1]``, ``[i]``)
and their text follows the body under a ``Footnotes`` or ``Endnotes`` line.

Left out on purpose, as for ``.docx``: headers and footers (they live in styles.xml and
are page furniture, not what anyone said), comments (``office:annotation``), generated
list labels, and the templates of indexes.

The XML is read with lxml through :mod:`thematica.ingest.archives` rather than with
odfpy's loader, because odfpy opens the zip itself, with no limit on what a member may
inflate to.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from thematica.errors import InvalidInput
from thematica.ingest.archives import open_archive, read_member
from thematica.ingest.readers import Document, ReadOptions, register
from thematica.ingest.readers.docx import damaged_zip, finish_text, parse_part, refuse_impostor

OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
MANIFEST = "{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}"
_DRAWING = (
    "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}",
    "{urn:oasis:names:tc:opendocument:xmlns:dr3d:1.0}",
)
_TEXT_MIME = "application/vnd.oasis.opendocument.text"
_OTHER_KINDS = {
    "spreadsheet": "an OpenDocument spreadsheet (.ods)",
    "presentation": "an OpenDocument presentation (.odp)",
    "graphics": "an OpenDocument drawing (.odg)",
}

# Never body text: deleted text of tracked changes, comments, declarations, forms, the
# templates of indexes, and (inline) the alternative text of pictures.
_SKIP = frozenset(
    {
        TEXT + "tracked-changes", OFFICE + "annotation", OFFICE + "forms",
        TEXT + "sequence-decls", TEXT + "variable-decls", TEXT + "user-field-decls",
        TEXT + "dde-connection-decls", TABLE + "calculation-settings",
        TABLE + "content-validations", TABLE + "label-ranges", TABLE + "table-columns",
        TABLE + "table-column", TABLE + "table-column-group", TABLE + "table-header-columns",
        TEXT + "table-of-content-source", TEXT + "alphabetical-index-source",
        TEXT + "illustration-index-source", TEXT + "table-index-source",
        TEXT + "object-index-source", TEXT + "user-index-source",
        TEXT + "bibliography-source", TEXT + "index-title-template",
        TEXT + "number", "{urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0}title",
        "{urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0}desc",
    }
)  # fmt: skip
_ROW_GROUPS = frozenset(
    {TABLE + "table-header-rows", TABLE + "table-rows", TABLE + "table-row-group"}
)
_CELLS = frozenset({TABLE + "table-cell", TABLE + "covered-table-cell"})
_WHITE = re.compile(r"[ \t\r\n]+")
# Stands for a space written as text:s while runs of ordinary white space collapse; no
# XML text can contain it.
_KEPT_SPACE = "\x00"


class _Walker:
    """Collects the text of an ODF text body in reading order."""

    def __init__(self) -> None:
        self.notes: dict[str, list[tuple[str, Any]]] = {"footnote": [], "endnote": []}

    def blocks(self, container: Any) -> list[str]:
        """The paragraphs of a block container: body, section, list item, cell, frame."""
        out: list[str] = []
        for child in container:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag in (TEXT + "p", TEXT + "h"):
                parts: list[str] = []
                floating: list[str] = []
                self._inline(child, parts, floating)
                joined = re.sub(" {2,}", " ", "".join(parts)).replace(_KEPT_SPACE, " ")
                out.append(joined)
                out.extend(floating)
            elif tag == TABLE + "table":
                out.extend(self.table(child))
            else:
                # Lists, list items, sections, index bodies, frames anchored to the page:
                # whatever else holds paragraphs is looked into.
                out.extend(self.blocks(child))
        return out

    def table(self, table: Any) -> list[str]:
        """One paragraph per row; a cell's own paragraphs become lines."""
        rows = []
        for row in _rows(table):
            cells = [
                "\n".join(b for b in self.blocks(cell) if b.strip())
                for cell in row
                if cell.tag in _CELLS
            ]
            rows.append("\t".join(cells))
        return rows

    def _inline(self, element: Any, parts: list[str], floating: list[str]) -> None:
        if element.text:
            parts.append(_WHITE.sub(" ", element.text))
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                pass
            elif tag == TEXT + "s":
                parts.append(_KEPT_SPACE * _count(child.get(TEXT + "c")))
            elif tag == TEXT + "tab":
                parts.append("\t")
            elif tag == TEXT + "line-break":
                parts.append("\n")
            elif tag == TEXT + "note":
                parts.append(self._cite(child))
            elif tag.startswith(_DRAWING):
                floating.extend(self.blocks(child))
            else:
                # Spans, links, fields, ruby, meta: their text is on the page.
                self._inline(child, parts, floating)
            if child.tail:
                parts.append(_WHITE.sub(" ", child.tail))

    def _cite(self, note: Any) -> str:
        kind = "endnote" if note.get(TEXT + "note-class") == "endnote" else "footnote"
        citation = note.find(TEXT + "note-citation")
        label = "".join(citation.itertext()).strip() if citation is not None else ""
        label = label or str(len(self.notes[kind]) + 1)
        self.notes[kind].append((label, note.find(TEXT + "note-body")))
        return f"[{label}]"

    def notes_text(self, kind: str, heading: str) -> list[str]:
        """The heading and one paragraph per note, in the order they are cited."""
        out: list[str] = []
        done = 0
        # A note can cite another, which lengthens the list while it is read.
        while done < len(self.notes[kind]):
            label, body = self.notes[kind][done]
            done += 1
            blocks = [b for b in self.blocks(body) if b.strip()] if body is not None else []
            blocks = blocks or [""]
            out.append(f"[{label}] {blocks[0].strip()}")
            out.extend(blocks[1:])
        return [heading, *out] if out else []


def _rows(table: Any) -> list[Any]:
    rows = []
    for child in table:
        if child.tag == TABLE + "table-row":
            rows.append(child)
        elif child.tag in _ROW_GROUPS:
            rows.extend(_rows(child))
    return rows


def _count(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1


def _check_kind(archive: zipfile.ZipFile, path: Path) -> None:
    """Refuse other OpenDocument kinds, Word files and encrypted documents by name."""
    members = archive.namelist()
    if "mimetype" in members:
        mime = read_member(archive, "mimetype", path).decode("ascii", "replace").strip()
        if not mime.startswith(_TEXT_MIME):
            kind = mime.rsplit(".", 1)[-1].split("-")[0]
            what = _OTHER_KINDS.get(kind, f"of type {mime}")
            raise InvalidInput(f"{path.name} is {what}, not an OpenDocument text (.odt)")
    elif "[Content_Types].xml" in members:
        raise InvalidInput(f"{path.name} is an Office Open XML file (.docx?), not an .odt")
    if "META-INF/manifest.xml" in members:
        manifest = parse_part(archive, "META-INF/manifest.xml", path)
        if manifest.find(f".//{MANIFEST}encryption-data") is not None:
            raise InvalidInput(
                f"{path.name} is password-protected; save an unprotected copy to import it"
            )
    if "content.xml" not in members:
        raise InvalidInput(f"{path.name} has no content.xml; it is not an OpenDocument text")


def odt_text(path: str | Path) -> str:
    """The body text of an ``.odt`` file, shaped as a transcript (see the module doc)."""
    path = Path(path)
    refuse_impostor(path, "an OpenDocument .odt")
    with damaged_zip(path), open_archive(path, "OpenDocument .odt") as archive:
        _check_kind(archive, path)
        root = parse_part(archive, "content.xml", path)
    body = root.find(f"{OFFICE}body/{OFFICE}text")
    if body is None:
        raise InvalidInput(f"{path.name} has no text body; it is not an OpenDocument text")
    walker = _Walker()
    blocks = walker.blocks(body)
    blocks += walker.notes_text("footnote", "Footnotes")
    blocks += walker.notes_text("endnote", "Endnotes")
    return finish_text(blocks)


@register(".odt")
def read_odt(path: Path, options: ReadOptions) -> Document:
    return Document(text=odt_text(path), kind="odt")
