"""Detection: run the recognisers over a study's texts and settle what they found.

>>> proposals = detect({"interview-01.txt": text}, names={"Sarah Jones": "NAME"})

Three steps: every selected recogniser runs on every text; whatever one of them found in
one text is proposed wherever the same words occur in any text (propagation, so an
identifier caught once is caught everywhere); then overlapping proposals are settled,
the longer span winning, then the higher score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from thematica.anonymise.findings import Finding, default_recognisers, registered
from thematica.anonymise.gazetteer import expand, find_words
from thematica.errors import InvalidInput

# Propagation skips very short strings ("23", "May") that would flood the review, and
# ages and dates, whose words ("four", "two months", "March") identify no one elsewhere.
_PROPAGATE_MIN = 4
_NOT_PROPAGATED = {"AGE", "DATE"}


@dataclass(frozen=True)
class Proposal:
    """A finding in a named text, with the words it covers."""

    source: str
    start: int
    end: int
    text: str
    label: str
    score: float
    recogniser: str


def detect(
    texts: Mapping[str, str],
    recognisers: Sequence[str] | None = None,
    names: Mapping[str, str] | None = None,
    propagate: bool = True,
) -> list[Proposal]:
    """Proposals for every text in ``texts`` (name to text), in text order.

    ``recognisers`` picks registered recognisers by name (default: all); ``names`` is a
    study gazetteer, name to label.
    """
    available = registered()
    chosen = default_recognisers() if recognisers is None else list(recognisers)
    unknown = [r for r in chosen if r not in available]
    if unknown:
        raise InvalidInput(
            f"unknown recogniser {unknown[0]!r}; the recognisers are: {', '.join(available)}"
        )
    gazetteer = expand(dict(names or {}))
    found: dict[str, list[Finding]] = {}
    for source, text in texts.items():
        findings = [f for r in chosen for f in available[r](text)]
        findings += find_words(text, gazetteer)
        found[source] = findings
    if propagate:
        spread = {
            texts[source][f.start : f.end]: f.label
            for source, findings in found.items()
            for f in findings
            if f.end - f.start >= _PROPAGATE_MIN and f.label not in _NOT_PROPAGATED
        }
        for source, text in texts.items():
            already = {(f.start, f.end) for f in found[source]}
            again = find_words(text, spread, "propagation", 0.8, ignore_case=False)
            found[source] += [f for f in again if (f.start, f.end) not in already]
    return [
        Proposal(source, f.start, f.end, texts[source][f.start : f.end], f.label, f.score,
                 f.recogniser)
        for source in texts
        for f in settle(found[source])
    ]  # fmt: skip


def settle(findings: Sequence[Finding]) -> list[Finding]:
    """Non-overlapping findings: where two overlap, the longer wins, then the surer."""
    ranked = sorted(findings, key=lambda f: (-(f.end - f.start), -f.score, f.start))
    kept: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for f in ranked:
        if all(f.end <= a or f.start >= b for a, b in taken):
            kept.append(f)
            taken.append((f.start, f.end))
    return sorted(kept)
