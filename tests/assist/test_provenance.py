"""Accepting a suggestion: a coding by the person who accepted it, with a record of the
suggestion, in one undoable event; counted for reports."""

import pytest
from sqlalchemy import select

from thematica.assist.provenance import count_accepted
from thematica.errors import InvalidInput, NotFound
from thematica.store.schema import accepted_suggestion


def records(project):
    with project.read() as conn:
        return [dict(r) for r in conn.execute(select(accepted_suggestion)).mappings()]


def test_accepting_codes_as_the_person_and_records_the_suggestion(demo_any, static):
    project = demo_any
    found = project.assist.similar(code="Feeling mothered", limit=3, model="minilm-static")
    chosen = found.passages[0]
    codings = len(project.codings.list())
    made = project.assist.accept(
        chosen.source, chosen.start, chosen.end, "Feeling mothered", model="minilm-static"
    )
    assert (made.coding.coder, made.coding.code, made.coding.provenance) == (
        "tester", "The therapist relationship/Feeling mothered", "assist:minilm-static",
    )  # fmt: skip
    assert (made.coding.start, made.coding.end, made.coding.text) == (
        chosen.start, chosen.end, chosen.text,
    )  # fmt: skip
    # The model's similarity is recorded: a fused score depends on every other passage.
    assert made.score == chosen.similarity and made.basis == found.basis
    (record,) = records(project)
    assert record == {
        "id": record["id"],
        "coding_id": made.coding.id,
        "model": "minilm-static",
        "model_hash": static.hash,
        "score": chosen.similarity,
        "basis": "code The therapist relationship/Feeling mothered",
        "accepted_by": "tester",
        "at": made.at,
    }
    assert len(project.codings.list()) == codings + 1
    event = project.log(limit=1)[0]
    assert (event.action, event.actor, event.after["score"]) == (
        "accept suggestion", "tester", chosen.similarity,
    )  # fmt: skip
    assert count_accepted(project) == project.assist.accepted() == 1
    assert project.assist.accepted(code="Feeling mothered", coder="tester") == 1
    assert project.assist.accepted(code="Warmth") == 0
    # The passage is coded now: it is not offered again.
    again = project.assist.similar(code="Feeling mothered", limit=3, model="minilm-static")
    assert (chosen.source, chosen.start) not in {(p.source, p.start) for p in again.passages}
    project.undo()
    assert records(project) == [] and len(project.codings.list()) == codings


def test_accepting_a_passage_found_from_one_coding(demo, static):
    seed = demo.segments("Chasing the referral", context=0)[0]
    chosen = demo.assist.similar(coding=seed.coding, limit=1).passages[0]
    made = demo.assist.accept(
        chosen.source, chosen.start, chosen.end, "Chasing the referral", like=seed.coding,
        coder="Hannah",
    )  # fmt: skip
    assert (made.basis, made.score, made.coding.coder) == (
        f"coding {seed.coding}", chosen.similarity, "Hannah",
    )  # fmt: skip
    with pytest.raises(InvalidInput, match=f"coding {seed.coding} is coded .*Chasing the referral"):
        demo.assist.accept(chosen.source, 0, 50, "Warmth", like=seed.coding)


def test_a_removed_coding_is_no_longer_counted(demo, static):
    chosen = demo.assist.similar(code="Warmth", limit=1).passages[0]
    made = demo.assist.accept(chosen.source, chosen.start, chosen.end, "Warmth")
    demo.codings.remove(made.coding.id)
    assert demo.assist.accepted() == 0
    assert len(records(demo)) == 1  # the history stays


def test_nothing_is_accepted_twice_or_out_of_range(demo, static):
    chosen = demo.assist.similar(code="Warmth", limit=1).passages[0]
    demo.assist.accept(chosen.source, chosen.start, chosen.end, "Warmth")
    log = [e.id for e in demo.log(limit=None)]
    with pytest.raises(InvalidInput, match="is already coded The therapist relationship/Warmth"):
        demo.assist.accept(chosen.source, chosen.start, chosen.end, "Warmth")
    with pytest.raises(InvalidInput, match="out of range"):
        demo.assist.accept(chosen.source, 10, 10**7, "Warmth")
    with pytest.raises(NotFound, match="unknown code 'Wamrth'"):
        demo.assist.accept(chosen.source, chosen.start, chosen.end, "Wamrth")
    with pytest.raises(NotFound, match="unknown source"):
        demo.assist.accept("interview-99.txt", 0, 10, "Warmth")
    assert [e.id for e in demo.log(limit=None)] == log
    assert len(records(demo)) == 1
