"""Transcribing a recording into a draft, chunk by chunk, resuming where a run stopped.

The recording is read five minutes at a time (:class:`~thematica.transcribe.audio.Recording`
holds only that), so a 90-minute interview takes the memory of a short one. Whisper
gives words with their times; they are cut into phrases at pauses and sentence ends, so
that one phrase has one speaker. A chunk's last phrase may be cut off mid-word by the
chunk's end: it is transcribed again at the start of the next chunk. After each chunk
the phrases go to the checkpoint beside the draft; a run that stopped (Ctrl-C, a crash,
a flat battery) starts again after the last finished chunk.

>>> transcriber = Transcriber("tiny.en")
>>> transcript = transcriber.transcribe("interview-07.m4a", Path("interview-07.vtt"))
>>> len(transcript.phrases), transcript.speaker_names()
(212, ['Interviewer', 'Participant'])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from thematica.errors import InvalidInput
from thematica.transcribe.audio import SAMPLE_RATE, Recording, speech_onset
from thematica.transcribe.checkpoint import Checkpoint, Progress
from thematica.transcribe.draft import Phrase, Transcript, write_draft
from thematica.transcribe.models import DEFAULT_MODEL, Model, file_sha256, load, locate
from thematica.transcribe.speakers import suggest_two, voice_print

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

CHUNK_SECONDS = 300.0
# A pause this long between two words starts a new phrase even mid-sentence: in an
# interview, that is where the other person may come in.
PAUSE_SECONDS = 0.5
# The next chunk starts this much before a phrase carried over, so its first word is
# heard whole.
LEAD_IN_SECONDS = 0.2
# Bumped when the checkpoint's contents change meaning, so an old one is not resumed.
CHECKPOINT_VERSION = 1

ProgressCallback = Callable[[float, float | None], None]  # (seconds done, seconds in all)


def default_draft(recording: str | Path) -> Path:
    """Where a recording's draft goes unless told: beside it, as ``NAME.vtt``."""
    return Path(recording).with_suffix(".vtt")


def split_phrases(words: Iterable[Any], offset: float = 0.0) -> list[Phrase]:
    """Whisper's timed words as phrases, cut at sentence ends and at pauses.

    ``words`` have ``start``, ``end`` (seconds) and ``word`` (with its leading space);
    ``offset`` is added to their times.
    """
    phrases: list[Phrase] = []
    current: list[Any] = []
    for word in words:
        if current and (
            word.start - current[-1].end >= PAUSE_SECONDS
            or current[-1].word.rstrip().endswith((".", "?", "!"))
        ):
            phrases.append(_phrase(current, offset))
            current = []
        current.append(word)
    if current:
        phrases.append(_phrase(current, offset))
    return [p for p in phrases if p.text]


class TimedWord(NamedTuple):
    start: float  # seconds
    end: float
    word: str  # with its leading space, as Whisper gives it


def start_at_the_voice(words: Iterable[Any], samples: np.ndarray) -> list[Any]:
    """``words`` (timed in seconds from the first of ``samples``), each starting where
    its speech does (see :func:`~thematica.transcribe.audio.speech_onset`)."""
    heard = []
    for word in words:
        onset = speech_onset(samples[_sample(word.start) : _sample(word.end)])
        if onset:
            word = TimedWord(word.start + onset / SAMPLE_RATE, word.end, word.word)
        heard.append(word)
    return heard


def _phrase(words: list[Any], offset: float) -> Phrase:
    return Phrase(
        start=round(offset + words[0].start, 3),
        end=round(offset + words[-1].end, 3),
        text="".join(w.word for w in words).strip(),
    )


def _sample(seconds: float) -> int:
    return round(seconds * SAMPLE_RATE)


