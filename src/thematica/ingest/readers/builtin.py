"""The readers that ship with Thematica; importing this module registers them."""

from thematica.ingest.readers import plain  # noqa: F401
