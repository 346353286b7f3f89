"""Re-joining hard-wrapped lines into paragraphs.

Text taken from a PDF, and many plain-text transcripts, break every line at a fixed
width, so one speaker turn arrives as a dozen lines. :func:`rejoin_wrapped` puts each
paragraph back on one line. Only whitespace changes, with two documented exceptions at
line ends (see :func:`rejoin_wrapped`), so no word is lost or invented.
"""

import re

from thematica.errors import InvalidInput
from thematica.text.turns import DEFAULT_LABEL

SOFT_HYPHEN = "\u00ad"
# Hyphen-minus and U+2010 HYPHEN; dashes (en, em) stand between words and are left alone.
HYPHENS = "-\u2010"


def rejoin_wrapped(text: str, label_pattern: str = DEFAULT_LABEL) -> str:
    """Join hard-wrapped lines into paragraphs, one per line, separated by a blank line.

    A line continues the paragraph of the line before it unless it is blank or starts
    with a speaker label (``label_pattern``, a regular expression matched at the start
    of the stripped line, as :func:`thematica.text.turns.detect_turns` matches it). A
    label alone on its line (``Interviewer:`` with the words on the next line) counts as
    a label too. Lines are stripped and joined with one space, except at two kinds of
    line end:

    - a soft hyphen (U+00AD) after a letter, before a line starting with a letter,
      marks where a word was hyphenated for the layout: it is removed and the halves
      joined (``exam\\u00ad`` + ``ple`` gives ``example``). The character is invisible by
      definition, so this removes nothing a reader saw.
    - a hyphen (``-`` or U+2010) after a lowercase letter, before a line starting with
      a lowercase letter, is joined without a space and the hyphen is KEPT
      (``decision-`` + ``making`` gives ``decision-making``; ``exam-`` + ``ple`` gives
      ``exam-ple``). Word processors break lines at the hyphen of a compound word; they
      hyphenate inside words only when asked to. Dropping the hyphen would turn every
      such compound into a non-word (``decisionmaking``, ``zinccoated``), which is what
      de-hyphenating tools do to the line-numbered transcripts this project reads; no
      rule can tell the two apart without a dictionary, and keeping the hyphen loses
      no character. Upper case or digits on either side (``COVID-`` + ``19``,
      ``well-`` + ``Anyway``) are joined with a space, as cut-off speech often is.

    So the words of the result (split on whitespace) are those of ``text`` in the same
    order, except that each of those joins makes one word of two.

    >>> rejoin_wrapped("I: So how did\\nit go?\\nP1: Well, the decision-\\nmaking was\\n\\nslow.")
    'I: So how did it go?\\n\\nP1: Well, the decision-making was\\n\\nslow.'
    """
    label = _compile(label_pattern)
    paragraphs: list[str] = []
    open_paragraph = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            open_paragraph = False
        elif open_paragraph and not _is_label(label, line):
            paragraphs[-1] = join_lines(paragraphs[-1], line)
        else:
            paragraphs.append(line)
            open_paragraph = True
    return "\n\n".join(paragraphs)


def is_hard_wrapped(text: str, label_pattern: str = DEFAULT_LABEL) -> bool:
    """Whether any line continues the one before it (see :func:`rejoin_wrapped`).

    Text with one paragraph a line has nothing to re-join, and is best left exactly as
    it was written.
    """
    label = _compile(label_pattern)
    previous = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line and previous and not _is_label(label, line):
            return True
        previous = line
    return False


def join_lines(left: str, right: str) -> str:
    """Join a stripped line ``right`` to the paragraph ``left`` (see :func:`rejoin_wrapped`)."""
    before, last, first = left[-2:-1], left[-1], right[0]
    if last == SOFT_HYPHEN and before.isalpha() and first.isalpha():
        return left[:-1] + right
    if last in HYPHENS and before.islower() and first.islower():
        return left + right
    return f"{left} {right}"


def _is_label(label: re.Pattern[str], line: str) -> bool:
    # The space lets a label that ends its line ("Interviewer:") match patterns that
    # want whitespace after the colon, as the default one does.
    return label.match(line + " ") is not None


def _compile(label_pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(label_pattern)
    except re.error as error:
        raise InvalidInput(
            f"the speaker label pattern is not a valid regular expression: {error}"
        ) from None
