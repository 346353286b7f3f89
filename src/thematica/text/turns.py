"""Speaker turns: who is speaking where, as spans over canonical text.

A turn's span starts after its ``Speaker:`` label, so a quote taken from the start of a
turn never carries the label with it. The label itself stays in the text.
"""

import re
from collections.abc import Sequence
from typing import NamedTuple

from thematica.errors import InvalidInput

# A label is a short name at the start of a line followed by a colon: "Interviewer:",
# "I:", "P01:", "Dr Amara Shah:", "Participant 3:", "[Participant 8]:". Phrases of more
# than three words before a colon are ordinary sentences, not labels.
DEFAULT_LABEL = r"\[?(?P<label>[A-Z][\w.'’-]{0,24}(?: [\w.'’-]{1,24}){0,2})\]?[ \t]*:[ \t]+"

INTERVIEWER_LABELS = frozenset(
    {
        "interviewer", "int", "i", "q", "researcher", "facilitator", "moderator",
        # AI-led interviews label the interviewer as the model.
        "ai", "assistant",
    }
)  # fmt: skip
OTHER_LABELS = frozenset(
    {"note", "transcriber", "translator", "interpreter", "unknown", "all", "both", "crosstalk"}
)
_NUMBERED_INTERVIEWER = re.compile(r"(interviewer|int|i|researcher)[ _-]?\d+")


class Turn(NamedTuple):
    # A named tuple rather than a frozen dataclass: a transcript brings a hundred
    # turns or more, and a tuple is made several times faster.
    start: int
    end: int
    speaker: str
    role: str  # interviewer | participant | other
    t_start: float | None = None
    t_end: float | None = None


def speaker_role(label: str, interviewers: Sequence[str] = (), others: Sequence[str] = ()) -> str:
    """``interviewer``, ``other`` or ``participant`` for a speaker label.

    ``interviewers`` and ``others`` add labels of a particular study (names of the
    researchers, say) to the built-in ones.
    """
    name = label.strip().lower()
    if (
        name in INTERVIEWER_LABELS
        or _NUMBERED_INTERVIEWER.fullmatch(name)
        or any(name == i.lower() for i in interviewers)
    ):
        return "interviewer"
    if name in OTHER_LABELS or any(name == o.lower() for o in others):
        return "other"
    return "participant"


def detect_turns(
    text: str,
    label_pattern: str = DEFAULT_LABEL,
    interviewers: Sequence[str] = (),
    others: Sequence[str] = (),
) -> list[Turn]:
    """Split ``text`` into speaker turns by line-initial labels.

    Paragraphs without a label continue the previous speaker's turn, and consecutive
    labelled paragraphs of the same speaker merge into one turn (the inner label stays
    in the text). Text before the first label belongs to no turn. ``label_pattern`` is
    a regular expression with a group named ``label``, matched at the start of a line.

    >>> [(t.speaker, t.role) for t in detect_turns("I: Hello?\\nP1: Hi.\\n\\nStill me.")]
    [('I', 'interviewer'), ('P1', 'participant')]
    """
    try:
        label = re.compile(label_pattern)
    except re.error as error:
        raise InvalidInput(
            f"the speaker label pattern is not a valid regular expression: {error}"
        ) from None
    if "label" not in label.groupindex:
        raise InvalidInput("the speaker label pattern needs a group named 'label': (?P<label>...)")
    marks: list[tuple[int, int, str]] = []  # line start, text start, speaker
    at = 0
    # Every default label has a colon near the start, so most lines can be skipped
    # without running the pattern; a custom pattern is tried on every line.
    quick = label_pattern == DEFAULT_LABEL
    for line in text.split("\n"):
        found = label.match(line) if not quick or line.find(":", 0, 64) >= 0 else None
        if found:
            marks.append((at, at + found.end(), found.group("label").strip()))
        at += len(line) + 1
    spans: list[list] = []  # start, end, speaker
    for index, (_, start, speaker) in enumerate(marks):
        end = marks[index + 1][0] if index + 1 < len(marks) else len(text)
        while end > start and text[end - 1].isspace():
            end -= 1
        if end <= start:
            continue
        if spans and spans[-1][2] == speaker:
            spans[-1][1] = end
        else:
            spans.append([start, end, speaker])
    roles = {
        speaker: speaker_role(speaker, interviewers, others) for speaker in {s[2] for s in spans}
    }
    return [Turn(start, end, speaker, roles[speaker]) for start, end, speaker in spans]
