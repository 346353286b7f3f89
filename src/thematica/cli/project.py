"""Project-wide commands: create a project, read its log, undo."""

from typing import Annotated

import typer

from thematica.cli.common import JsonOption, get_project, print_json, table, typer_app

commands = typer_app()


@commands.command()
def init(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(help="New project file, or a postgresql:// URL.")],
    name: Annotated[str | None, typer.Option(help="Study name (default: the file name).")] = None,
    participant_label: Annotated[
        str, typer.Option(help="How participants are named in quotes, with {id}.")
    ] = "Participant {id}",
) -> None:
    """Create a new project."""
    from thematica.project import create_project

    state = ctx.find_root().obj
    create_project(path, name=name, participant_label=participant_label, actor=state.user).close()
    typer.echo(f"Created project {path}")


@commands.command()
def log(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="How many events, newest first (0: all).")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Show who changed what, newest first."""
    events = get_project(ctx).log(limit or None)
    if as_json:
        print_json([e.as_dict() for e in events])
        return
    rows = [
        [
            e.id,
            e.at[:19].replace("T", " "),
            e.actor,
            e.action,
            e.target,
            f"undone by {e.undone_by}" if e.undone_by else "",
        ]
        for e in events
    ]
    table(["#", "at (UTC)", "who", "action", "target", ""], rows, right={"#"})


@commands.command()
def undo(ctx: typer.Context) -> None:
    """Undo the most recent change."""
    event = get_project(ctx).undo()
    typer.echo(f"Undid event {event.id}: {event.action} {event.target}".rstrip())
