"""Plain text and Markdown."""

from pathlib import Path

from thematica.ingest.files import read_text
from thematica.ingest.readers import Document, ReadOptions, register
from thematica.text.normalise import canonical
from thematica.text.wrap import is_hard_wrapped, rejoin_wrapped


@register(".txt", ".text")
def read_plain(path: Path, options: ReadOptions) -> Document:
    """Plain text. Hard-wrapped lines are re-joined into paragraphs unless asked not to;
    text with one paragraph a line is kept exactly as written."""
    text = canonical(read_text(path, options.encoding))
    if not options.keep_line_breaks and is_hard_wrapped(text):
        text = rejoin_wrapped(text) + "\n"
    return Document(text=text, kind="text")


@register(".md", ".markdown")
def read_markdown(path: Path, options: ReadOptions) -> Document:
    return Document(text=read_text(path, options.encoding), kind="markdown")
