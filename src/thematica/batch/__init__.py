"""Batch steps on a Dask cluster: the slow, per-file work of a large study spread over
many processes or machines, with the project store as the single source of truth.

>>> from thematica.batch import cluster, import_files
>>> with cluster("local:4") as client:
...     summary = import_files(project, ["interviews/"], client)
>>> summary.done, summary.failed

Each file is one task. Workers only read and compute; every result is written back
here, through the project's API, one transaction per item and in the order the items
were given, so a batch gives the same project as the one-machine commands, an
interrupted batch resumes where it stopped, and no source is ever half written.
A task that fails, or whose worker dies, is tried once more; an item that fails twice
is reported and skipped. See docs/batch.md.
"""

from thematica.batch.cluster import cluster
from thematica.batch.runner import BatchSummary, Failure
from thematica.batch.steps import (
    anonymise_sources,
    embed_sources,
    import_files,
    transcribe_recordings,
)

__all__ = [
    "BatchSummary",
    "Failure",
    "anonymise_sources",
    "cluster",
    "embed_sources",
    "import_files",
    "transcribe_recordings",
]
