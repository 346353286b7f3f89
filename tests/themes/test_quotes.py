"""Exemplar quotes: elisions, attribution, interviewer turns, placeholders, text edits."""

import pytest

from tests.themes.conftest import span
from thematica import InvalidInput, NotFound
from thematica.text import Edit
from thematica.themes.quotes import parse_keep

# Already anonymised: the placeholders must come through untouched.
D = """Interviewer: What was it like at first?

Participant: At first I didn't want [Person 1] in the house. I thought they'd take [my baby]. But she sat on the floor with us.

Interviewer: On the floor?

Participant: Yeah. Right down on the rug. Nobody had done that before.
"""

WHOLE = "At first I didn't want [Person 1] in the house."
SEGMENT = WHOLE + " I thought they'd take [my baby]. But she sat on the floor with us."


@pytest.fixture
def quoted(project, tmp_path):
    (tmp_path / "p.csv").write_text("id\n10\n")
    project.cases.import_table(tmp_path / "p.csv", id_column="id")
    project.sources.add("d.txt", D, case="10")
    project.codes.add("Being seen")
    project.themes.add("Seen")
    start, _ = span(D, "At first")
    _, end = span(D, "done that before.")
    long = project.codings.add("d.txt", "Being seen", start, end, coder="Hannah")
    short = project.codings.add("d.txt", "Being seen", *span(D, SEGMENT), coder="Hannah")
    return project, long.id, short.id


def test_whole_segment_with_attribution_from_the_label_template(quoted):
    project, _, short = quoted
    quote = project.themes.add_quote("Seen", coding=short)
    assert quote.render() == (
        "At first I didn't want [Person 1] in the house. I thought they'd take [my baby]. "
        "But she sat on the floor with us. [Mother 10]"
    )
    assert (quote.id, quote.theme, quote.source, quote.coding, quote.attribution) == (
        1,
        "Seen",
        "d.txt",
        short,
        "Mother 10",
    )
    assert quote.keep == ((0, len(SEGMENT)),)


def test_kept_pieces_join_with_an_elision(quoted):
    project, _, short = quoted
    keep = [(SEGMENT.index("But"), len(SEGMENT)), (0, len(WHOLE))]
    quote = project.themes.add_quote("Seen", coding=short, keep=keep)
    assert quote.text == (
        "At first I didn't want [Person 1] in the house. ... But she sat on the floor with us."
    )
    assert quote.render().endswith("with us. [Mother 10]")
    assert quote.keep == ((0, len(WHOLE)), (SEGMENT.index("But"), len(SEGMENT)))
    # Pieces separated only by white space join without an elision.
    cut = len(WHOLE) + 1
    joined = project.themes.add_quote("Seen", coding=short, keep=[(0, cut), (cut, len(SEGMENT))])
    assert "..." not in joined.text and joined.text == " ".join(SEGMENT.split())


def test_interviewer_turns_are_left_out_unless_asked(quoted):
    project, long, _ = quoted
    quote = project.themes.add_quote("Seen", coding=long)
    assert quote.render() == (
        "At first I didn't want [Person 1] in the house. I thought they'd take [my baby]. "
        "But she sat on the floor with us. ... Yeah. Right down on the rug. Nobody had done "
        "that before. [Mother 10]"
    )
    with_interviewer = project.themes.add_quote("Seen", coding=long, interviewer=True)
    assert with_interviewer.text == (
        "At first I didn't want [Person 1] in the house. I thought they'd take [my baby]. "
        "But she sat on the floor with us. Interviewer: On the floor? Participant: Yeah. "
        "Right down on the rug. Nobody had done that before."
    )
    assert with_interviewer.interviewer
    # Keeping only the interviewer's words, without asking for them, keeps nothing.
    question = D.index("On the floor?") - D.index("At first")
    only = project.themes.add_quote("Seen", coding=long, keep=[(question, question + 13)])
    assert only.text == ""


