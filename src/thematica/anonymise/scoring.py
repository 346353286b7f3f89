"""Scoring proposals against a hand-made answer key of identifier spans.

A key span counts as found when a proposal of the same label overlaps it; a proposal
counts as correct when it overlaps a key span of the same label. (Span edges differ
between careful annotators, "Dr Patel" or "Patel", so overlap is the fair test of
whether an identifier would be removed.)
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

Span = tuple[str, int, int, str]  # source, start, end, label


@dataclass(frozen=True)
class Score:
    label: str
    identifiers: int
    found: int
    proposed: int
    correct: int

    @property
    def recall(self) -> float | None:
        return self.found / self.identifiers if self.identifiers else None

    @property
    def precision(self) -> float | None:
        return self.correct / self.proposed if self.proposed else None


def read_answer_key(path: str | Path) -> list[Span]:
    """An answer key CSV with columns ``source, start, end, type``."""
    with Path(path).open(encoding="utf-8") as handle:
        return [
            (row["source"], int(row["start"]), int(row["end"]), row["type"])
            for row in csv.DictReader(handle)
        ]


def _overlap(a: Span, b: Span) -> bool:
    return a[0] == b[0] and a[3] == b[3] and a[1] < b[2] and b[1] < a[2]


def score(key: Iterable[Span], proposed: Iterable[Span]) -> dict[str, Score]:
    """Recall and precision per label (see the module docstring)."""
    key, proposed = list(key), list(proposed)
    totals, hits, made, correct = Counter(), Counter(), Counter(), Counter()
    for span in key:
        totals[span[3]] += 1
        hits[span[3]] += any(_overlap(span, p) for p in proposed)
    for p in proposed:
        made[p[3]] += 1
        correct[p[3]] += any(_overlap(p, span) for span in key)
    return {
        label: Score(label, totals[label], hits[label], made[label], correct[label])
        for label in sorted(set(totals) | set(made))
    }


def score_any(key: Iterable[Span], proposed: Iterable[Span]) -> Score:
    """Recall and precision whatever the labels: an identifier is found when any proposal
    overlaps it (it would be removed, whatever its placeholder), and a proposal is correct
    when it overlaps any identifier. The fair comparison with a tool whose labels are not
    ours (Presidio's ORGANIZATION for a hospital, DATE_TIME for an age)."""
    return score(
        [(s, a, b, "ANY") for s, a, b, _ in key], [(s, a, b, "ANY") for s, a, b, _ in proposed]
    ).get("ANY", Score("ANY", 0, 0, 0, 0))


def totals(scores: dict[str, Score]) -> Score:
    """All labels together (each proposal judged against its own label)."""
    return Score(
        "ALL",
        sum(s.identifiers for s in scores.values()),
        sum(s.found for s in scores.values()),
        sum(s.proposed for s in scores.values()),
        sum(s.correct for s in scores.values()),
    )
