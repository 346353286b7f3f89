import pytest

from tests.query.conftest import A, B, texts
from thematica.errors import InvalidInput
from thematica.query.filters import Filter


def hits(study, query, where=None):
    return texts(study.query.search(query, where).hits)


def test_phrases_words_and_prefixes(study):
    assert hits(study, '"social worker"') == [
        ("a.txt", "social worker"),
        ("b.txt", "social worker"),
    ]
    assert hits(study, "judged") == [("a.txt", "judged"), ("b.txt", "judged")]
    assert hits(study, "trust*") == [("a.txt", "trusted")]
    assert hits(study, '"social work"*') == [("a.txt", "social worker"), ("b.txt", "social worker")]
    # Whole words only, and case does not matter.
    assert hits(study, "WORK") == []
    assert hits(study, "Referral") == [("a.txt", "referral"), ("b.txt", "referral")]


def test_boolean_operators_decide_by_source(study):
    # Both must be said in a source; the hits of both are shown.
    assert hits(study, "mum referral") == [("b.txt", "referral"), ("b.txt", "mum")]
    assert hits(study, "mum AND referral") == hits(study, "mum referral")
    assert hits(study, "mum OR trusted") == [("a.txt", "trusted"), ("b.txt", "mum")]
    assert hits(study, "judged NOT mum") == [("a.txt", "judged")]
    assert hits(study, "judged AND NOT mum") == [("a.txt", "judged")]
    assert hits(study, "(warm OR kind) NOT (mum OR nothing)") == [("a.txt", "warm")]


def test_near(study):
    assert hits(study, "NEAR(health told, 1)") == [("a.txt", "health visitor told")]
    assert hits(study, "NEAR(health told, 0)") == []
    assert hits(study, "NEAR(told health, 1)") == [("a.txt", "health visitor told")]
    assert hits(study, 'NEAR("social worker" kind, 2)') == [("b.txt", "social worker was kind")]


def test_hits_respect_the_filter(study):
    # "team" is only in the interviewer's question.
    assert hits(study, "team") == []
    assert hits(study, "team", Filter(roles=("interviewer",))) == [("a.txt", "team")]
    assert hits(study, "judged", Filter(where="age > 25")) == [("b.txt", "judged")]
    assert hits(study, "judged", Filter(within="Relationship")) == [
        ("a.txt", "judged"),
        ("b.txt", "judged"),
    ]
    assert hits(study, "judged", Filter(within="Referral")) == []
    # NOT looks at the filtered text: "sessions" is asked about, never answered.
    assert hits(study, "warm NOT sessions") == [("a.txt", "warm")]


def test_accents_and_punctuation(sqlite_study):
    sqlite_study.sources.add(
        "c.txt", "Participant: We met at the café, the social-worker and me.\n"
    )
    assert hits(sqlite_study, "cafe") == [("c.txt", "café")]
    assert hits(sqlite_study, '"social worker"')[-1] == ("c.txt", "social-worker")


def test_keyword_in_context(study):
    result = study.query.search('"social worker"', context=12)
    assert result.kwic(width=10) == [
        ("l. Then a ", "social worker", " rang. Int"),
        ("rral. The ", "social worker", " was kind."),
    ]
    first = result.hits[0]
    assert (first.cases, first.speaker, first.before) == (
        ["Mother 1"],
        "Participant",
        A[first.start - 12 : first.start],
    )


def test_code_all_hits_in_one_change(study):
    study.codes.add("Social care")
    assert study.query.code_hits('"social worker"', "Social care", coder="Hannah") == 2
    assert texts(study.query.coding('"Social care"').passages) == [
        ("a.txt", "social worker"),
        ("b.txt", "social worker"),
    ]
    event = study.log(1)[0]
    assert (event.action, event.target) == ("add codings", "2 codings")
    study.undo()
    assert study.query.coding('"Social care"').passages == []

    assert study.query.code_hits('"social worker"', "Social care", unit="sentence") == 2
    assert texts(study.query.coding('"Social care"').passages) == [
        ("a.txt", "Then a social worker rang."),
        ("b.txt", "The social worker was kind."),
    ]
    study.undo()
    assert study.query.code_hits("judged", "Social care", unit="turn") == 2
    assert texts(study.query.coding('"Social care"').passages) == [
        ("a.txt", A[A.index("The therapist") : len(A) - 1]),
        ("b.txt", B[B.index("My GP") : len(B) - 1]),
    ]
    # Coding the same hits again adds nothing new.
    assert study.query.code_hits("judged", "Social care", unit="turn") == 0


def test_word_frequencies(study):
    words = study.query.words(top=3)
    # Participants' turns only; stop words and the interviewer's words left out.
    assert [(w.word, w.count, w.sources, w.cases) for w in words.words] == [
        ("referral", 2, 2, 2),
        ("social", 2, 2, 2),
        ("worker", 2, 2, 2),
    ]
    everything = study.query.words(top=100, stop_words=False, where=Filter(cases=("1",)))
    assert everything.total == 29
    assert ("the", 3, 1, 1) in [(w.word, w.count, w.sources, w.cases) for w in everything.words]
    ignored = study.query.words(top=1, ignore=["referral"])
    assert ignored.words[0].word == "social"


