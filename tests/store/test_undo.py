"""Every change is one audit event, and undo walks back through them exactly."""

import pytest
from sqlalchemy import select

from thematica import InvalidInput
from thematica.store.schema import TABLES


def snapshot(project):
    with project.read() as conn:
        return {
            name: sorted(tuple(row) for row in conn.execute(select(table)))
            for name, table in TABLES.items()
            if name != "audit"
        }


def test_undo_restores_each_previous_state(coded, tmp_path):
    project = coded
    participants = tmp_path / "p.csv"
    participants.write_text("id,age\n1,24\n2,31\n")
    states = [snapshot(project)]
    steps = [
        lambda: project.cases.import_table(participants, "id"),
        lambda: project.cases.link("1", "interview-01.txt"),
        lambda: project.codings.add_quote(
            "interview-01.txt", "Warmth", "she was really kind to me"
        ),
        lambda: project.codings.add_quote(
            "interview-01.txt", "Feeling mothered", "looking after me"
        ),
        lambda: project.memos.add("Note on a coding", coding=1),
        lambda: project.codes.rename("Warmth", "Kindness"),
        lambda: project.codes.merge("Kindness", "Feeling mothered"),
        lambda: project.codes.move("Feeling mothered", None),
        lambda: project.codes.delete("Therapist relationship"),
        lambda: project.codings.remove(2),
        lambda: project.codes.delete("Feeling mothered", force=True),
    ]
    for step in steps:
        step()
        states.append(snapshot(project))
    for expected in reversed(states[:-1]):
        project.undo()
        assert snapshot(project) == expected
    for _ in range(5):  # the fixture's source and four codes
        project.undo()
    assert all(not rows for name, rows in snapshot(project).items() if name != "setting")
    with pytest.raises(InvalidInput, match="nothing to undo: the last change, 'create project'"):
        project.undo()


def test_log_records_who_what_and_undo_links(coded):
    coded.codings.add("interview-01.txt", "Warmth", 10, 20, coder="Hannah")
    event = coded.undo()
    latest, undone = coded.log(2)
    assert latest.action == "undo"
    assert latest.target == f"event {event.id}: code interview-01.txt [10, 20)"
    assert undone.undone_by == latest.id
    assert undone.actor == "tester"
    assert undone.after["coder"] == "Hannah"


def test_failed_change_leaves_nothing_behind(coded):
    before = snapshot(coded)
    events = len(coded.log(None))
    with pytest.raises(InvalidInput):
        coded.codings.add("interview-01.txt", "Warmth", 5, 10**6)
    assert snapshot(coded) == before
    assert len(coded.log(None)) == events
