"""`thematica transcribe` and `thematica transcript`, run as a user runs them."""

import json
import re
import shutil

import pytest
import typer

from tests.cli import fails, out, run
from tests.transcribe.conftest import needs_extra
from tests.transcribe.test_audio import wav_with_codec
from thematica import open_project
from thematica.transcribe.draft import Phrase, Transcript, check_draft, write_draft


def cues(draft):
    """The speaker label of each cue of a draft."""
    return re.findall(r"^\d\d:\d\d:\d\d\.\d{3} --> .*\n([^:]+):", draft.read_text(), re.M)


def test_an_m4a_interview_becomes_a_two_speaker_source_with_times(formats, tmp_path):
    shutil.copy(formats["m4a"], tmp_path / "interview.m4a")
    out("init", "study.thematica")
    printed = out("-p", "study.thematica", "transcribe", "interview.m4a", "--import")
    labels = cues(tmp_path / "interview.vtt")
    summary = check_draft(tmp_path / "interview.vtt")
    assert set(labels) == {"Interviewer", "Participant"}
    assert printed == (
        f"interview.m4a: 0:51, {len(labels)} phrases, speakers suggested "
        f"(Interviewer {labels.count('Interviewer')}, Participant {labels.count('Participant')})"
        " -> interview.vtt\n"
        f"Added interview.vtt: {summary.words} words, 10 turns, recording interview.m4a\n"
    )
    listed = json.loads(out("-p", "study.thematica", "sources", "list", "--json"))
    assert [(s["name"], s["kind"], s["turns"], s["media"]) for s in listed] == [
        ("interview.vtt", "vtt", 10, str((tmp_path / "interview.m4a").resolve()))
    ]
    assert not (tmp_path / "interview.vtt.partial").exists()


@pytest.fixture
def draft(tmp_path):
    recording = tmp_path / "interview-07.m4a"
    recording.write_bytes(b"the recording")
    phrases = (
        Phrase(0.0, 2.3, "How was the first visit?", 0),
        Phrase(3.1, 5.0, "Gentle. Nobody rushed me.", 1),
        Phrase(6.0, 7.2, "And after that?", 0),
    )
    transcript = Transcript(recording, "tiny.en", "en", 8.0, phrases)
    return write_draft(transcript, tmp_path / "interview-07.vtt")


def test_check_shows_a_draft_as_it_will_import(draft):
    assert out("transcript", "check", "interview-07.vtt") == (
        "interview-07.vtt: 15 words in 3 cues up to 0:06, recording interview-07.m4a\n"
        "speakers: Interviewer (2 turns), Participant (1 turn)\n"
    )
    assert json.loads(out("transcript", "check", "interview-07.vtt", "--json")) == {
        "draft": "interview-07.vtt",
        "recording": "interview-07.m4a",
        "model": "tiny.en",
        "words": 15,
        "cues": 3,
        "speakers": {"Interviewer": 2, "Participant": 1},
        "end": 6.0,
        "warnings": [],
    }


def test_confirm_imports_the_corrected_draft(draft, tmp_path):
    draft.write_text(draft.read_text().replace("Participant:", "Mother 7:"))
    out("init", "study.thematica")
    (tmp_path / "participants.csv").write_text("id,age\n7,31\n")
    out("cases", "import", "participants.csv", "--id", "id")
    assert out("transcript", "confirm", "interview-07.vtt", "--case", "7", "--name", "i7") == (
        "Added i7: 16 words, 3 turns (Participant 7), recording interview-07.m4a\n"
    )
    with open_project("study.thematica") as project:
        # The source and its recording are one change, undone together.
        assert [(e.action, e.target) for e in project.log(1)] == [("add source", "i7")]
        assert project.sources.get("i7").media.endswith("interview-07.m4a")
    assert fails("transcript", "confirm", "interview-07.vtt", "--name", "i7") == (
        "a source named 'i7' already exists"
    )


