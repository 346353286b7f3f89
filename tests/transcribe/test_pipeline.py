"""Transcribing the synthesised interview: words, speakers, times, chunks and resuming."""

import json
import subprocess
from types import SimpleNamespace

import pytest

from tests.transcribe.conftest import SCRIPT, needs_extra
from thematica import InvalidInput
from thematica.transcribe.synthetic import PAUSE_SECONDS, speaker_of, word_error_rate


def test_tiny_en_transcribes_the_interview_with_under_ten_percent_word_errors(spoken, transcribed):
    _, lines = spoken
    transcript, _ = transcribed
    reference = " ".join(line.text for line in lines)
    hypothesis = " ".join(p.text for p in transcript.phrases)
    assert word_error_rate(reference, hypothesis) < 0.10
    assert transcript.model == "tiny.en" and transcript.language == "en"
    # The synthesised interview ends with a pause, like its other lines.
    assert transcript.duration == pytest.approx(lines[-1].end + PAUSE_SECONDS, abs=0.01)


def test_at_least_nine_in_ten_phrases_get_the_right_speaker(spoken, transcribed):
    _, lines = spoken
    transcript, _ = transcribed
    names = transcript.speaker_names()
    # The interviewer asks the questions, so the suggestion names her the Interviewer.
    renamed = {"Interviewer": "Interviewer", "Participant": "Mother"}
    right = [
        renamed[names[p.speaker]] == speaker_of(lines, p.start, p.end).speaker
        for p in transcript.phrases
    ]
    assert len(right) >= len(lines)
    assert sum(right) / len(right) >= 0.9


def test_each_line_starts_where_its_first_phrase_does(spoken, transcribed):
    _, lines = spoken
    transcript, _ = transcribed
    for line in lines:
        first = min(
            (p for p in transcript.phrases if speaker_of(lines, p.start, p.end) == line),
            key=lambda p: p.start,
        )
        assert first.start == pytest.approx(line.start, abs=0.6), line.text
    starts = [p.start for p in transcript.phrases]
    assert starts == sorted(starts)
    assert all(p.start < p.end for p in transcript.phrases)


@pytest.mark.parametrize("early", [0.3, 0.8])
def test_a_word_whisper_starts_early_starts_where_the_voice_does(spoken, early):
    """Whisper's word times vary with the CPU's arithmetic: one machine started a line
    0.8 s early, in the tail of the line before. Each word starts where the voice does."""
    from thematica.transcribe.audio import Recording
    from thematica.transcribe.pipeline import TimedWord, start_at_the_voice

    path, lines = spoken
    with Recording(path) as recording:
        samples = recording.read(0, 10**9)
    words = [TimedWord(line.start - early, line.start + 0.3, " So") for line in lines[1:]]
    heard = start_at_the_voice(words, samples)
    assert [w.start for w in heard] == pytest.approx([line.start for line in lines[1:]], abs=0.05)
    assert [w.end for w in heard] == [w.end for w in words]


@pytest.fixture(scope="module")
def excerpt(spoken, tmp_path_factory):
    """The first five lines of the interview (about 17 seconds), cut in the pause after."""
    path = tmp_path_factory.mktemp("excerpt") / "excerpt.wav"
    lines = spoken[1][:5]
    end = (lines[-1].end + spoken[1][5].start) / 2
    subprocess.run(["sox", str(spoken[0]), str(path), "trim", "0", f"{end:.3f}"], check=True)
    return path, lines, end


def test_an_interrupted_run_resumes_after_its_last_finished_chunk(excerpt, transcriber, tmp_path):
    excerpt, lines, end = excerpt
    draft = tmp_path / "excerpt.vtt"
    partial = tmp_path / "excerpt.vtt.partial"
    seen = []

    def stop_in_second_chunk(done, total):
        seen.append(done)
        if partial.is_file() and len(partial.read_text().splitlines()) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        transcriber.transcribe(excerpt, draft, progress=stop_in_second_chunk, chunk_seconds=10)
    assert not draft.exists()
    header, chunk = map(json.loads, partial.read_text().splitlines())
    assert header["model"] == "tiny.en" and header["chunk_seconds"] == 10
    # The first chunk's last phrase ran to its end: it is carried over to the next.
    assert 5 < chunk["next_start"] < 10
    kept = [p["text"] for p in chunk["phrases"]]

    resumed = []
    transcript = transcriber.transcribe(
        excerpt, draft, progress=lambda done, total: resumed.append(done), chunk_seconds=10
    )
    assert transcript.resumed_at == chunk["next_start"]
    # It started where the first chunk ended, which was not transcribed again.
    assert resumed[0] == chunk["next_start"] < min(resumed[1:])
    assert [p.text for p in transcript.phrases[: len(kept)]] == kept
    assert not partial.exists() and draft.is_file()
    reference = " ".join(line.text for line in lines)
    assert word_error_rate(reference, " ".join(p.text for p in transcript.phrases)) < 0.10
    assert transcript.duration == pytest.approx(end, abs=0.01)


