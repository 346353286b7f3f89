"""The ``thematica`` command: a thin layer that parses, calls the API and renders.

Each command lives in a module of this package, imported only when that command runs,
so a command pays for its own imports and not for every other command's.
"""

import gc

# Start-up is mostly importing (Typer, SQLAlchemy): hundreds of modules whose objects
# the cyclic garbage collector would scan again and again. Collect nothing until the
# project is open, then freeze what was imported out of later collections.
gc.disable()

import importlib
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import click
import typer
from typer.core import TyperGroup

from thematica.errors import ProjectError, ThematicaError

if TYPE_CHECKING:
    from thematica.project import Project

# Command name -> (module in this package, Typer in it). A Typer of several top-level
# commands is named `commands`; a group's Typer is the group itself. Listed in the
# order `thematica --help` shows them.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("project", "commands"),
    "log": ("project", "commands"),
    "undo": ("project", "commands"),
    "backup": ("backup", "commands"),
    "restore": ("backup", "commands"),
    "code": ("coding", "commands"),
    "uncode": ("coding", "commands"),
    "segments": ("coding", "commands"),
    "sources": ("sources", "app"),
    "transcribe": ("transcribe", "commands"),
    "transcript": ("transcribe", "transcript"),
    "cases": ("cases", "app"),
    "codes": ("codes", "app"),
    "codings": ("coding", "codings"),
    "memo": ("memos", "app"),
    "anonymise": ("anonymise", "app"),
    "agreement": ("agreement", "commands"),
    "double-coding": ("agreement", "double"),
    "consensus": ("agreement", "consensus"),
    "table1": ("report", "commands"),
    "report": ("report", "commands"),
    "themes": ("themes", "app"),
    "quotes": ("themes", "quotes"),
    "framework": ("themes", "framework"),
    "query": ("query", "query"),
    "matrix": ("query", "matrix"),
    "sets": ("sets", "app"),
    "phase": ("themes", "commands"),
    "status": ("themes", "commands"),
    "assist": ("assist", "app"),
    "export": ("interop", "export"),
    "import": ("interop", "import_"),
    "batch": ("batch", "app"),
    "serve": ("serve", "commands"),
    "admin": ("admin", "app"),
}


@cache
def _load(module: str, name: str) -> click.Command:
    typer_app = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    return (
        typer.main.get_command(typer_app) if name != "commands" else typer.main.get_group(typer_app)
    )


class _Group(TyperGroup):
    """Loads each command's module when the command is used, and turns a
    :class:`ThematicaError` into one line on stderr and exit status 2."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name]
        loaded = _load(module, attribute)
        if attribute == "commands":
            return loaded.commands[name]
        loaded.name = name
        return loaded

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ThematicaError as error:
            typer.echo(f"Error: {error}", err=True)
            raise typer.Exit(2) from None


app = typer.Typer(
    cls=_Group,
    help="Thematica: a local-first workbench for qualitative interview studies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class _State:
    def __init__(self, location: str | None, user: str | None) -> None:
        self.location = location
        self.user = user
        self._project: Project | None = None

    def project(self) -> "Project":
        if self._project is None:
            from thematica.project import open_project

            self._project = open_project(find_project(self.location), actor=self.user)
            gc.freeze()
            gc.enable()
        return self._project


def find_project(given: str | None) -> str:
    """The project named by ``-p``, else ``THEMATICA_PROJECT``, else the one here."""
    if given:
        return given
    if os.environ.get("THEMATICA_PROJECT"):
        return os.environ["THEMATICA_PROJECT"]
    here = sorted(p.name for p in Path.cwd().glob("*.thematica"))
    if len(here) == 1:
        return here[0]
    if not here:
        raise ProjectError(
            "no project given: use -p PATH, set THEMATICA_PROJECT, or run where one "
            "*.thematica file is"
        )
    raise ProjectError(f"several projects here ({', '.join(here)}): choose one with -p PATH")


def _version(value: bool) -> None:
    if value:
        from thematica import __version__

        typer.echo(f"thematica {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    project: Annotated[
        str | None,
        typer.Option(
            "-p", "--project", "--db", help="Project file or database URL (postgresql://...)."
        ),
    ] = None,
    user: Annotated[
        str | None, typer.Option("--user", help="Who is making changes (default: login name).")
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    ctx.obj = _State(project, user)
    ctx.call_on_close(lambda: ctx.obj._project and ctx.obj._project.close())


def main() -> None:
    app(prog_name="thematica")
