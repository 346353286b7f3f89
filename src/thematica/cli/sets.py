"""`thematica sets`: source and case sets to scope queries to."""

from typing import Annotated

import typer

from thematica.cli.common import JsonOption, get_project, plural, print_json, table, typer_app
from thematica.cli.filtering import Filters, grouped

app = typer_app("Source and case sets: static lists, or worked out from a filter.")

Kind = Annotated[str, typer.Option(help="What the set holds: case or source.")]
Name = Annotated[str, typer.Argument(help="The set's name.")]
Members = Annotated[list[str], typer.Argument(help="Sources (by name) or cases (key or label).")]
Description = Annotated[str, typer.Option(help="What the set is for.")]


def _show(found) -> None:
    typer.echo(
        f"{found.kind.capitalize()} set {found.name!r} ({found.described()}): "
        f"{plural(len(found.members), found.kind)}"
    )
    for member in found.members:
        typer.echo(f"  {member}")


@app.command("add")
def sets_add(
    ctx: typer.Context,
    name: Name,
    members: Members,
    kind: Kind = "case",
    description: Description = "",
) -> None:
    """A static set: these sources or cases."""
    _show(get_project(ctx).sets.add(name, kind, members, description))


@app.command("define")
@grouped
def sets_define(
    ctx: typer.Context,
    name: Name,
    kind: Kind = "case",
    coded: Annotated[
        str | None,
        typer.Option(help="Only those with at least one coding of this code."),
    ] = None,
    children: Annotated[bool, typer.Option(help="A coding of a sub-code counts too.")] = False,
    *,
    filters: Filters,
    description: Description = "",
) -> None:
    """A dynamic set, worked out from a filter (and coded content) whenever it is used."""
    only = filters.filter()
    _show(get_project(ctx).sets.define(name, kind, only, coded, children, description))


@app.command("list")
def sets_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the sets with their definitions and sizes."""
    found = get_project(ctx).sets.list()
    if as_json:
        print_json([s.as_dict() for s in found])
        return
    rows = [[s.name, s.kind, len(s.members), s.described()] for s in found]
    table(["name", "kind", "members", "definition"], rows, right={"members"})


@app.command("show")
def sets_show(ctx: typer.Context, name: Name, as_json: JsonOption = False) -> None:
    """A set's members, as they are now."""
    found = get_project(ctx).sets.get(name)
    if as_json:
        print_json(found.as_dict())
    else:
        _show(found)


@app.command("add-members")
def sets_add_members(ctx: typer.Context, name: Name, members: Members) -> None:
    """Add sources or cases to a static set."""
    _show(get_project(ctx).sets.add_members(name, members))


@app.command("remove-members")
def sets_remove_members(ctx: typer.Context, name: Name, members: Members) -> None:
    """Take sources or cases out of a static set."""
    _show(get_project(ctx).sets.remove_members(name, members))


@app.command("delete")
def sets_delete(ctx: typer.Context, name: Name) -> None:
    """Delete a set (undo brings it back)."""
    found = get_project(ctx).sets.delete(name)
    typer.echo(f"Deleted {found.kind} set {found.name!r}")
