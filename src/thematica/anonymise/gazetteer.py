"""Study gazetteers: names the researcher knows, found wherever they occur.

A study knows its own people: participants, babies, partners, staff. Given their names
(a list file, or case attributes), every occurrence is proposed, case-insensitively and
as whole words, with each part of a full name on its own too ("Sarah Jones" also finds
"Sarah" and "Jones"), so a name caught once is caught everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from thematica.anonymise.findings import LABELS, Finding
from thematica.errors import InvalidInput
from thematica.ingest.files import read_text

# Short words that are names too often to be useful alone ("May", "Will", "Rose" are
# kept: they are proposed, and a reviewer rejects the month or the verb).
_TOO_SHORT = 2


def read_names(path: str | Path) -> dict[str, str]:
    """A names file: one name a line, optionally ``name | LABEL`` (default NAME)."""
    names: dict[str, str] = {}
    for number, line in enumerate(read_text(Path(path)).splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, label = (part.strip() for part in line.partition("|"))
        label = (label or "NAME").upper()
        if label not in LABELS:
            raise InvalidInput(
                f"{path}, line {number}: unknown label {label!r}; use one of {', '.join(LABELS)}"
            )
        names[name] = label
    return names


def expand(names: dict[str, str]) -> dict[str, str]:
    """Each name, and for a person's full name each of its parts, with its label."""
    expanded: dict[str, str] = {}
    for name, label in names.items():
        expanded[name] = label
        if label == "NAME":
            for part in name.split():
                if len(part) > _TOO_SHORT:
                    expanded.setdefault(part, label)
    return expanded


def aliases(names: dict[str, str]) -> dict[str, str]:
    """Each part of a person's full name, mapped to the full name, so that "Sarah" and
    "Sarah Jones" get one placeholder. A part shared by two names maps to neither."""
    owners: dict[str, set[str]] = {}
    for name, label in names.items():
        if label == "NAME" and len(name.split()) > 1:
            for part in name.split():
                if len(part) > _TOO_SHORT:
                    owners.setdefault(part.lower(), set()).add(name)
    return {part: next(iter(full)) for part, full in owners.items() if len(full) == 1}


def find_words(
    text: str,
    words: Mapping[str, str],
    recogniser: str = "gazetteer",
    score: float = 0.95,
    ignore_case: bool = True,
) -> list[Finding]:
    """Every whole-word occurrence of the ``words`` (word to label) in ``text``."""
    if not words:
        return []
    # Longest first, so "Sarah Jones" wins over "Sarah" at the same place.
    ordered = sorted(words, key=len, reverse=True)
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(w) for w in ordered) + r")(?!\w)",
        re.IGNORECASE if ignore_case else 0,
    )
    fold = str.lower if ignore_case else str
    labels = {fold(w): label for w, label in words.items()}
    return [
        Finding(m.start(), m.end(), labels[fold(m.group(1))], score, recogniser)
        for m in pattern.finditer(text)
    ]
