"""Speaker turns: who is speaking where, as spans over canonical text.

A turn's span covers the words spoken, not the ``Speaker:`` label, so a quote taken from
a turn never carries the label with it.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

# A label is a short name at the start of a line followed by a colon: "Interviewer:",
# "I:", "P01:", "Dr Amara Shah:", "Participant 3:". Phrases of more than three words
# before a colon are ordinary sentences, not labels.
DEFAULT_LABEL = r"(?P<label>[A-Z][\w.'’-]{0,24}(?: [\w.'’-]{1,24}){0,2})[ \t]*:[ \t]+"

INTERVIEWER_LABELS = frozenset(
    {"interviewer", "int", "i", "q", "researcher", "facilitator", "moderator", "interviewer 1"}
)


@dataclass(frozen=True, slots=True)
class Turn:
    start: int
    end: int
    speaker: str
    role: str  # interviewer | participant | other
    t_start: float | None = None
    t_end: float | None = None


def speaker_role(label: str, interviewers: Sequence[str] = ()) -> str:
    name = label.strip().lower()
    if name in INTERVIEWER_LABELS or any(name == i.lower() for i in interviewers):
        return "interviewer"
    return "participant"


def detect_turns(text: str, label_pattern: str = DEFAULT_LABEL) -> list[Turn]:
    """Split ``text`` into speaker turns by line-initial labels.

    Paragraphs without a label continue the previous speaker's turn. Text before the
    first label belongs to no turn.

    >>> [(t.speaker, t.role) for t in detect_turns("I: Hello?\\nP1: Hi.\\n\\nStill me.")]
    [('I', 'interviewer'), ('P1', 'participant')]
    """
    label = re.compile(label_pattern)
    marks: list[tuple[int, int, str]] = []  # line start, text start, speaker
    at = 0
    for line in text.split("\n"):
        # Every label has a colon near the start; most lines can be skipped unmatched.
        found = label.match(line) if ":" in line[:64] else None
        if found:
            marks.append((at, at + found.end(), found.group("label").strip()))
        at += len(line) + 1
    roles: dict[str, str] = {}
    turns: list[Turn] = []
    for index, (_, start, speaker) in enumerate(marks):
        end = marks[index + 1][0] if index + 1 < len(marks) else len(text)
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            if speaker not in roles:
                roles[speaker] = speaker_role(speaker)
            turns.append(Turn(start, end, speaker, roles[speaker]))
    return turns
