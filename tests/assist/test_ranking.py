"""Hybrid ranking's parts: reciprocal rank fusion, and keyword scores over TF-IDF rows."""

import numpy as np
import pytest

from tests.assist.conftest import MISSING, NEEDS_EXTRA
from thematica.assist import similarity
from thematica.assist.similarity import fuse

INF = float("inf")


def test_fusion_by_hand():
    model = np.array([0.9, 0.8, 0.3, 0.1, -INF])
    words = np.array([0.0, 0.5, 0.7, 0.0, 0.9])
    # Ranks, the last row left out (-inf: already coded): model 1, 2, 3, 4; keywords 3.5,
    # 2, 1, 3.5 (rows 0 and 3 share no word with the seeds: tied, their mean rank).
    # Fused, times 61 / 2 so that first in both would be 1:
    #   row 2: 30.5 / 63 + 30.5 / 61   = 0.98413
    #   row 1: 30.5 / 62 + 30.5 / 62   = 0.98387
    #   row 0: 30.5 / 61 + 30.5 / 63.5 = 0.98031
    #   row 3: 30.5 / 64 + 30.5 / 63.5 = 0.95688
    # The model's best passage, sharing no word with the seeds, falls to third.
    chosen, fused = fuse([model, words], 10)
    assert chosen.tolist() == [2, 1, 0, 3]
    np.testing.assert_allclose(fused, [0.98413, 0.98387, 0.98031, 0.95688], atol=5e-6)
    top, scores = fuse([model, words], 2)
    assert top.tolist() == [2, 1] and scores.tolist() == fused[:2].tolist()
    first, best = fuse([np.array([0.5, 0.9]), np.array([0.1, 0.8])], 1)
    assert (first.tolist(), best.tolist()) == ([1], [1.0])  # first in both


def test_fusion_of_nothing():
    assert fuse([np.array([-INF, -INF]), np.array([0.3, 0.2])], 5)[0].tolist() == []
    assert fuse([np.array([0.1]), np.array([0.2])], 0)[0].tolist() == []


def brute_force(scorings, k):
    """Every row ranked (scipy's mean ranks), fused, sorted: what `fuse` must equal."""
    from scipy.stats import rankdata

    keep = np.flatnonzero(np.logical_and.reduce([np.isfinite(s) for s in scorings]))
    fused = sum(1 / (60 + rankdata(-s[keep])) for s in scorings)
    order = np.argsort(-fused, kind="stable")[:k]
    return keep[order], fused[order] * 61 / len(scorings)


@pytest.mark.parametrize("depth", [1, 1000])
@pytest.mark.parametrize("k", [1, 10, 50, 1000, 3000])
def test_fusion_of_the_top_rows_only_is_exact(monkeypatch, depth, k):
    """`fuse` fuses only rows near the top of some scoring, deeper until no other row
    could beat the k-th: the same rows in the same order as ranking every row, with many
    ties or none, from a first depth of 1 (several rounds) or the usual one."""
    monkeypatch.setattr(similarity, "_DEPTH", depth)
    rng = np.random.default_rng(k)
    for _ in range(5):
        scorings = [rng.integers(0, 6, 3000) / 5, rng.random(3000), rng.integers(0, 3, 3000) / 2]
        scorings[0][rng.random(3000) < 0.1] = -INF  # excluded rows
        for pair in (scorings[:2], scorings[1:], scorings):
            chosen, fused = fuse(pair, k)
            expected, scores = brute_force(pair, k)
            assert chosen.tolist() == expected.tolist()
            np.testing.assert_allclose(fused, scores)


@pytest.mark.skipif(bool(MISSING), reason=NEEDS_EXTRA)
def test_keyword_scores():
    from thematica.assist.keywords import KeywordIndex, keyword_index

    texts = (
        "The health visitor came round twice.",
        "She made me a cup of tea.",
        "The visitor from the council never came back.",
    )
    index = keyword_index(texts)
    assert keyword_index(tuple(texts)) is index  # fitted once while the texts stay
    scores = index.best_cosine(["my health visitor"])
    assert scores[0] > scores[2] > scores[1] == 0
    two = index.best_cosine(["my health visitor", "a cup of tea"])
    assert two[1] > 0 and two[0] == scores[0]  # the best of the seeds
    assert index.best_cosine([]).tolist() == [-INF] * 3
    # Many segments are scored in blocks: the same as one at a time.
    seeds = [f"{texts[i % 3]} number {i}" for i in range(150)]
    alone = np.max([index.best_cosine([s]) for s in seeds], axis=0)
    np.testing.assert_allclose(index.best_cosine(seeds), alone, rtol=1e-6)
    only_stop_words = KeywordIndex(["and then it was", "so it was"])
    assert only_stop_words.best_cosine(["it was"]).tolist() == [0, 0]
    assert KeywordIndex([]).best_cosine(["tea"]).tolist() == []