class Transcriber:
    """A Whisper model loaded once, for one recording or many.

    ``language``: for a multilingual model, the language spoken (``en``, ``cy``...);
    None detects it in the first chunk. English-only models (``tiny.en``) need none.
    """

    def __init__(self, model: str | Path | Model = DEFAULT_MODEL, language: str | None = None):
        self.model = model if isinstance(model, Model) else locate(model)
        if self.model.english_only and language not in (None, "en"):
            raise InvalidInput(
                f"model {self.model.name} transcribes English only; "
                f"choose a multilingual one (base) for {language!r}"
            )
        self.language = "en" if self.model.english_only else language
        self._whisper: WhisperModel | None = None

    @property
    def whisper(self) -> WhisperModel:
        if self._whisper is None:
            self._whisper = load(self.model)
        return self._whisper

    def transcribe(
        self,
        recording: str | Path,
        draft: str | Path | None = None,
        progress: ProgressCallback | None = None,
        chunk_seconds: float = CHUNK_SECONDS,
    ) -> Transcript:
        """Transcribe ``recording`` into a new draft at ``draft`` (default: beside it).

        Resumes from the checkpoint ``DRAFT.partial`` when an earlier run of the same
        recording and model stopped; removes it once the draft is written.
        """
        recording = Path(recording)
        draft = Path(draft) if draft is not None else default_draft(recording)
        if draft.exists():
            # It may hold hours of corrections: never written over.
            raise InvalidInput(f"{draft} exists already: delete it, or give another --out")
        if not draft.parent.is_dir():
            raise InvalidInput(f"cannot write {draft}: there is no folder {draft.parent}")
        with Recording(recording) as audio:
            identity = {
                "version": CHECKPOINT_VERSION,
                "recording": file_sha256(recording),
                "model": self.model.name,
                "language": self.language,
                "chunk_seconds": chunk_seconds,
            }
            checkpoint = Checkpoint(draft.with_name(draft.name + ".partial"), identity)
            done = checkpoint.resume()
            resumed_at = done.next_start
            duration = audio.duration
            self._chunks(audio, done, checkpoint, chunk_seconds, progress)
        if not done.phrases:
            checkpoint.remove()
            raise InvalidInput(f"no speech found in {recording.name}")
        speakers, unsure = suggest_two(done.prints, [p.end - p.start for p in done.phrases])
        transcript = Transcript(
            recording=recording,
            model=self.model.name,
            language=done.language or "",
            duration=duration if duration is not None else done.next_start,
            phrases=tuple(
                replace(p, speaker=s, unsure=u)
                for p, s, u in zip(done.phrases, speakers, unsure, strict=True)
            ),
            resumed_at=resumed_at,
        )
        write_draft(transcript, draft)
        checkpoint.remove()
        return transcript

    def _chunks(
        self,
        audio: Recording,
        done: Progress,
        checkpoint: Checkpoint,
        chunk_seconds: float,
        progress: ProgressCallback | None,
    ) -> None:
        """Transcribe from ``done.next_start`` to the end, saving each chunk."""
        size = _sample(chunk_seconds)
        total = audio.duration
        if progress:
            progress(done.next_start, total)
        while True:
            start = done.next_start
            samples = audio.read(_sample(start), size)
            if not len(samples):
                return
            last = len(samples) < size
            language = done.language or self.language
            segments, info = self.whisper.transcribe(
                samples, language=language, word_timestamps=True, vad_filter=True
            )
            words: list[Any] = []
            for segment in segments:  # decoding happens as the segments are taken
                words += segment.words or ()
                if progress:
                    progress(start + segment.end, total)
            # Whisper's segments end where its 30-second windows do, often mid-sentence:
            # phrases are cut from the words alone.
            phrases = split_phrases(start_at_the_voice(words, samples), offset=start)
            end = start + len(samples) / SAMPLE_RATE
            if not last and len(phrases) >= 2:
                carried = phrases.pop()
                end = max(phrases[-1].end, carried.start - LEAD_IN_SECONDS)
            prints = [
                voice_print(samples[_sample(p.start - start) : _sample(p.end - start)])
                for p in phrases
            ]
            done.language = language or info.language
            checkpoint.save_chunk(phrases, prints, end, done.language)
            done.phrases += phrases
            done.prints += prints
            done.next_start = end
            if progress:
                progress(end, total)
            if last:
                return
