"""The readers that ship with Thematica; importing this module registers them."""

from thematica.ingest.readers import docx, odt, plain, rtf  # noqa: F401
