"""The readers that ship with Thematica; importing this module registers them."""

from thematica.ingest.readers import docx, odt, pdf, plain, rtf, subtitles  # noqa: F401
