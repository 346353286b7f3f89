"""Decoding recordings: every supported format, steady memory, and every bad input."""

import struct
import subprocess
import tracemalloc

import numpy as np
import pytest

from tests.transcribe.conftest import needs_extra
from thematica import InvalidInput


@pytest.fixture(autouse=True)
def _extra():
    needs_extra()


def decoded(path):
    from thematica.transcribe.audio import Recording

    with Recording(path) as recording:
        return recording.read(0, 10**9), recording.duration


def loudness(samples):
    """Root mean square of each tenth of a second."""
    frames = samples[: len(samples) // 1600 * 1600].reshape(-1, 1600)
    return np.sqrt((frames**2).mean(axis=1))


@pytest.mark.parametrize("suffix", ["flac", "ogg", "mp3", "m4a"])
def test_each_format_decodes_to_the_same_speech(formats, suffix):
    original, seconds = decoded(formats["wav"])
    samples, duration = decoded(formats[suffix])
    assert samples.dtype == np.float32
    assert duration == pytest.approx(seconds, abs=0.1)
    assert len(samples) / 16000 == pytest.approx(seconds, abs=0.1)
    a, b = loudness(original), loudness(samples)
    n = min(len(a), len(b))
    assert np.corrcoef(a[:n], b[:n])[0, 1] > 0.95


def test_a_long_recording_is_read_in_steady_memory(spoken, tmp_path):
    from thematica.transcribe.audio import SAMPLE_RATE, Recording

    long = tmp_path / "long.flac"  # six times the interview: five minutes
    subprocess.run(["sox", str(spoken[0]), str(long), "repeat", "5"], check=True)
    whole, seconds = decoded(long)
    chunk = 10 * SAMPLE_RATE
    tracemalloc.start()
    pieces = []
    with Recording(long) as recording:
        at = 0
        while len(piece := recording.read(at, chunk)):
            pieces.append(piece[:100].copy())
            at += chunk - SAMPLE_RATE  # chunks overlap by a second, as the pipeline's may
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert seconds > 290 and whole.nbytes > 18_000_000
    assert peak < 6 * chunk * 4  # a few chunks' worth, a fifth of the whole recording
    assert all(
        np.array_equal(p, whole[i * (chunk - SAMPLE_RATE) :][:100]) for i, p in enumerate(pieces)
    )


def test_samples_already_let_go_cannot_be_read_again(spoken):
    from thematica.transcribe.audio import Recording

    with Recording(spoken[0]) as recording:
        recording.read(32000, 16000)
        with pytest.raises(ValueError, match="already let go"):
            recording.read(0, 16000)


def wav_with_codec(path, tag):
    """A WAV file whose header names audio codec ``tag``."""
    data = b"\x00\x01" * 8000
    fmt = struct.pack("<HHIIHH", tag, 1, 16000, 32000, 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


def test_bad_inputs_are_one_line_each(spoken, tmp_path):
    from thematica.transcribe.audio import Recording

    def refused(path):
        with pytest.raises(InvalidInput) as error:
            Recording(path).read(0, 16000)
        return str(error.value)

    assert refused(tmp_path / "gone.wav") == f"no such file: {tmp_path / 'gone.wav'}"
    (tmp_path / "empty.m4a").write_bytes(b"")
    assert refused(tmp_path / "empty.m4a") == f"{tmp_path / 'empty.m4a'} is empty"
    (tmp_path / "notes.mp3").write_text("Interviewer: this is a transcript, not a recording\n")
    assert refused(tmp_path / "notes.mp3") == (
        "notes.mp3 is not a recording that can be decoded (invalid data found when "
        "processing input); convert it to WAV or FLAC first"
    )
    (tmp_path / "cut.wav").write_bytes(spoken[0].read_bytes()[:30])
    assert refused(tmp_path / "cut.wav").startswith(
        "cut.wav is not a recording that can be decoded"
    )
    assert refused(wav_with_codec(tmp_path / "odd.wav", 0x1234)) == (
        "odd.wav holds audio in an unknown codec, which the bundled FFmpeg decoders cannot "
        "read; convert it to WAV or FLAC first (with ffmpeg, sox or an audio editor)"
    )


def tone(seconds, level=0.3):
    """A 220 Hz tone: voiced enough for an onset finder."""
    t = np.arange(round(seconds * 16000)) / 16000
    return (level * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def quiet(seconds, level=0.0):
    return (level * np.random.default_rng(7).standard_normal(round(seconds * 16000))).astype(
        np.float32
    )


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        # Whisper started the word in the pause before it.
        ([quiet(0.4), tone(0.3)], 0.4),
        # ... and in the tail of the word before, across the whole pause.
        ([tone(0.1), quiet(0.7), tone(0.3)], 0.8),
        # Room noise 40 dB below the voice is still a pause.
        ([quiet(0.5, 0.003), tone(0.3)], 0.5),
        # A stop consonant's closure inside a word is not a pause.
        ([tone(0.1), quiet(0.08), tone(0.3)], 0.0),
        # Noise as loud as the voice leaves Whisper's time alone.
        ([quiet(0.5, 0.3), tone(0.3)], 0.0),
        # So does a word that is nearly all silence.
        ([quiet(0.5), tone(0.03)], 0.0),
        ([tone(0.3)], 0.0),
        ([], 0.0),
    ],
)
def test_a_word_starts_where_its_voice_does(parts, expected):
    from thematica.transcribe.audio import speech_onset

    samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    assert speech_onset(samples) / 16000 == pytest.approx(expected, abs=0.011)
