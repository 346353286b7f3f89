"""Transcription: from an interview recording to a timestamped draft, on this machine.

The recording never leaves the computer: faster-whisper runs Whisper on the CPU (int8,
no GPU, no torch) from a model found on disk (:mod:`.models`); the two voices are told
apart by librosa's voice features (:mod:`.speakers`); the result is a draft WebVTT file
that the researcher corrects and confirms into a source with time anchors (:mod:`.draft`).

>>> from thematica.transcribe import require_extra
>>> require_extra()
>>> from thematica.transcribe.pipeline import Transcriber
>>> Transcriber("tiny.en").transcribe("interview-07.m4a")

Transcribing needs the optional extra ``thematica[transcribe]``; checking and
confirming a draft do not.
"""

from importlib.util import find_spec

from thematica.errors import InvalidInput

INSTALL = "pip install 'thematica[transcribe]'"


def extra_installed() -> bool:
    """Whether the libraries transcription needs are installed."""
    return all(find_spec(name) is not None for name in ("faster_whisper", "librosa", "scipy"))


def require_extra() -> None:
    """Raise :class:`InvalidInput` saying how to install transcription when it is not."""
    if not extra_installed():
        raise InvalidInput(f"transcription is not installed: {INSTALL}")
