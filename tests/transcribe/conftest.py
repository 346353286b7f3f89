"""A two-voice interview spoken by espeak-ng, and its transcript by Whisper tiny.en,
made once per test session (CPU is scarce: about 50 seconds of speech)."""

import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "interview-script.txt"


def needs_extra() -> None:
    from thematica.transcribe import INSTALL, extra_installed

    if not extra_installed():
        pytest.skip(f"transcription is not installed: {INSTALL}")


def needs_speech() -> None:
    from thematica.transcribe.synthetic import missing_programs

    missing = missing_programs()
    if missing:
        pytest.skip(f"needs the Debian packages {' and '.join(missing)} (apt-get install)")


@pytest.fixture(scope="session")
def spoken(tmp_path_factory):
    """The interview as a WAV file, and when each of its lines is spoken."""
    needs_speech()
    from thematica.transcribe.synthetic import read_script, synthesise

    path = tmp_path_factory.mktemp("spoken") / "interview.wav"
    return path, synthesise(read_script(SCRIPT), path)


@pytest.fixture(scope="session")
def transcriber():
    needs_extra()
    from thematica.transcribe.pipeline import Transcriber

    return Transcriber("tiny.en")


@pytest.fixture(scope="session")
def transcribed(spoken, transcriber, tmp_path_factory):
    """The interview transcribed into a draft: (transcript, draft path)."""
    draft = tmp_path_factory.mktemp("draft") / "interview.vtt"
    return transcriber.transcribe(spoken[0], draft), draft


def encode(source, target, codec):
    """``source`` re-encoded with one of PyAV's encoders (mp3 and AAC: sox has neither)."""
    import av

    with av.open(str(source)) as given, av.open(str(target), "w") as out:
        stream = out.add_stream(codec, rate=16000, layout="mono")
        resampler = av.AudioResampler(
            format=stream.codec_context.format.name,
            layout="mono",
            rate=16000,
            frame_size=stream.codec_context.frame_size or None,
        )
        for frame in [*given.decode(audio=0), None]:
            for part in resampler.resample(frame):
                out.mux(stream.encode(part))
        out.mux(stream.encode(None))


@pytest.fixture(scope="session")
def formats(spoken, tmp_path_factory):
    """The interview as wav, flac and ogg (by sox) and mp3 and m4a (by PyAV)."""
    needs_extra()
    folder = tmp_path_factory.mktemp("formats")
    wav = spoken[0]
    made = {"wav": wav}
    for suffix in ("flac", "ogg"):
        made[suffix] = folder / f"interview.{suffix}"
        subprocess.run(["sox", str(wav), str(made[suffix])], check=True)
    made["mp3"] = folder / "interview.mp3"
    encode(wav, made["mp3"], "libmp3lame")
    made["m4a"] = folder / "interview.m4a"
    encode(wav, made["m4a"], "aac")
    return made
