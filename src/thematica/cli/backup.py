"""`thematica backup` and `thematica restore`: copies taken while the project is in use."""

from pathlib import Path
from typing import Annotated

import typer

from thematica.cli.common import JsonOption, get_project, plural, print_json, table, typer_app

commands = typer_app()


@commands.command()
def backup(
    ctx: typer.Context,
    keep: Annotated[
        int, typer.Option(help="How many backups to keep; older ones are removed.", min=1)
    ] = 10,
    to: Annotated[
        Path | None,
        typer.Option(help="Backup folder (default: PROJECT.backups beside the project)."),
    ] = None,
    list_: Annotated[
        bool, typer.Option("--list", help="List the backups instead of making one.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Back the project up (consistent while it is in use) and keep the newest N."""
    from thematica.backup import backup as make_backup
    from thematica.backup import list_backups

    project = get_project(ctx)
    if list_:
        found = list_backups(project, to)
        if as_json:
            print_json([{"stamp": b.stamp, "files": [str(f) for f in b.files]} for b in found])
            return
        table(
            ["made (UTC)", "files", "size"],
            [[_when(b.stamp), ", ".join(str(f) for f in b.files), _size(b.files)] for b in found],
            right={"size"},
        )
        return
    made = make_backup(project, to, keep)
    if as_json:
        print_json(
            {
                "stamp": made.stamp,
                "files": [str(f) for f in made.files],
                "removed": [str(f) for f in made.removed],
                "notes": list(made.notes),
            }
        )
        return
    for note in made.notes:
        typer.echo(f"Note: {note}", err=True)
    removed = f"; removed {plural(len(made.removed), 'older file')}" if made.removed else ""
    typer.echo(
        f"Backed up {project.location if project.dialect == 'sqlite' else 'the database'} to "
        f"{' and '.join(str(f) for f in made.files)} (keeping the newest {keep}{removed})"
    )


def _when(stamp: str) -> str:
    day, time = stamp[:8], stamp[9:15]
    return f"{day[:4]}-{day[4:6]}-{day[6:]} {time[:2]}:{time[2:4]}:{time[4:]}"


def _size(files: tuple[Path, ...]) -> str:
    return f"{sum(f.stat().st_size for f in files) / 2**20:.1f} MiB"


@commands.command()
def restore(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(help="The backup to restore (a .thematica copy).")],
) -> None:
    """Replace the project with a backup, after checking the backup is whole; the
    current file is kept aside."""
    from thematica.backup import restore as restore_backup
    from thematica.cli import find_project

    location = find_project(ctx.find_root().obj.location)
    done = restore_backup(location, source)
    typer.echo(f"Restored {done.path} from {source} (checked: intact, schema {done.revision})")
    if done.aside is not None:
        typer.echo(f"The file it replaced is kept as {done.aside}")
