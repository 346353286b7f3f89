"""Plain text and Markdown."""

from pathlib import Path

from thematica.ingest.files import decode_text
from thematica.ingest.readers import Document, ReadOptions, register
from thematica.text.normalise import canonical
from thematica.text.wrap import is_hard_wrapped, rejoin_wrapped


@register(".txt", ".text")
def read_plain(path: Path, options: ReadOptions) -> Document:
    """Plain text. Hard-wrapped lines are re-joined into paragraphs unless asked not to;
    text with one paragraph a line is kept exactly as written."""
    text, warnings = _decode(path, options)
    if not options.keep_line_breaks and is_hard_wrapped(text):
        text = rejoin_wrapped(text) + "\n"
    return Document(text=text, kind="text", warnings=warnings)


@register(".md", ".markdown")
def read_markdown(path: Path, options: ReadOptions) -> Document:
    """Markdown, as written: its line breaks carry meaning (lists, headings)."""
    text, warnings = _decode(path, options)
    return Document(text=text, kind="markdown", warnings=warnings)


def _decode(path: Path, options: ReadOptions) -> tuple[str, tuple[str, ...]]:
    text, used = decode_text(path, options.encoding, guess_legacy=True)
    if used == "cp1252" and options.encoding is None:
        return canonical(text), (
            "not UTF-8: read as Windows-1252 (cp1252); if letters look wrong, add it again "
            "with its encoding, e.g. --encoding latin-1",
        )
    return canonical(text), ()
