"""What a recogniser reports, and the registry recognisers are found by name.

Recognisers are plain functions from a text to findings, registered by name
(spaCy-style), so a study can switch one off or add its own without touching the rest:

>>> from thematica.anonymise.findings import Finding, recogniser
>>> @recogniser("ward_names")
... def find_wards(text):
...     return [Finding(m.start(), m.end(), "ORGANISATION", 0.9, "ward_names")
...             for m in re.finditer(r"\\b\\w+ Ward\\b", text)]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# The identifier types, as in the demo study's answer key (raw/identifiers.csv), and
# REFERENCE for case, file, account and other reference numbers.
LABELS = (
    "NAME", "HOSPITAL", "NHS_TRUST", "ORGANISATION", "TOWN", "STREET", "POSTCODE",
    "DATE", "AGE", "PHONE", "EMAIL", "NHS_NUMBER", "NI_NUMBER", "REFERENCE",
)  # fmt: skip


@dataclass(frozen=True, order=True)
class Finding:
    """An identifier proposed at ``[start, end)`` of the text (code points)."""

    start: int
    end: int
    label: str
    score: float
    recogniser: str


Recogniser = Callable[[str], list[Finding]]
_REGISTRY: dict[str, Recogniser] = {}


def recogniser(name: str) -> Callable[[Recogniser], Recogniser]:
    """Register a recogniser under ``name``."""

    def decorate(function: Recogniser) -> Recogniser:
        _REGISTRY[name] = function
        return function

    return decorate


def registered() -> dict[str, Recogniser]:
    """Every registered recogniser by name (the built-in ones are loaded on first use)."""
    from thematica.anonymise import ner, rules  # noqa: F401  (they register themselves)

    return dict(_REGISTRY)


def default_recognisers() -> list[str]:
    """The recognisers a detection uses when none are named: all of them, except the
    name recogniser where its model is not installed."""
    from thematica.anonymise import ner

    return [name for name in registered() if name != ner.NAME or ner.available()]
