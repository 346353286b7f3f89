"""Keyword scores: how many rare words a passage shares with a code's segments.

The other half of hybrid ranking (:mod:`thematica.assist.similar`): each passage is a
row of TF-IDF weights over the study's own words (scikit-learn; English stop words left
out; term frequency dampened by its logarithm), scored, like the model's vectors, by its
best cosine with any of the segments. These are the settings of the keyword baseline
that ``benchmarks/assist_eval.py`` measures the models against, so hybrid ranking fuses
exactly the two rankings measured there. A model finds passages that say the same in
other words; keywords find the ones that use the study's own words for it ("the health
visitor", "the mother and baby unit"), which a small model blurs.

>>> index = keyword_index(("She made me tea.", "I rang the health visitor twice."))
>>> [round(float(s), 2) for s in index.best_cosine(["the health visitor"])]
[0.0, 0.71]
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from thematica.assist.extra import require

if TYPE_CHECKING:
    import numpy as np

# Segments turned into dense columns at a time: 64 columns of a vocabulary of 50,000
# words is 12.8 MB; the sparse-times-dense product is the fast one in SciPy.
_SEEDS_AT_ONCE = 64


class KeywordIndex:
    """TF-IDF rows of some passages, fitted on their own words."""

    def __init__(self, texts: Sequence[str]) -> None:
        np = require("numpy")
        text = require("sklearn.feature_extraction.text")
        self.size = len(texts)
        self.vectorizer = text.TfidfVectorizer(
            stop_words="english", sublinear_tf=True, dtype=np.float32
        )
        try:
            self.matrix = self.vectorizer.fit_transform(texts)
        except ValueError:  # no passages, or not one word in them that is not a stop word
            self.matrix = None

    def best_cosine(self, seeds: Sequence[str]) -> np.ndarray:
        """For each passage: its best TF-IDF cosine with any of the ``seeds`` texts (-inf
        without seeds, 0 for a passage that shares no word with any)."""
        np = require("numpy")
        scores = np.zeros(self.size, dtype=np.float32)
        if not seeds:
            scores.fill(-np.inf)
            return scores
        if self.matrix is None:
            return scores
        rows = self.vectorizer.transform(seeds)
        for at in range(0, len(seeds), _SEEDS_AT_ONCE):
            columns = rows[at : at + _SEEDS_AT_ONCE].T.toarray()
            np.maximum(scores, (self.matrix @ columns).max(axis=1), out=scores)
        return scores


@lru_cache(maxsize=2)
def keyword_index(texts: tuple[str, ...]) -> KeywordIndex:
    """The index of these passages, fitted once per process while they stay the same (a
    second of a query over 100,000 turns, which the workbench asks again and again)."""
    return KeywordIndex(texts)
