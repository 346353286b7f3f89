import pytest

from thematica import InvalidInput


def test_journal_and_anchored_memos(coded):
    journal = coded.memos.add("I expected anger; I found fear.", title="Week 1", author="Hannah")
    span = coded.memos.add("Echoes the GP", source="interview-01.txt", quote="health visitor")
    on_code = coded.memos.add("Too broad?", code="Warmth")
    coding = coded.codings.add("interview-01.txt", "Warmth", 0, 11)
    on_coding = coded.memos.add("Interviewer's words, not hers", coding=coding.id)
    assert [m.anchor for m in coded.memos.list()] == [
        "journal",
        f"interview-01.txt [{span.start}, {span.end})",
        "code Therapist relationship/Warmth",
        "coding 1 [0, 11)",
    ]
    assert coded.memos.journal() == [journal]
    assert journal.author == "Hannah" and on_code.author == "tester"
    assert on_coding.source == "interview-01.txt"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": " "}, "a memo needs some text"),
        ({"text": "x", "source": "interview-01.txt", "code": "Warmth"}, "anchor a memo to one"),
        ({"text": "x", "start": 1, "end": 4}, "needs a --source"),
        ({"text": "x", "source": "interview-01.txt", "start": 1}, "give both --start and --end"),
        ({"text": "x", "coding": 42}, "no coding with id 42"),
        ({"text": "x", "source": "interview-01.txt", "start": 0, "end": 10**5}, "out of range"),
    ],
)
def test_bad_memos(coded, kwargs, message):
    with pytest.raises(Exception, match=message):
        coded.memos.add(**kwargs)
    assert coded.memos.list() == []


def test_unknown_kind(coded):
    with pytest.raises(InvalidInput, match="unknown memo kind 'x'"):
        coded.memos.list("x")
