"""`thematica table1` and `thematica report`: the demographics table and the Results draft."""

from pathlib import Path
from typing import Annotated

import typer

from thematica.cli.common import JsonOption, get_project, print_json, typer_app

commands = typer_app()

FORMATS = ("md", "csv", "json", "docx", "html")
SUFFIXES = {
    ".md": "md",
    ".markdown": "md",
    ".csv": "csv",
    ".json": "json",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
}


def _format(given: str | None, as_json: bool, out: Path | None) -> str:
    from thematica.errors import InvalidInput

    if as_json and given not in (None, "json"):
        raise InvalidInput(f"give --json or --format {given}, not both")
    if as_json:
        return "json"
    if given is not None:
        if given not in FORMATS:
            raise InvalidInput(f"unknown format {given!r}: use one of {', '.join(FORMATS)}")
        return given
    if out is None:
        return "md"
    if out.suffix.lower() not in SUFFIXES:
        raise InvalidInput(
            f"cannot tell the format from {str(out)!r}: give --format {'|'.join(FORMATS)}"
        )
    return SUFFIXES[out.suffix.lower()]


@commands.command("table1")
def table1(
    ctx: typer.Context,
    spec: Annotated[
        Path | None,
        typer.Option(
            "--spec",
            help="TOML file listing the variables (default: the spec kept in the project, "
            "else every attribute).",
        ),
    ] = None,
    keep: Annotated[
        bool, typer.Option("--keep", help="Keep --spec in the project, for every later table.")
    ] = False,
    forget: Annotated[
        bool, typer.Option("--forget", help="Forget the kept spec: lay out every attribute.")
    ] = False,
    format_: Annotated[
        str | None,
        typer.Option(
            "--format", help="md, csv, json, docx or html (default: from --out's suffix, else md)."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of printing.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The demographics table (Table 1): counts, percentages and summaries of attributes."""
    import json

    from thematica.errors import InvalidInput
    from thematica.report.table1 import demographics, read_spec, store_spec

    kind = _format(format_, as_json, out)
    if kind == "docx" and out is None:
        raise InvalidInput("a Word table needs a file: add --out table1.docx")
    if keep and spec is None:
        raise InvalidInput("--keep keeps the --spec file in the project: name one")
    if keep and forget:
        raise InvalidInput("choose --keep or --forget, not both")
    project = get_project(ctx)
    layout = read_spec(spec) if spec is not None else None
    if keep or forget:
        store_spec(project, spec.read_text(encoding="utf-8") if keep else None)
    table = demographics(project, layout)
    for note in table.left_out:
        typer.echo(f"Note: {note}", err=True)
    if out is None:
        if kind == "json":
            print_json(table.as_dict())
        else:
            text = {"md": table.to_markdown, "csv": table.to_csv, "html": table.to_html}[kind]()
            typer.echo(text, nl=False)
        return
    try:
        if kind == "docx":
            table.to_docx(out)
        else:
            text = {
                "json": lambda: json.dumps(table.as_dict(), indent=2, ensure_ascii=False) + "\n",
                "md": table.to_markdown,
                "csv": table.to_csv,
                "html": table.to_html,
            }[kind]()
            out.write_text(text, encoding="utf-8", newline="")
    except OSError as error:
        raise InvalidInput(f"cannot write {str(out)!r}: {error.strerror}") from None
    count = len(table.variables)
    typer.echo(f"Wrote {out}: {count} variable{'' if count == 1 else 's'}, N = {table.n}")


@commands.command()
def report(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="The file to write: .md, .html or .docx.")],
    format: Annotated[
        str | None, typer.Option(help="md, html or docx (default: from --out's suffix).")
    ] = None,
    coder: Annotated[
        str | None, typer.Option(help="The coder layer that prevalence and quotes count.")
    ] = None,
    spec: Annotated[
        Path | None, typer.Option(help="The demographics table's spec (TOML); see table1.")
    ] = None,
    attribute: Annotated[
        str | None, typer.Option(help="Case attribute the code-frequency chart groups by.")
    ] = None,
    title: Annotated[str | None, typer.Option(help="Title (default: the study's name).")] = None,
) -> None:
    """Write a Results draft: demographics, methods, themes with prevalence and quotes,
    the codebook, the thematic map and charts."""
    from thematica.report.render import write_report
    from thematica.report.results import build_report

    built = build_report(get_project(ctx), coder, attribute, title, spec)
    written = write_report(built, out, format)
    for note in built.notes:
        typer.echo(f"Note: {note}", err=True)
    typer.echo(
        f"Wrote {written}: {len(built.themes)} themes, "
        f"{sum(1 for _ in _quotes(built.themes))} quotes, {len(built.figures)} figures"
    )


def _quotes(themes):
    for theme in themes:
        yield from theme.quotes
        yield from _quotes(theme.subthemes)
