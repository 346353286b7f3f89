"""Placeholders: the same identifier gets the same placeholder in every transcript.

Styles follow what papers print: people are numbered (``[Person 1]``), places and
organisations lettered by type (``[Hospital A]``, ``[Town B]``), and dates, ages and
contact details named by what they were (``[Date]``, ``[Phone number]``). A reviewer
may give any identifier a role label instead (``[my baby]``, ``[her partner]``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from string import ascii_uppercase

from thematica.anonymise.pipeline import Proposal
from thematica.errors import InvalidInput
from thematica.text import Edit

NUMBERED = {"NAME": "Person"}
LETTERED = {
    "HOSPITAL": "Hospital",
    "NHS_TRUST": "NHS Trust",
    "ORGANISATION": "Organisation",
    "TOWN": "Town",
    "STREET": "Street",
}
NAMED = {
    "DATE": "Date",
    "AGE": "Age",
    "PHONE": "Phone number",
    "EMAIL": "Email address",
    "POSTCODE": "Postcode",
    "NHS_NUMBER": "NHS number",
    "NI_NUMBER": "National Insurance number",
    "REFERENCE": "Reference number",
}


def words(text: str) -> str:
    """An identifier's words in one form: lower case, single spaces."""
    return " ".join(text.lower().split())


# A placeholder stands in running text: one short line, one pair of brackets.
PLACEHOLDER_MAX = 60


def chosen_placeholder(typed: str, replacing: str) -> str:
    """A placeholder a reviewer typed, in brackets, for the words ``replacing``.

    >>> chosen_placeholder("my baby", "Alfie")
    '[my baby]'

    Refused: nothing between the brackets, brackets or a line break inside, more than
    PLACEHOLDER_MAX characters, and the very words it is meant to hide.
    """
    inner = typed.strip().removeprefix("[").removesuffix("]").strip()
    if not inner:
        raise InvalidInput("a placeholder needs words between its brackets, e.g. [my baby]")
    if any(c in "[]" or not c.isprintable() for c in inner):
        raise InvalidInput(
            f"a placeholder is one line in one pair of brackets, e.g. [my baby], not {typed!r}"
        )
    if len(inner) + 2 > PLACEHOLDER_MAX:
        raise InvalidInput(f"a placeholder has at most {PLACEHOLDER_MAX} characters")
    if re.search(rf"(?<!\w){re.escape(words(replacing))}(?!\w)", words(inner)):
        raise InvalidInput(
            f"the placeholder {typed!r} would keep the words it replaces; describe the "
            "person or place instead, e.g. [my baby]"
        )
    return f"[{inner}]"


def _letters(n: int) -> str:
    """A, B, ... Z, AA, AB, ...: spreadsheet-style letters for the n-th place (0-based)."""
    out = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        out = ascii_uppercase[rest] + out
    return out


@dataclass
class Pseudonyms:
    """The study's table of placeholders, filled as identifiers are met.

    ``overrides`` maps an identifier's words (any case) to a chosen placeholder;
    ``aliases`` maps a short form to the full name it stands for (see
    :func:`thematica.anonymise.gazetteer.aliases`), so both share one placeholder.
    """

    overrides: Mapping[str, str] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)
    table: dict[tuple[str, str], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._chosen = {words(k): v for k, v in self.overrides.items()}

    def placeholder(self, label: str, text: str) -> str:
        said = words(text)
        # A placeholder chosen for these very words wins over their full name's.
        if said in self._chosen:
            return self._chosen[said]
        if label == "NAME" and said in self.aliases:
            said = words(self.aliases[said])
        if said in self._chosen:
            return self._chosen[said]
        key = (label, said)
        if key not in self.table:
            self.table[key] = self._next(label)
        return self.table[key]

    def keep(self, label: str, text: str, placeholder: str) -> None:
        """Hold ``text`` to a placeholder given before (by an earlier anonymisation, whose
        key lists it), so that later transcripts use the same one."""
        self.table[(label, words(text))] = placeholder

    def _next(self, label: str) -> str:
        if label not in NUMBERED and label not in LETTERED:
            return f"[{NAMED.get(label, label.title())}]"
        used = set(self.table.values())
        n = 0
        while True:
            if label in NUMBERED:
                candidate = f"[{NUMBERED[label]} {n + 1}]"
            else:
                candidate = f"[{LETTERED[label]} {_letters(n)}]"
            if candidate not in used:
                return candidate
            n += 1


@dataclass(frozen=True)
class Replacement:
    """One identifier replaced: where it was, what it said, what stands there now."""

    source: str
    start: int  # in the original text
    end: int
    original: str
    placeholder: str
    label: str


def replacements(
    proposals: Sequence[Proposal], pseudonyms: Pseudonyms
) -> dict[str, list[Replacement]]:
    """Placeholders for accepted proposals, grouped by source, in text order."""
    grouped: dict[str, list[Replacement]] = {}
    for p in sorted(proposals, key=lambda p: (p.source, p.start)):
        placeholder = pseudonyms.placeholder(p.label, p.text)
        grouped.setdefault(p.source, []).append(
            Replacement(p.source, p.start, p.end, p.text, placeholder, p.label)
        )
    return grouped


def edits(replaced: Sequence[Replacement]) -> list[Edit]:
    """The text edits that put the placeholders in (for :meth:`Sources.edit_text`)."""
    return [Edit(r.start, r.end, r.placeholder) for r in replaced]
