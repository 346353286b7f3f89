"""The ``thematica`` command: a thin layer that parses, calls the API and renders.

Heavy modules (SQLAlchemy, Rich, the API itself) are imported inside commands, so
``thematica --help`` stays fast.
"""

from __future__ import annotations

import gc

# Start-up is mostly importing (Typer, SQLAlchemy): hundreds of modules whose objects
# the cyclic garbage collector would scan again and again. Collect nothing until the
# project is open, then freeze what was imported out of later collections.
gc.disable()

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from thematica.errors import ProjectError, ThematicaError

if TYPE_CHECKING:
    from thematica.project import Project


class _Group(TyperGroup):
    """Turns a :class:`ThematicaError` into one line on stderr and exit status 2."""

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
sources_app = typer.Typer(help="Add and inspect sources (transcripts).", no_args_is_help=True)
cases_app = typer.Typer(help="Participants (cases) and their attributes.", no_args_is_help=True)
codes_app = typer.Typer(help="Build and change the codebook.", no_args_is_help=True)
codings_app = typer.Typer(help="Import and list codings.", no_args_is_help=True)
memo_app = typer.Typer(help="The reflexive journal and anchored memos.", no_args_is_help=True)
app.add_typer(sources_app, name="sources")
app.add_typer(cases_app, name="cases")
app.add_typer(codes_app, name="codes")
app.add_typer(codings_app, name="codings")
app.add_typer(memo_app, name="memo")
anonymise_app = typer.Typer(help="Find and replace identifiers.", no_args_is_help=True)
app.add_typer(anonymise_app, name="anonymise")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


class _State:
    def __init__(self, location: str | None, user: str | None) -> None:
        self.location = location
        self.user = user
        self._project: Project | None = None

    def project(self) -> Project:
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


def _project(ctx: typer.Context) -> Project:
    return ctx.find_root().obj.project()


def _print_json(data: Any) -> None:
    # Indented for people at a terminal; compact when piped, where json's C encoder is
    # several times faster on thousands of segments.
    indent = 2 if sys.stdout.isatty() else None
    typer.echo(json.dumps(data, indent=indent, ensure_ascii=False, default=str))


def _console(stderr: bool = False):
    from rich.console import Console

    if stderr:
        return Console(stderr=True)
    # Piped output is for reading and grepping, not for an 80-column terminal: let wide
    # tables keep their columns.
    width = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 200
    return Console(highlight=False, soft_wrap=False, width=width)


def _table(columns: list[str], rows: list[list[Any]], right: set[str] = frozenset()) -> None:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column in columns:
        table.add_column(column, justify="right" if column in right else "left", overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console = _console()
    with console.capture() as captured:
        console.print(table)
    typer.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


# -- project ----------------------------------------------------------------------------


@app.command()
def init(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(help="New project file, or a postgresql:// URL.")],
    name: Annotated[str | None, typer.Option(help="Study name (default: the file name).")] = None,
    participant_label: Annotated[
        str, typer.Option(help="How participants are named in quotes, with {id}.")
    ] = "Participant {id}",
) -> None:
    """Create a new project."""
    from thematica.project import create_project

    state = ctx.find_root().obj
    create_project(path, name=name, participant_label=participant_label, actor=state.user).close()
    typer.echo(f"Created project {path}")


