"""Rich Text Format (``.rtf``), as Word, WordPad, LibreOffice and TextEdit write it.

striprtf turns RTF into text: it decodes ``\\'xx`` escapes in the document's code page
(``\\ansicpg``, per-font ``\\fcharset``) and ``\\uN`` escapes, skipping their fallback
characters as ``\\ucN`` says. Before it runs, one pass over striprtf's own tokens
rewrites what it would otherwise get wrong for a transcript:

* ``\\par`` and ``\\line`` both come out of striprtf as a line end; here a line break
  becomes U+2028, so every paragraph becomes a paragraph and every line break a line;
* table cells come out as ``|``; here they are separated by a tab, one row per line;
* footnotes and text boxes are destinations striprtf drops with all their words;
  here a footnote is cited as ``[1]`` (an endnote ``[i]``) and its text follows the
  body under ``Footnotes``/``Endnotes``, and a text box's text follows the paragraph
  its shape is anchored in;
* tracked deletions (``\\deleted``) would be kept as if they were still there; here
  they are dropped, so changes read as accepted;
* hyperlinks would gain their address in brackets and list items their generated
  bullet or number; here, as from a .docx, neither is text.

striprtf returns characters beyond U+FFFF as surrogate pairs, which are joined here.
Headers, footers, comments, field codes and pictures are left out, as for ``.docx``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from thematica.errors import InvalidInput
from thematica.ingest.readers import Document, ReadOptions, register
from thematica.ingest.readers.docx import finish_text, refuse_impostor, roman

# Pictures make an RTF file far larger than its text; a transcript with a few photos
# stays well below this.
MAX_RTF_BYTES = 100 * 1024 * 1024

# striprtf writes each of these as text; inside a tracked deletion they are dropped.
_TEXT_WORDS = frozenset(
    {
        "par", "line", "tab", "emdash", "endash", "emspace", "enspace", "qmspace",
        "bullet", "lquote", "rquote", "ldblquote", "rdblquote", "u",
    }
)  # fmt: skip
_TEXT_SYMBOLS = frozenset("~-_{}\\\n\r")
# Groups by the destination word that opens them. Dropped: a field's code, which
# striprtf would otherwise turn into "text(url)" for hyperlinks, and a list item's
# generated label ("1.", a bullet), which a .docx or .odt does not give as text either.
_KINDS = {
    "footnote": "footnote",
    "shptxt": "textbox",
    "shp": "shape",
    "fldinst": "dropped",
    "listtext": "dropped",
}
# Word nests groups a dozen deep; thousands are a crafted file, costly to follow.
_MAX_DEPTH = 1000
# A group of its own, so the \uc setting around it does not matter.
_LINE_BREAK = r"{\uc1\u8232?}"


@dataclass
class _Group:
    """One ``{...}`` group while it is being rewritten."""

    deleted: bool  # inside a tracked deletion
    uc: int  # fallback characters after each \uN
    kind: str = ""  # footnote | endnote | textbox | shape | dropped | "" (anything else)
    opening: bool = True  # no token but \* and white space seen yet
    body: int = 0  # where a text box's own content starts among the tokens
    tokens: list[str] = field(default_factory=list)
    boxes: list[str] = field(default_factory=list)  # text boxes inside a shape


class _Rewriter:
    """The token pass described in the module doc."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.notes: dict[str, list[str]] = {"footnote": [], "endnote": []}
        self.stack: list[_Group] = [_Group(deleted=False, uc=1)]
        self.skip = 0  # fallback characters of a deleted \uN still to drop
        self.boxes: list[tuple[int, str]] = []  # text boxes waiting for their paragraph end
        self.notes_placed = False
        # Word puts a space between a note's number and its text; with the number gone,
        # the space would follow the note's label twice.
        self.note_start = False

    def rewrite(self, source: str) -> str:
        from striprtf.striprtf import PATTERN

        for match in PATTERN.finditer(source):
            word, arg, hexes, symbol, brace, char = match.groups()
            group = self.stack[-1]
            if brace == "{":
                if len(self.stack) > _MAX_DEPTH:
                    raise InvalidInput(f"{self.name} nests RTF groups too deeply to be a document")
                self.stack.append(_Group(deleted=group.deleted, uc=group.uc))
                self.skip = 0
            elif brace == "}":
                # A closing brace with no group open is damage; dropped, striprtf
                # reads on instead of stopping there.
                if len(self.stack) > 1:
                    self._close()
                self.skip = 0
            elif word:
                self.skip = 0
                self._word(match.group(0), word, arg)
            elif symbol:
                self.skip = 0
                group.opening = group.opening and symbol == "*"
                self._emit(match.group(0), symbol in _TEXT_SYMBOLS)
            elif hexes or char:
                group.opening = False
                if self.note_start and char == " ":
                    continue
                self.note_start = False
                if self.skip:
                    # striprtf skips a \uN's fallback itself; only a deleted one's
                    # fallback is dropped here, with the \uN.
                    self.skip -= 1
                    if group.deleted:
                        continue
                self._emit(match.group(0), True)
            else:
                group.tokens.append(match.group(0))
        while len(self.stack) > 1:
            # An unbalanced file: close what it left open, so nothing is lost.
            self._close()
        return "".join(self.stack[0].tokens)

    def _word(self, token: str, word: str, arg: str | None) -> None:
        group = self.stack[-1]
        if group.opening:
            group.opening = False
            group.kind = _KINDS.get(word, "")
            if group.kind == "footnote":
                self.note_start = True
                # Read later as an ordinary group, so the \* that made it one to skip
                # goes, with the \footnote itself.
                group.tokens = [t for t in group.tokens if t.strip() != "\\*"]
                return
            if group.kind == "textbox":
                group.tokens.append(token)
                group.body = len(group.tokens)
                return
        if word == "ftnalt" and group.kind == "footnote":
            group.kind = "endnote"
            return
        if word == "deleted":
            group.deleted = arg != "0"
        elif word == "plain":
            group.deleted = False
        elif word == "uc" and arg is not None:
            group.uc = max(int(arg), 0)
        elif word == "u":
            self.skip = group.uc
            self.note_start = False
        if word == "line":
            self._emit(_LINE_BREAK, True)
        elif word == "par" and not group.deleted:
            group.tokens.append(token)
            self._place_boxes(len(self.stack))
        elif word in ("cell", "nestcell"):
            group.tokens.append(r"\tab ")
        elif word == "nestrow":
            group.tokens.append(r"\par ")
        else:
            self._emit(token, word in _TEXT_WORDS)

    def _emit(self, token: str, is_text: bool) -> None:
        group = self.stack[-1]
        if is_text and group.deleted:
            return
        group.tokens.append(token)

    def _close(self) -> None:
        if len(self.stack) == 2 and not self.notes_placed:
            # The document's own group is closing: what still waits goes before its
            # closing brace, because striprtf reads nothing after it.
            self._place_boxes(0, r"\par ")
            self.stack[-1].tokens.append(self._notes_rtf())
            self.notes_placed = True
        group = self.stack.pop()
        parent = self.stack[-1]
        if group.kind == "dropped":
            return
        if group.kind in ("footnote", "endnote"):
            notes = self.notes[group.kind]
            notes.append("".join(group.tokens))
            label = str(len(notes)) if group.kind == "footnote" else roman(len(notes))
            parent.tokens.append(f"[{label}]")
            return
        if group.kind == "textbox":
            owner = next((g for g in reversed(self.stack) if g.kind == "shape"), None)
            if owner is not None:
                owner.boxes.append("".join(group.tokens[group.body :]))
        # The shape is a destination striprtf skips; its text boxes follow the
        # paragraph the shape is anchored in, as they do from a .docx.
        self.boxes.extend((len(self.stack), box) for box in group.boxes)
        parent.tokens.append("{" + "".join(group.tokens) + "}")

    def _place_boxes(self, depth: int, before: str = "") -> None:
        """Put the waiting text boxes anchored at ``depth`` or deeper after this point."""
        waiting = [box for at, box in self.boxes if at >= depth]
        if waiting and not any(g.kind in ("footnote", "endnote") for g in self.stack):
            self.boxes = [(at, box) for at, box in self.boxes if at < depth]
            group = self.stack[-1]
            group.tokens.append(before + "".join(rf"{{{box}}}\par " for box in waiting))

    def _notes_rtf(self) -> str:
        out = []
        for kind, heading, label in (
            ("footnote", "Footnotes", str),
            ("endnote", "Endnotes", roman),
        ):
            if self.notes[kind]:
                out.append(rf"\par\pard\plain {heading}\par ")
                out.extend(
                    rf"{{[{label(n)}] {note}}}\par "
                    for n, note in enumerate(self.notes[kind], start=1)
                )
        return "".join(out)


