"""`thematica export` and `thematica import`: REFI-QDA exchange with other QDA tools."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from thematica.cli.common import JsonOption, get_project, plural, print_json, typer_app

if TYPE_CHECKING:
    from thematica.interop import ExportReport, ImportReport

export = typer_app("Export the project as REFI-QDA, for NVivo, ATLAS.ti, MAXQDA and QualCoder.")
import_ = typer_app(
    "Import a REFI-QDA project or codebook from NVivo, ATLAS.ti, MAXQDA and others."
)

IntoOption = Annotated[
    str | None,
    typer.Option(
        "--into", help="Project to import into: created if it does not exist (a path or URL)."
    ),
]


@export.command("qdpx")
def export_qdpx(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="The .qdpx file to write.")],
    as_json: JsonOption = False,
) -> None:
    """Export the whole project: coders, codes, texts, codings, memos, cases, themes."""
    from thematica.interop import export_project

    project = get_project(ctx)
    report = export_project(project, out)
    _exported(report, project.location, as_json)


@export.command("qdc")
def export_qdc(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="The .qdc file to write.")],
    as_json: JsonOption = False,
) -> None:
    """Export the codebook: the code tree with colours and descriptions, themes as sets."""
    from thematica.interop import export_codebook

    project = get_project(ctx)
    report = export_codebook(project, out)
    _exported(report, project.location, as_json)


def _exported(report: "ExportReport", location: str, as_json: bool) -> None:
    for warning in report.warnings:
        typer.echo(f"Note: {warning}", err=True)
    if as_json:
        print_json(report.as_dict())
        return
    if report.format == "qdc":
        themes = f", {plural(report.themes, 'theme')} as sets" if report.themes else ""
        typer.echo(
            f"Exported the codebook to {report.path}: {plural(report.codes, 'code')}{themes}"
        )
        return
    parts = [
        plural(report.users, "coder"),
        plural(report.codes, "code"),
        plural(report.sources, "source"),
        f"{plural(report.codings, 'coding')} in {plural(report.selections, 'selection')}",
        plural(report.notes, "memo"),
        f"{plural(report.cases, 'case')} with {plural(report.variables, 'variable')}",
        plural(report.themes, "theme"),
    ]
    typer.echo(f"Exported {location} to {report.path}: {', '.join(parts)}")


@import_.command("qdpx")
def import_qdpx(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A .qdpx (or a bare .qde) file.")],
    into: IntoOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import a whole project into a new project (default: FILE.thematica here)."""
    from thematica.interop import import_file

    state = ctx.find_root().obj
    target = into or state.location or f"{path.stem}.thematica"
    report = import_file(path, into=target, actor=state.user, expect="project")
    _imported(report, as_json)


@import_.command("qdc")
def import_qdc(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A .qdc codebook file.")],
    into: IntoOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a codebook's codes to the project (or to a new one with --into)."""
    from thematica.cli import find_project
    from thematica.interop import import_file

    state = ctx.find_root().obj
    target = into or find_project(state.location)
    report = import_file(path, into=target, actor=state.user, expect="codebook")
    _imported(report, as_json)


def _imported(report: "ImportReport", as_json: bool) -> None:
    if as_json:
        print_json(report.as_dict())
        return
    name = Path(report.path).name
    echo = typer.echo
    if report.format == "qdc":
        themes = f", {plural(report.themes, 'theme')}" if report.themes else ""
        echo(
            f"Imported {name} ({report.origin}) into {report.project}: "
            f"{plural(report.codes, 'code')} added{themes}"
        )
    else:
        echo(f"Imported {name} ({report.origin}) into {report.project}")
        parts = [
            plural(report.coders, "coder"),
            plural(report.codes, "code"),
            plural(report.sources, "source"),
            plural(report.codings, "coding"),
            plural(report.memos, "memo"),
            plural(report.cases, "case"),
            plural(report.themes, "theme"),
        ]
        echo("  " + ", ".join(parts))
        if report.duplicates:
            echo(f"  {plural(report.duplicates, 'repeated coding')} of the same span merged")
        counted = sorted(set(report.counting.values()))
        how = f" (counted as {'; '.join(counted)})" if counted else ""
        echo(
            f"  {plural(report.selections, 'selection')}: {report.verified:,} matched their "
            f"text, {report.by_position:,} placed by position{how}, {report.moved:,} moved to "
            f"their text, {len(report.unplaced):,} not placed"
        )
        if report.adjusted:
            edges = plural(report.adjusted, "selection")
            echo(f"  {edges} had an edge inside a character: moved out to its edge")
    if report.unplaced:
        echo("Not placed:")
        for item in report.unplaced:
            where = f" [{item.start}, {item.end})" if item.start is not None else ""
            quoted = f" {item.name!r}" if item.name else ""
            echo(f"  {item.source}{where}{quoted}: {item.reason}")
    if report.skipped:
        echo("Skipped:")
        for what, why in report.skipped:
            echo(f"  {what}: {why}")
    if report.notes:
        echo("Notes:")
        for note in report.notes:
            echo(f"  {note}")