@pytest.mark.parametrize(
    "query, message",
    [
        ("", 'the search is empty: give a word or a "phrase"'),
        (
            "NOT social",
            "search 'NOT social': NOT needs words before it, e.g. social NOT worker (at character 1)",
        ),
        (
            "social OR",
            "search 'social OR': expected a word or a \"phrase\", found end of query (at character 10)",
        ),
        (
            "NEAR(social worker, -2)",
            "search 'NEAR(social worker, -2)': NEAR needs a number of words of 0 or more, not -2 (at character 21)",
        ),
        (
            "NEAR(social, 2)",
            "search 'NEAR(social, 2)': NEAR takes two words or phrases, not 1: NEAR(social worker, 5) (at character 1)",
        ),
        (
            "NEAR(a b",
            "search 'NEAR(a b': NEAR's bracket is not closed: NEAR(social worker, 5) (at character 9)",
        ),
        ('"social worker', "search '\"social worker': a quote is not closed (at character 1)"),
        (
            "so*cial",
            "search 'so*cial': * marks a prefix and goes at the end of a word: soc* (at character 1)",
        ),
        (
            "--",
            "search '--': nothing to search for in '--': give letters or digits (at character 1)",
        ),
        ("(social", "search '(social': a bracket is not closed (at character 8)"),
    ],
)
def test_bad_searches(sqlite_study, query, message):
    with pytest.raises(InvalidInput) as error:
        sqlite_study.query.search(query)
    assert str(error.value) == message


def test_bad_unit_and_nothing_to_code(sqlite_study):
    with pytest.raises(InvalidInput, match="unknown unit 'page': use words, sentence, turn"):
        sqlite_study.query.code_hits("judged", "Trust", unit="page")
    with pytest.raises(InvalidInput, match="finds nothing to code"):
        sqlite_study.query.code_hits("zebra", "Trust")


# -- the index's windows ------------------------------------------------------------------


def placed(pieces, length, filler=("the", "visit", "kind", "team", "health")):
    """A participant's turn of ``length`` characters: filler words, and each of
    ``pieces`` ({position: words}) at its position exactly."""
    import random

    rng = random.Random(len(pieces))
    out = "Participant:"
    for at, words in sorted({**pieces, length: ""}.items()):
        while True:
            word = rng.choice(filler)
            if len(out) + 1 + len(word) >= at - 1:
                break
            out += " " + word
        out += " " * (at - len(out)) + words
    return out


def spans(project, query):
    return [(p.start, p.end) for p in project.query.search(query).hits]


def test_a_word_cut_at_a_window_edge_is_not_taken_for_a_hit(sqlite_project):
    from thematica.store.fts import OVERLAP, WINDOW

    # "social" is in window 1 only. Window 1 starts in the "social" of "asocial", and
    # ends after the "social" of "socialise", which window 2 holds whole.
    text = placed(
        {WINDOW - 1: "asocial", WINDOW + 3000: "social", 2 * WINDOW + OVERLAP - 6: "socialise"},
        3 * WINDOW,
    )
    sqlite_project.sources.add("a.txt", text)
    at, late = WINDOW + 3000, 2 * WINDOW + OVERLAP - 6
    assert sqlite_project.sources.text("a.txt")[at : at + 6] == "social"
    assert spans(sqlite_project, "social") == [(at, at + 6)]
    assert spans(sqlite_project, "social*") == [(at, at + 6), (late, late + 9)]


def test_hits_across_window_edges_are_all_found(project):
    """Window by window, the search finds what a reading of the whole text finds."""
    import random
    import re

    from thematica.store.fts import OVERLAP, WINDOW

    edges = [n * WINDOW for n in range(1, 5)] + [n * WINDOW + OVERLAP for n in range(1, 4)]
    # "social worker" across every edge of a window, and "health visitor" just inside.
    pieces = {edge - 4: "social worker" for edge in edges}
    pieces |= {edge - 30: "health visitor" for edge in edges}
    rng = random.Random(3)
    words = ["social", "worker", "socialise", "visitor", "health", "kind", "team"]
    for _ in range(400):
        at = rng.randrange(20, 5 * WINDOW - 40)
        if all(abs(at - p) > 40 for p in pieces):
            pieces[at] = " ".join(rng.choice(words) for _ in range(3))
    project.sources.add("a.txt", placed(pieces, 5 * WINDOW))
    project.sources.add("b.txt", placed({}, 3 * WINDOW))
    text = project.sources.text("a.txt")
    tokens = [(m.group().lower(), m.start(), m.end()) for m in re.finditer(r"[^\W_]+", text)]

    def read(*phrase, prefix=False):
        found = []
        for i in range(len(tokens) - len(phrase) + 1):
            run = tokens[i : i + len(phrase)]
            *whole, last = [t for t, _, _ in run]
            if whole == list(phrase[:-1]) and (
                last.startswith(phrase[-1]) if prefix else last == phrase[-1]
            ):
                found.append((run[0][1], run[-1][2]))
        return found

    expected = read("social", "worker")
    assert len(expected) > len(edges) and all(any(a < e < b for a, b in expected) for e in edges)
    assert spans(project, '"social worker"') == expected
    assert spans(project, '"health visitor"') == read("health", "visitor")
    assert spans(project, "social*") == read("social", prefix=True)
    assert spans(project, '"worker social"*') == read("worker", "social", prefix=True)
    assert spans(project, "socialise") == read("socialise")