# Destinations that hold pictures, embedded objects and other binary data as hex: a
# photo is megabytes of it, which the token pass and striprtf would walk one character
# at a time, so they go first, found with regular expressions.
_BLOB = re.compile(
    r"\{(?:\\\*)?\\(?:pict|objdata|datastore|themedata|colorschememapping|blipuid|"
    r"fontemb|fontfile|passwordhash)(?![a-z])"
)
_BRACE = re.compile(r"\\[{}\\]|[{}]")


def _drop_blobs(source: str) -> str:
    out = []
    at = 0
    while found := _BLOB.search(source, at):
        out.append(source[at : found.start()])
        depth = 0
        at = len(source)
        for brace in _BRACE.finditer(source, found.start()):
            depth += {"{": 1, "}": -1}.get(brace.group(), 0)
            if depth == 0:
                at = brace.end()
                break
    out.append(source[at:])
    return "".join(out)


def _decode(data: bytes) -> str:
    """The file as text: RTF is 7-bit, but some writers put raw bytes of its code page."""
    found = re.search(rb"\\ansicpg(\d+)", data[:4096])
    codepage = f"cp{found.group(1).decode()}" if found else "cp1252"
    try:
        return data.decode(codepage, errors="replace")
    except LookupError:
        return data.decode("cp1252", errors="replace")


def _join_surrogates(text: str) -> str:
    # striprtf turns \u-10179?\u-8704? into two UTF-16 halves; a lone half is replaced.
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def rtf_text(path: str | Path) -> str:
    """The body text of an ``.rtf`` file, shaped as a transcript (see the module doc)."""
    from striprtf.striprtf import remove_pict_groups, rtf_to_text

    path = Path(path)
    size = path.stat().st_size
    if size > MAX_RTF_BYTES:
        raise InvalidInput(
            f"{path.name} is {size / 1024 / 1024:.0f} MB; RTF files over "
            f"{MAX_RTF_BYTES // 1024 // 1024} MB are refused"
        )
    refuse_impostor(path, "an RTF", magic=b"{\\rtf")
    # Binary picture data (\bin) could hold braces, so it goes before everything else.
    data = path.read_bytes().lstrip(b"\xef\xbb\xbf \t\r\n")
    source = _drop_blobs(remove_pict_groups(_decode(data)))
    text = rtf_to_text(_Rewriter(path.name).rewrite(source), errors="replace")
    return finish_text(_join_surrogates(text).split("\n"))


@register(".rtf")
def read_rtf(path: Path, options: ReadOptions) -> Document:
    return Document(text=rtf_text(path), kind="rtf")
