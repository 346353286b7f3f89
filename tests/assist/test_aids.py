"""Find similar, suggest codes, clusters: what each proposes, and that none codes."""

import numpy as np
import pytest

from thematica import create_project
from thematica.assist.cache import vectors
from thematica.assist.clusters import default_groups, keywords
from thematica.assist.passages import Spans
from thematica.assist.similar import build_index
from thematica.assist.similarity import best, best_cosine
from thematica.assist.suggest import vote
from thematica.errors import InvalidInput, NotFound


def state(project):
    """Everything assistance must leave as it was: codings, codes and the audit log."""
    return (
        [c.as_dict() for c in project.codings.list()],
        [c.path for c in project.codes.list()],
        [e.id for e in project.log(limit=None)],
    )


def test_similar_ranks_uncoded_passages_by_meaning_and_shared_words(demo):
    before = state(demo)
    found = demo.assist.similar(code="Feeling mothered", limit=8)
    segments = demo.segments("Feeling mothered", context=0)
    assert (found.code, found.basis, found.model, found.ranking, found.segments) == (
        "The therapist relationship/Feeling mothered",
        "code The therapist relationship/Feeling mothered",
        "minilm-static", "hybrid", len(segments),
    )  # fmt: skip
    assert len(found.passages) == 8
    scores = [p.score for p in found.passages]
    assert scores == sorted(scores, reverse=True) and scores[0] <= 1
    taken = Spans((s.source, s.start, s.end) for s in segments)
    by_coding = {s.coding: s for s in segments}
    model = demo.assist.model()
    seeds = model.encode([s.text for s in segments])
    for p in found.passages:
        assert not taken.overlaps(p.source, p.start, p.end)
        assert demo.sources.text(p.source)[p.start : p.end] == p.text
        assert p.case == f"Mother {int(p.source[10:12])}"
        assert p.like_text == by_coding[p.like].text
        assert p.before == demo.sources.text(p.source)[p.start - 80 : p.start]
        # similarity: the model's cosine with the segment it is most like
        cosines = seeds @ model.encode([p.text])[0]
        assert abs(float(cosines.max()) - p.similarity) < 2e-3
        assert segments[int(cosines.argmax())].coding == p.like
    # The order is reciprocal rank fusion (k = 60, mean ranks for ties) of the model's
    # ranking and keyword search's, over every passage not coded with the code.
    from scipy.stats import rankdata
    from sklearn.feature_extraction.text import TfidfVectorizer

    index = build_index(demo, model)  # the vectors `similar` reads, from the cache
    cached = vectors(demo, model, [s.text for s in segments])
    keep = [i for i, p in enumerate(index.passages) if not taken.overlaps(p.source, p.start, p.end)]
    every = [index.passages[i] for i in keep]
    cosine = (index.vectors[keep] @ cached.T).max(axis=1)
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    vectorizer.fit([p.text for p in index.passages])
    words = (
        (
            vectorizer.transform([p.text for p in every])
            @ vectorizer.transform([s.text for s in segments]).T
        )
        .toarray()
        .max(axis=1)
    )
    fused = 1 / (60 + rankdata(-cosine)) + 1 / (60 + rankdata(-words))
    expected = [every[i] for i in np.argsort(-fused, kind="stable")[:8]]
    assert [(p.source, p.start) for p in found.passages] == [(p.source, p.start) for p in expected]
    assert state(demo) == before


def test_similar_by_the_model_alone(demo):
    found = demo.assist.similar(code="Feeling mothered", limit=8, ranking="model")
    assert found.ranking == "model"
    scores = [p.score for p in found.passages]
    assert scores == sorted(scores, reverse=True)
    # the same cosine, the score over every passage, the similarity over the chosen few
    np.testing.assert_allclose(scores, [p.similarity for p in found.passages], atol=1e-4)
    # The project's setting chooses when a call does not.
    demo.set_setting("assist.ranking", "model")
    again = demo.assist.similar(code="Feeling mothered", limit=8)
    assert again.as_dict() == found.as_dict()
    hybrid = demo.assist.similar(code="Feeling mothered", limit=8, ranking="hybrid")
    assert hybrid.ranking == "hybrid" and hybrid.passages != found.passages


def test_similar_from_one_coding(demo):
    seed = demo.segments("Chasing the referral", context=0)[0]
    found = demo.assist.similar(coding=seed.coding, limit=3, unit="sentence")
    assert found.basis == f"coding {seed.coding}" and found.segments == 1
    assert {p.like for p in found.passages} == {seed.coding}
    taken = Spans((s.source, s.start, s.end) for s in demo.segments("Chasing the referral"))
    assert not any(taken.overlaps(p.source, p.start, p.end) for p in found.passages)


def test_similar_in_one_coders_layer(demo):
    demo.codings.add_quote("interview-01.txt", "Feeling mothered", "Typical.", coder="Dev")
    found = demo.assist.similar(code="Feeling mothered", coder="Dev", limit=3)
    assert found.segments == 1 and found.passages[0].like_text == "Typical."


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"code": "Feeling mothred"}, NotFound, "unknown code 'Feeling mothred' \\(did you"),
        ({"code": "Unused"}, InvalidInput, "code 'Unused' has no segments yet: code a few"),
        ({"code": "Warmth", "coder": "Nobody"}, NotFound, "unknown coder 'Nobody'"),
        ({}, InvalidInput, "give a code or a coding to find passages like it, not both"),
        ({"code": "Warmth", "coding": 1}, InvalidInput, "give a code or a coding"),
        ({"coding": 99999}, NotFound, "no coding with id 99999"),
        ({"code": "Warmth", "limit": 0}, InvalidInput, "limit must be 1 or more"),
        ({"code": "Warmth", "unit": "paragraph"}, InvalidInput, "unit 'paragraph' is not one"),
        ({"code": "Warmth", "roles": ("chair",)}, InvalidInput, "roles must be some of"),
        ({"code": "Warmth", "model": "gpt"}, NotFound, "unknown model 'gpt'"),
        ({"code": "Warmth", "ranking": "bm25"}, InvalidInput, "ranking 'bm25' is not one of hyb"),
    ],
)
def test_similar_refuses_bad_input(demo, arguments, error, message):
    demo.codes.add("Unused")
    with pytest.raises(error, match=message):
        demo.assist.similar(**arguments)


