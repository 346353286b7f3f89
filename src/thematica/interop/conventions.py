"""What Thematica writes into REFI-QDA files beyond the bare standard, and reads back.

Everything here stays inside what the schema allows, so other tools read the files and
show these as ordinary text:

* **GUIDs** are derived from the project's name and each thing's natural key (a code's
  path, a source's name, a coding's span, code and coder), so exporting the same project
  twice gives the same file.
* **Attribute types** that REFI-QDA has no word for (categorical, ordinal with its
  levels) are kept in the Variable's Description: ``Thematica attribute type: ordinal;
  levels: GCSEs | A levels | Degree``.
* **Themes** are Sets of codes named ``Theme: <path>``, their definition in the Set's
  Description followed by ``[Thematica theme · status: defined · contextual: no]``.
* **Double-coded sources** are a Set of sources named ``Double-coded sources`` with the
  Description ``[Thematica double-coded sources]``.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

NAMESPACE = uuid.UUID("6f2d9a52-8c1e-5b7a-9d0e-3a4b5c6d7e8f")


def guid(project: str, kind: str, *key: object) -> str:
    """A stable GUID for a thing of ``kind`` with natural ``key`` in ``project``."""
    return str(uuid.uuid5(NAMESPACE, "\x1f".join([project, kind, *map(str, key)])))


# -- colours --------------------------------------------------------------------------

_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
_RGB = re.compile(r"rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,[^)]*)?\)", re.I)


def parse_colour(value: str | None) -> str | None:
    """``#rrggbb`` from ``#RRGGBB``, ``#RGB``, ``RRGGBB`` or ``rgb(r, g, b)``; None when
    there is none or it cannot be read."""
    if not value or not value.strip():
        return None
    value = value.strip()
    found = _HEX.fullmatch(value)
    if found:
        digits = found.group(1)
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        return "#" + digits.lower()
    found = _RGB.fullmatch(value)
    if found:
        parts = [int(g) for g in found.groups()]
        if all(0 <= p <= 255 for p in parts):
            return "#" + "".join(f"{p:02x}" for p in parts)
    return None


# -- dates ----------------------------------------------------------------------------


def parse_time(value: str | None) -> str | None:
    """An ``xsd:dateTime`` as Thematica stores times (ISO 8601, UTC, milliseconds)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def xsd_time(value: str | None) -> str | None:
    """A stored time as ``xsd:dateTime`` (``2026-11-27T10:00:00.000Z``)."""
    parsed = parse_time(value)
    return parsed.replace("+00:00", "Z") if parsed else None


# -- attribute types ------------------------------------------------------------------

# Thematica type -> REFI typeOfVariable
VARIABLE_TYPES = {
    "text": "Text",
    "categorical": "Text",
    "ordinal": "Text",
    "integer": "Integer",
    "number": "Float",
    "boolean": "Boolean",
    "date": "Date",
}
VALUE_ELEMENTS = {
    "Text": "TextValue",
    "Integer": "IntegerValue",
    "Float": "FloatValue",
    "Boolean": "BooleanValue",
    "Date": "DateValue",
    "DateTime": "DateTimeValue",
}
_TYPE_NOTE = re.compile(
    r"Thematica attribute type: (?P<type>[a-z]+)(?:; levels: (?P<levels>.+))?", re.S
)


def type_description(kind: str, levels: tuple[str, ...] | None) -> str:
    text = f"Thematica attribute type: {kind}"
    return text + f"; levels: {' | '.join(levels)}" if levels else text


def read_type_description(description: str) -> tuple[str, tuple[str, ...] | None] | None:
    found = _TYPE_NOTE.fullmatch(description.strip())
    if not found:
        return None
    levels = found.group("levels")
    return found.group("type"), tuple(v.strip() for v in levels.split(" | ")) if levels else None


# -- sets -----------------------------------------------------------------------------

THEME_PREFIX = "Theme: "
_THEME_MARK = re.compile(
    r"\s*\[Thematica theme · status: (?P<status>\w+) · contextual: (?P<contextual>yes|no)\]\s*$"
)
DOUBLE_CODED = "Double-coded sources"
DOUBLE_CODED_MARK = "[Thematica double-coded sources]"


def theme_description(definition: str, status: str, contextual: bool) -> str:
    mark = f"[Thematica theme · status: {status} · contextual: {'yes' if contextual else 'no'}]"
    return f"{definition}\n\n{mark}" if definition else mark


def read_theme_set(name: str, description: str) -> tuple[str, str, str, bool] | None:
    """``(path, definition, status, contextual)`` of a Set Thematica wrote for a theme."""
    found = _THEME_MARK.search(description)
    if not name.startswith(THEME_PREFIX) or not found:
        return None
    definition = description[: found.start()].strip()
    return (
        name[len(THEME_PREFIX) :],
        definition,
        found.group("status"),
        found.group("contextual") == "yes",
    )


# -- XML-safe text --------------------------------------------------------------------

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_strip(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot hold."""
    return _NOT_XML.sub("", value)


def xml_text(value: str) -> tuple[str, int]:
    """``value`` with the characters XML 1.0 cannot hold replaced by U+FFFD, and how many."""
    return _NOT_XML.subn("\ufffd", value)
