"""`thematica serve`: the browser workbench, on this machine only; with ``--team``, a
team server with accounts, log-in and roles (see docs/team.md)."""

from typing import Annotated

import typer

from thematica.cli.common import typer_app
from thematica.errors import InvalidInput

commands = typer_app()


@commands.command()
def serve(
    ctx: typer.Context,
    project: Annotated[
        str | None,
        typer.Argument(help="Project file or database URL (default: as for -p)."),
    ] = None,
    port: Annotated[
        int, typer.Option(help="Port on 127.0.0.1 (0: any free port).", min=0, max=65535)
    ] = 8765,
    open_browser: Annotated[
        bool, typer.Option("--open/--no-open", help="Open the workbench in the browser.")
    ] = True,
    assist_model: Annotated[
        str | None,
        typer.Option(
            help="Model for More like this and suggested codes: a name from `thematica "
            "assist models` or a folder (default: the project's assist.model, else the "
            "registry's). Needs the assist extra; loaded on first use."
        ),
    ] = None,
    team: Annotated[
        bool,
        typer.Option(
            "--team", help="A team server: log-in with the accounts of `thematica admin`."
        ),
    ] = False,
    db: Annotated[
        str | None, typer.Option("--db", help="The team's database URL (instead of PROJECT).")
    ] = None,
    host: Annotated[
        str, typer.Option(help="Address to listen on; another than 127.0.0.1 needs --team.")
    ] = "127.0.0.1",
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            help="A public name the team server answers to (team.example.org, or with a "
            ":port); repeat for several. Needs --team."
        ),
    ] = None,
    behind_proxy: Annotated[
        bool,
        typer.Option(
            "--behind-proxy",
            help="Trust X-Forwarded-For/-Proto from a proxy on 127.0.0.1. Needs --team.",
        ),
    ] = False,
) -> None:
    """Open the browser workbench: a web app on 127.0.0.1 over the project."""
    try:
        import fastapi  # noqa: F401
        import jinja2  # noqa: F401
        import uvicorn  # noqa: F401

        from thematica.web.server import HOST, bind
        from thematica.web.server import serve as run
    except ImportError as error:
        raise InvalidInput(
            f"the browser workbench needs the web extra ({error.name} is missing): "
            "pip install 'thematica[web]'"
        ) from None
    hosts = tuple(allowed_host or ())
    if not team:
        for given, option in ((host != HOST, "--host"), (hosts, "--allowed-host")):
            if given:
                raise InvalidInput(
                    f"{option} needs --team: without log-in the workbench stays on this machine"
                )
        if behind_proxy:
            raise InvalidInput("--behind-proxy needs --team")
    if assist_model is not None:
        _check_model(assist_model)
    state = ctx.find_root().obj
    if project and db:
        raise InvalidInput("give the project or --db, not both")
    if project or db:
        state.location = project or db
    opened = state.project()
    if team:
        _check_team(opened)
    sock = bind(port, host)

    def ready(url: str) -> None:
        if not team:
            typer.echo(f"Thematica is serving {opened.location} at {url} as {opened.actor}")
            typer.echo("Only this machine can reach it. Press Ctrl+C to stop.")
            return
        from thematica.cli.admin import shown

        names = ", ".join((f"{url.split('//')[1].rstrip('/')}", *hosts))
        typer.echo(f"Thematica is serving {shown(opened.location)} at {url} for the team")
        typer.echo(f"It answers to {names}; log in with the accounts of `thematica admin`.")
        typer.echo("Press Ctrl+C to stop.")

    run(
        opened,
        sock,
        open_browser=open_browser,
        ready=ready,
        assist_model=assist_model,
        team=team,
        allowed_hosts=hosts,
        behind_proxy=behind_proxy,
    )


def _check_team(project) -> None:
    """Refuse to start a team server nobody could log in to, or one without argon2."""
    try:
        from thematica.team import accounts
    except ImportError:
        raise InvalidInput(
            "the team server needs the team extra (argon2-cffi): pip install 'thematica[team]'"
        ) from None
    if not any(u.role or u.admin for u in accounts.list_users(project) if not u.disabled):
        raise InvalidInput(
            "no account can log in yet: add one with `thematica admin add-user NAME --role lead`"
        )


def _check_model(name: str) -> None:
    """Refuse a model that is unknown, or that could never load, before serving: the
    model itself loads only when first used, in the background."""
    from thematica.assist.extra import INSTALL, installed
    from thematica.assist.registry import find_model

    if not installed():
        raise InvalidInput(f"--assist-model needs the assist extra: {INSTALL}")
    find_model(name)
