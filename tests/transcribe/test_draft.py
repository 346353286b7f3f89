"""The draft: written, corrected by hand, read back by the WebVTT reader, confirmed into a
source whose times survive anonymisation and coding, up to the report's quotes."""

import re
from pathlib import Path

import pytest

from thematica import InvalidInput
from thematica.transcribe.draft import (
    Phrase,
    Transcript,
    check_draft,
    clock,
    confirm,
    write_draft,
)

PHRASES = (
    Phrase(0.0, 2.32, "Thank you for talking with me today.", 0),
    Phrase(2.68, 5.64, "How did you first hear about the team?", 0),
    Phrase(6.78, 11.24, "My health visitor told me about the service.", 1, unsure=True),
    Phrase(11.68, 14.5, "I was not sleeping and I felt very low.", 1),
    Phrase(15.26, 17.28, "What was the first visit like?", 0),
    Phrase(3725.5, 3727.25, "Nervous.", 1),
)


@pytest.fixture
def recording(tmp_path):
    path = tmp_path / "audio" / "interview-07.m4a"
    path.parent.mkdir()
    path.write_bytes(b"not opened by these tests")
    return path


@pytest.fixture
def draft(recording, tmp_path):
    transcript = Transcript(recording, "tiny.en", "en", 3728.0, PHRASES)
    return write_draft(transcript, tmp_path / "drafts" / "interview-07.vtt")


@pytest.fixture(autouse=True)
def _drafts_folder(tmp_path):
    (tmp_path / "drafts").mkdir()


def test_a_draft_is_webvtt_with_a_note_a_time_and_a_suggested_speaker_on_every_phrase(draft):
    assert draft.read_text() == (
        "WEBVTT\n\n"
        "NOTE Thematica draft transcript: check every line against the recording, then run\n"
        "thematica transcript confirm interview-07.vtt\n"
        "recording: ../audio/interview-07.m4a\n"
        "model: tiny.en\n"
        "The speakers are suggested from their voices: fix any label that is wrong, and\n"
        "rename them as you like (Interviewer, Mother 7). Phrases marked 'check speaker'\n"
        "were the hardest to place.\n\n"
        "00:00:00.000 --> 00:00:02.320\nInterviewer: Thank you for talking with me today.\n\n"
        "00:00:02.680 --> 00:00:05.640\nInterviewer: How did you first hear about the team?\n\n"
        "NOTE check speaker\n\n"
        "00:00:06.780 --> 00:00:11.240\nParticipant: My health visitor told me about the service.\n\n"
        "00:00:11.680 --> 00:00:14.500\nParticipant: I was not sleeping and I felt very low.\n\n"
        "00:00:15.260 --> 00:00:17.280\nInterviewer: What was the first visit like?\n\n"
        "01:02:05.500 --> 01:02:07.250\nParticipant: Nervous.\n"
    )


def test_speakers_are_named_by_who_asks_the_questions(recording):
    def names(phrases):
        return Transcript(recording, "tiny.en", "en", 10.0, phrases).speaker_names()

    asks = Phrase(0, 1, "Why?", 1)
    says = Phrase(1, 2, "Because.", 0)
    assert names((says, asks)) == ["Participant", "Interviewer"]
    assert names((says, Phrase(2, 3, "Really?", 0), asks)) == ["Speaker 1", "Speaker 2"]
    assert names((says,)) == ["Speaker 1", "Speaker 2"]
    assert names((Phrase(0, 1, "Why?", 0), says)) == ["Speaker 1", "Speaker 2"]


def test_the_check_reads_the_draft_as_it_will_import(draft, recording):
    summary = check_draft(draft)
    assert (summary.words, summary.cues, summary.end, summary.warnings) == (43, 6, 3725.5, ())
    assert summary.speakers == {"Interviewer": 2, "Participant": 2}
    assert summary.recording.resolve() == recording.resolve()
    assert summary.model == "tiny.en"


def corrected(draft):
    """The draft as a researcher leaves it: speakers renamed, a word fixed, a cue split
    between the speakers, the check note gone."""
    text = draft.read_text()
    text = text.replace("Participant:", "Mother 7:").replace("NOTE check speaker\n\n", "")
    text = text.replace("the team?", "the parent-infant team?")
    text = text.replace(
        "00:00:15.260 --> 00:00:17.280\nInterviewer: What was the first visit like?",
        "00:00:15.260 --> 00:00:16.900\nInterviewer: What was the first visit like?\n\n"
        "00:00:16.900 --> 00:00:17.280\nMother 7: Hmm.",
    )
    draft.write_text(text)
    return draft


def anchors(project, name):
    """Each time anchor of a source as (seconds, the words it starts)."""
    from sqlalchemy import select

    from thematica.store.schema import source, time_anchor

    text = project.sources.text(name)
    with project.read() as conn:
        rows = conn.execute(
            select(time_anchor.c.start, time_anchor.c.ms)
            .join(source, source.c.id == time_anchor.c.source_id)
            .where(source.c.name == name)
            .order_by(time_anchor.c.start)
        ).all()
    return [(ms / 1000, " ".join(text[start:].split()[:3])) for start, ms in rows]


