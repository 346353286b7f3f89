"""REFI-QDA exchange: whole projects to and from NVivo, ATLAS.ti, MAXQDA and QualCoder.

>>> from thematica.interop import export_project, import_file
>>> export_project(project, "study.qdpx").codings
645
>>> report = import_file("from-nvivo.qdpx", into="from-nvivo.thematica")
>>> report.verified, report.by_position, len(report.unplaced)

Modules: ``package`` (opening .qdpx/.qde/.qdc safely), ``refi`` (the file as Python
objects), ``offsets`` (how each tool counts positions, and mapping them into canonical
text), ``conventions`` (what Thematica writes beyond the bare standard: stable GUIDs,
attribute types, themes as Sets), ``exporter`` and ``importer``.
"""

from thematica.interop.exporter import ExportReport, export_codebook, export_project
from thematica.interop.importer import (
    ImportReport,
    Unplaced,
    import_codebook,
    import_file,
    import_into,
)

__all__ = [
    "ExportReport",
    "ImportReport",
    "Unplaced",
    "export_codebook",
    "export_project",
    "import_codebook",
    "import_file",
    "import_into",
]