def test_keep_is_checked(quoted):
    project, _, short = quoted
    with pytest.raises(InvalidInput, match="piece 0:999 is not within the segment"):
        project.themes.add_quote("Seen", coding=short, keep=[(0, 999)])
    with pytest.raises(InvalidInput, match="pieces overlap at 5"):
        project.themes.add_quote("Seen", coding=short, keep=[(0, 10), (5, 20)])
    with pytest.raises(InvalidInput, match="keep at least one piece"):
        project.themes.add_quote("Seen", coding=short, keep=[])
    with pytest.raises(NotFound, match="no coding with id 99"):
        project.themes.add_quote("Seen", coding=99)
    assert parse_keep(["0:10", "20:30"]) == [(0, 10), (20, 30)]
    with pytest.raises(InvalidInput, match="--keep '5' should be START:END"):
        parse_keep(["5"])
    assert project.themes.quotes() == []


def test_list_remove_and_order(quoted):
    project, long, short = quoted
    project.themes.add("Floor")
    project.themes.add_quote("Floor", coding=long)
    project.themes.add_quote("Seen", coding=short, keep=[(0, 8)])
    project.themes.add_quote("Seen", coding=short)
    assert [(q.id, q.theme) for q in project.themes.quotes()] == [
        (2, "Seen"),
        (3, "Seen"),
        (1, "Floor"),
    ]
    assert [q.id for q in project.themes.quotes("Floor")] == [1]
    assert project.themes.get("Seen").quotes == 2
    removed = project.themes.remove_quote(2)
    assert removed.text == "At first"
    assert [q.id for q in project.themes.quotes()] == [3, 1]
    with pytest.raises(NotFound, match="no quote with id 2"):
        project.themes.remove_quote(2)
    project.undo()
    assert [q.id for q in project.themes.quotes()] == [2, 3, 1]
    data = project.themes.quotes()[0].as_dict()
    assert data["quote"] == "At first [Mother 10]" and data["keep"] == [[0, 8]]


def test_a_quote_outlives_its_coding(quoted):
    project, _, short = quoted
    project.themes.add_quote("Seen", coding=short)
    project.codings.remove(short)
    (quote,) = project.themes.quotes()
    assert quote.text.startswith("At first") and quote.coding == short


def test_text_edits_carry_the_quote_and_its_pieces(quoted):
    project, _, short = quoted
    keep = [(0, len(WHOLE)), (SEGMENT.index("But"), len(SEGMENT))]
    project.themes.add_quote("Seen", coding=short, keep=keep)
    start = D.index("[Person 1]")
    before = D.index("Interviewer")
    project.sources.edit_text(
        "d.txt",
        [Edit(before, before, "[Recording starts]\n\n"), Edit(start, start + 10, "[the nurse]")],
    )
    (quote,) = project.themes.quotes()
    assert quote.text == (
        "At first I didn't want [the nurse] in the house. ... But she sat on the floor with us."
    )
    assert quote.start == D.index("At first") + len("[Recording starts]\n\n")
    project.undo()
    assert project.themes.quotes()[0].text.startswith("At first I didn't want [Person 1]")


def test_a_quote_whose_words_are_all_deleted_goes_and_undo_brings_it_back(quoted):
    project, _, short = quoted
    project.themes.add_quote("Seen", coding=short, keep=[(0, len(WHOLE))])
    start, end = span(D, SEGMENT)
    project.sources.edit_text("d.txt", [Edit(start, end, "")])
    assert project.themes.quotes() == []
    project.undo()
    assert project.themes.quotes()[0].text == WHOLE


def test_deleting_only_a_kept_piece_keeps_the_rest(quoted):
    project, _, short = quoted
    keep = [(0, len(WHOLE)), (SEGMENT.index("But"), len(SEGMENT))]
    project.themes.add_quote("Seen", coding=short, keep=keep)
    start, end = span(D, WHOLE)
    project.sources.edit_text("d.txt", [Edit(start, end, "")])
    assert project.themes.quotes()[0].text == "But she sat on the floor with us."


def test_a_joint_interview_attributes_to_the_speaker(study):
    quote = study.themes.add_quote("Place", coding=5)  # across Amy's and Beth's turns
    assert quote.render() == "lovely with us. ... She came to my flat [Mother 3, Mother 4]"
    question = study.themes.add_quote("Hidden", coding=4, interviewer=True)
    assert question.render() == "Did you ever hide things? [c.txt]"
