"""What every command module shares: the open project, and the ways output is printed."""

import json
import os
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from thematica.project import Project


def typer_app(help: str | None = None) -> typer.Typer:
    """A command group (given ``help``), or a holder of top-level commands, as every
    module of this package makes them: plain help text, no shell-completion options."""
    return typer.Typer(
        help=help,
        no_args_is_help=help is not None,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )


JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def get_project(ctx: typer.Context) -> "Project":
    """The project the command runs on, opened on first use."""
    return ctx.find_root().obj.project()


def print_json(data: Any) -> None:
    # Indented for people at a terminal; compact when piped, where json's C encoder is
    # several times faster on thousands of segments.
    indent = 2 if sys.stdout.isatty() else None
    typer.echo(json.dumps(data, indent=indent, ensure_ascii=False, default=str))


def console(stderr: bool = False):
    from rich.console import Console

    if stderr:
        return Console(stderr=True)
    # Piped output is for reading and grepping, not for an 80-column terminal: let wide
    # tables keep their columns.
    width = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 200
    return Console(highlight=False, soft_wrap=False, width=width)


def table(columns: list[str], rows: list[list[Any]], right: set[str] = frozenset()) -> None:
    from rich import box
    from rich.table import Table

    grid = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column in columns:
        grid.add_column(column, justify="right" if column in right else "left", overflow="fold")
    for row in rows:
        grid.add_row(*("" if v is None else str(v) for v in row))
    out = console()
    with out.capture() as captured:
        out.print(grid)
    typer.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))


def plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def short(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


def escape(text: str) -> str:
    from rich.markup import escape as rich_escape

    return rich_escape(text)


class progress:
    """A Rich progress bar on stderr, advanced once per item with its name; silent when
    asked (``quiet``) or when stderr is not a terminal.

    >>> with progress(quiet=False, total=3, doing="reading") as advance:
    ...     advance("interview-01.docx")

    With a ``total``, the bar shows how much is done and the time remaining.
    """

    def __init__(self, quiet: bool, total: int | None = None, doing: str = "reading") -> None:
        self.quiet = quiet or not sys.stderr.isatty()
        self.total, self.doing = total, doing
        self.bar = None

    def __enter__(self):
        if self.quiet:
            return lambda name: None
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        columns = [TextColumn("{task.description}")]
        if self.total is not None:
            columns += [BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
        self.bar = Progress(*columns, transient=True, console=console(stderr=True))
        self.bar.start()
        task = self.bar.add_task(self.doing, total=self.total)
        return lambda name: self.bar.update(task, advance=1, description=f"{self.doing} {name}")

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
