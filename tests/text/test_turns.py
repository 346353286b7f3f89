from thematica.text.normalise import canonical, checksum
from thematica.text.turns import detect_turns


def test_labels_roles_and_continuation_paragraphs():
    text = (
        "Interview 3\n\nI: Hello?\nP1: Hi. Note this: it's fine.\n\nStill me.\n"
        "P1: And again.\nDr Amara Shah: A clinician.\nSo what I mean is: not a label."
    )
    turns = detect_turns(text)
    assert [(t.speaker, t.role) for t in turns] == [
        ("I", "interviewer"),
        ("P1", "participant"),
        ("P1", "participant"),
        ("Dr Amara Shah", "participant"),
    ]
    p1 = turns[1]
    assert text[p1.start : p1.end] == "Hi. Note this: it's fine.\n\nStill me."
    assert text[turns[3].start : turns[3].end].endswith("not a label.")


def test_canonical_text():
    assert canonical("\ufeffa\r\nb\rc") == "a\nb\nc"
    assert canonical("cafe\u0301") == "café"
    assert checksum("x") == checksum(canonical("x"))