@app.command()
def log(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="How many events, newest first (0: all).")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Show who changed what, newest first."""
    events = _project(ctx).log(limit or None)
    if as_json:
        _print_json([e.as_dict() for e in events])
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
    _table(["#", "at (UTC)", "who", "action", "target", ""], rows, right={"#"})


@app.command()
def undo(ctx: typer.Context) -> None:
    """Undo the most recent change."""
    event = _project(ctx).undo()
    typer.echo(f"Undid event {event.id}: {event.action} {event.target}".rstrip())


# -- sources ------------------------------------------------------------------------------


@sources_app.command("add")
def sources_add(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of transcripts.")],
    case: Annotated[str | None, typer.Option(help="Link the sources to this case.")] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding, e.g. cp1252.")] = None,
    recursive: Annotated[bool, typer.Option(help="Look in sub-folders too.")] = False,
    strip_line_numbers: Annotated[
        bool, typer.Option(help="PDF: remove printed line numbers.")
    ] = False,
    strip_headers: Annotated[
        bool, typer.Option(help="PDF: remove running headers, footers and page numbers.")
    ] = False,
    keep_line_breaks: Annotated[
        bool, typer.Option(help="Text: keep hard-wrapped lines as they are.")
    ] = False,
    label_pattern: Annotated[
        str | None,
        typer.Option(help="Regular expression for speaker labels, with a group named label."),
    ] = None,
    interviewer: Annotated[
        list[str] | None, typer.Option(help="A speaker label that is an interviewer.")
    ] = None,
    other: Annotated[
        list[str] | None, typer.Option(help="A speaker label that is neither role.")
    ] = None,
    text_column: Annotated[
        str | None, typer.Option(help="Tables: one transcript per row, in this column.")
    ] = None,
    name_column: Annotated[
        str | None, typer.Option(help="Tables: the column that names each transcript.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Add transcripts: .txt .md .docx .odt .rtf .pdf .vtt .srt, or a table of them.

    Readable files are added in one transaction; a file that cannot be read, or whose
    text is already in the project, is skipped with the reason (exit status 2).
    """
    from thematica.ingest.readers import ReadOptions
    from thematica.ingest.sources import TurnOptions

    sources = _project(ctx).sources
    turns = TurnOptions(
        label_pattern=label_pattern,
        interviewers=tuple(interviewer or ()),
        others=tuple(other or ()),
    )
    if text_column:
        reports = [
            sources.add_table(path, text_column, name_column, encoding, turns) for path in paths
        ]
        imported = [s for r in reports for s in r.imported]
        skipped = [s for r in reports for s in r.skipped]
    else:
        options = ReadOptions(encoding, strip_line_numbers, strip_headers, keep_line_breaks)
        with _progress(quiet or len(paths) == 1 and not paths[0].is_dir()) as advance:
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
            f"Added {source.name}: {_plural(source.words, 'word')}, "
            f"{_plural(source.turns, 'turn')}{linked}"
        )
        return
    rows = [[s.name, "added", f"{s.words:,}", s.turns, ", ".join(s.cases)] for s in imported] + [
        [Path(where).name, f"skipped: {reason}", "", "", ""] for where, reason in skipped
    ]
    _table(["file", "result", "words", "turns", "cases"], rows, right={"words", "turns"})
    typer.echo(f"{_plural(len(imported), 'source')} added, {len(skipped)} skipped")
    if skipped or not imported:
        raise typer.Exit(2)


class _progress:
    """A Rich progress bar on stderr, advanced once per file; silent when asked or piped."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet or not sys.stderr.isatty()
        self.bar = None

    def __enter__(self):
        if self.quiet:
            return None
        from rich.progress import Progress

        self.bar = Progress(transient=True, console=_console(stderr=True))
        self.bar.start()
        task = self.bar.add_task("reading", total=None)
        return lambda name: self.bar.update(task, advance=1, description=f"reading {name}")

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


@sources_app.command("list")
def sources_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the sources with their size, turns, codings and cases."""
    sources = _project(ctx).sources.list()
    if as_json:
        _print_json([s.as_dict() for s in sources])
        return
    rows = [[s.name, f"{s.words:,}", s.turns, s.codings, ", ".join(s.cases)] for s in sources]
    _table(
        ["source", "words", "turns", "codings", "cases"], rows, right={"words", "turns", "codings"}
    )


@sources_app.command("show")
def sources_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Source name.")],
    as_json: JsonOption = False,
) -> None:
    """Show a source's details and its text, turn by turn."""
    project = _project(ctx)
    source = project.sources.get(name)
    text = project.sources.text(name)
    turns = project.sources.turns(name)
    if as_json:
        _print_json(
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
        f"{source.name} · {source.kind} · {_plural(source.words, 'word')} · {source.checksum[:12]}"
    )
    if source.cases:
        typer.echo(f"cases: {', '.join(source.cases)}")
    typer.echo("")
    typer.echo(text)


@sources_app.command("media")
def sources_media(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Source name.")],
    media: Annotated[Path, typer.Argument(help="The recording (audio or video file).")],
) -> None:
    """Attach the recording of an interview to its source."""
    source = _project(ctx).sources.attach_media(name, media)
    typer.echo(f"Attached {source.media} to {source.name}")


# -- cases --------------------------------------------------------------------------------


def _parse_types(values: list[str]) -> dict[str, str]:
    from thematica.errors import InvalidInput

    types = {}
    for value in values:
        name, sep, kind = value.partition("=")
        if not sep:
            raise InvalidInput(f"--type {value!r} must look like NAME=TYPE, e.g. age=integer")
        types[name.strip()] = kind.strip()
    return types


