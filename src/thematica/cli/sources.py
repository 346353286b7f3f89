"""`thematica sources`: add transcripts and look at them."""

from pathlib import Path
from typing import Annotated

import typer

from thematica.cli.common import (
    JsonOption,
    get_project,
    plural,
    print_json,
    progress,
    table,
    typer_app,
)

app = typer_app("Add and inspect sources (transcripts).")

# How files are read and turns found: shared with `thematica batch import`.
CaseOption = Annotated[str | None, typer.Option(help="Link the sources to this case.")]
EncodingOption = Annotated[str | None, typer.Option(help="Text encoding, e.g. cp1252.")]
RecursiveOption = Annotated[bool, typer.Option(help="Look in sub-folders too.")]
StripLineNumbersOption = Annotated[bool, typer.Option(help="PDF: remove printed line numbers.")]
StripHeadersOption = Annotated[
    bool, typer.Option(help="PDF: remove running headers, footers and page numbers.")
]
KeepLineBreaksOption = Annotated[
    bool, typer.Option(help="Text: keep hard-wrapped lines as they are.")
]
LabelPatternOption = Annotated[
    str | None,
    typer.Option(help="Regular expression for speaker labels, with a group named label."),
]
InterviewerOption = Annotated[
    list[str] | None, typer.Option(help="A speaker label that is an interviewer.")
]
OtherOption = Annotated[
    list[str] | None, typer.Option(help="A speaker label that is neither role.")
]
QuietOption = Annotated[bool, typer.Option("--quiet", help="No progress bar.")]


def turn_options(label_pattern: str | None, interviewer: list[str] | None, other: list[str] | None):
    from thematica.ingest.sources import TurnOptions

    return TurnOptions(
        label_pattern=label_pattern,
        interviewers=tuple(interviewer or ()),
        others=tuple(other or ()),
    )


@app.command("add")
def sources_add(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of transcripts.")],
    case: CaseOption = None,
    encoding: EncodingOption = None,
    recursive: RecursiveOption = False,
    strip_line_numbers: StripLineNumbersOption = False,
    strip_headers: StripHeadersOption = False,
    keep_line_breaks: KeepLineBreaksOption = False,
    label_pattern: LabelPatternOption = None,
    interviewer: InterviewerOption = None,
    other: OtherOption = None,
    text_column: Annotated[
        str | None, typer.Option(help="Tables: one transcript per row, in this column.")
    ] = None,
    name_column: Annotated[
        str | None, typer.Option(help="Tables: the column that names each transcript.")
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Add transcripts: .txt .md .docx .odt .rtf .pdf .vtt .srt, or a table of them.

    Readable files are added in one transaction; a file that cannot be read, or whose
    text is already in the project, is skipped with the reason (exit status 2).
    """
    from thematica.ingest.readers import ReadOptions

    sources = get_project(ctx).sources
    turns = turn_options(label_pattern, interviewer, other)
    if text_column:
        reports = [
            sources.add_table(path, text_column, name_column, encoding, turns) for path in paths
        ]
        imported = [s for r in reports for s in r.imported]
        skipped = [s for r in reports for s in r.skipped]
    else:
        options = ReadOptions(encoding, strip_line_numbers, strip_headers, keep_line_breaks)
        with progress(quiet or len(paths) == 1 and not paths[0].is_dir()) as advance:
            report = sources.add_files(
                paths, options, case, turns, recursive=recursive, progress=advance
            )
        imported, skipped = list(report.imported), list(report.skipped)
        for name, note in report.notes:
            typer.echo(f"Note: {name}: {note}", err=True)
        if not imported and len(skipped) == 1 and len(paths) == 1 and not paths[0].is_dir():
            from thematica.errors import InvalidInput

            raise InvalidInput(skipped[0][1])
    if len(imported) + len(skipped) == 1 and imported:
        source = imported[0]
        linked = f" ({', '.join(source.cases)})" if source.cases else ""
        typer.echo(
            f"Added {source.name}: {plural(source.words, 'word')}, "
            f"{plural(source.turns, 'turn')}{linked}"
        )
        return
    rows = [[s.name, "added", f"{s.words:,}", s.turns, ", ".join(s.cases)] for s in imported] + [
        [Path(where).name, f"skipped: {reason}", "", "", ""] for where, reason in skipped
    ]
    table(["file", "result", "words", "turns", "cases"], rows, right={"words", "turns"})
    typer.echo(f"{plural(len(imported), 'source')} added, {len(skipped)} skipped")
    if skipped or not imported:
        raise typer.Exit(2)


@app.command("list")
def sources_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the sources with their size, turns, codings and cases."""
    sources = get_project(ctx).sources.list()
    if as_json:
        print_json([s.as_dict() for s in sources])
        return
    rows = [[s.name, f"{s.words:,}", s.turns, s.codings, ", ".join(s.cases)] for s in sources]
    table(
        ["source", "words", "turns", "codings", "cases"], rows, right={"words", "turns", "codings"}
    )


@app.command("show")
def sources_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Source name.")],
    as_json: JsonOption = False,
) -> None:
    """Show a source's details and its text, turn by turn."""
    project = get_project(ctx)
    source = project.sources.get(name)
    text = project.sources.text(name)
    turns = project.sources.turns(name)
    if as_json:
        print_json(
            {
                **source.as_dict(),
                "text": text,
                "turns": [
                    {"start": t.start, "end": t.end, "speaker": t.speaker, "role": t.role}
                    for t in turns
                ],
            }
        )
        return
    typer.echo(
        f"{source.name} · {source.kind} · {plural(source.words, 'word')} · {source.checksum[:12]}"
    )
    if source.cases:
        typer.echo(f"cases: {', '.join(source.cases)}")
    typer.echo("")
    typer.echo(text)


@app.command("media")
def sources_media(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Source name.")],
    media: Annotated[Path, typer.Argument(help="The recording (audio or video file).")],
) -> None:
    """Attach the recording of an interview to its source."""
    source = get_project(ctx).sources.attach_media(name, media)
    typer.echo(f"Attached {source.media} to {source.name}")
