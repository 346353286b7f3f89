from datetime import date

import pytest

from thematica import InvalidInput

CSV = (
    "id,age,diagnosis,partner,children,first_contact,score\n"
    "3,24,Postnatal depression,yes,1,2025-03-02,4.5\n"
    "10,31,Anxiety,no,2,2025-04-11,3\n"
)


def test_import_infers_types_and_labels(project, tmp_path):
    path = tmp_path / "participants.csv"
    path.write_text(CSV)
    result = project.cases.import_csv(path, id_column="id")
    assert [(a.name, a.type) for a in result.attributes] == [
        ("age", "integer"),
        ("diagnosis", "text"),
        ("partner", "boolean"),
        ("children", "integer"),
        ("first_contact", "date"),
        ("score", "number"),
    ]
    case = project.cases.get("Mother 3")
    assert case.key == "3"
    assert case.attributes == {
        "age": 24,
        "diagnosis": "Postnatal depression",
        "partner": True,
        "children": 1,
        "first_contact": date(2025, 3, 2),
        "score": 4.5,
    }
    assert [c.label for c in project.cases.list()] == ["Mother 3", "Mother 10"]


def test_reimport_updates_values_and_explicit_types(project, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("id,age,code\n1,24,007\n")
    project.cases.import_csv(path, "id", types={"code": "text"})
    path.write_text("id,age,code\n1,25,007\n2,30,\n")
    result = project.cases.import_csv(path, "id")
    assert (result.created, result.updated) == (1, 1)
    assert project.cases.get("1").attributes == {"age": 25, "code": "007"}
    assert project.cases.get("2").attributes == {"age": 30, "code": None}


@pytest.mark.parametrize(
    ("content", "kwargs", "message"),
    [
        ("name,age\nA,3\n", {}, "has no column 'id'; its columns are: name, age"),
        ("id,age\n1,3\n1,4\n", {}, "id '1' appears twice \\(lines 2 and 3\\)"),
        ("id,age\n,3\n", {}, "line 2: the 'id' cell is empty"),
        (
            "id,age\n1,x\n",
            {"types": {"age": "integer"}},
            "line 2: 'x' in column 'age' is not an integer",
        ),
        ("id,age\n1,3\n", {"types": {"age": "colour"}}, "unknown type 'colour'"),
        ("id,age\n1,3\n", {"types": {"sex": "text"}}, "--type names a column that is not in"),
        ("", {}, "is empty: expected a header row"),
    ],
)
def test_bad_case_files(project, tmp_path, content, kwargs, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(InvalidInput, match=message):
        project.cases.import_csv(path, "id", **kwargs)
    assert project.cases.list() == []


def test_link_to_sources(coded, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("id\n1\n")
    coded.cases.import_csv(path, "id")
    coded.cases.link("Mother 1", "interview-01.txt")
    assert coded.cases.get("1").sources == ("interview-01.txt",)
    assert coded.sources.get("interview-01.txt").cases == ("Mother 1",)
    with pytest.raises(InvalidInput, match="Mother 1 is already linked to interview-01.txt"):
        coded.cases.link("1", "interview-01.txt")
