"""`thematica transcribe` and `thematica transcript`: recordings to draft transcripts,
and drafts, once corrected, to sources."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from thematica.cli.common import JsonOption, console, get_project, plural, print_json, typer_app
from thematica.text.clock import clock

if TYPE_CHECKING:
    from thematica.project import Project
    from thematica.transcribe.draft import DraftSummary, Transcript

commands = typer_app()
transcript = typer_app("Check and confirm draft transcripts made by `thematica transcribe`.")

# Shared with `thematica batch transcribe`.
ModelOption = Annotated[
    str, typer.Option(help="A model folder, tiny.en, base, or a name fetched with --download.")
]
LanguageOption = Annotated[
    str | None, typer.Option(help="Language spoken, for a multilingual model (e.g. cy).")
]
ImportOption = Annotated[
    bool, typer.Option("--import", help="Confirm each draft into the project at once.")
]
ImportCaseOption = Annotated[str | None, typer.Option(help="With --import: link to this case.")]


@commands.command("transcribe")
def transcribe(
    ctx: typer.Context,
    recordings: Annotated[
        list[Path] | None,
        typer.Argument(help="Recordings: wav, mp3, m4a, ogg, flac.", show_default=False),
    ] = None,
    model: ModelOption = "tiny.en",
    out: Annotated[
        Path | None, typer.Option(help="The draft to write (one recording; default NAME.vtt).")
    ] = None,
    language: LanguageOption = None,
    import_: ImportOption = False,
    case: ImportCaseOption = None,
    download: Annotated[
        str | None,
        typer.Option(help="Fetch this official model from the internet first, and use it."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Transcribe recordings on this machine into draft transcripts (WebVTT).

    Each draft has a time on every phrase and two suggested speakers; check and fix it,
    then `thematica transcript confirm DRAFT`. An interrupted run resumes where it
    stopped when run again.
    """
    from thematica.errors import InvalidInput
    from thematica.transcribe import require_extra

    require_extra()
    from thematica.transcribe.models import download as fetch
    from thematica.transcribe.pipeline import Transcriber, default_draft

    recordings = recordings or []
    if out is not None and len(recordings) != 1:
        raise InvalidInput("--out names one draft: give one recording with it")
    if not recordings and download is None:
        raise InvalidInput("give a recording to transcribe")
    chosen = fetch(download) if download else model
    if download and not recordings:
        typer.echo(f"Model {download} is ready: --model {download}")
        return
    transcriber = Transcriber(chosen, language=language)
    project = get_project(ctx) if import_ else None  # a missing project fails before the work
    for recording in recordings:
        draft = out or default_draft(recording)
        result = _run(transcriber, recording, draft, quiet)
        speakers = ", ".join(
            f"{name} {count}"
            for name, count in zip(result.speaker_names(), _counts(result), strict=True)
            if count
        )
        resumed = f" (resumed at {clock(result.resumed_at)})" if result.resumed_at else ""
        typer.echo(
            f"{recording.name}: {clock(result.duration)}{resumed}, "
            f"{plural(len(result.phrases), 'phrase')}, speakers suggested ({speakers}) -> {draft}"
        )
        if project is not None:
            _confirm(project, draft, None, case, None, [])
    if not import_:
        typer.echo(
            "Check each draft against its recording, then: thematica transcript confirm DRAFT"
        )


def _counts(result: "Transcript") -> list[int]:
    return [sum(p.speaker == s for p in result.phrases) for s in (0, 1)]


def _run(transcriber, recording: Path, draft: Path, quiet: bool) -> "Transcript":
    """Transcribe one recording under a progress bar with the time remaining."""
    reached = [0.0]

    def moved(done: float, total: float | None) -> None:
        reached[0] = done

    try:
        if quiet or not sys.stderr.isatty():
            return transcriber.transcribe(recording, draft, progress=moved)
        from rich.progress import (
            BarColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )

        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console(stderr=True), transient=True) as bar:
            task = bar.add_task(f"transcribing {recording.name}", total=None)

            def shown(done: float, total: float | None) -> None:
                moved(done, total)
                bar.update(task, completed=done, total=total)

            return transcriber.transcribe(recording, draft, progress=shown)
    except KeyboardInterrupt:
        typer.echo(
            f"Interrupted at {clock(reached[0])} of {recording.name}: run the same command "
            "again to resume",
            err=True,
        )
        raise typer.Exit(130) from None


def _confirm(
    project: "Project",
    draft: Path,
    name: str | None,
    case: str | None,
    media: Path | None,
    interviewers: list[str],
) -> None:
    from thematica.transcribe.draft import confirm

    source = confirm(project, draft, name, case, media, interviewers)
    linked = f" ({', '.join(source.cases)})" if source.cases else ""
    typer.echo(
        f"Added {source.name}: {plural(source.words, 'word')}, "
        f"{plural(source.turns, 'turn')}{linked}, recording {Path(source.media or '').name}"
    )


@transcript.command("check")
def transcript_check(
    draft: Annotated[Path, typer.Argument(help="The draft (.vtt).")],
    as_json: JsonOption = False,
) -> None:
    """Read a corrected draft as it would import: words, cues, speakers and their turns."""
    from thematica.transcribe.draft import check_draft

    summary = check_draft(draft)
    if as_json:
        print_json(_as_dict(summary))
        return
    for warning in summary.warnings:
        typer.echo(f"Note: {warning}", err=True)
    recording = f", recording {summary.recording}" if summary.recording else ""
    typer.echo(
        f"{draft.name}: {plural(summary.words, 'word')} in {plural(summary.cues, 'cue')} "
        f"up to {clock(summary.end)}{recording}"
    )
    turns = ", ".join(f"{name} ({plural(n, 'turn')})" for name, n in summary.speakers.items())
    typer.echo(f"speakers: {turns or 'none labelled'}")


def _as_dict(summary: "DraftSummary") -> dict:
    return {
        "draft": str(summary.path),
        "recording": str(summary.recording) if summary.recording else None,
        "model": summary.model,
        "words": summary.words,
        "cues": summary.cues,
        "speakers": summary.speakers,
        "end": summary.end,
        "warnings": list(summary.warnings),
    }


@transcript.command("confirm")
def transcript_confirm(
    ctx: typer.Context,
    draft: Annotated[Path, typer.Argument(help="The corrected draft (.vtt).")],
    name: Annotated[str | None, typer.Option(help="Source name (default: the file's).")] = None,
    case: Annotated[str | None, typer.Option(help="Link the source to this case.")] = None,
    media: Annotated[
        Path | None, typer.Option(help="The recording, where the draft does not find it.")
    ] = None,
    interviewer: Annotated[
        list[str] | None, typer.Option(help="A speaker label that is an interviewer.")
    ] = None,
) -> None:
    """Import a corrected draft as a source with its times and its recording attached."""
    _confirm(get_project(ctx), draft, name, case, media, interviewer or [])
