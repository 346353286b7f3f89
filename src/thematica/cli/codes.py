"""`thematica codes`: build and change the codebook."""

from pathlib import Path
from typing import Annotated

import typer

from thematica.cli.common import (
    JsonOption,
    console,
    escape,
    get_project,
    plural,
    print_json,
    table,
    typer_app,
)

app = typer_app("Build and change the codebook.")


@app.command("add")
def codes_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Code name.")],
    parent: Annotated[str | None, typer.Option(help="Parent code (name or path).")] = None,
    description: Annotated[str, typer.Option(help="What the code captures.")] = "",
    colour: Annotated[str | None, typer.Option(help="Colour as #rrggbb.")] = None,
) -> None:
    """Add a code."""
    code = get_project(ctx).codes.add(name, parent=parent, description=description, colour=colour)
    typer.echo(f"Added code {code.path}")


COUNTS = ("codings", "sources", "participants")


@app.command("list")
def codes_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the codes, depth first, with their codings, sources and participants.

    A code with sub-codes shows each count alone, then after a slash with its
    sub-codes (a source or participant they share counts once).
    """
    codes = get_project(ctx).codes.list()
    if as_json:
        print_json([c.as_dict() for c in codes])
        return
    parents = {c.parent for c in codes}
    rows = []
    for c in codes:
        counts = [
            f"{getattr(c, n)} / {getattr(c.with_children, n)}"
            if c.path in parents
            else getattr(c, n)
            for n in COUNTS
        ]
        rows.append(["  " * c.depth + c.name, *counts, c.colour, c.description])
    table(["code", *COUNTS, "colour", "description"], rows, right=set(COUNTS))


@app.command("tree")
def codes_tree(ctx: typer.Context) -> None:
    """Show the codebook as a tree."""
    from rich.tree import Tree

    codes = get_project(ctx).codes.list()
    root = Tree("codebook", guide_style="dim")
    nodes: dict[str, Tree] = {}
    for code in codes:
        parent = nodes[code.parent] if code.parent else root
        nodes[code.path] = parent.add(
            f"[{code.colour}]■[/] {escape(code.name)} [dim]({code.codings})[/]"
        )
    console().print(root)


@app.command("rename")
def codes_rename(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Code name or path.")],
    new_name: Annotated[str, typer.Argument(help="New name.")],
) -> None:
    """Rename a code."""
    code = get_project(ctx).codes.rename(name, new_name)
    typer.echo(f"Renamed {name} to {code.path}")


@app.command("describe")
def codes_describe(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Code name or path.")],
    description: Annotated[str, typer.Argument(help="New description.")],
) -> None:
    """Set a code's description."""
    code = get_project(ctx).codes.describe(name, description)
    typer.echo(f"Described {code.path}")


@app.command("colour")
def codes_colour(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Code name or path.")],
    colour: Annotated[str, typer.Argument(help="Colour as #rrggbb.")],
) -> None:
    """Set a code's colour."""
    code = get_project(ctx).codes.recolour(name, colour)
    typer.echo(f"Coloured {code.path} {code.colour}")


@app.command("move")
def codes_move(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Code name or path.")],
    parent: Annotated[str | None, typer.Option(help="New parent code.")] = None,
    top: Annotated[bool, typer.Option("--top", help="Move to the top level.")] = False,
) -> None:
    """Move a code (and its children) under another code, or to the top level."""
    from thematica.errors import InvalidInput

    if (parent is None) == (not top):
        raise InvalidInput("give either --parent NAME or --top")
    code = get_project(ctx).codes.move(name, None if top else parent)
    typer.echo(f"Moved {name} to {code.path}")


@app.command("merge")
def codes_merge(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Code to merge away.")],
    into: Annotated[str, typer.Argument(help="Code that receives its codings.")],
) -> None:
    """Merge one code into another: codings, memos and children move; nothing is lost."""
    project = get_project(ctx)
    code = project.codes.merge(name, into)
    after = project.log(1)[0].after
    typer.echo(
        f"Merged {name} into {code.path}: {plural(after['codings_moved'], 'coding')} moved, "
        f"{after['duplicates_dropped']} duplicates dropped"
    )


@app.command("delete")
def codes_delete(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Code name or path.")],
    force: Annotated[
        bool, typer.Option("--force", help="Also delete its codings and memos (audited).")
    ] = False,
) -> None:
    """Delete a code and its children; refused while they have codings, unless --force."""
    deleted = get_project(ctx).codes.delete(name, force=force)
    extra = f" and {plural(deleted, 'coding')}" if deleted else ""
    typer.echo(f"Deleted code {name}{extra}")


@app.command("export")
def codes_export(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A .csv or .yaml file to write.")],
) -> None:
    """Write the codebook to CSV or YAML."""
    count = get_project(ctx).codes.export(file)
    typer.echo(f"Exported {plural(count, 'code')} to {file}")


@app.command("import")
def codes_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A .csv or .yaml codebook.")],
    encoding: Annotated[str | None, typer.Option(help="Text encoding of a CSV.")] = None,
) -> None:
    """Add the codes of a CSV or YAML codebook; update those that exist."""
    result = get_project(ctx).codes.import_file(file, encoding=encoding)
    typer.echo(f"Imported {file}: {result.created} codes added, {result.updated} updated")