@cases_app.command("import")
def cases_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV or Excel (.xlsx), one row per participant.")],
    id_column: Annotated[str, typer.Option("--id", help="Column holding the participant id.")],
    type_: Annotated[
        list[str] | None,
        typer.Option(
            "--type",
            help="Attribute type, NAME=TYPE or NAME=ordinal:low|mid|high (repeatable).",
        ),
    ] = None,
    source_column: Annotated[
        str | None, typer.Option(help="Column naming each participant's sources (; between).")
    ] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding of a CSV.")] = None,
) -> None:
    """Create or update cases from a table; other columns become typed attributes."""
    result = _project(ctx).cases.import_table(
        file,
        id_column=id_column,
        types=_parse_types(type_ or []),
        encoding=encoding,
        source_column=source_column,
    )
    typer.echo(
        f"Imported {_plural(result.created + result.updated, 'case')} "
        f"({result.created} new, {result.updated} updated) with "
        f"{_plural(len(result.attributes), 'attribute')}: "
        + ", ".join(f"{a.name} ({a.describe()})" for a in result.attributes)
    )


@cases_app.command("list")
def cases_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the cases with their attributes."""
    project = _project(ctx)
    cases = project.cases.list()
    if as_json:
        _print_json([c.as_dict() for c in cases])
        return
    names = [a.name for a in project.cases.attributes()]
    rows = [
        [c.label, *(_cell(c.attributes.get(n)) for n in names), ", ".join(c.sources)] for c in cases
    ]
    _table(["case", *names, "sources"], rows)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@cases_app.command("show")
def cases_show(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(help="Case id or label.")],
    as_json: JsonOption = False,
) -> None:
    """Show one case's attributes and sources."""
    found = _project(ctx).cases.get(case)
    if as_json:
        _print_json(found.as_dict())
        return
    typer.echo(f"{found.label} (id {found.key})")
    for name, value in found.attributes.items():
        typer.echo(f"  {name}: {_cell(value)}")
    typer.echo(f"  sources: {', '.join(found.sources) or '(none)'}")


@cases_app.command("link")
def cases_link(
    ctx: typer.Context,
    case: Annotated[str | None, typer.Argument(help="Case id or label.")] = None,
    source: Annotated[str | None, typer.Argument(help="Source name.")] = None,
    speaker: Annotated[
        str | None, typer.Option(help="Only this speaker's turns are the participant's.")
    ] = None,
    pattern: Annotated[
        str | None,
        typer.Option(help="Link by source name, e.g. 'interview-(?P<id>\\d+)'."),
    ] = None,
) -> None:
    """Link a case to a source (or to one speaker in it), or link many by a name pattern."""
    from thematica.errors import InvalidInput

    cases = _project(ctx).cases
    if pattern is not None:
        if case or source or speaker:
            raise InvalidInput("give either CASE SOURCE or --pattern, not both")
        for label, name in cases.link_by_pattern(pattern):
            typer.echo(f"Linked {label} to {name}")
        return
    if not (case and source):
        raise InvalidInput("give CASE and SOURCE, or --pattern")
    cases.link(case, source, speaker=speaker)
    typer.echo(f"Linked {case} to {source}" + (f" (speaker {speaker})" if speaker else ""))


# -- codes --------------------------------------------------------------------------------


@codes_app.command("add")
def codes_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Code name.")],
    parent: Annotated[str | None, typer.Option(help="Parent code (name or path).")] = None,
    description: Annotated[str, typer.Option(help="What the code captures.")] = "",
    colour: Annotated[str | None, typer.Option(help="Colour as #rrggbb.")] = None,
) -> None:
    """Add a code."""
    code = _project(ctx).codes.add(name, parent=parent, description=description, colour=colour)
    typer.echo(f"Added code {code.path}")


