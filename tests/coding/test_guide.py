import pytest

from thematica import InvalidInput

INTERVIEW = (
    "Interviewer: Okay we're recording. So, to start, how did you first hear about the team?\n\n"
    "Participant: My health visitor.\n\n"
    "Interviewer: Right. Can you say more?\n\n"
    "Participant: She rang them for me.\n\n"
    "Interviewer: And what was the very first visit like for you?\n\n"
    "Participant: Scary.\n\n"
    "Interviewer: Lovely weather today.\n"
)


def test_answers_are_coded_with_the_question_they_follow(project, tmp_path):
    project.sources.add("i.txt", INTERVIEW)
    project.codes.add("Access")
    guide = tmp_path / "guide.txt"
    guide.write_text(
        "# topic guide\nHow did you first hear about the team? | Access\n\n"
        "What was the first visit like?\nWhat would you change?\n"
    )
    report = project.codings.code_by_guide(guide, coder="structural")
    assert (report.coded, report.matched) == (3, 2)
    assert [u[2] for u in report.unmatched] == ["Right. Can you say more?", "Lovely weather today."]
    assert [(s.code, s.text) for s in project.segments("Access")] == [
        ("Access", "My health visitor."),
        ("Access", "She rang them for me."),
    ]
    (visit,) = project.segments("Q2: What was the first visit like?")
    assert visit.text == "Scary."
    assert project.codes.get("Q2: What was the first visit like?").parent == "Interview guide"
    again = project.codings.code_by_guide(guide, coder="structural")
    assert again.coded == 0


def test_bad_guides(project, tmp_path):
    guide = tmp_path / "guide.txt"
    guide.write_text("# nothing here\n\n")
    with pytest.raises(InvalidInput, match="has no questions"):
        project.codings.code_by_guide(guide)
    guide.write_text("| Access\n")
    with pytest.raises(InvalidInput, match="a code name but no question"):
        project.codings.code_by_guide(guide)
    guide.write_text("Question?\n")
    with pytest.raises(InvalidInput, match="threshold is a similarity from 1 to 100"):
        project.codings.code_by_guide(guide, threshold=0)
