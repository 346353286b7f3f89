"""Project-wide commands: create a project, read or export its log, undo."""

import os
from pathlib import Path
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
    encrypt: Annotated[
        bool,
        typer.Option(
            "--encrypt",
            help="Encrypt the file with a passphrase (THEMATICA_PASSPHRASE, else asked).",
        ),
    ] = False,
) -> None:
    """Create a new project."""
    from thematica.project import create_project
    from thematica.store.encryption import PASSPHRASE_ENV, driver

    state = ctx.find_root().obj
    passphrase = None
    if encrypt:
        driver()  # say which extra is missing before asking for a passphrase
        passphrase = os.environ.get(PASSPHRASE_ENV) or typer.prompt(
            "Passphrase for the project", hide_input=True, confirmation_prompt=True
        )
    create_project(
        path,
        name=name,
        participant_label=participant_label,
        actor=state.user,
        passphrase=passphrase,
    ).close()
    typer.echo(f"Created {'encrypted ' if encrypt else ''}project {path}")


@commands.command()
def log(
    ctx: typer.Context,
    limit: Annotated[
        int | None,
        typer.Option(help="How many events, newest first (0: all; default 20, all with --format)."),
    ] = None,
    format_: Annotated[
        str | None,
        typer.Option(
            "--format", help="Export the log, oldest first, as csv or json (for an appendix)."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write the export to this file (format from its suffix).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show who changed what, newest first; or export the whole log as CSV or JSON."""
    if format_ is not None or out is not None:
        _export_log(ctx, format_, out, limit)
        return
    events = get_project(ctx).log(20 if limit is None else limit or None)
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


def _export_log(
    ctx: typer.Context, format_: str | None, out: Path | None, limit: int | None
) -> None:
    from thematica.report.audit import audit_text, write_audit

    project = get_project(ctx)
    if out is None:
        typer.echo(audit_text(project, format_ or "", limit or None), nl=False)
        return
    count = write_audit(project, out, format_, limit or None)
    typer.echo(f"Wrote {out}: {count} event{'' if count == 1 else 's'}")


@commands.command()
def undo(ctx: typer.Context) -> None:
    """Undo the most recent change."""
    event = get_project(ctx).undo()
    typer.echo(f"Undid event {event.id}: {event.action} {event.target}".rstrip())