def test_a_checkpoint_for_another_model_or_recording_is_started_afresh(tmp_path):
    from thematica.transcribe.checkpoint import Checkpoint
    from thematica.transcribe.draft import Phrase

    path = tmp_path / "a.vtt.partial"
    first = Checkpoint(path, {"recording": "aaa", "model": "tiny.en"})
    assert first.resume().next_start == 0
    first.save_chunk([Phrase(0.0, 1.5, "Hello.")], [[1.0, 2.0]], 1.7, "en")
    again = Checkpoint(path, {"recording": "aaa", "model": "tiny.en"}).resume()
    assert (again.phrases, again.prints, again.next_start) == (
        [Phrase(0.0, 1.5, "Hello.")],
        [[1.0, 2.0]],
        1.7,
    )
    # A crash while a chunk was being written leaves half a line: it is ignored.
    with path.open("a") as handle:
        handle.write('{"phrases": [{"start": 1.7, "en')
    assert Checkpoint(path, {"recording": "aaa", "model": "tiny.en"}).resume().next_start == 1.7
    other = Checkpoint(path, {"recording": "aaa", "model": "base"})
    assert (other.resume().phrases, other.resume().next_start) == ([], 0)
    other.save_chunk([], [], 30.0, "en")
    assert path.read_text().splitlines()[0] == '{"recording": "aaa", "model": "base"}'
    assert Checkpoint(path, {"recording": "aaa", "model": "base"}).resume().next_start == 30.0


def test_silence_has_no_speech_to_transcribe(transcriber, tmp_path):
    silence = tmp_path / "silence.wav"
    subprocess.run(
        ["sox", "-n", "-r", "16000", "-c", "1", str(silence), "trim", "0", "3"], check=True
    )
    with pytest.raises(InvalidInput, match="^no speech found in silence.wav$"):
        transcriber.transcribe(silence)
    assert list(tmp_path.iterdir()) == [silence]


def test_an_english_only_model_refuses_another_language():
    needs_extra()
    from thematica.transcribe.pipeline import Transcriber

    with pytest.raises(InvalidInput, match="tiny.en transcribes English only; choose"):
        Transcriber("tiny.en", language="cy")


def word(text, start, end):
    return SimpleNamespace(word=text, start=start, end=end)


def test_phrases_are_cut_at_sentence_ends_and_pauses():
    needs_extra()
    from thematica.transcribe.pipeline import split_phrases

    words = [
        word(" How", 0.0, 0.2),
        word(" was", 0.2, 0.4),
        word(" it?", 0.4, 0.7),
        word(" Calm,", 0.9, 1.2),  # a new sentence, and maybe a new speaker
        word(" mostly", 1.8, 2.1),  # after a pause of 0.6 s
        word(" calm", 2.1, 2.3),
    ]
    assert [(p.start, p.end, p.text) for p in split_phrases(words, offset=60)] == [
        (60.0, 60.7, "How was it?"),
        (60.9, 61.2, "Calm,"),
        (61.8, 62.3, "mostly calm"),
    ]
    assert split_phrases([]) == []


def test_the_script_reader_wants_a_speaker_on_every_line(tmp_path):
    from thematica.transcribe.synthetic import read_script

    assert read_script(SCRIPT)[0][0] == "Interviewer"
    bad = tmp_path / "script.txt"
    bad.write_text("Interviewer: Hello.\nno speaker here\n")
    with pytest.raises(InvalidInput, match=r"^script.txt, line 2: expected 'Speaker: words'$"):
        read_script(bad)