@codes_app.command("list")
def codes_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the codes, depth first, with counts of codings."""
    codes = _project(ctx).codes.list()
    if as_json:
        _print_json([c.as_dict() for c in codes])
        return
    rows = [["  " * c.depth + c.name, c.codings, c.colour, c.description] for c in codes]
    _table(["code", "codings", "colour", "description"], rows, right={"codings"})


@codes_app.command("tree")
def codes_tree(ctx: typer.Context) -> None:
    """Show the codebook as a tree."""
    from rich.tree import Tree

    codes = _project(ctx).codes.list()
    root = Tree("codebook", guide_style="dim")
    nodes: dict[str, Tree] = {}
    for code in codes:
        parent = nodes[code.parent] if code.parent else root
        nodes[code.path] = parent.add(
            f"[{code.colour}]■[/] {_escape(code.name)} [dim]({code.codings})[/]"
        )
    _console().print(root)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


@codes_app.command("rename")
def codes_rename(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Code name or path.")],
    new_name: Annotated[str, typer.Argument(help="New name.")],
) -> None:
    """Rename a code."""
    code = _project(ctx).codes.rename(name, new_name)
    typer.echo(f"Renamed {name} to {code.path}")


@codes_app.command("describe")
def codes_describe(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Code name or path.")],
    description: Annotated[str, typer.Argument(help="New description.")],
) -> None:
    """Set a code's description."""
    code = _project(ctx).codes.describe(name, description)
    typer.echo(f"Described {code.path}")


@codes_app.command("colour")
def codes_colour(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Code name or path.")],
    colour: Annotated[str, typer.Argument(help="Colour as #rrggbb.")],
) -> None:
    """Set a code's colour."""
    code = _project(ctx).codes.recolour(name, colour)
    typer.echo(f"Coloured {code.path} {code.colour}")


@codes_app.command("move")
def codes_move(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Code name or path.")],
    parent: Annotated[str | None, typer.Option(help="New parent code.")] = None,
    top: Annotated[bool, typer.Option("--top", help="Move to the top level.")] = False,
) -> None:
    """Move a code (and its children) under another code, or to the top level."""
    from thematica.errors import InvalidInput

    if (parent is None) == (not top):
        raise InvalidInput("give either --parent NAME or --top")
    code = _project(ctx).codes.move(name, None if top else parent)
    typer.echo(f"Moved {name} to {code.path}")


@codes_app.command("merge")
def codes_merge(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Code to merge away.")],
    into: Annotated[str, typer.Argument(help="Code that receives its codings.")],
) -> None:
    """Merge one code into another: codings, memos and children move; nothing is lost."""
    project = _project(ctx)
    code = project.codes.merge(name, into)
    after = project.log(1)[0].after
    typer.echo(
        f"Merged {name} into {code.path}: {_plural(after['codings_moved'], 'coding')} moved, "
        f"{after['duplicates_dropped']} duplicates dropped"
    )


@codes_app.command("delete")
def codes_delete(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Code name or path.")],
    force: Annotated[
        bool, typer.Option("--force", help="Also delete its codings and memos (audited).")
    ] = False,
) -> None:
    """Delete a code and its children; refused while they have codings, unless --force."""
    deleted = _project(ctx).codes.delete(name, force=force)
    extra = f" and {_plural(deleted, 'coding')}" if deleted else ""
    typer.echo(f"Deleted code {name}{extra}")


@codes_app.command("export")
def codes_export(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A .csv or .yaml file to write.")],
) -> None:
    """Write the codebook to CSV or YAML."""
    count = _project(ctx).codes.export(file)
    typer.echo(f"Exported {_plural(count, 'code')} to {file}")


@codes_app.command("import")
def codes_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A .csv or .yaml codebook.")],
    encoding: Annotated[str | None, typer.Option(help="Text encoding of a CSV.")] = None,
) -> None:
    """Add the codes of a CSV or YAML codebook; update those that exist."""
    result = _project(ctx).codes.import_file(file, encoding=encoding)
    typer.echo(f"Imported {file}: {result.created} codes added, {result.updated} updated")


# -- coding -------------------------------------------------------------------------------


@app.command()
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

    codings = _project(ctx).codings
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


@app.command()
def uncode(
    ctx: typer.Context,
    coding: Annotated[int, typer.Argument(help="Coding id (see `thematica codings list`).")],
) -> None:
    """Remove a coding."""
    removed = _project(ctx).codings.remove(coding)
    typer.echo(
        f"Removed coding {removed.id}: {removed.code} on {removed.source} "
        f"[{removed.start}, {removed.end}) by {removed.coder}"
    )


@codings_app.command("import")
def codings_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV: source, quote, code, coder[, memo].")],
    coder: Annotated[str | None, typer.Option(help="Coder for rows without one.")] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding of the CSV.")] = None,
) -> None:
    """Import codings made in a spreadsheet or word processor."""
    result = _project(ctx).codings.import_csv(file, coder=coder, encoding=encoding)
    typer.echo(
        f"Imported {_plural(result.added, 'coding')} from {file} "
        f"({result.duplicates} already there, {_plural(result.memos, 'memo')})"
    )


