"""The draft transcript: a WebVTT file the researcher corrects, then confirms.

A draft is ordinary WebVTT, so any text or subtitle editor opens it, and it is read back
by the same reader as Zoom and Teams transcripts (:mod:`thematica.ingest.readers.subtitles`):
one cue per phrase, its time, and a ``Speaker: words`` line. A note at the top names the
recording and the model; a ``NOTE check speaker`` block marks a phrase whose voice was
hard to place. Confirming imports the corrected draft as a source with a time anchor at
every cue and the recording attached.

>>> write_draft(transcript, Path("interview-07.vtt"))
>>> # ... the researcher fixes words and speakers in interview-07.vtt ...
>>> check_draft(Path("interview-07.vtt")).speakers
{'Interviewer': 6, 'Mother 7': 6}
>>> confirm(project, Path("interview-07.vtt"), case="7")
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from thematica.errors import InvalidInput
from thematica.ingest.files import read_text
from thematica.ingest.readers.subtitles import parse_webvtt_text
from thematica.text import detect_turns, word_count

if TYPE_CHECKING:
    from thematica.ingest.sources import Source
    from thematica.project import Project

TITLE = "NOTE Thematica draft transcript"
UNSURE = "NOTE check speaker"
_FIELD = re.compile(r"^(?P<key>recording|model): (?P<value>.+)$")


@dataclass(frozen=True)
class Phrase:
    """Words spoken between ``start`` and ``end`` seconds, by suggested ``speaker``."""

    start: float
    end: float
    text: str
    speaker: int = 0
    unsure: bool = False


@dataclass(frozen=True)
class Transcript:
    """What transcribing one recording gave."""

    recording: Path
    model: str
    language: str
    duration: float
    phrases: tuple[Phrase, ...]
    resumed_at: float = 0.0  # seconds already transcribed by an interrupted run

    def speaker_names(self) -> list[str]:
        """Names for speakers 0 and 1: of two speakers, the one who asks more questions
        is the Interviewer, the other the Participant; without such a difference,
        Speaker 1 and Speaker 2."""
        questions = Counter(p.speaker for p in self.phrases if p.text.rstrip().endswith("?"))
        if questions[0] != questions[1] and len({p.speaker for p in self.phrases}) == 2:
            asker = 0 if questions[0] > questions[1] else 1
            return ["Interviewer", "Participant"] if asker == 0 else ["Participant", "Interviewer"]
        return ["Speaker 1", "Speaker 2"]


@dataclass(frozen=True)
class DraftSummary:
    """A draft as it would import: words, turns per speaker, the span of time covered."""

    path: Path
    recording: Path | None
    model: str | None
    words: int
    cues: int
    speakers: dict[str, int]  # speaker -> turns
    end: float  # seconds: the start of the last cue
    warnings: tuple[str, ...]


def clock(seconds: float) -> str:
    """``HH:MM:SS.mmm``, as WebVTT writes a time."""
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    return f"{hours:02d}:{minutes:02d}:{millis // 1000:02d}.{millis % 1000:03d}"


def write_draft(transcript: Transcript, path: Path) -> Path:
    """Write ``transcript`` as a draft at ``path``; the recording is named relative to
    the draft's folder, so the two can move together."""
    names = transcript.speaker_names()
    try:
        recording = os.path.relpath(transcript.recording.resolve(), path.resolve().parent)
    except ValueError:  # on another Windows drive: no relative path leads there
        recording = str(transcript.recording.resolve())
    lines = [
        "WEBVTT",
        "",
        f"{TITLE}: check every line against the recording, then run",
        f"thematica transcript confirm {path.name}",
        f"recording: {recording}",
        f"model: {transcript.model}",
        "The speakers are suggested from their voices: fix any label that is wrong, and",
        "rename them as you like (Interviewer, Mother 7). Phrases marked 'check speaker'",
        "were the hardest to place.",
        "",
    ]
    for phrase in transcript.phrases:
        if phrase.unsure:
            lines += [UNSURE, ""]
        lines += [
            f"{clock(phrase.start)} --> {clock(phrase.end)}",
            f"{names[phrase.speaker]}: {phrase.text}",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _header(text: str) -> dict[str, str]:
    """The recording and model a draft's title note names (none for other WebVTT)."""
    lines = text.lstrip("\ufeff").split("\n")
    fields: dict[str, str] = {}
    try:
        start = next(i for i, line in enumerate(lines) if line.startswith(TITLE))
    except StopIteration:
        return fields
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        match = _FIELD.match(line.strip())
        if match:
            fields[match["key"]] = match["value"]
    return fields


def check_draft(path: Path) -> DraftSummary:
    """Read a (corrected) draft as it would import; malformed cues raise with their line."""
    text = read_text(path)
    document = parse_webvtt_text(text, "vtt", name=path.name)
    fields = _header(text)
    turns = Counter(t.speaker for t in detect_turns(document.text))
    recording = path.parent / fields["recording"] if "recording" in fields else None
    return DraftSummary(
        path=path,
        recording=recording,
        model=fields.get("model"),
        words=word_count(document.text),
        cues=len(document.anchors),
        speakers=dict(turns),
        end=max((a.seconds for a in document.anchors), default=0.0),
        warnings=document.warnings,
    )


def confirm(
    project: Project,
    path: str | Path,
    name: str | None = None,
    case: str | None = None,
    media: str | Path | None = None,
    interviewers: Sequence[str] = (),
) -> Source:
    """Import the corrected draft as a source, with its recording attached.

    ``media`` gives the recording where the draft's note does not find it (a draft
    moved without it, or WebVTT from elsewhere). ``interviewers``: speaker labels that
    are interviewers besides the usual ones (Interviewer, I, Researcher...).
    """
    from thematica.ingest.sources import TurnOptions

    path = Path(path)
    summary = check_draft(path)
    recording = Path(media) if media is not None else summary.recording
    if recording is None:
        raise InvalidInput(f"{path.name} names no recording: give it with --media PATH")
    if not recording.is_file():
        raise InvalidInput(f"the recording {recording} is not there: give it with --media PATH")
    return project.sources.add_file(
        path,
        name=name,
        case=case,
        turns=TurnOptions(interviewers=tuple(interviewers)),
        media=recording,
    )
