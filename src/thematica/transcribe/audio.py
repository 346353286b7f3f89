"""Reading a recording as 16 kHz mono samples, a stretch at a time.

Decoding goes through PyAV, the decoder faster-whisper itself uses: its wheels carry
FFmpeg's decoders, so wav, mp3, m4a (AAC), ogg (Vorbis, Opus) and flac need nothing
installed on the system. A 90-minute interview is never held whole: :class:`Recording`
keeps only the stretch asked for, so memory stays steady however long the file.

>>> with Recording("interview.m4a") as recording:
...     first_minute = recording.read(0, 60 * SAMPLE_RATE)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

from thematica.errors import InvalidInput

SAMPLE_RATE = 16_000  # what Whisper listens at

_FRAME = SAMPLE_RATE // 100  # 10 ms, the step speech onsets are found in
# A frame this far below the loudest of its word is silence. Room noise in an interview
# recording sits further below speech than this; where it does not, nothing is silent
# and the word keeps the times Whisper gave it.
_SILENCE_BELOW_PEAK_DB = 30.0
# A silence this long inside a word is a pause before it, not a stop consonant's closure.
_PAUSE_FRAMES = 15
# What must be left of a word after its onset; less means the word is mostly silence
# and Whisper's start is kept.
_SPEECH_FRAMES = 5


class Recording:
    """A recording opened for decoding; raises :class:`InvalidInput` for a missing or
    empty file, one that is not audio, or audio in a codec this build cannot decode."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise InvalidInput(f"no such file: {self.path}")
        if self.path.stat().st_size == 0:
            raise InvalidInput(f"{self.path} is empty")
        try:
            self._container = av.open(str(self.path), metadata_errors="ignore")
        except av.error.FFmpegError as error:
            raise InvalidInput(
                f"{self.path.name} is not a recording that can be decoded "
                f"({_reason(error)}); convert it to WAV or FLAC first"
            ) from None
        if not self._container.streams.audio:
            self._container.close()
            raise InvalidInput(f"{self.path.name} has no audio track")
        self._stream = self._container.streams.audio[0]
        self._pieces: deque[np.ndarray] = deque()
        self._start = 0  # the sample number of the first buffered sample
        self._buffered = 0  # how many samples are buffered
        self._frames = self._decode()
        self._ended = False

    def __enter__(self) -> Recording:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._container.close()

    @property
    def duration(self) -> float | None:
        """Seconds, as the file's header says; None where it does not say."""
        stream = self._stream
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
        if self._container.duration is not None:
            return self._container.duration / av.time_base
        return None

    def read(self, start: int, count: int) -> np.ndarray:
        """``count`` samples from sample ``start`` on (fewer at the end of the recording).

        ``start`` never goes back: samples before it are let go.
        """
        if start < self._start:
            raise ValueError(f"sample {start} was already let go (buffer starts at {self._start})")
        self._let_go(start)
        while self._start + self._buffered < start + count and not self._ended:
            piece = next(self._frames, None)
            if piece is None:
                self._ended = True
            else:
                self._pieces.append(piece)
                self._buffered += len(piece)
                self._let_go(start)  # a resumed run skips ahead without holding the skipped
        if not self._pieces:
            return np.zeros(0, dtype=np.float32)
        joined = np.concatenate(self._pieces) if len(self._pieces) > 1 else self._pieces[0]
        self._pieces = deque([joined])
        return joined[:count].copy()

    def _let_go(self, start: int) -> None:
        """Drop the buffered samples before sample ``start``."""
        while self._pieces and self._start + len(self._pieces[0]) <= start:
            self._start += len(self._pieces[0])
            self._buffered -= len(self._pieces.popleft())
        if self._pieces and start > self._start:
            # A view for now: the concatenation in read() copies only what is kept.
            self._pieces[0] = self._pieces[0][start - self._start :]
            self._buffered -= start - self._start
            self._start = start

    def _decode(self) -> Iterator[np.ndarray]:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        frames = self._container.decode(self._stream)
        while True:
            try:
                frame = next(frames)
            except StopIteration:
                break
            except av.error.DecoderNotFoundError:
                context = self._stream.codec_context
                codec = (context.name if context is not None else None) or "an unknown codec"
                raise InvalidInput(
                    f"{self.path.name} holds audio in {codec}, which the bundled FFmpeg "
                    "decoders cannot read; convert it to WAV or FLAC first "
                    "(with ffmpeg, sox or an audio editor)"
                ) from None
            except av.error.InvalidDataError:
                continue  # a damaged frame: skip it, as faster-whisper does
            frame.pts = None  # the resampler checks timestamps; gaps are not our concern
            for out in resampler.resample(frame):
                yield out.to_ndarray().reshape(-1)
        for out in resampler.resample(None):
            yield out.to_ndarray().reshape(-1)


def speech_onset(samples: np.ndarray) -> int:
    """Where speech starts in one word's ``samples``, as a sample number (0 if at once).

    Whisper's word times often start a word early, in the pause before it and sometimes
    in the tail of the word before; a phrase (and the line a researcher clicks to hear)
    should start where the voice does. The onset is the end of the last silence that
    either opens the word or is long enough to be a pause.

    >>> speech_onset(np.concatenate([np.zeros(8000), np.ones(8000)]))
    8000
    """
    frames = len(samples) // _FRAME
    if frames <= _SPEECH_FRAMES:
        return 0
    power = np.square(samples[: frames * _FRAME], dtype=np.float64).reshape(frames, _FRAME)
    level = 10 * np.log10(power.mean(axis=1) + 1e-20)
    silent = level < level.max() - _SILENCE_BELOW_PEAK_DB
    onset = 0
    run_start = None
    for index, quiet in enumerate([*silent, False]):
        if quiet and run_start is None:
            run_start = index
        elif not quiet and run_start is not None:
            is_pause = run_start == 0 or index - run_start >= _PAUSE_FRAMES
            if is_pause and index <= frames - _SPEECH_FRAMES:
                onset = index
            run_start = None
    return onset * _FRAME


def _reason(error: av.error.FFmpegError) -> str:
    """FFmpeg's words for what went wrong, without the file name it appends."""
    return (error.strerror or type(error).__name__).lower()
