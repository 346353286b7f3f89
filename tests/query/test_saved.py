import pytest

from tests.query.conftest import A, texts
from thematica.errors import InvalidInput, NotFound
from thematica.query.filters import Filter


def test_save_run_and_forget(study):
    saved = study.query.save(
        "Young, judged",
        "coding",
        "Judged",
        Filter(where="age <= 25"),
        "for the paper",
        children=True,
    )
    assert saved.as_dict() | {"created": None} == {
        "name": "Young, judged",
        "kind": "coding",
        "query": "Judged",
        "filter": {"where": "age <= 25"},
        "options": {"children": True},
        "description": "for the paper",
        "author": "tester",
        "created": None,
    }
    assert texts(study.query.run("Young, judged").passages) == [
        ("a.txt", "The therapist was warm. I felt judged at first.")
    ]
    # A run reads the project as it is now.
    start = A.index("Later I")
    study.codings.add("a.txt", "Judged", start, start + 5, coder="Hannah")
    assert texts(study.query.run("Young, judged").passages)[-1] == ("a.txt", "Later")
    study.query.save("Words", "words", where=Filter(cases=("2",)), top=2)
    assert [w.word for w in study.query.run("Words").words] == ["gp", "sent"]
    study.query.save("By diagnosis", "matrix", by="attribute:diagnosis", count="participants")
    assert study.query.run("By diagnosis").columns == ("Anxiety", "Depression")
    study.query.save("Social", "search", '"social worker"', context=5)
    assert len(study.query.run("Social").hits) == 2
    assert [q.name for q in study.query.saved()] == [
        "By diagnosis",
        "Social",
        "Words",
        "Young, judged",
    ]

    log = [(e.action, e.target, e.after) for e in study.log(3)]
    assert log == [
        ("run query", "Social", {"hits": 2}),
        (
            "save query",
            "Social",
            {"kind": "search", "query": '"social worker"', "filter": {}, "options": {"context": 5}},
        ),
        ("run query", "By diagnosis", {"rows": 7, "columns": 2}),
    ]
    assert study.query.forget("Social").kind == "search"
    # Undo passes over the runs: it takes back the forgetting, then the saving.
    study.undo()
    assert len(study.query.saved()) == 4
    study.undo()
    assert [q.name for q in study.query.saved()] == ["By diagnosis", "Words", "Young, judged"]


def test_saving_mistakes(sqlite_study):
    project = sqlite_study
    with pytest.raises(InvalidInput, match="coding query 'Judged AND': expected a code name"):
        project.query.save("Bad", "coding", "Judged AND")
    with pytest.raises(InvalidInput, match="unknown kind of query 'report'"):
        project.query.save("Bad", "report", "Judged")
    with pytest.raises(
        InvalidInput, match="a coding query has no option 'top'; it takes children, context"
    ):
        project.query.save("Bad", "coding", "Judged", top=3)
    with pytest.raises(InvalidInput, match="a matrix query takes no query text"):
        project.query.save("Bad", "matrix", "Judged")
    with pytest.raises(InvalidInput, match="a saved query needs a name"):
        project.query.save("  ", "coding", "Judged")
    project.query.save("Judged", "coding", "Judged")
    with pytest.raises(InvalidInput, match="a saved query named 'Judged' already exists"):
        project.query.save("Judged", "coding", "Trust")
    with pytest.raises(
        NotFound, match="unknown saved query 'Juged' \\(did you mean 'Judged'\\?\\)"
    ):
        project.query.run("Juged")
    assert project.query.saved()[0].filter == Filter()


def test_ask_runs_each_kind_as_its_method_does(sqlite_study):
    queries, only = sqlite_study.query, Filter(coder="Hannah")
    assert queries.ask("coding", "Judged", only, context=5) == queries.coding(
        "Judged", only, context=5
    )
    assert queries.ask("search", "judged", only) == queries.search("judged", only)
    assert queries.ask("words", where=only, top=3) == queries.words(only, top=3)
    assert queries.ask("matrix", by="turn").as_dict() == queries.matrix(by="turn").as_dict()
    with pytest.raises(InvalidInput, match="unknown kind of query 'report'"):
        queries.ask("report", "Judged")
