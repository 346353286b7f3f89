"""The cases screen: the participants' attribute table and the demographics table preview.

* ``GET /cases?sort=COLUMN`` (``sort=-COLUMN`` for descending): every case with its
  typed attributes and linked sources, sorted on the server so that it works without
  script; COLUMN is ``case``, ``sources`` or an attribute's name.
* ``POST /cases/values`` (``case``, ``attribute``, ``value``): one cell, one call to
  :meth:`thematica.ingest.cases.Cases.set_value`, so one audit event that Undo reverts.
  The page's script gets the page back and swaps in the cell, Table 1 and the undo
  button (``hx-select-oob``); a plain form is sent back to the table.
* ``POST /cases/table1-spec`` (``spec``): keep a Table 1 spec (TOML) in the project, or
  go back to the layout by attribute type with an empty one
  (:func:`thematica.report.table1.store_spec`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from thematica.errors import InvalidInput, ThematicaError
from thematica.ingest.cases import shown
from thematica.report.table1 import demographics, store_spec, stored_spec, stored_spec_text
from thematica.team.permissions import Permission
from thematica.web import views
from thematica.web.access import project_of, requires
from thematica.web.app import done, local, page, render
from thematica.web.reports import preview_html

if TYPE_CHECKING:
    from thematica.ingest.cases import Attribute, Case
    from thematica.project import Project

router = APIRouter()

Text = Annotated[str, Form()]
CASE_COLUMN = "case"
SOURCES_COLUMN = "sources"
# The types whose values sort as they are (numbers, False before True, dates).
_NUMERIC = ("integer", "number", "boolean", "date")


def natural(text: str) -> tuple[Any, ...]:
    """Sort key that puts ``Mother 9`` before ``Mother 10``: runs of digits as numbers.

    >>> sorted(["Mother 10", "mother 9"], key=natural)
    ['mother 9', 'Mother 10']
    """
    return tuple(int(p) if p.isdigit() else p.casefold() for p in re.split(r"(\d+)", text))


@dataclass(frozen=True)
class Row:
    """A case in the table; ``number`` names its cells' ids whatever the order."""

    number: int
    case: Case


@dataclass(frozen=True)
class Sorting:
    """The column the table is sorted by, and which way: ``?sort=-age`` is
    ``Sorting("age", descending=True)``."""

    column: str
    descending: bool

    @classmethod
    def parse(cls, given: str, attributes: list[Attribute]) -> Sorting:
        """``age`` or ``-age``; ``case`` and ``sources`` name the table's other columns."""
        column = given.removeprefix("-")
        known = [CASE_COLUMN, *(a.name for a in attributes), SOURCES_COLUMN]
        if column not in known:
            raise InvalidInput(
                f"cannot sort by {column!r}: choose one of {', '.join(known)} "
                "(a leading - sorts from the largest)"
            )
        return cls(column, given.startswith("-"))

    def link(self, column: str) -> str:
        """The ``sort`` value of ``column``'s heading: its other direction when the
        table is sorted by it, else ascending."""
        return f"-{column}" if column == self.column and not self.descending else column

    def aria(self, column: str) -> str | None:
        if column != self.column:
            return None
        return "descending" if self.descending else "ascending"


def _value_key(attribute: Attribute) -> Callable[[Any], Any]:
    if attribute.levels:
        levels = {level: index for index, level in enumerate(attribute.levels)}
        return lambda value: levels.get(value, len(levels))
    if attribute.type in _NUMERIC:
        return lambda value: value
    return lambda value: natural(str(value))


def sorted_rows(cases: list[Case], attributes: list[Attribute], sorting: Sorting) -> list[Row]:
    """The cases in ``sorting``'s order; ties keep the cases' natural order, and cases
    without a value (or without a source) come last whichever the direction."""
    rows = sorted(
        (Row(number, case) for number, case in enumerate(cases)),
        key=lambda row: natural(row.case.key),
    )
    if sorting.column == CASE_COLUMN:
        return rows[::-1] if sorting.descending else rows
    if sorting.column == SOURCES_COLUMN:
        key = _sources_key
    else:
        key = _value_key(next(a for a in attributes if a.name == sorting.column))
    present = [row for row in rows if _value(row.case, sorting.column) is not None]
    missing = [row for row in rows if _value(row.case, sorting.column) is None]
    present.sort(key=lambda row: key(_value(row.case, sorting.column)), reverse=sorting.descending)
    return present + missing


