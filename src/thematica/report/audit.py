"""The audit log as a file for an appendix or an auditor: CSV or JSON, oldest first.

>>> write_audit(project, "audit.csv")
174

One row per event: its number, time (UTC), who, the action and its target, whether it
can be undone and which event undid it, and its details before and after (JSON). The
row changes that undo replays are left out: they are data, not a record of work.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thematica.errors import InvalidInput

if TYPE_CHECKING:
    from thematica.project import Project

FORMATS = ("csv", "json")
COLUMNS = ("id", "at", "actor", "action", "target", "undoable", "undone_by", "before", "after")


def audit_rows(project: Project, limit: int | None = None) -> list[dict[str, Any]]:
    """The events, oldest first (the newest ``limit`` of them, if given)."""
    events = project.log(limit)
    return [{column: getattr(e, column) for column in COLUMNS} for e in reversed(events)]


def audit_text(project: Project, format: str, limit: int | None = None) -> str:
    """The log as CSV or JSON text."""
    return _render(audit_rows(project, limit), format)


def write_audit(
    project: Project, path: str | Path, format: str | None = None, limit: int | None = None
) -> int:
    """Write the log to ``path`` (format from its suffix unless given); return how many
    events were written."""
    path = Path(path)
    rows = audit_rows(project, limit)
    text = _render(rows, format or path.suffix.lower().lstrip("."))
    try:
        path.write_text(text, encoding="utf-8", newline="")
    except OSError as error:
        raise InvalidInput(f"cannot write {str(path)!r}: {error.strerror}") from None
    return len(rows)


def _render(rows: list[dict[str, Any]], format: str) -> str:
    if format not in FORMATS:
        raise InvalidInput(f"write the audit log as csv or json, not {format!r}")
    if format == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        details = {k: _json(row[k]) for k in ("before", "after")}
        writer.writerow({**row, **details, "undoable": "yes" if row["undoable"] else "no"})
    return out.getvalue()


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
