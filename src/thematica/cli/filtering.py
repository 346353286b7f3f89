"""The filter options every query command takes, and the way a command takes a group of
options as one parameter.

>>> @app.command("define")
... @grouped
... def define(ctx: typer.Context, name: str, *, filters: Filters) -> None:
...     only = filters.filter()

``grouped`` shows a group's options (``--source``, ``--case``, ... for :class:`Filters`)
where the command names the group, in the group's order, and hands the command the
group made from them: one list of options, kept in one place, for every command.
"""

import dataclasses
import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

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


@dataclasses.dataclass(frozen=True)
class Filters:
    """The filter options as given; :meth:`filter` makes (and checks) the Filter, when the
    command is ready to report a mistake in them."""

    source: Sources = None
    source_set: SourceSets = None
    case: Cases = None
    case_set: CaseSets = None
    where: Where = None
    coder: Coder = None
    role: Roles = None
    within: Within = None

    def filter(self) -> "Filter":
        from thematica.query.filters import Filter

        role = self.role
        roles = ("participant",) if not role else () if "any" in role else tuple(role)
        return Filter(
            sources=tuple(self.source or ()),
            source_sets=tuple(self.source_set or ()),
            cases=tuple(self.case or ()),
            case_sets=tuple(self.case_set or ()),
            where=self.where,
            coder=self.coder,
            roles=roles,
            within=self.within,
        )


def grouped(command: Callable[..., Any]) -> Callable[..., Any]:
    """``command`` with each parameter whose type is a dataclass of options (an option
    group, such as :class:`Filters`) replaced by the group's fields: Typer shows them as
    options there, and the command is called with the group they make."""
    signature = inspect.signature(command)
    groups: dict[str, tuple[type, list[str]]] = {}
    parameters = []
    for parameter in signature.parameters.values():
        group = parameter.annotation
        if not (isinstance(group, type) and dataclasses.is_dataclass(group)):
            parameters.append(parameter)
            continue
        fields = inspect.signature(group).parameters.values()
        groups[parameter.name] = (group, [f.name for f in fields])
        parameters += [f.replace(kind=parameter.kind) for f in fields]

    @functools.wraps(command)
    def with_groups(**given: Any) -> Any:
        for name, (group, fields) in groups.items():
            given[name] = group(**{f: given.pop(f) for f in fields})
        return command(**given)

    with_groups.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    with_groups.__annotations__ = {p.name: p.annotation for p in parameters}
    return with_groups
