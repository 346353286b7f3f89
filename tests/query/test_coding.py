import pytest

from tests.query.conftest import A, B, texts
from thematica.errors import InvalidInput, NotFound
from thematica.query.filters import Filter

WARM = "The therapist was warm."
JUDGED = "I felt judged at first."


def found(study, query, where=None, **options):
    return texts(study.query.coding(query, where, **options).passages)


def test_a_code_alone_is_its_codings_in_participants_turns(study):
    assert found(study, "Route") == [
        ("a.txt", "The health visitor told me."),
        ("b.txt", "My GP sent the referral."),
    ]
    # The interviewer's coded question counts when interviewers' turns are asked for.
    assert found(study, "Route", Filter(roles=("interviewer",))) == [
        ("a.txt", "How did you hear about the team?")
    ]
    assert len(found(study, "Route", Filter(roles=()))) == 3


def test_and_is_the_text_coded_with_both(study):
    # Dev's "Judged" covers the whole of Hannah's "Warmth"; Hannah's own do not touch.
    assert found(study, "Warmth AND Judged") == [("a.txt", WARM)]
    assert found(study, "Warmth AND Judged", Filter(coder="Hannah")) == []
    assert found(study, '"Waiting" AND "Referral"') == [
        ("a.txt", "I waited weeks for the referral.")
    ]


def test_or_is_the_text_coded_with_either_merged(study):
    assert found(study, "Warmth OR Trust") == [
        ("a.txt", WARM),
        ("a.txt", "Later I trusted her."),
        ("b.txt", "The social worker was kind."),
    ]
    # Overlapping codings become one passage.
    assert found(study, "Waiting OR Referral") == [
        ("a.txt", "I waited weeks for the referral. Then a social worker rang.")
    ]


def test_not(study):
    assert found(study, "Referral AND NOT Waiting") == [("a.txt", " Then a social worker rang.")]
    assert found(study, "NOT Waiting AND Referral") == [("a.txt", " Then a social worker rang.")]
    # Alone, NOT is every participant turn less the code's text.
    assert found(study, "NOT Relationship", children=True) == [
        ("a.txt", A[A.index("The health visitor") : A.index("\n\nInterviewer: And")]),
        ("a.txt", " "),  # between "at first." and "Later"
        ("b.txt", "My GP sent the referral. "),
        ("b.txt", " "),
    ]


def test_children(study):
    assert found(study, "Relationship") == []
    # Codings a space apart stay two passages; only overlapping or touching ones merge.
    assert found(study, "Relationship", children=True, where=Filter(sources=("b.txt",))) == [
        ("b.txt", "The social worker was kind."),
        ("b.txt", "I felt judged by my mum."),
    ]


def test_near_counts_the_words_between(study):
    # Both codings of each pair are kept.
    assert found(study, "Warmth NEAR 0 Judged", Filter(coder="Hannah")) == [
        ("a.txt", WARM),
        ("a.txt", JUDGED),
        ("b.txt", "The social worker was kind."),
        ("b.txt", "I felt judged by my mum."),
    ]
    # Between Warmth and Trust in a.txt are the five words of "I felt judged at first".
    assert found(study, "Warmth NEAR 4 Trust") == []
    assert found(study, "Warmth NEAR 5 Trust") == [
        ("a.txt", WARM),
        ("a.txt", "Later I trusted her."),
    ]
    assert found(study, "Trust NEAR 5 Warmth") == found(study, "Warmth NEAR 5 Trust")


def test_precedes(study):
    assert found(study, "Route PRECEDES Waiting") == [
        ("a.txt", "The health visitor told me."),
        ("a.txt", "I waited weeks for the referral."),
    ]
    assert found(study, "Waiting PRECEDES Route") == []
    # Within n words: between Route and Trust lie many words.
    assert found(study, "Route PRECEDES 3 Trust") == []
    assert len(found(study, "Route PRECEDES Trust")) == 2


