import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thematica.errors import InvalidInput
from thematica.text.turns import DEFAULT_LABEL, detect_turns
from thematica.text.wrap import rejoin_wrapped


def test_wrapped_turns_become_paragraphs():
    text = (
        "Interviewer: Thank you for coming. Can you tell me how you\n"
        "  first heard about the team?  \n"
        "Participant: It was the health visitor, really. She said\n"
        "there’s this team, for mums and babies.\n"
        "\n"
        "\n"
        "And I thought, well, what’s that then?\n"
        "Dr Amara Shah: A clinician speaking.\n"
    )
    assert rejoin_wrapped(text) == (
        "Interviewer: Thank you for coming. Can you tell me how you first heard about the "
        "team?\n\n"
        "Participant: It was the health visitor, really. She said there’s this team, for "
        "mums and babies.\n\n"
        "And I thought, well, what’s that then?\n\n"
        "Dr Amara Shah: A clinician speaking."
    )


def test_label_alone_on_its_line_starts_a_turn():
    text = "P1: I said no.\nInterviewer:\nWhy was that?\nP1:\nI don't\nknow."
    assert rejoin_wrapped(text) == (
        "P1: I said no.\n\nInterviewer: Why was that?\n\nP1: I don't know."
    )
    assert [t.speaker for t in detect_turns(rejoin_wrapped(text))] == ["P1", "Interviewer", "P1"]
    # A blank line after it ends its paragraph, as any blank line does.
    assert rejoin_wrapped("P1:\n\nI don't know.") == "P1:\n\nI don't know."


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        # A compound broken at its hyphen keeps it; so does any lower-case pair.
        ("the decision-\nmaking was mine", "the decision-making was mine"),
        ("an exam-\nple of it", "an exam-ple of it"),
        ("a self\u2010\nesteem thing", "a self\u2010esteem thing"),
        # A soft hyphen is an invisible hyphenation point: it goes, the word is whole.
        ("an exam\u00ad\nple of it", "an example of it"),
        ("NHS Eng\u00ad\nLand", "NHS EngLand"),
        # Anything else is joined with a space: cut-off speech, numbers, capitals, dashes.
        ("COVID-\n19 came", "COVID- 19 came"),
        ("I was going to-\nAnyway", "I was going to- Anyway"),
        ("three to-\n4 times", "three to- 4 times"),
        ("and then -\nwell", "and then - well"),
        ("so –\nthen", "so – then"),
        ("a soft \u00ad\nhyphen alone", "a soft \u00ad hyphen alone"),
        ("-\nstarts with a hyphen", "- starts with a hyphen"),
    ],
)
def test_hyphens_at_line_ends(text, joined):
    assert rejoin_wrapped(text) == joined


def test_no_join_across_paragraphs():
    assert rejoin_wrapped("the decision-\n\nmaking") == "the decision-\n\nmaking"
    assert rejoin_wrapped("the decision-\nP1: making") == "the decision-\n\nP1: making"


def test_line_ends_of_every_kind():
    text = "I: one\r\ntwo\rthree\x0cfour\u2028five\n\n\nP1: six"
    assert rejoin_wrapped(text) == "I: one two three four five\n\nP1: six"
    assert rejoin_wrapped("") == ""
    assert rejoin_wrapped("\n  \n\t\n") == ""


def test_custom_label_pattern():
    # Labels without a colon, as in transcripts with a speaker column.
    text = "I so can you tell me\nabout it\nP1 well\nI think so\nI okay"
    pattern = r"(?P<label>I|P\d+)[ \t]+(?!think)"
    assert rejoin_wrapped(text, pattern) == (
        "I so can you tell me about it\n\nP1 well I think so\n\nI okay"
    )
    with pytest.raises(InvalidInput, match="not a valid regular expression"):
        rejoin_wrapped(text, "(")


# --- properties -----------------------------------------------------------------------

LABEL = re.compile(DEFAULT_LABEL)

WORDS = [
    "Interviewer:", "P1:", "Dr Amara Shah:", "I", "well", "um", "café", "“quoted”", "it’s",
    "3", "2020", "making", "ple", "19", "–", "Anyway", "ok:", "a:", "So", "Note:",
]  # fmt: skip
HYPHENATED = ["decision-", "exam-", "exam\u00ad", "Eng\u00ad", "COVID-", "-", "\u00ad", "self\u2010", "a-", "é-"]  # fmt: skip
SPACES = st.sampled_from([" ", "  ", "\t", " \u00a0", "\u3000"])
LINE_ENDS = st.sampled_from(["\n", "\r\n", "\n\n", "\r", "\u2029", "\n \t\n"])


def lines_of(words: list[str]) -> st.SearchStrategy[str]:
    """Lines of ``words`` with any spacing, joined by line ends of every kind."""

    @st.composite
    def line(draw) -> str:
        tokens = draw(st.lists(st.sampled_from(words), max_size=8))
        text = "".join(token + draw(SPACES) for token in tokens).rstrip(" \t\u00a0\u3000")
        return draw(st.sampled_from(["", " ", "\t"])) + text + draw(st.sampled_from(["", " "]))

    return st.lists(st.tuples(line(), LINE_ENDS), max_size=12).map(
        lambda pairs: "".join(text + end for text, end in pairs)
    )


TEXT = lines_of(WORDS + HYPHENATED)
UNHYPHENATED_TEXT = lines_of(WORDS)


def expected_words(text: str, label: re.Pattern[str] = LABEL) -> list[str]:
    """The documented result, word by word: the words of ``text``, where a line end
    inside a paragraph joins letter + soft hyphen with a letter (the soft hyphen goes)
    and a lower-case letter + hyphen with a lower-case letter (the hyphen stays)."""
    words: list[str] = []
    open_paragraph = False
    for line in text.splitlines():
        tokens = line.split()
        if not tokens:
            open_paragraph = False
            continue
        continues = open_paragraph and not label.match(line.strip() + " ")
        if continues and tokens:
            last, first = words[-1], tokens[0][0]
            if last[-1] == "\u00ad" and last[-2:-1].isalpha() and first.isalpha():
                words[-1] = last[:-1] + tokens.pop(0)
            elif last[-1] in "-\u2010" and last[-2:-1].islower() and first.islower():
                words[-1] = last + tokens.pop(0)
        words += tokens
        open_paragraph = True
    return words


@given(TEXT)
def test_words_survive_except_documented_joins(text):
    assert rejoin_wrapped(text).split() == expected_words(text)


@given(TEXT)
def test_shape_of_the_result(text):
    result = rejoin_wrapped(text)
    assert rejoin_wrapped(result) == result
    if result:
        paragraphs = result.split("\n\n")
        assert all(p and p == p.strip() and "\n" not in p for p in paragraphs)
    # Each paragraph is a run of lines opened by a blank line or a label.
    starts = 0
    open_paragraph = False
    for line in text.splitlines():
        if not line.strip():
            open_paragraph = False
        elif not open_paragraph or LABEL.match(line.strip() + " "):
            starts += 1
            open_paragraph = True
    assert (len(result.split("\n\n")) if result else 0) == starts


@given(st.text())
def test_any_text_keeps_its_characters(text):
    # Whatever the text, only whitespace and soft hyphens at line ends can go.
    result = rejoin_wrapped(text)
    before, after = "".join(text.split()), "".join(result.split())
    assert after.replace("\u00ad", "") == before.replace("\u00ad", "")
    assert result.split() == expected_words(text)


@given(UNHYPHENATED_TEXT)
def test_text_without_line_end_hyphens_keeps_every_word(text):
    assert rejoin_wrapped(text).split() == text.split()