def test_transcript_errors_are_one_line(draft, tmp_path):
    assert fails("transcript", "check", "missing.vtt") == "no such file: missing.vtt"
    (tmp_path / "notes.vtt").write_text("Interviewer: no cues here\n")
    assert fails("transcript", "check", "notes.vtt") == (
        "notes.vtt is not a WebVTT file (it does not start with WEBVTT or a cue timing)"
    )
    (tmp_path / "interview-07.m4a").unlink()
    out("init", "study.thematica")
    assert fails("transcript", "confirm", "interview-07.vtt") == (
        "the recording interview-07.m4a is not there: give it with --media PATH"
    )


def test_transcribe_refuses_bad_recordings_in_one_line(tmp_path):
    needs_extra()
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "notes.mp3").write_text("not a recording\n")
    wav_with_codec(tmp_path / "odd.wav", 0x1234)
    assert fails("transcribe", "gone.m4a") == "no such file: gone.m4a"
    assert fails("transcribe", "empty.wav") == "empty.wav is empty"
    assert fails("transcribe", "notes.mp3") == (
        "notes.mp3 is not a recording that can be decoded (invalid data found when "
        "processing input); convert it to WAV or FLAC first"
    )
    assert fails("transcribe", "odd.wav") == (
        "odd.wav holds audio in an unknown codec, which the bundled FFmpeg decoders cannot "
        "read; convert it to WAV or FLAC first (with ffmpeg, sox or an audio editor)"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.wav", "notes.mp3", "odd.wav"]


def test_transcribe_refuses_bad_options_in_one_line(tmp_path):
    needs_extra()
    assert fails("transcribe") == "give a recording to transcribe"
    assert fails("transcribe", "--download", "tiny.fr").startswith(
        "no official model named 'tiny.fr'; choose one of tiny.en, tiny, "
    )
    assert fails("transcribe", "a.wav", "b.wav", "--out", "a.vtt") == (
        "--out names one draft: give one recording with it"
    )
    assert fails("transcribe", "a.wav", "--model", "large-v3") == (
        "unknown model 'large-v3': give a folder holding a CTranslate2 Whisper model, "
        "tiny.en or base, or fetch it once with --download large-v3"
    )
    assert fails("transcribe", "a.wav", "--language", "cy") == (
        "model tiny.en transcribes English only; choose a multilingual one (base) for 'cy'"
    )
    assert fails("transcribe", "a.wav", "--out", "drafts/a.vtt") == (
        "cannot write drafts/a.vtt: there is no folder drafts"
    )
    (tmp_path / "a.vtt").write_text("WEBVTT\n\nNOTE corrected by hand for hours\n")
    assert fails("transcribe", "a.wav") == "a.vtt exists already: delete it, or give another --out"
    assert (tmp_path / "a.vtt").read_text().endswith("for hours\n")


def test_an_interrupted_transcription_says_how_to_resume(capsys, tmp_path):
    from thematica.cli.transcribe import _run

    class Stopped:
        def transcribe(self, recording, draft, progress):
            progress(12.5, 50.0)
            raise KeyboardInterrupt

    with pytest.raises(typer.Exit) as stopped:
        _run(Stopped(), tmp_path / "interview.m4a", tmp_path / "interview.vtt", quiet=True)
    assert stopped.value.exit_code == 130
    assert capsys.readouterr().err == (
        "Interrupted at 0:12 of interview.m4a: run the same command again to resume\n"
    )


def test_without_the_extra_transcribe_says_how_to_install_it(monkeypatch):
    import thematica.transcribe as transcribe

    monkeypatch.setattr(transcribe, "find_spec", lambda name: None)
    with pytest.raises(transcribe.InvalidInput) as error:
        transcribe.require_extra()
    assert str(error.value) == "transcription is not installed: pip install 'thematica[transcribe]'"
    assert run("--help").stdout.count("transcri") >= 2
