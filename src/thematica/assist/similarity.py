"""Scoring passages against seeds with NumPy: cosine similarity, and rank fusion.

Brute force is exact and, for the passages of one study (thousands to a hundred
thousand), fast: one matrix product, then a partial sort for the best few. An
approximate index (or sqlite-vec, which also scans every row) would add a dependency
without making a query over 100,000 passages noticeably faster than the 50 ms target;
see benchmarks/assist_speed.py.

>>> import numpy as np
>>> rows = np.eye(3, dtype=np.float32)
>>> best(np.array([0.2, 0.9, 0.5]), 2).tolist()
[1, 2]
>>> best_cosine(rows[:2], rows).tolist()
[1.0, 1.0, 0.0]
>>> chosen, fused = fuse([np.array([0.9, 0.5, 0.1]), np.array([0.0, 0.8, 0.7])], 2)
>>> chosen.tolist(), fused.round(3).tolist()      # second and first: the middle row wins
([1, 0], [0.992, 0.984])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from thematica.assist.extra import require

if TYPE_CHECKING:
    import numpy as np

# Rows of the passage matrix scored at a time: bounds the memory of a code with many
# segments (8,192 passages x 1,000 segments x 4 bytes = 32 MB).
_BLOCK = 8192
# Reciprocal rank fusion's constant, as Cormack, Clarke and Büttcher (SIGIR 2009) set it
# once for every collection they fused; it was not tuned here either.
RRF_K = 60
_DEPTH = 1000


def best_cosine(seeds: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """For each row of ``matrix``: its best cosine with any seed (-inf without seeds)."""
    np = require("numpy")
    scores = np.empty(len(matrix), dtype=np.float32)
    if len(seeds) == 0:
        scores.fill(-np.inf)
        return scores
    for at in range(0, len(matrix), _BLOCK):
        scores[at : at + _BLOCK] = (matrix[at : at + _BLOCK] @ seeds.T).max(axis=1)
    return scores


def best(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` highest finite scores, highest first."""
    np = require("numpy")
    finite = np.flatnonzero(np.isfinite(scores))
    if k <= 0 or len(finite) == 0:
        return finite[:0]
    if k < len(finite):
        finite = finite[np.argpartition(-scores[finite], k - 1)[:k]]
    return finite[np.argsort(-scores[finite], kind="stable")]


def fuse(
    scorings: Sequence[np.ndarray], k: int, rrf_k: int = RRF_K
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best rows by reciprocal rank fusion of several scorings of the same rows,
    best first, with their fused scores.

    A row's fused score is the sum over the scorings of ``1 / (rrf_k + rank)``, rank 1
    being the best and tied rows sharing their mean rank, divided by the most it can be
    (first in every scoring), so that it runs up to 1. Only ranks count, so scores on
    different scales (a model's cosines, keyword search's) fuse without being made
    comparable first. A row scored -inf by any scoring is not ranked; equal fused scores
    keep the rows' order.
    """
    np = require("numpy")
    finite = np.flatnonzero(np.logical_and.reduce([np.isfinite(s) for s in scorings]))
    if k <= 0 or len(finite) == 0:
        return finite[:0], np.zeros(0)
    values = [s[finite] for s in scorings]
    ascending = [np.sort(v) for v in values]
    n = len(finite)

    def contribution(i: int, x: np.ndarray) -> np.ndarray:
        above = n - np.searchsorted(ascending[i], x, side="right")
        tied = n - above - np.searchsorted(ascending[i], x, side="left")
        return 1 / (rrf_k + above + (tied + 1) / 2)

    # Only rows near the top of some scoring can be among the best k, so only those are
    # fused (the 50 ms of a query over 100,000 passages has no room for more), deeper
    # until it is certain that no other row could beat the k-th. From the top 1,000 of
    # each, one round nearly always settles it.
    depth = max(k, _DEPTH)
    while True:
        if depth >= n:
            candidates = np.arange(n)
        else:
            candidates = np.unique(
                np.concatenate([np.argpartition(-v, depth - 1)[:depth] for v in values])
            )
        fused = sum(contribution(i, v[candidates]) for i, v in enumerate(values))
        order = np.argsort(-fused, kind="stable")[:k]
        if depth >= n:
            break
        # A row in no scoring's top `depth` scores at most what it would tied with the
        # depth-th best row of each scoring.
        ceiling = sum(contribution(i, a[n - depth]) for i, a in enumerate(ascending))
        if len(order) == k and fused[order[-1]] > ceiling:
            break
        depth *= 4
    return finite[candidates[order]], fused[order] * (rrf_k + 1) / len(scorings)
