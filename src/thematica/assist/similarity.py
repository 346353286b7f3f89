"""Cosine similarity over unit-length rows, with NumPy.

Brute force is exact and, for the passages of one study (thousands to a hundred
thousand), fast: one matrix product, then a partial sort for the best few. An
approximate index (or sqlite-vec, which also scans every row) would add a dependency
without making a query over 100,000 passages noticeably faster than the 50 ms target;
see benchmarks/assist_speed.py.

>>> import numpy as np
>>> rows = np.eye(3, dtype=np.float32)
>>> best(np.array([0.2, 0.9, 0.5]), 2).tolist()
[1, 2]
>>> scores, nearest = nearest_seed(rows[:2], rows)
>>> scores.tolist(), nearest.tolist()
([1.0, 1.0, 0.0], [0, 1, 0])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from thematica.assist.extra import require

if TYPE_CHECKING:
    import numpy as np

# Rows of the passage matrix scored at a time: bounds the memory of a code with many
# segments (8,192 passages x 1,000 segments x 4 bytes = 32 MB).
_BLOCK = 8192


def nearest_seed(seeds: np.ndarray, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row of ``matrix``: its best cosine with any seed, and that seed's index."""
    np = require("numpy")
    scores = np.empty(len(matrix), dtype=np.float32)
    nearest = np.zeros(len(matrix), dtype=np.int64)
    if len(seeds) == 0:
        scores.fill(-np.inf)
        return scores, nearest
    for at in range(0, len(matrix), _BLOCK):
        block = matrix[at : at + _BLOCK] @ seeds.T
        nearest[at : at + _BLOCK] = block.argmax(axis=1)
        scores[at : at + _BLOCK] = block.max(axis=1)
    return scores, nearest


def best(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` highest finite scores, highest first."""
    np = require("numpy")
    finite = np.flatnonzero(np.isfinite(scores))
    if k <= 0 or len(finite) == 0:
        return finite[:0]
    if k < len(finite):
        finite = finite[np.argpartition(-scores[finite], k - 1)[:k]]
    return finite[np.argsort(-scores[finite], kind="stable")]
