"""A small study whose every query answer can be worked out by hand.

Two interviews, each linked to its participant; a third participant with no interview.
Codings are placed by quote, so the tests name the words they expect, not offsets.
"""

import pytest

A = """Interviewer: How did you hear about the team?

Participant: The health visitor told me. I waited weeks for the referral. Then a social worker rang.

Interviewer: And the sessions?

Participant: The therapist was warm. I felt judged at first. Later I trusted her.
"""

B = """Interviewer: Tell me about the start.

Participant: My GP sent the referral. The social worker was kind. I felt judged by my mum.
"""

PARTICIPANTS = """id,age,diagnosis,education,partner
1,22,Depression,GCSEs,yes
2,31,Anxiety,Degree,no
3,,Depression,A levels,
"""

# (source, code, quote, coder)
CODINGS = [
    ("a.txt", "Route", "The health visitor told me.", "Hannah"),
    ("a.txt", "Waiting", "I waited weeks for the referral.", "Hannah"),
    ("a.txt", "Referral", "I waited weeks for the referral. Then a social worker rang.", "Hannah"),
    ("a.txt", "Warmth", "The therapist was warm.", "Hannah"),
    ("a.txt", "Judged", "I felt judged at first.", "Hannah"),
    ("a.txt", "Trust", "Later I trusted her.", "Hannah"),
    ("a.txt", "Judged", "The therapist was warm. I felt judged", "Dev"),
    # An interviewer's question: only counted when interviewers' turns are asked for.
    ("a.txt", "Route", "How did you hear about the team?", "Hannah"),
    ("b.txt", "Route", "My GP sent the referral.", "Hannah"),
    ("b.txt", "Warmth", "The social worker was kind.", "Hannah"),
    ("b.txt", "Judged", "I felt judged by my mum.", "Hannah"),
]


def span(text, quote):
    start = text.index(quote)
    return start, start + len(quote)


def build(project, tmp_path):
    table = tmp_path / "participants.csv"
    table.write_text(PARTICIPANTS)
    project.cases.import_table(
        table,
        "id",
        types={"diagnosis": "categorical", "education": "ordinal:GCSEs|A levels|Degree"},
    )
    project.sources.add("a.txt", A, case="1")
    project.sources.add("b.txt", B, case="2")
    project.codes.add("Referral")
    project.codes.add("Route", parent="Referral")
    project.codes.add("Waiting", parent="Referral")
    project.codes.add("Relationship")
    for name in ("Warmth", "Judged", "Trust"):
        project.codes.add(name, parent="Relationship")
    texts = {"a.txt": A, "b.txt": B}
    project.codings.add_many(
        {
            "source": s,
            "code": c,
            "start": span(texts[s], q)[0],
            "end": span(texts[s], q)[1],
            "coder": w,
        }
        for s, c, q, w in CODINGS
    )
    return project


@pytest.fixture
def study(project, tmp_path):
    """The study on each backend."""
    return build(project, tmp_path)


@pytest.fixture
def sqlite_study(sqlite_project, tmp_path):
    return build(sqlite_project, tmp_path)


def texts(passages):
    """Each passage as (source, its words)."""
    return [(p.source, p.text) for p in passages]
