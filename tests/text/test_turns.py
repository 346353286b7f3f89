import pytest

from thematica.errors import InvalidInput
from thematica.text.normalise import canonical, checksum
from thematica.text.turns import detect_turns


def test_labels_roles_continuations_and_merging():
    text = (
        "Interview 3\n\nI: Hello?\nP1: Hi. Note this: it's fine.\n\nStill me.\n"
        "P1: And again.\nDr Amara Shah: A clinician.\nSo what I mean is: not a label."
    )
    turns = detect_turns(text)
    assert [(t.speaker, t.role) for t in turns] == [
        ("I", "interviewer"),
        ("P1", "participant"),
        ("Dr Amara Shah", "participant"),
    ]
    p1 = turns[1]
    assert text[p1.start : p1.end] == "Hi. Note this: it's fine.\n\nStill me.\nP1: And again."
    assert text[turns[2].start : turns[2].end].endswith("not a label.")


def test_roles_of_labels():
    text = "Interviewer 2: Q?\nAI: Q?\nUser: A.\nTranscriber: [noise]\nSally: Hm.\nP2: A."
    assert [(t.speaker, t.role) for t in detect_turns(text, others=["Sally"])] == [
        ("Interviewer 2", "interviewer"),
        ("AI", "interviewer"),
        ("User", "participant"),
        ("Transcriber", "other"),
        ("Sally", "other"),
        ("P2", "participant"),
    ]
    assert [t.role for t in detect_turns("Ruth: Q?\nAnn: A.", interviewers=["ruth"])] == [
        "interviewer",
        "participant",
    ]


def test_custom_label_pattern():
    text = "[R] So tell me.\n[P] Well.\n"
    turns = detect_turns(text, label_pattern=r"\[(?P<label>[A-Z])\] ")
    assert [(t.speaker, text[t.start : t.end]) for t in turns] == [
        ("R", "So tell me."),
        ("P", "Well."),
    ]
    with pytest.raises(InvalidInput, match="needs a group named 'label'"):
        detect_turns(text, label_pattern=r"\[[A-Z]\] ")
    with pytest.raises(InvalidInput, match="not a valid regular expression"):
        detect_turns(text, label_pattern=r"(")


def test_canonical_text():
    assert canonical("\ufeffa\r\nb\rc") == "a\nb\nc"
    assert canonical("cafe\u0301") == "café"
    assert checksum("x") == checksum(canonical("x"))


def test_bracketed_labels():
    text = "Timothy Price: And then?\n[Participant 08]: Then we left.\n"
    assert [(t.speaker, text[t.start : t.end]) for t in detect_turns(text)] == [
        ("Timothy Price", "And then?"),
        ("Participant 08", "Then we left."),
    ]
