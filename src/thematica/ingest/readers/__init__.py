"""Readers: turn a file of any supported format into a :class:`Document`.

Readers are registered by file suffix, spaCy-style, so a format is added (or replaced)
without touching the rest of the import path:

>>> from thematica.ingest.readers import register, Document
>>> @register(".xyz")
... def read_xyz(path, options):
...     return Document(text=path.read_text(), kind="xyz")

Every reader returns text that :func:`thematica.text.canonical` will accept as is (the
import canonicalises it again) and, where the format carries them, time anchors and
speaker labels. Readers raise :class:`thematica.errors.InvalidInput` with one line for
every way a file can be bad.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from thematica.errors import InvalidInput
from thematica.ingest.files import check_size
from thematica.text.normalise import canonical_with_offsets


@dataclass(frozen=True)
class TimeAnchor:
    """``offset`` in the document's text is spoken at ``seconds`` into the recording."""

    offset: int
    seconds: float


@dataclass(frozen=True)
class ReadOptions:
    """Choices a user makes per import.

    ``encoding``: for text formats, the file's encoding when it is not UTF-8/UTF-16.
    ``strip_line_numbers`` / ``strip_headers``: for PDFs with printed line numbers and
    running headers or footers.
    ``keep_line_breaks``: for plain text, keep every line break as it is instead of
    re-joining hard-wrapped lines into paragraphs.
    """

    encoding: str | None = None
    strip_line_numbers: bool = False
    strip_headers: bool = False
    keep_line_breaks: bool = False


@dataclass(frozen=True)
class Document:
    """What a reader found in a file.

    ``label_pattern``: where the reader recognised speaker labels that the default
    pattern would miss (a PDF's label column, say), a pattern that finds them; used for
    turn detection unless the user gives one.
    """

    text: str
    kind: str
    anchors: tuple[TimeAnchor, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    label_pattern: str | None = None


# A Word file or PDF of a long interview with pictures is a few MB; one this large is a
# mistake (a video, a disk image) and would take minutes and gigabytes to parse.
MAX_DOCUMENT_BYTES = 200 * 1024 * 1024

Reader = Callable[[Path, ReadOptions], Document]
_READERS: dict[str, Reader] = {}


def register(*suffixes: str) -> Callable[[Reader], Reader]:
    """Register a reader for file suffixes (with the dot, lower case)."""

    def decorate(reader: Reader) -> Reader:
        for suffix in suffixes:
            _READERS[suffix.lower()] = reader
        return reader

    return decorate


def supported() -> list[str]:
    _load_builtin()
    return sorted(_READERS)


def read_document(path: str | Path, options: ReadOptions | None = None) -> Document:
    """Read ``path`` with the reader registered for its suffix."""
    path = Path(path)
    _load_builtin()
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise InvalidInput(
            f"cannot read {path.name}: {path.suffix or 'no extension'} is not a supported "
            f"format ({', '.join(sorted(_READERS))})"
        )
    if not path.is_file():
        raise InvalidInput(f"no such file: {path}")
    if check_size(path, MAX_DOCUMENT_BYTES, "documents") == 0:
        raise InvalidInput(f"{path} is empty")
    document = reader(path, options or ReadOptions())
    anchors = sorted(document.anchors, key=lambda a: a.offset)
    text, offsets = canonical_with_offsets(document.text, [a.offset for a in anchors])
    if not text.strip():
        raise InvalidInput(f"{path.name} has no text")
    return replace(
        document,
        text=text,
        anchors=tuple(TimeAnchor(o, a.seconds) for o, a in zip(offsets, anchors, strict=True)),
    )


def _load_builtin() -> None:
    # Imported on first use: each reader pulls in its own library (python-docx, pypdf,
    # ...), which a command that reads no files should not pay for.
    from thematica.ingest.readers import builtin  # noqa: F401
