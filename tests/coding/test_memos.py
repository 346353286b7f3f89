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


def test_edit_and_delete_a_memo_each_undoable(coded):
    made = coded.memos.add("First thought", title="Day 1", source="interview-01.txt", quote="Grace")
    edited = coded.memos.edit(made.id, text="  Second thought ")
    assert (edited.text, edited.title, edited.start, edited.author) == (
        "Second thought",
        "Day 1",
        made.start,
        made.author,
    )
    event = coded.log(1)[0]
    assert (event.action, event.before, event.after) == (
        "edit memo",
        {"text": "First thought"},
        {"text": "Second thought"},
    )
    assert coded.memos.edit(made.id, title="Day one").title == "Day one"
    events = len(coded.log())
    assert coded.memos.edit(made.id, text="Second thought").title == "Day one"
    assert len(coded.log()) == events  # nothing changed, nothing recorded
    coded.undo()
    assert coded.memos.get(made.id).title == "Day 1"
    gone = coded.memos.delete(made.id)
    assert gone.text == "Second thought" and coded.memos.list() == []
    assert coded.log(1)[0].action == "delete memo"
    coded.undo()
    assert coded.memos.get(made.id) == edited


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda memos, m: memos.edit(m, text="  "), "needs some text: delete it instead"),
        (lambda memos, m: memos.edit(m), "give a new text or title"),
        (lambda memos, m: memos.edit(99, text="x"), "no memo with id 99"),
        (lambda memos, m: memos.delete(99), "no memo with id 99"),
    ],
)
def test_bad_memo_edits_change_nothing(coded, call, message):
    made = coded.memos.add("Keep me", code="Warmth")
    events = coded.log(None)
    with pytest.raises(Exception, match=message):
        call(coded.memos, made.id)
    assert coded.memos.list() == [made] and coded.log(None) == events
