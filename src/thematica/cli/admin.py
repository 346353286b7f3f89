"""`thematica admin`: the database, accounts and roles of a team server.

Passwords are asked for at the terminal (twice, not shown), or read from the first line
of standard input with ``--password-stdin``; never taken from the command line, where
other users of the machine and the shell's history would see them.
"""

import sys
from typing import Annotated

import typer

from thematica.cli.common import JsonOption, get_project, plural, print_json, table, typer_app
from thematica.errors import InvalidInput, ProjectError

app = typer_app("Accounts and roles of a team server (thematica serve --team).")

PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from the first line of stdin."),
]
Role = Annotated[str, typer.Argument(help="lead, coder, viewer, or admin.")]


@app.callback()
def _database(
    ctx: typer.Context,
    db: Annotated[
        str | None, typer.Option("--db", help="The team's database URL (or project file).")
    ] = None,
) -> None:
    if db:
        ctx.find_root().obj.location = db


def shown(location: str) -> str:
    """A location to print: a database URL without its password."""
    from sqlalchemy.engine import make_url

    from thematica.store.engine import is_url

    return make_url(location).render_as_string(hide_password=True) if is_url(location) else location


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise InvalidInput("no password on standard input: give it on the first line")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise InvalidInput(
            "no terminal to ask for the password: give it on standard input with --password-stdin"
        )
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@app.command("init-db")
def init_db(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Option(help="Study name, for a new project.")] = None,
) -> None:
    """Create the project and its team tables in the database, or bring an existing
    project's schema up to date."""
    from thematica.cli import find_project
    from thematica.project import create_project, open_project

    state = ctx.find_root().obj
    location = find_project(state.location)
    try:
        open_project(location, actor=state.user).close()  # upgrades an older schema
        said = "holds a project whose schema is up to date"
    except ProjectError:
        create_project(location, name=name, actor=state.user).close()
        said = "now holds a new project"
    typer.echo(f"{shown(location)} {said}, with the team tables.")


@app.command("add-user")
def add_user(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The account's name, also its coder name.")],
    role: Annotated[
        str | None, typer.Option(help="Its role in the project: lead, coder or viewer.")
    ] = None,
    admin: Annotated[bool, typer.Option("--admin", help="It manages accounts.")] = False,
    password_stdin: PasswordStdin = False,
) -> None:
    """Add an account."""
    from thematica.team import accounts

    project = get_project(ctx)
    made = accounts.add_user(project, name, _password(password_stdin), role=role, admin=admin)
    typer.echo(f"Added the account {made.name} ({made.roles}).")


@app.command("reset-password")
def reset_password(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The account.")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Set a new password; the account's sessions end."""
    from thematica.team import accounts

    ended = accounts.reset_password(get_project(ctx), name, _password(password_stdin))
    typer.echo(f"Reset the password of {name}; {plural(ended, 'session')} ended.")


@app.command()
def grant(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The account.")], role: Role
) -> None:
    """Give an account a role (a project role replaces the one it had)."""
    from thematica.team import accounts

    made = accounts.grant(get_project(ctx), name, role)
    typer.echo(f"{made.name} now holds: {made.roles}.")


@app.command()
def revoke(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The account.")], role: Role
) -> None:
    """Take a role away from an account."""
    from thematica.team import accounts

    made = accounts.revoke(get_project(ctx), name, role)
    typer.echo(f"{made.name} now holds: {made.roles}.")


@app.command()
def disable(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The account.")]) -> None:
    """Stop an account logging in; its sessions end."""
    from thematica.team import accounts

    ended = accounts.set_disabled(get_project(ctx), name)
    typer.echo(f"Disabled the account {name}; {plural(ended, 'session')} ended.")


@app.command()
def enable(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The account.")]) -> None:
    """Let a disabled account log in again."""
    from thematica.team import accounts

    accounts.set_disabled(get_project(ctx), name, disabled=False)
    typer.echo(f"Enabled the account {name}.")


@app.command()
def users(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the accounts, their roles and live sessions."""
    from thematica.team import accounts, sessions

    project = get_project(ctx)
    found = accounts.list_users(project)
    live = {u.name: sessions.count(project, u.id) for u in found}
    if as_json:
        print_json([{**u.as_dict(), "sessions": live[u.name]} for u in found])
        return
    rows = [
        [
            u.name,
            u.role.value if u.role else "-",
            "yes" if u.admin else "no",
            "disabled" if u.disabled else "active",
            live[u.name],
            u.created[:10],
        ]
        for u in found
    ]
    table(["name", "role", "admin", "status", "sessions", "created"], rows, right={"sessions"})