def _value(case: Case, column: str) -> Any:
    if column == SOURCES_COLUMN:
        return case.sources or None
    return case.attributes.get(column)


def _sources_key(names: tuple[str, ...]) -> Any:
    return len(names), natural(", ".join(names))


@dataclass(frozen=True)
class Table1View:
    """The demographics table as the page shows it: made fit for the page's
    Content-Security-Policy, or the one line that says why it cannot be built."""

    html: Markup | None
    notes: tuple[str, ...]
    problem: str | None
    spec: str  # the TOML kept in the project; "": laid out by attribute type


def table1_view(project: Project) -> Table1View:
    """Table 1 as `thematica table1` builds it, with the spec kept in the project."""
    text = stored_spec_text(project)
    try:
        table = demographics(project, stored_spec(project))
    except ThematicaError as error:
        return Table1View(None, (), str(error), text)
    return Table1View(preview_html(table.to_html()), table.left_out, None, text)


def _context(request: Request, sort: str) -> dict[str, Any]:
    """What cases.html shows, in the order ``sort`` asks for."""
    project: Project = project_of(request)
    attributes = project.cases.attributes()
    sorting = Sorting.parse(sort, attributes)
    cases = project.cases.list()
    undo = views.undo_of(project)
    choices = {
        a.name: sorted(
            {shown(c.attributes[a.name]) for c in cases if c.attributes.get(a.name) is not None},
            key=natural,
        )
        for a in attributes
        if a.type == "categorical"
    }
    # Text fields as wide as the column's longest value (within reason), so that the
    # values can be read without scrolling inside each field.
    widths = {
        a.name: min(max([len(shown(c.attributes.get(a.name))) for c in cases] + [4]) + 2, 30)
        for a in attributes
    }
    return {
        "nav": "cases",
        "widths": widths,
        "attributes": attributes,
        "rows": sorted_rows(cases, attributes, sorting),
        "sorting": sorting,
        "sorted_by_request": "sort" in request.query_params,
        "choices": choices,
        "shown": shown,
        "table1": table1_view(project),
        "undo": undo,
    }


@router.get("/cases", response_class=HTMLResponse, dependencies=[requires(Permission.READ)])
def cases_page(request: Request, sort: Annotated[str, Query()] = CASE_COLUMN) -> Response:
    return page(request, "cases.html", **_context(request, sort))


@router.post("/cases/values", dependencies=[requires(Permission.CASES)])
def case_value(
    request: Request,
    case: Text,
    attribute: Text,
    value: Text = "",
    next_url: Annotated[str | None, Form(alias="next")] = None,
) -> Response:
    project: Project = project_of(request)
    was = project.cases.get(case).attributes.get(attribute)
    made = project.cases.set_value(case, attribute, value)
    now = made.attributes.get(attribute)
    if now == was:
        message = f"{made.label}’s {attribute} was already {_said(now)}: nothing changed."
    else:
        message = f"{made.label}’s {attribute} is now {_said(now)}."
    back = local(next_url, "/cases")
    if request.headers.get("hx-request") != "true":
        return done(request, message, back)
    # The page's script swaps in this cell, Table 1 and the undo button from the page
    # as it is now (picked by id: the order of the rows does not matter), so that they
    # show what the database holds; drawn as the page they go into, for Undo's return.
    context = _context(request, CASE_COLUMN)
    html = render(request, "cases.html", flash=message, here=back, **context)
    return HTMLResponse(html, headers={"cache-control": "no-store"})


def _said(value: Any) -> str:
    return shown(value) or "empty"


@router.post("/cases/table1-spec", dependencies=[requires(Permission.CASES)])
def table1_spec(request: Request, spec: Text = "") -> Response:
    made = store_spec(project_of(request), spec)
    if made is None:
        message = "Table 1 is now laid out by attribute type."
    else:
        count = len(made.variables)
        message = f"Table 1 now follows the project’s spec: {count} variables."
    return done(request, message, "/cases#table1-heading")
