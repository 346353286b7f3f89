import pytest

from tests.query.conftest import texts
from thematica.errors import InvalidInput, NotFound
from thematica.query.filters import Filter


def test_static_sets_scope_a_query(study):
    pilot = study.sets.add("Pilot", "source", ["b.txt"], description="first interview")
    assert (pilot.members, pilot.dynamic, pilot.described()) == (("b.txt",), False, "static")
    assert texts(study.query.coding("Judged", Filter(source_sets=("Pilot",))).passages) == [
        ("b.txt", "I felt judged by my mum.")
    ]
    cases = study.sets.add("Two", "case", ["1", "Mother 3"])
    assert cases.members == ("Mother 1", "Mother 3")
    assert study.sets.add_members("Two", ["2"]).members == ("Mother 1", "Mother 2", "Mother 3")
    assert study.sets.remove_members("Two", ["Mother 1"]).members == ("Mother 2", "Mother 3")
    study.undo()
    assert study.sets.get("Two").members == ("Mother 1", "Mother 2", "Mother 3")


def test_dynamic_sets_follow_the_project(study):
    young = study.sets.define("Young", "case", Filter(where="age <= 25"))
    assert young.members == ("Mother 1",)
    assert young.described() == "where=age <= 25"
    referred = study.sets.define("Waited", "case", coded="Waiting")
    assert referred.members == ("Mother 1",)
    assert referred.described() == "coded Referral/Waiting"
    # Coded content follows new codings, and renaming the code keeps the set.
    study.codings.add("b.txt", "Waiting", *_span("My GP sent"), coder="Hannah")
    study.codes.rename("Waiting", "Waited for weeks")
    assert study.sets.get("Waited").members == ("Mother 1", "Mother 2")
    # With sub-codes, and only in a coder's layer.
    by_dev = study.sets.define(
        "Judged by Dev", "case", Filter(coder="Dev"), coded="Relationship", children=True
    )
    assert by_dev.members == ("Mother 1",)
    # A set of sources from coded content, and a set defined through another set.
    assert study.sets.define("Referral talk", "source", coded="Referral").members == ("a.txt",)
    assert study.sets.define(
        "Young waiters", "case", Filter(case_sets=("Young", "Waited"))
    ).members == (
        "Mother 1",
        "Mother 2",
    )


def test_a_scoped_sub_study(study):
    study.sets.define("Waited", "case", coded="Waiting")
    scoped = Filter(case_sets=("Waited",), within="Relationship")
    assert texts(study.query.coding("Judged OR Trust", scoped).passages) == [
        ("a.txt", "The therapist was warm. I felt judged at first."),
        ("a.txt", "Later I trusted her."),
    ]
    assert [w.word for w in study.query.words(scoped, top=2).words] == ["therapist", "warm"]


def test_set_mistakes(study):
    study.sets.add("Pilot", "source", ["a.txt"])
    with pytest.raises(InvalidInput, match="a set named 'Pilot' already exists"):
        study.sets.add("Pilot", "case", ["1"])
    with pytest.raises(InvalidInput, match="set 'Pilot' is a set of sources, not of cases"):
        study.query.coding("Judged", Filter(case_sets=("Pilot",)))
    with pytest.raises(NotFound, match="unknown set 'Pilto' \\(did you mean 'Pilot'\\?\\)"):
        study.sets.get("Pilto")
    with pytest.raises(InvalidInput, match="unknown kind of set 'people'"):
        study.sets.add("People", "people", [])
    with pytest.raises(NotFound, match="unknown source 'z.txt'"):
        study.sets.add("Z", "source", ["z.txt"])
    study.sets.define("Young", "case", Filter(where="age <= 25"))
    with pytest.raises(InvalidInput, match="is worked out from its definition"):
        study.sets.add_members("Young", ["2"])
    with pytest.raises(
        InvalidInput, match="set 'Loop' is defined in terms of itself \\(Loop -> Loop\\)"
    ):
        study.sets.define("Loop", "case", Filter(case_sets=("Loop",)))
    with pytest.raises(InvalidInput, match="filter 'age <= ': expected a value"):
        study.sets.define("Broken", "case", Filter(where="age <= "))
    study.codes.add("Gone")
    study.sets.define("Coded gone", "case", coded="Gone")
    study.codes.delete("Gone")
    with pytest.raises(InvalidInput, match="defined by code 'Gone', which no longer exists"):
        study.sets.get("Coded gone")


def test_deleting_and_undoing(study):
    study.sets.add("Pilot", "source", ["a.txt", "b.txt"])
    assert study.sets.delete("Pilot").members == ("a.txt", "b.txt")
    assert study.sets.list() == []
    study.undo()
    assert [s.name for s in study.sets.list()] == ["Pilot"]
    assert [e.action for e in study.log(3)] == ["undo", "delete set", "add set"]


def _span(quote):
    from tests.query.conftest import B

    start = B.index(quote)
    return start, start + len(quote)


def test_a_withdrawn_participant_leaves_every_set(study, tmp_path):
    study.sets.add("Pilot", "source", ["a.txt", "b.txt"])
    study.sets.add("Two", "case", ["1", "2"])
    study.cases.withdraw("2", without_key=True)  # Mother 2, whose b.txt is the newest source
    assert study.sets.get("Two").members == ("Mother 1",)
    assert study.sets.get("Pilot").members == ("a.txt",)
    # A source added later may take the withdrawn one's id: it joins no set by it.
    (tmp_path / "new.txt").write_text("Interviewer: Hello?\n\nParticipant: Hi.\n")
    study.sources.add_file(tmp_path / "new.txt")
    assert "new.txt" not in study.sets.get("Pilot").members
