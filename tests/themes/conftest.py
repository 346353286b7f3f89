"""A small study whose prevalence and framework are counted by hand (see the comments).

Participants: Mother 1 (a.txt), Mother 2 (b.txt), Mother 3 and Mother 4 (both in c.txt, a
joint interview: each claims her own speaker turns), Mother 5 (no data: not counted in
N). So N = 4.

Codes: Relationship > Warmth; Hiding; Setting > Home visits.
Themes: Trust (codes: Relationship) with subtheme Hidden (codes: Hiding); Place (codes:
Home visits).

Codings, with the participants they are attributed to:
  1  a.txt  Warmth       Hannah  "She was kind to me."            Mother 1
  2  b.txt  Warmth       Dev     "kind"                           Mother 2
  3  c.txt  Warmth       Hannah  Amy's words                      Mother 3
  4  c.txt  Hiding       Hannah  the interviewer's question       no one (turns are
                                                                   claimed, two cases)
  5  c.txt  Home visits  Hannah  across Amy's and Beth's turns    Mothers 3 and 4
  6  a.txt  Hiding       Hannah  "I hid how I felt"               Mother 1
  7  a.txt  Home visits  Hannah  the interviewer's "And the team?" Mother 1 (no turn
                                                                   claimed: her interview)
"""

import pytest

A = """Interviewer: How did it start?

Participant: The health visitor noticed. She was kind to me.

Interviewer: And the team?

Participant: They came to the house. I hid how I felt from [Person 1] at first.
"""

B = """Interviewer: What was the team like?

Participant: They were kind, mostly.
"""

C = """Interviewer: Did you ever hide things?

Amy: The nurse was lovely with us.

Beth: She came to my flat every week.
"""

PARTICIPANTS = "id,age\n1,24\n2,31\n3,19\n4,36\n5,28\n"


def span(text, words):
    start = text.index(words)
    return start, start + len(words)


def build(project, folder):
    (folder / "participants.csv").write_text(PARTICIPANTS)
    project.cases.import_table(folder / "participants.csv", id_column="id")
    project.sources.add("a.txt", A, case="1")
    project.sources.add("b.txt", B, case="2")
    project.sources.add("c.txt", C)
    project.cases.link("3", "c.txt", speaker="Amy")
    project.cases.link("4", "c.txt", speaker="Beth")
    project.codes.add("Relationship")
    project.codes.add("Warmth", parent="Relationship")
    project.codes.add("Hiding")
    project.codes.add("Setting")
    project.codes.add("Home visits", parent="Setting")
    codings = [
        ("a.txt", "Warmth", A, "She was kind to me.", "Hannah"),
        ("b.txt", "Warmth", B, "kind", "Dev"),
        ("c.txt", "Warmth", C, "The nurse was lovely with us.", "Hannah"),
        ("c.txt", "Hiding", C, "Did you ever hide things?", "Hannah"),
        ("c.txt", "Home visits", C, "lovely with us.\n\nBeth: She came to my flat", "Hannah"),
        ("a.txt", "Hiding", A, "I hid how I felt", "Hannah"),
        ("a.txt", "Home visits", A, "And the team?", "Hannah"),
    ]
    for name, code, text, words, coder in codings:
        project.codings.add(name, code, *span(text, words), coder=coder)
    project.themes.add("Trust", codes=["Relationship"], definition="Trust earned slowly.")
    project.themes.add("Hidden", parent="Trust", codes=["Hiding"])
    project.themes.add("Place", codes=["Home visits"])
    return project


@pytest.fixture
def study(project, tmp_path):
    """The hand-counted study on each backend."""
    return build(project, tmp_path)


@pytest.fixture
def sqlite_study(sqlite_project, tmp_path):
    return build(sqlite_project, tmp_path)
