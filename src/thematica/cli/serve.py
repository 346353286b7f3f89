"""`thematica serve`: the browser workbench, on this machine only."""

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
) -> None:
    """Open the browser workbench: a web app on 127.0.0.1 over the project."""
    try:
        import fastapi  # noqa: F401
        import jinja2  # noqa: F401
        import uvicorn  # noqa: F401

        from thematica.web.server import bind
        from thematica.web.server import serve as run
    except ImportError as error:
        raise InvalidInput(
            f"the browser workbench needs the web extra ({error.name} is missing): "
            "pip install 'thematica[web]'"
        ) from None
    if assist_model is not None:
        _check_model(assist_model)
    state = ctx.find_root().obj
    if project:
        state.location = project
    opened = state.project()
    sock = bind(port)

    def ready(url: str) -> None:
        typer.echo(f"Thematica is serving {opened.location} at {url} as {opened.actor}")
        typer.echo("Only this machine can reach it. Press Ctrl+C to stop.")

    run(opened, sock, open_browser=open_browser, ready=ready, assist_model=assist_model)


def _check_model(name: str) -> None:
    """Refuse a model that is unknown, or that could never load, before serving: the
    model itself loads only when first used, in the background."""
    from thematica.assist.extra import INSTALL, installed
    from thematica.assist.registry import find_model

    if not installed():
        raise InvalidInput(f"--assist-model needs the assist extra: {INSTALL}")
    find_model(name)