def test_confirming_imports_the_corrected_draft_with_its_times_and_recording(
    project, draft, recording
):
    source = confirm(project, corrected(draft), case=None)
    assert (source.name, source.kind, source.media) == (
        "interview-07.vtt",
        "vtt",
        str(recording.resolve()),
    )
    assert project.sources.text("interview-07.vtt") == (
        "Interviewer: Thank you for talking with me today. How did you first hear about the "
        "parent-infant team?\n\n"
        "Mother 7: My health visitor told me about the service. I was not sleeping and I "
        "felt very low.\n\n"
        "Interviewer: What was the first visit like?\n\n"
        "Mother 7: Hmm. Nervous."
    )
    assert [(t.speaker, t.role) for t in project.sources.turns("interview-07.vtt")] == [
        ("Interviewer", "interviewer"),
        ("Mother 7", "participant"),
        ("Interviewer", "interviewer"),
        ("Mother 7", "participant"),
    ]
    assert anchors(project, "interview-07.vtt") == [
        (0.0, "Interviewer: Thank you"),
        (2.68, "How did you"),
        (6.78, "Mother 7: My"),
        (11.68, "I was not"),
        (15.26, "Interviewer: What was"),
        (16.9, "Mother 7: Hmm."),
        (3725.5, "Nervous."),
    ]


def test_the_times_survive_anonymisation_and_coding_into_the_report(project, draft, tmp_path):
    from thematica.anonymise.apply import anonymise_sources
    from thematica.anonymise.vault import KeyVault, ScryptParams
    from thematica.report.results import build_report

    confirm(project, corrected(draft))
    before = anchors(project, "interview-07.vtt")
    key = tmp_path / "study.key"
    KeyVault.create(key, "correct horse battery", kdf=ScryptParams(n=2**10, r=8, p=1)).save()
    names = {"health visitor": "NAME", "Nervous": "NAME"}  # names, for this test
    report = anonymise_sources(project, key, "correct horse battery", names=names, recognisers=[])
    assert report.replaced == 2
    text = project.sources.text("interview-07.vtt")
    assert "My [Person 1] told me" in text and text.endswith("Hmm. [Person 2].")
    # Every anchor after a replacement moved with its words, and the one that starts
    # with a replaced word starts with its placeholder; none was lost.
    assert anchors(project, "interview-07.vtt") == [*before[:-1], (3725.5, "[Person 2].")]
    project.codes.add("Low mood")
    project.codings.add_quote(
        "interview-07.vtt", "Low mood", "I was not sleeping and I felt very low."
    )
    project.codings.add_quote("interview-07.vtt", "Low mood", "[Person 2].")
    assert [s.time for s in project.segments("Low mood")] == [11.68, 3725.5]
    project.themes.add("Struggling alone", codes=["Low mood"])
    coding = project.segments("Low mood")[0].coding
    project.themes.add_quote("Struggling alone", coding)
    (quote,) = build_report(project).quotes
    assert (quote.time, quote.clock) == (11.68, "0:11")


def test_a_draft_that_cannot_find_its_recording_says_how_to_give_it(
    project, draft, recording, tmp_path
):
    recording.unlink()
    with pytest.raises(InvalidInput) as error:
        confirm(project, draft)
    assert str(error.value) == (
        f"the recording {draft.parent / '../audio/interview-07.m4a'} is not there: "
        "give it with --media PATH"
    )
    moved = tmp_path / "moved.m4a"
    moved.write_bytes(b"the recording, moved")
    assert confirm(project, draft, media=moved).media == str(moved.resolve())


def test_webvtt_from_elsewhere_needs_its_recording_named(project, tmp_path):
    other = tmp_path / "zoom.vtt"
    other.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nSam: Hello.\n")
    with pytest.raises(
        InvalidInput, match=r"^zoom.vtt names no recording: give it with --media PATH$"
    ):
        confirm(project, other)
    assert project.sources.list() == []


def test_a_draft_broken_in_editing_is_refused_with_its_line(project, draft):
    draft.write_text(draft.read_text().replace("--> 00:00:14.500", "--> 00:00:14.5"))
    with pytest.raises(InvalidInput) as error:
        confirm(project, draft)
    line = draft.read_text().split("\n").index("00:00:11.680 --> 00:00:14.5") + 1
    assert re.fullmatch(
        rf"interview-07.vtt, line {line}: malformed cue timing .*", str(error.value)
    )
    assert project.sources.list() == []


def test_clock_writes_webvtt_times():
    assert [clock(s) for s in (0, 1.0005, 59.9996, 3725.5)] == [
        "00:00:00.000",
        "00:00:01.000",
        "00:01:00.000",
        "01:02:05.500",
    ]


def test_the_draft_of_the_synthesised_interview_reads_back_phrase_for_phrase(transcribed):
    transcript, draft = transcribed
    summary = check_draft(draft)
    assert summary.cues == len(transcript.phrases)
    assert summary.words == sum(len(p.text.split()) for p in transcript.phrases) + sum(
        summary.speakers.values()
    )
    assert summary.recording.resolve() == transcript.recording.resolve()
    assert set(summary.speakers) == {"Interviewer", "Participant"}
    assert Path(draft).with_name(draft.name + ".partial").exists() is False
