"""Thematica: a local-first workbench for qualitative interview studies.

>>> import thematica
>>> project = thematica.open_project("study.thematica")
>>> [s.text for s in project.segments("Feeling judged", coder="Hannah")]

Names are imported on first use, so ``import thematica`` (and the CLI's ``--help``) stay
fast: the database layer loads only when a project is opened.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "AuditEvent": "thematica.project",
    "Project": "thematica.project",
    "create_project": "thematica.project",
    "open_project": "thematica.project",
    "Conflict": "thematica.errors",
    "InvalidInput": "thematica.errors",
    "NotFound": "thematica.errors",
    "ProjectBusy": "thematica.errors",
    "ProjectError": "thematica.errors",
    "ThematicaError": "thematica.errors",
}

__all__ = [
    "AuditEvent",
    "Conflict",
    "InvalidInput",
    "NotFound",
    "Project",
    "ProjectBusy",
    "ProjectError",
    "ThematicaError",
    "create_project",
    "open_project",
]

if TYPE_CHECKING:
    from thematica.errors import (
        Conflict,
        InvalidInput,
        NotFound,
        ProjectBusy,
        ProjectError,
        ThematicaError,
    )
    from thematica.project import AuditEvent, Project, create_project, open_project


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'thematica' has no attribute {name!r}")
