"""Plain text and Markdown."""

from pathlib import Path

from thematica.ingest.files import read_text
from thematica.ingest.readers import Document, ReadOptions, register


@register(".txt", ".text")
def read_plain(path: Path, options: ReadOptions) -> Document:
    return Document(text=read_text(path, options.encoding), kind="text")


@register(".md", ".markdown")
def read_markdown(path: Path, options: ReadOptions) -> Document:
    return Document(text=read_text(path, options.encoding), kind="markdown")