def test_suggest_votes_with_segments_and_descriptions(demo):
    before = state(demo)
    segment = demo.segments("Chasing the referral", context=0)[0]
    found = demo.assist.suggest(segment.source, segment.start, segment.end, limit=3)
    assert 1 <= len(found) <= 3
    votes = [s.score for s in found]
    assert votes == sorted(votes, reverse=True)
    for suggestion in found:
        voters = [s.score for s in suggestion.segments] + [suggestion.description or 0]
        assert abs(sum(voters) - suggestion.score) < 1e-3
        for s in suggestion.segments:
            # the selection's own codings do not vote for it
            assert not (
                s.source == segment.source and s.start < segment.end and s.end > segment.start
            )
            assert s.case == f"Mother {int(s.source[10:12])}"
    assert state(demo) == before


def test_a_code_with_only_a_description_can_be_suggested(sqlite_project, models_dir):
    project = sqlite_project
    text = "Participant: I could not sleep at all, night after night."
    project.sources.add("a.txt", text)
    project.codes.add("Sleep", description="Not sleeping, tiredness, nights awake")
    project.codes.add("Money", description="Bills, debt, paying the rent")
    (first, *_) = project.assist.suggest("a.txt", 13, len(text), model="minilm-static")
    assert (first.code, first.segments) == ("Sleep", [])
    assert first.description == first.score


def test_suggest_refuses_bad_selections(demo, tmp_path):
    with pytest.raises(InvalidInput, match="offsets \\[10, 10000000\\) are out of range"):
        demo.assist.suggest("interview-01.txt", 10, 10**7)
    with pytest.raises(InvalidInput, match="empty span"):
        demo.assist.suggest("interview-01.txt", 10, 10)
    with pytest.raises(NotFound, match="unknown source 'interview-99.txt'"):
        demo.assist.suggest("interview-99.txt", 0, 10)
    gap = demo.sources.text("interview-01.txt").index("\n\n")
    with pytest.raises(InvalidInput, match="holds no words to compare"):
        demo.assist.suggest("interview-01.txt", gap, gap + 2)
    with create_project(tmp_path / "bare.thematica") as bare:
        bare.sources.add("bare.txt", "Participant: Nothing coded, nothing described.")
        with pytest.raises(InvalidInput, match="nothing to compare with: code some passages"):
            bare.assist.suggest("bare.txt", 13, 30, model="minilm-static")


def test_clusters_group_uncoded_turns_and_create_nothing(demo):
    before = state(demo)
    found = demo.assist.clusters(coder="Hannah", groups=3)
    with demo.read() as conn:
        from thematica.assist.clusters import select_codings
        from thematica.assist.passages import passages

        taken = Spans(conn.execute(select_codings("Hannah")))
        uncoded = [p for p in passages(conn) if not taken.overlaps(p.source, p.start, p.end)]
    assert len(found) == 3
    assert sum(c.size for c in found) == len(uncoded)
    assert [c.size for c in found] == sorted((c.size for c in found), reverse=True)
    assert all(c.keywords and len(c.examples) == min(3, c.size) for c in found)
    assert all(1 <= c.participants <= 3 for c in found)
    assert state(demo) == before
    with pytest.raises(InvalidInput, match="too few for 40 groups; ask for fewer"):
        demo.assist.clusters(coder="Hannah", groups=40)
    with pytest.raises(InvalidInput, match="ask for 2 groups or more"):
        demo.assist.clusters(groups=1)


def test_class_based_tf_idf_picks_what_sets_a_group_apart():
    texts = [
        "tea kettle tea biscuits",
        "tea kettle kitchen",
        "health visitor referral phone",
        "referral letter phone waiting",
    ]
    found = keywords(texts, np.array([0, 0, 1, 1]), 2)
    assert found[0][:2] == ["tea", "kettle"]
    assert found[1][:2] == ["phone", "referral"]
    assert keywords(["um yeah like [Person 3]", "um yeah [pause]"], np.array([0, 1]), 2) == [[], []]
    assert [default_groups(n) for n in (10, 100, 1000, 10_000)] == [2, 2, 20, 20]


def test_best_cosine_best_and_vote():
    rows = np.array([[1, 0], [0, 1], [0.6, 0.8]], dtype=np.float32)
    np.testing.assert_allclose(best_cosine(rows[:2], rows), [1, 1, 0.8])
    empty = best_cosine(rows[:0], rows)
    assert best(empty, 3).tolist() == []
    assert best(np.array([0.1, np.inf * -1, 0.5, 0.3]), 2).tolist() == [2, 3]
    ranked = vote(np.array([0.6, 0.8]), rows, ["a", "b", "b"], neighbours=2)
    assert [(label, round(score, 2), voters) for label, score, voters in ranked] == [
        ("b", 1.8, [2, 1])
    ]


def test_spans_overlap():
    spans = Spans([(1, 0, 100), (1, 10, 20), (1, 200, 210)])
    assert spans.overlaps(1, 50, 60)  # inside the long span, past the short one
    assert not spans.overlaps(1, 100, 200)
    assert spans.overlaps(1, 205, 300)
    assert not spans.overlaps(2, 0, 1000)
