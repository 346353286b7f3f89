"""A spoken interview made with espeak-ng and sox, for the demo, tests and benchmarks.

Every line of a script ``Speaker: words`` is spoken by that speaker's voice, with a pause
between lines; the result is a 16 kHz mono WAV file and, for each line, when it is
spoken. Both programs are Debian packages (``apt-get install espeak-ng sox``).

>>> lines = synthesise(read_script(Path("script.txt")), Path("interview.wav"))
>>> lines[1]
Line(speaker='Mother', text='My health visitor told me...', start=5.609, end=12.3)
>>> word_error_rate(" ".join(line.text for line in lines), "what Whisper heard")
0.043

Measuring needs jiwer (in the ``dev`` extra).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

from thematica.errors import InvalidInput

# Two voices a listener (and a clusterer) tells apart: espeak-ng's British English voice
# with a low pitch, and its female variant with a high one.
VOICES = (("en-gb", 40), ("en-gb+f2", 65))
WORDS_PER_MINUTE = 150
PAUSE_SECONDS = 0.7


@dataclass(frozen=True)
class Line:
    speaker: str
    text: str
    start: float  # seconds
    end: float


def missing_programs() -> list[str]:
    """The Debian packages of the programs that are not installed."""
    return [name for name in ("espeak-ng", "sox") if shutil.which(name) is None]


def read_script(path: Path) -> list[tuple[str, str]]:
    """``(speaker, words)`` for each ``Speaker: words`` line of a script file."""
    lines = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        speaker, colon, words = line.partition(": ")
        if not colon or not words.strip():
            raise InvalidInput(f"{path.name}, line {number}: expected 'Speaker: words'")
        lines.append((speaker.strip(), words.strip()))
    return lines


def synthesise(script: list[tuple[str, str]], out: Path) -> list[Line]:
    """Speak ``script`` into the WAV file ``out``; the first speaker gets the first voice."""
    missing = missing_programs()
    if missing:
        raise InvalidInput(
            f"synthesising speech needs {' and '.join(missing)}: "
            f"apt-get install {' '.join(missing)}"
        )
    speakers = list(dict.fromkeys(speaker for speaker, _ in script))
    if len(speakers) > len(VOICES):
        raise InvalidInput(f"a script may have {len(VOICES)} speakers, not {len(speakers)}")
    timeline: list[Line] = []
    with tempfile.TemporaryDirectory() as folder:
        parts: list[str] = []
        silence = str(Path(folder) / "pause.wav")
        at = 0.0
        for number, (speaker, words) in enumerate(script):
            voice, pitch = VOICES[speakers.index(speaker)]
            spoken = Path(folder) / f"{number:04d}.wav"
            _run(["espeak-ng", "-v", voice, "-p", str(pitch), "-s", str(WORDS_PER_MINUTE),
                  "-w", str(spoken), words])  # fmt: skip
            with wave.open(str(spoken)) as audio:
                seconds = audio.getnframes() / audio.getframerate()
                rate = audio.getframerate()
            timeline.append(Line(speaker, words, round(at, 3), round(at + seconds, 3)))
            at += seconds + PAUSE_SECONDS
            parts += [str(spoken), silence]
        _run(["sox", "-n", "-r", str(rate), "-c", "1", silence, "trim", "0", str(PAUSE_SECONDS)])
        _run(["sox", *parts, "-r", "16000", str(out)])
    return timeline


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise InvalidInput(f"{command[0]} failed: {result.stderr.strip()}")


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Words substituted, deleted and inserted, per word of ``reference`` (jiwer), after
    both are lower-cased and stripped of punctuation: Whisper's commas are not errors."""
    import jiwer

    def plain(text: str) -> str:
        return " ".join(re.sub(r"[^\w' ]", " ", text.lower()).split())

    return jiwer.wer(plain(reference), plain(hypothesis))


def speaker_of(lines: list[Line], start: float, end: float) -> Line:
    """The script line that overlaps ``[start, end)`` seconds most."""
    return max(lines, key=lambda line: min(line.end, end) - max(line.start, start))
