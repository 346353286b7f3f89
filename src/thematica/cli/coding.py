"""Coding: `code`, `uncode`, `segments`, and the `codings` group."""

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
    short,
    table,
    typer_app,
)
from thematica.text.clock import clock

commands = typer_app()
codings = typer_app("Import and list codings.")


@commands.command()
def code(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="Source name.")],
    code_name: Annotated[str, typer.Option("--code", help="Code name or path.")],
    start: Annotated[int | None, typer.Option(help="Start offset (characters).")] = None,
    end: Annotated[int | None, typer.Option(help="End offset, exclusive.")] = None,
    quote: Annotated[str | None, typer.Option(help="The exact words to code.")] = None,
    prefix: Annotated[str, typer.Option(help="Words just before the quote.")] = "",
    suffix: Annotated[str, typer.Option(help="Words just after the quote.")] = "",
    coder: Annotated[str | None, typer.Option(help="Coder (default: --user).")] = None,
) -> None:
    """Code a span of a source, by offsets or by quote."""
    from thematica.errors import InvalidInput

    codings = get_project(ctx).codings
    if quote is not None:
        if start is not None or end is not None:
            raise InvalidInput("give either --start/--end or --quote, not both")
        made = codings.add_quote(source, code_name, quote, prefix, suffix, coder=coder)
    elif start is None or end is None:
        raise InvalidInput("give --start and --end, or --quote")
    else:
        made = codings.add(source, code_name, start, end, coder=coder)
    typer.echo(
        f"Coded {made.source} [{made.start}, {made.end}) as {made.code} by {made.coder} "
        f"(coding {made.id})"
    )


@commands.command()
def uncode(
    ctx: typer.Context,
    coding: Annotated[int, typer.Argument(help="Coding id (see `thematica codings list`).")],
) -> None:
    """Remove a coding."""
    removed = get_project(ctx).codings.remove(coding)
    typer.echo(
        f"Removed coding {removed.id}: {removed.code} on {removed.source} "
        f"[{removed.start}, {removed.end}) by {removed.coder}"
    )


@codings.command("import")
def codings_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV: source, quote, code, coder[, memo].")],
    coder: Annotated[str | None, typer.Option(help="Coder for rows without one.")] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding of the CSV.")] = None,
) -> None:
    """Import codings made in a spreadsheet or word processor."""
    result = get_project(ctx).codings.import_csv(file, coder=coder, encoding=encoding)
    typer.echo(
        f"Imported {plural(result.added, 'coding')} from {file} "
        f"({result.duplicates} already there, {plural(result.memos, 'memo')})"
    )


@codings.command("guide")
def codings_guide(
    ctx: typer.Context,
    guide: Annotated[Path, typer.Argument(help="Questions, one a line: 'question | code'.")],
    source: Annotated[
        list[str] | None, typer.Option(help="Only these sources (repeatable; default all).")
    ] = None,
    coder: Annotated[str | None, typer.Option(help="Coder layer for the codings.")] = None,
    threshold: Annotated[
        float, typer.Option(help="Lowest similarity (1-100) for a question to match.")
    ] = 80.0,
) -> None:
    """Structural coding: code each answer with the guide question it follows."""
    report = get_project(ctx).codings.code_by_guide(guide, source, coder, threshold)
    typer.echo(
        f"Coded {plural(report.coded, 'answer')}; {report.matched} interviewer turns matched "
        f"a question, {len(report.unmatched)} did not"
    )
    for name, offset, words in report.unmatched:
        typer.echo(f"  unmatched  {name} [{offset}]  {words}")


@codings.command("list")
def codings_list(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    code_name: Annotated[str | None, typer.Option("--code", help="Only this code.")] = None,
    coder: Annotated[str | None, typer.Option(help="Only this coder.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List codings."""
    found = get_project(ctx).codings.list(source, code_name, coder)
    if as_json:
        print_json([c.as_dict() for c in found])
        return
    rows = [
        [c.id, c.source, f"[{c.start}, {c.end})", c.code, c.coder, short(c.text)] for c in found
    ]
    table(["#", "source", "span", "code", "coder", "text"], rows, right={"#"})


@commands.command()
def segments(
    ctx: typer.Context,
    code_name: Annotated[str, typer.Argument(metavar="CODE", help="Code name or path.")],
    coder: Annotated[str | None, typer.Option(help="Only this coder's layer.")] = None,
    context: Annotated[int, typer.Option(help="Characters of context each side.")] = 120,
    children: Annotated[bool, typer.Option(help="Include the code's children.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Every segment coded with a code, with participant and context."""
    found = get_project(ctx).segments(code_name, coder=coder, context=context, children=children)
    if as_json:
        print_json([s.as_dict() for s in found])
        return
    out = console()
    for s in found:
        who = f" · {s.case}" if s.case else ""
        if s.time is not None:
            who += f" · {clock(s.time)}"
        out.print(
            f"[bold]{escape(s.source)}[/] [{s.start}, {s.end}){escape(who)} · {escape(s.coder)}",
            highlight=False,
        )
        before, after = escape(_tail(s.before)), escape(_head(s.after))
        out.print(f"  [dim]...{before}[/]{escape(s.text)}[dim]{after}...[/]")
        out.print()
    typer.echo(f"{plural(len(found), 'segment')}")


def _tail(text: str, words: int = 12) -> str:
    return " ".join(text.split()[-words:]) + " " if text.strip() else ""


def _head(text: str, words: int = 12) -> str:
    return " " + " ".join(text.split()[:words]) if text.strip() else ""


# -- memos --------------------------------------------------------------------------------
