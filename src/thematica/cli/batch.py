"""`thematica batch`: the slow steps of a large study on a Dask cluster."""

from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from thematica.cli.anonymise import (
    DecisionsOption,
    KeyOption,
    NamesOption,
    PlaceholderOption,
    RecogniserOption,
    decisions_of,
    names_of,
    passphrase,
    placeholders_of,
    say_anonymised,
)
from thematica.cli.common import (
    JsonOption,
    get_project,
    plural,
    print_json,
    progress,
    table,
    typer_app,
)
from thematica.cli.sources import (
    CaseOption,
    EncodingOption,
    InterviewerOption,
    KeepLineBreaksOption,
    LabelPatternOption,
    OtherOption,
    QuietOption,
    RecursiveOption,
    StripHeadersOption,
    StripLineNumbersOption,
    turn_options,
)
from thematica.cli.transcribe import (
    ImportCaseOption,
    ImportOption,
    LanguageOption,
    ModelOption,
)

app = typer_app("Run the slow steps (import, transcribe, anonymise, embed) on a Dask cluster.")

SchedulerOption = Annotated[
    str,
    typer.Option(
        envvar="THEMATICA_SCHEDULER",
        help="local (a worker per core), local:N, or a scheduler address (tcp://host:8786).",
    ),
]


@contextmanager
def _running(scheduler: str, quiet: bool, total: int, doing: str):
    """A Dask client, announced with its dashboard, and a progress bar of ``total``
    items: ``(client, advance)``."""
    from thematica.batch import cluster
    from thematica.batch.cluster import dashboard

    with cluster(scheduler) as client:
        workers = len(client.scheduler_info().get("workers", {}))
        link = dashboard(client)
        where = f"; dashboard at {link}" if link else ""
        typer.echo(f"Running on {plural(workers, 'Dask worker')}{where}", err=True)
        with progress(quiet, total, doing) as advance:
            yield client, advance


def _report(summary, as_json: bool, noun: str, done: str) -> None:
    if as_json:
        print_json(summary.as_dict())
    else:
        retried = set(summary.retried)
        rows = [
            [Path(i).name, done + (" (tried twice)" if i in retried else "")] for i in summary.done
        ]
        rows += [[Path(i).name, "already done"] for i in summary.already]
        rows += [[Path(f.item).name, f"failed twice: {f.error}"] for f in summary.failed]
        if rows:
            table([noun, "result"], rows)
        typer.echo(
            f"{len(summary.done)} {done}, {len(summary.already)} already done, "
            f"{len(summary.retried)} tried again, {len(summary.failed)} failed"
        )
    if summary.failed:
        raise typer.Exit(2)


@app.command("import")
def batch_import(
    ctx: typer.Context,
    paths: Annotated[
        list[str], typer.Argument(help="Files or folders, local or fsspec URLs (s3://...).")
    ],
    scheduler: SchedulerOption = "local",
    case: CaseOption = None,
    encoding: EncodingOption = None,
    recursive: RecursiveOption = False,
    strip_line_numbers: StripLineNumbersOption = False,
    strip_headers: StripHeadersOption = False,
    keep_line_breaks: KeepLineBreaksOption = False,
    label_pattern: LabelPatternOption = None,
    interviewer: InterviewerOption = None,
    other: OtherOption = None,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
) -> None:
    """Add transcripts as `sources add` does, read by the cluster's workers.

    Each file is added in its own transaction, in the order given; run it again after
    an interruption and it goes on where it stopped. A file that fails twice is
    listed and skipped (exit status 2).
    """
    from thematica.batch import import_files
    from thematica.batch.steps import list_files
    from thematica.ingest.readers import ReadOptions

    project = get_project(ctx)
    options = ReadOptions(encoding, strip_line_numbers, strip_headers, keep_line_breaks)
    turns = turn_options(label_pattern, interviewer, other)
    total = len(list_files(paths, recursive))
    with _running(scheduler, quiet, total, "importing") as (client, advance):
        summary = import_files(project, paths, client, options, case, turns, recursive, advance)
    _report(summary, as_json, "file", "added")


@app.command("anonymise")
def batch_anonymise(
    ctx: typer.Context,
    sources: Annotated[
        list[str] | None, typer.Argument(help="Sources to anonymise (default: all).")
    ] = None,
    scheduler: SchedulerOption = "local",
    key: KeyOption = Path("anonymisation.key"),
    names: NamesOption = None,
    decisions: DecisionsOption = None,
    placeholder: PlaceholderOption = None,
    recogniser: RecogniserOption = None,
    state: Annotated[
        Path,
        typer.Option(help="Where an interrupted run keeps what it found (offsets, no words)."),
    ] = Path(".thematica-batch"),
    quiet: QuietOption = False,
    as_json: JsonOption = False,
) -> None:
    """Replace identifiers as `anonymise apply` does, the recognisers run by the
    cluster's workers.

    The replacement itself happens once every source is read, in one transaction; the
    passphrase comes from THEMATICA_KEY_PASSPHRASE, or is asked for.
    """
    from thematica.batch import anonymise_sources

    project = get_project(ctx)
    total = len(sources) if sources else len(project.sources.list())
    with _running(scheduler, quiet, total, "reading") as (client, advance):
        summary, report = anonymise_sources(
            project,
            client,
            key,
            passphrase(),
            state,
            sources,
            names_of(names) or None,
            recogniser,
            placeholders_of(placeholder),
            decisions_of(decisions),
            advance,
        )
    if report is not None and not as_json:
        say_anonymised(report, "source", "", key)
    _report(summary, as_json, "source", "read")


@app.command("transcribe")
def batch_transcribe(
    ctx: typer.Context,
    recordings: Annotated[list[Path], typer.Argument(help="Recordings: wav, mp3, m4a, ogg, flac.")],
    scheduler: SchedulerOption = "local",
    model: ModelOption = "tiny.en",
    language: LanguageOption = None,
    import_: ImportOption = False,
    case: ImportCaseOption = None,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
) -> None:
    """Transcribe recordings as `transcribe` does, each on one of the cluster's workers,
    into a draft beside it (on storage every worker reaches).

    A recording whose draft exists is left as it is; run the command again after an
    interruption and it goes on where it stopped.
    """
    from thematica.batch import transcribe_recordings

    project = get_project(ctx) if import_ else None
    with _running(scheduler, quiet, len(recordings), "transcribing") as (client, advance):
        summary = transcribe_recordings(project, recordings, client, model, language, case, advance)
    _report(summary, as_json, "recording", "imported" if import_ else "transcribed")


@app.command("embed")
def batch_embed(
    ctx: typer.Context,
    scheduler: SchedulerOption = "local",
    model: Annotated[
        str | None,
        typer.Option(
            help="A model of `thematica assist models`, or a folder (default: the project's)."
        ),
    ] = None,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
) -> None:
    """Embed every source's turns, sentences and coded segments for assisted coding,
    each source on one of the cluster's workers, into the project's cache.

    What the cache holds already is not embedded again: run it again after an
    interruption and it goes on where it stopped.
    """
    from thematica.batch import embed_sources

    project = get_project(ctx)
    with _running(scheduler, quiet, len(project.sources.list()), "embedding") as (client, advance):
        summary = embed_sources(project, client, model, advance)
    _report(summary, as_json, "source", "embedded")
