"""The filter options every query command takes, and the Filter they make."""

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from thematica.query.filters import Filter

Sources = Annotated[
    list[str] | None, typer.Option("--source", help="Only this source (repeatable).")
]
SourceSets = Annotated[
    list[str] | None, typer.Option("--source-set", help="Only the sources in this set.")
]
Cases = Annotated[
    list[str] | None, typer.Option("--case", help="Only this participant (repeatable).")
]
CaseSets = Annotated[
    list[str] | None, typer.Option("--case-set", help="Only the participants in this set.")
]
Where = Annotated[
    str | None,
    typer.Option(help="Participants whose attributes match, e.g. 'age <= 25 and x = \"y\"'."),
]
Coder = Annotated[str | None, typer.Option(help="Only this coder's layer (default: all).")]
Roles = Annotated[
    list[str] | None,
    typer.Option(
        "--role",
        help="Speakers' turns to look at: participant (default), interviewer, other, any.",
    ),
]
Within = Annotated[
    str | None, typer.Option(help="Only the text coded with this code (and its sub-codes).")
]


def make_filter(
    source: list[str] | None,
    source_set: list[str] | None,
    case: list[str] | None,
    case_set: list[str] | None,
    where: str | None,
    coder: str | None,
    role: list[str] | None,
    within: str | None,
) -> "Filter":
    from thematica.query.filters import Filter

    roles = ("participant",) if not role else () if "any" in role else tuple(role)
    return Filter(
        sources=tuple(source or ()),
        source_sets=tuple(source_set or ()),
        cases=tuple(case or ()),
        case_sets=tuple(case_set or ()),
        where=where,
        coder=coder,
        roles=roles,
        within=within,
    )