@codings_app.command("guide")
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
    report = _project(ctx).codings.code_by_guide(guide, source, coder, threshold)
    typer.echo(
        f"Coded {_plural(report.coded, 'answer')}; {report.matched} interviewer turns matched "
        f"a question, {len(report.unmatched)} did not"
    )
    for name, offset, words in report.unmatched:
        typer.echo(f"  unmatched  {name} [{offset}]  {words}")


@codings_app.command("list")
def codings_list(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    code_name: Annotated[str | None, typer.Option("--code", help="Only this code.")] = None,
    coder: Annotated[str | None, typer.Option(help="Only this coder.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List codings."""
    found = _project(ctx).codings.list(source, code_name, coder)
    if as_json:
        _print_json([c.as_dict() for c in found])
        return
    rows = [
        [c.id, c.source, f"[{c.start}, {c.end})", c.code, c.coder, _short(c.text)] for c in found
    ]
    _table(["#", "source", "span", "code", "coder", "text"], rows, right={"#"})


def _short(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


@app.command()
def segments(
    ctx: typer.Context,
    code_name: Annotated[str, typer.Argument(metavar="CODE", help="Code name or path.")],
    coder: Annotated[str | None, typer.Option(help="Only this coder's layer.")] = None,
    context: Annotated[int, typer.Option(help="Characters of context each side.")] = 120,
    children: Annotated[bool, typer.Option(help="Include the code's children.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Every segment coded with a code, with participant and context."""
    found = _project(ctx).segments(code_name, coder=coder, context=context, children=children)
    if as_json:
        _print_json([s.as_dict() for s in found])
        return
    console = _console()
    for s in found:
        who = f" · {s.case}" if s.case else ""
        if s.time is not None:
            who += f" · {_clock(s.time)}"
        console.print(
            f"[bold]{_escape(s.source)}[/] [{s.start}, {s.end}){_escape(who)} · {_escape(s.coder)}",
            highlight=False,
        )
        before, after = _escape(_tail(s.before)), _escape(_head(s.after))
        console.print(f"  [dim]...{before}[/]{_escape(s.text)}[dim]{after}...[/]")
        console.print()
    typer.echo(f"{_plural(len(found), 'segment')}")


def _clock(seconds: float) -> str:
    """A time into a recording as [h:]mm:ss."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return (f"{hours}:" if hours else "") + f"{rest // 60:02d}:{rest % 60:02d}"


def _tail(text: str, words: int = 12) -> str:
    return " ".join(text.split()[-words:]) + " " if text.strip() else ""


def _head(text: str, words: int = 12) -> str:
    return " " + " ".join(text.split()[:words]) if text.strip() else ""


# -- memos --------------------------------------------------------------------------------


@memo_app.command("add")
def memo_add(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="The memo. With no anchor: a journal entry.")],
    title: Annotated[str, typer.Option(help="A short title.")] = "",
    source: Annotated[str | None, typer.Option(help="Anchor to this source.")] = None,
    start: Annotated[int | None, typer.Option(help="Span start in the source.")] = None,
    end: Annotated[int | None, typer.Option(help="Span end in the source.")] = None,
    quote: Annotated[str | None, typer.Option(help="Anchor to these words in the source.")] = None,
    prefix: Annotated[str, typer.Option(help="Words just before the quote.")] = "",
    suffix: Annotated[str, typer.Option(help="Words just after the quote.")] = "",
    code_name: Annotated[str | None, typer.Option("--code", help="Anchor to a code.")] = None,
    coding: Annotated[int | None, typer.Option(help="Anchor to a coding id.")] = None,
) -> None:
    """Write a memo or a reflexive journal entry."""
    made = _project(ctx).memos.add(
        text,
        title,
        source=source,
        start=start,
        end=end,
        quote=quote,
        prefix=prefix,
        suffix=suffix,
        code=code_name,
        coding=coding,
    )
    typer.echo(f"Added memo {made.id} ({made.anchor})")


@memo_app.command("list")
def memo_list(
    ctx: typer.Context,
    kind: Annotated[
        str | None, typer.Option(help="project (the journal), source, code or coding.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List memos."""
    found = _project(ctx).memos.list(kind)
    if as_json:
        _print_json([m.as_dict() for m in found])
        return
    rows = [
        [m.id, m.created[:10], m.author, m.anchor, m.title or _short(m.text, 50)] for m in found
    ]
    _table(["#", "date", "author", "anchor", "memo"], rows, right={"#"})


@memo_app.command("show")
def memo_show(
    ctx: typer.Context,
    memo_id: Annotated[int, typer.Argument(metavar="ID", help="Memo id.")],
    as_json: JsonOption = False,
) -> None:
    """Show one memo in full."""
    found = _project(ctx).memos.get(memo_id)
    if as_json:
        _print_json(found.as_dict())
        return
    heading = f"Memo {found.id}" + (f": {found.title}" if found.title else "")
    typer.echo(heading)
    typer.echo(f"{found.author} · {found.created[:16].replace('T', ' ')} · {found.anchor}")
    typer.echo("")
    typer.echo(found.text)


# -- anonymisation ----------------------------------------------------------------------


@anonymise_app.command("detect")
def anonymise_detect(
    files: Annotated[list[Path], typer.Argument(help="Transcripts, in any readable format.")],
    names: Annotated[
        Path | None, typer.Option(help="Known names, one a line ('name | LABEL').")
    ] = None,
    recogniser: Annotated[
        list[str] | None, typer.Option(help="Use only these recognisers (repeatable).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List the identifiers found in files, with the placeholder each would get.

    Needs no project: offsets count code points in each file's text as read.
    """
    from thematica.anonymise.gazetteer import aliases, read_names
    from thematica.anonymise.pipeline import detect
    from thematica.anonymise.pseudonyms import Pseudonyms
    from thematica.ingest.readers import read_document

    texts = {str(path): read_document(path).text for path in files}
    known = read_names(names) if names else {}
    found = detect(texts, recogniser, known)
    pseudonyms = Pseudonyms(aliases=aliases(known))
    rows = [
        {
            "file": p.source,
            "start": p.start,
            "end": p.end,
            "text": p.text,
            "label": p.label,
            "score": round(p.score, 2),
            "recogniser": p.recogniser,
            "placeholder": pseudonyms.placeholder(p.label, p.text),
        }
        for p in found
    ]
    if as_json:
        _print_json(rows)
        return
    _table(
        ["file", "span", "text", "label", "score", "recogniser", "placeholder"],
        [
            [Path(r["file"]).name, f"[{r['start']}, {r['end']})", r["text"], r["label"],
             f"{r['score']:.2f}", r["recogniser"], r["placeholder"]]
            for r in rows
        ],
        right={"score"},
    )  # fmt: skip
    typer.echo(f"{_plural(len(rows), 'identifier')} in {_plural(len(texts), 'file')}")


@anonymise_app.command("apply")
def anonymise_apply(
    ctx: typer.Context,
    sources: Annotated[
        list[str] | None, typer.Argument(help="Sources to anonymise (default: all).")
    ] = None,
    key: Annotated[
        Path, typer.Option(help="The encrypted key file (kept outside the project).")
    ] = Path("anonymisation.key"),
    names: Annotated[
        Path | None, typer.Option(help="Known names, one a line ('name | LABEL').")
    ] = None,
    placeholder: Annotated[
        list[str] | None,
        typer.Option(help="A chosen placeholder, WORDS=PLACEHOLDER, e.g. 'Alfie=[my baby]'."),
    ] = None,
) -> None:
    """Replace identifiers in the project's sources; originals go to the encrypted key.

    The passphrase comes from THEMATICA_KEY_PASSPHRASE, or is asked for.
    """
    from thematica.anonymise.apply import anonymise_sources
    from thematica.anonymise.gazetteer import read_names
    from thematica.errors import InvalidInput

    overrides = {}
    for item in placeholder or []:
        words, sep, chosen = item.partition("=")
        if not sep or not words.strip() or not chosen.strip():
            raise InvalidInput(f"--placeholder {item!r} must look like WORDS=PLACEHOLDER")
        overrides[words.strip()] = chosen.strip()
    passphrase = os.environ.get("THEMATICA_KEY_PASSPHRASE") or typer.prompt(
        "Key passphrase", hide_input=True
    )
    report = anonymise_sources(
        _project(ctx),
        key,
        passphrase,
        sources=sources or None,
        names=read_names(names) if names else None,
        overrides=overrides,
    )
    kinds = ", ".join(f"{n} {label}" for label, n in sorted(report.by_label.items()))
    typer.echo(
        f"Anonymised {_plural(report.sources, 'source')}: {_plural(report.replaced, 'identifier')}"
        f" replaced ({kinds}); originals are in {key}"
    )


def main() -> None:
    app(prog_name="thematica")


if __name__ == "__main__":
    sys.exit(main())
