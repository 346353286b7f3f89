"""Detection: run the recognisers over a study's texts and settle what they found.

>>> proposals = detect({"interview-01.txt": text}, names={"Sarah Jones": "NAME"})

Four steps:

1. every selected recogniser runs on every text, and the study gazetteer is matched;
2. one label per string: where recognisers disagree about the same words ("Marcus" a
   town here, a person there), the gazetteer's label wins, then a rule's (a title, a
   street word, an organisation's suffix say what a name is), then NAME for a word that
   is part of a person's full name found anywhere ("Leanne" after "Leanne Barker"), then
   the model's label with the highest total score;
3. propagation: whatever was found in one text is proposed wherever the same words
   occur (case-sensitively) in any text, and so is each word of a person's full name
   ("Leanne Barker" also proposes "Leanne" and "Barker"), so an identifier caught once
   is caught everywhere;
4. overlapping proposals are settled, the longer span winning, then the higher score.

Detection over one document at a time (as the TAB benchmark runs it) keeps all of this
within the document.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from thematica.anonymise.findings import Finding, default_recognisers, registered
from thematica.anonymise.gazetteer import expand, find_words
from thematica.errors import InvalidInput

# Propagation skips short strings ("23", "Jo") that would flood the review (a person's
# name may be three letters: "Tom", "Ivy"), and ages and dates, whose words ("four",
# "two months", "March") identify no one elsewhere.
_PROPAGATE_MIN = 4
_NAME_PROPAGATE_MIN = 3
_NOT_PROPAGATED = {"AGE", "DATE"}
# Labels of things with a name, which one string should carry throughout a study.
_NAMED_THINGS = {"NAME", "TOWN", "STREET", "HOSPITAL", "NHS_TRUST", "ORGANISATION"}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Names that are also everyday words, spread only where a researcher lists them.
_AMBIGUOUS_NAMES = _words(
    """Will May Mark Hope Grace Faith Joy Bill Pat Rose Guy Sue Don Art Dawn Summer Autumn
    April June August Miles Frank Rich Long Young Brown White Black Gray Grey Green King
    Church Lane Street Court Hill Park Marsh Bush Wood Mr Mrs Ms Miss Dr Sir The And"""
)
_LOWER_WORD_RE = re.compile(r"\b[a-z][a-z'’\-]*\b")
_NAME_PART_RE = re.compile(r"[^\W\d_][\w'’\-]*")


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
    found = {source: find_in(text, recognisers, names) for source, text in texts.items()}
    return combine(texts, found, propagate)


def find_in(
    text: str,
    recognisers: Sequence[str] | None = None,
    names: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Step 1 for one text: what the recognisers and the gazetteer find in it.

    The costly step, and independent for each text, so a batch can run it on many
    machines (:mod:`thematica.batch`) and :func:`combine` the results in one place.
    """
    available = registered()
    chosen = default_recognisers() if recognisers is None else list(recognisers)
    unknown = [r for r in chosen if r not in available]
    if unknown:
        raise InvalidInput(
            f"unknown recogniser {unknown[0]!r}; the recognisers are: {', '.join(available)}"
        )
    findings = [f for r in chosen for f in available[r](text)]
    return findings + find_words(text, expand(dict(names or {})))


def combine(
    texts: Mapping[str, str], found: Mapping[str, list[Finding]], propagate: bool = True
) -> list[Proposal]:
    """Steps 2 to 4 over the whole study, given each text's findings from :func:`find_in`."""
    found = {source: list(found[source]) for source in texts}
    # One label per string: first from the recognisers' own votes, then again with the
    # words of the full names that vote carried.
    parts: set[str] = set()
    for _ in range(2):
        labels = _one_label_per_string(texts, found, parts)
        for source, findings in found.items():
            text = texts[source]
            found[source] = [
                replace(f, label=labels[text[f.start : f.end]])
                if f.label in _NAMED_THINGS and text[f.start : f.end] in labels
                else f
                for f in findings
            ]
        parts = _name_parts(texts, found)
    if propagate:
        spread = {
            texts[source][f.start : f.end]: f.label
            for source, findings in found.items()
            for f in findings
            if f.label not in _NOT_PROPAGATED
            and f.end - f.start >= (_NAME_PROPAGATE_MIN if f.label == "NAME" else _PROPAGATE_MIN)
            and not (f.label == "NAME" and texts[source][f.start : f.end] in _AMBIGUOUS_NAMES)
        }
        spread.update((part, "NAME") for part in parts if part not in spread)
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


def _name_parts(texts: Mapping[str, str], found: Mapping[str, list[Finding]]) -> set[str]:
    """Each word of three letters or more of every person's full name found ("Leanne
    Barker" -> "Leanne", "Barker"), less initials and everyday words (those the texts
    also use in lower case: "Small" of "Small Heath")."""
    lower = {w for text in texts.values() for w in _LOWER_WORD_RE.findall(text)}
    parts = set()
    for source, findings in found.items():
        text = texts[source]
        for f in findings:
            if f.label != "NAME":
                continue
            words = _NAME_PART_RE.findall(text[f.start : f.end])
            if len(words) < 2:
                continue
            parts.update(
                w
                for w in words
                if len(w) >= _NAME_PROPAGATE_MIN
                and w[0].isupper()
                and w not in _AMBIGUOUS_NAMES
                and w.lower() not in lower
            )
    return parts


# Whose word counts in a disagreement about a label: the researcher's list, then the
# rules (a title, a street word, an organisation's suffix say what a name is), then the
# words of a person's full name, then the model.
_AUTHORITY = {"gazetteer": 4, "propagation": 0}
_RULES = 3
_NAME_PART = 2
_MODEL = 1


def _one_label_per_string(
    texts: Mapping[str, str], found: Mapping[str, list[Finding]], parts: set[str]
) -> dict[str, str]:
    """The label each string found with different labels should carry (step 2): the
    label given by the highest authority, then the one with the highest total score."""
    from thematica.anonymise.ner import NAME as MODEL

    votes: dict[str, dict[str, tuple[int, float]]] = defaultdict(dict)
    for source, findings in found.items():
        text = texts[source]
        for f in findings:
            if f.label not in _NAMED_THINGS:
                continue
            words = text[f.start : f.end]
            rank = _MODEL if f.recogniser == MODEL else _AUTHORITY.get(f.recogniser, _RULES)
            best, total = votes[words].get(f.label, (0, 0.0))
            votes[words][f.label] = (max(best, rank), total + f.score)
    for words in parts:
        best, total = votes[words].get("NAME", (0, 0.0))
        votes[words]["NAME"] = (max(best, _NAME_PART), total)
    return {
        words: max(by_label, key=lambda label: by_label[label])
        for words, by_label in votes.items()
        if len(by_label) > 1
    }


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