def test_within_turn(study):
    assert found(study, "Route WITHIN TURN Waiting") == [
        ("a.txt", "The health visitor told me."),
        ("a.txt", "I waited weeks for the referral."),
    ]
    assert found(study, "Route WITHIN TURN Trust") == []
    # Nesting: brackets group, and proximity binds tighter than AND.
    assert found(study, "(Warmth OR Trust) WITHIN TURN Judged AND Warmth") == [
        ("a.txt", WARM),
        ("b.txt", "The social worker was kind."),
    ]


def test_passages_carry_participant_speaker_codes_and_context(study):
    (passage,) = study.query.coding("Trust", context=10).passages
    start = A.index("Later I trusted")
    assert passage.as_dict() == {
        "source": "a.txt",
        "start": start,
        "end": start + len("Later I trusted her."),
        "text": "Later I trusted her.",
        "before": A[start - 10 : start],
        "after": A[start + 20 : start + 30],
        "cases": ["Mother 1"],
        "speaker": "Participant",
        "role": "participant",
        "time": None,
        "codes": ["Relationship/Trust"],
        "coders": ["Hannah"],
        "turn": [A.index("The therapist"), len(A) - 1],
    }


def test_filters_by_case_attributes_sets_and_scope(study):
    assert found(study, "Judged", Filter(where='diagnosis = "Depression" and age <= 25')) == [
        ("a.txt", "The therapist was warm. I felt judged at first.")
    ]
    assert found(study, "Judged", Filter(cases=("2",))) == [("b.txt", "I felt judged by my mum.")]
    assert found(study, "Judged", Filter(where="partner = no", coder="Hannah")) == [
        ("b.txt", "I felt judged by my mum.")
    ]
    # Scoped to the text coded Referral (and its sub-codes): the overlap only.
    assert found(study, "Route OR Waiting", Filter(within="Referral")) == [
        ("a.txt", "The health visitor told me."),
        ("a.txt", "I waited weeks for the referral."),
        ("b.txt", "My GP sent the referral."),
    ]
    assert found(study, "Warmth", Filter(within="Waiting")) == []


@pytest.mark.parametrize(
    "query, message",
    [
        ("", 'the coding query is empty: name a code, e.g. "Warmth"'),
        (
            "Warmth NEAR -1 Trust",
            "coding query 'Warmth NEAR -1 Trust': NEAR needs a number of words of 0 or more, "
            "not -1 (at character 13)",
        ),
        (
            "Warmth NEAR Trust",
            "coding query 'Warmth NEAR Trust': NEAR needs a number of words, e.g. \"Warmth\" "
            'NEAR 20 "Trust" (at character 13)',
        ),
        (
            "Warmth AND",
            "coding query 'Warmth AND': expected a code name, found end of query; e.g. "
            '"Warmth" (at character 11)',
        ),
        (
            "Feeling judged",
            "coding query 'Feeling judged': expected AND, OR, NEAR, PRECEDES or WITHIN TURN, "
            "found 'judged'; put code names with spaces in double quotes (at character 9)",
        ),
        ('"Warmth', "coding query '\"Warmth': a quote is not closed (at character 1)"),
        (
            "(Warmth OR Trust",
            "coding query '(Warmth OR Trust': a bracket is not closed (at character 17)",
        ),
        (
            "Warmth WITHIN Trust",
            "coding query 'Warmth WITHIN Trust': write WITHIN TURN: both in one speaker turn (at character 15)",
        ),
    ],
)
def test_bad_queries(sqlite_study, query, message):
    with pytest.raises(InvalidInput) as error:
        sqlite_study.query.coding(query)
    assert str(error.value) == message


def test_unknown_code_and_bad_context(sqlite_study):
    with pytest.raises(NotFound, match="unknown code 'Warmht' \\(did you mean 'Warmth'\\?\\)"):
        sqlite_study.query.coding("Warmht AND Trust")
    with pytest.raises(InvalidInput, match="context must be zero or more"):
        sqlite_study.query.coding("Warmth", context=-1)
    with pytest.raises(NotFound, match="unknown coder 'Nobody'"):
        sqlite_study.query.coding("Warmth", Filter(coder="Nobody"))
    with pytest.raises(InvalidInput, match="unknown speaker role 'narrator'"):
        Filter(roles=("narrator",))
    assert B  # the second interview is part of the study
