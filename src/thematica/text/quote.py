"""Anchor a coding by the words it covers (W3C TextQuoteSelector: exact, prefix, suffix).

Codings made in a spreadsheet or a word processor carry the quoted words, not offsets.
Finding them again must be unambiguous: a quote that matches nowhere or in several places
is an error the user fixes by adding a prefix or suffix, never a guess.
"""

import re

from thematica.errors import InvalidInput
from thematica.text.normalise import canonical
from thematica.text.span import Span

# Word processors turn straight quotes and hyphens into typographic ones; a quote copied
# from Word must still find its transcript.
_EQUIVALENT = {
    "'": "'‘’",
    "‘": "'‘’",
    "’": "'‘’",
    '"': '"“”',
    "“": '"“”',
    "”": '"“”',
    "-": "-–—",
    "–": "-–—",
    "—": "-–—",
}


def _loose_pattern(words: str) -> str:
    parts = []
    for chunk in re.split(r"(\s+)", words):
        if not chunk:
            continue
        if chunk.isspace():
            parts.append(r"\s+")
            continue
        parts.append(
            "".join(
                f"[{re.escape(_EQUIVALENT[ch])}]" if ch in _EQUIVALENT else re.escape(ch)
                for ch in chunk
            )
        )
    return "".join(parts)


def _exact_matches(text: str, exact: str, prefix: str, suffix: str) -> list[Span]:
    found = []
    at = text.find(exact)
    while at != -1:
        end = at + len(exact)
        if (
            text[max(0, at - len(prefix)) : at] == prefix
            and text[end : end + len(suffix)] == suffix
        ):
            found.append(Span(at, end))
        at = text.find(exact, at + 1)
    return found


def _loose_matches(text: str, exact: str, prefix: str, suffix: str) -> list[Span]:
    before = f"(?<={_loose_pattern(prefix)})" if prefix.strip() else ""
    after = f"(?={_loose_pattern(suffix)})" if suffix.strip() else ""
    try:
        pattern = re.compile(before + _loose_pattern(exact) + after)
    except re.error:
        # Look-behind needs a fixed width; a prefix with spaces has none, so match it
        # as part of the pattern and keep only the quote's own group.
        pattern = re.compile(
            f"(?:{_loose_pattern(prefix)})({_loose_pattern(exact)})" + after
            if prefix.strip()
            else f"({_loose_pattern(exact)})" + after
        )
        return [Span(m.start(1), m.end(1)) for m in pattern.finditer(text)]
    return [Span(m.start(), m.end()) for m in pattern.finditer(text)]


def find_quote(text: str, exact: str, prefix: str = "", suffix: str = "", where: str = "") -> Span:
    """Return the one span of ``text`` that ``exact`` (with optional context) matches.

    Exact matching is tried first; if nothing matches, runs of whitespace and typographic
    quotes and dashes are matched loosely, so a quote copied from Word or from a
    hard-wrapped transcript still finds its place.

    >>> find_quote("I felt held. I felt seen.", "I felt", suffix=" seen")
    Span(start=13, end=19)
    """
    exact, prefix, suffix = canonical(exact), canonical(prefix), canonical(suffix)
    if not exact.strip():
        raise InvalidInput("the quote is empty")
    matches = _exact_matches(text, exact, prefix, suffix) or _loose_matches(
        text, exact, prefix, suffix
    )
    place = f" in {where}" if where else ""
    shown = exact if len(exact) <= 60 else exact[:57] + "..."
    if not matches:
        raise InvalidInput(f"quote {shown!r} not found{place}")
    if len(matches) > 1:
        raise InvalidInput(
            f"quote {shown!r} matches {len(matches)} places{place}: "
            "add a prefix or suffix to choose one"
        )
    return matches[0]
