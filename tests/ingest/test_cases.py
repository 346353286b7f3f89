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
    result = project.cases.import_table(path, id_column="id")
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
    project.cases.import_table(path, "id", types={"code": "text"})
    path.write_text("id,age,code\n1,25,007\n2,30,\n")
    result = project.cases.import_table(path, "id")
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
        project.cases.import_table(path, "id", **kwargs)
    assert project.cases.list() == []


def test_link_to_sources(coded, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("id\n1\n")
    coded.cases.import_table(path, "id")
    coded.cases.link("Mother 1", "interview-01.txt")
    assert coded.cases.get("1").sources == ("interview-01.txt",)
    assert coded.sources.get("interview-01.txt").cases == ("Mother 1",)
    with pytest.raises(InvalidInput, match="Mother 1 is already linked to interview-01.txt"):
        coded.cases.link("1", "interview-01.txt")


def test_ordinal_and_categorical_attributes(project, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(
        "id,education,site,note\n1,Degree,North,a\n2,GCSEs,North,b\n3,Degree,South,c\n4,A levels,North,d\n"
    )
    result = project.cases.import_table(
        path, "id", types={"education": "ordinal:GCSEs|A levels|Degree"}
    )
    assert [(a.name, a.describe()) for a in result.attributes] == [
        ("education", "ordinal: GCSEs < A levels < Degree"),
        ("site", "categorical"),
        ("note", "text"),
    ]
    assert project.cases.attributes()[0].levels == ("GCSEs", "A levels", "Degree")
    path.write_text("id,education\n5,PhD\n")
    with pytest.raises(
        InvalidInput,
        match="'PhD' in column 'education' is not one of 'GCSEs', 'A levels', 'Degree'",
    ):
        project.cases.import_table(path, "id")
    with pytest.raises(InvalidInput, match="needs its distinct values in order"):
        project.cases.import_table(path, "id", types={"education": "ordinal:PhD"})


def test_excel_table_with_a_source_column(coded, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Participant", "Age", "Joined", "Interviews"])
    sheet.append([7, 31, __import__("datetime").date(2025, 3, 2), "interview-01.txt"])
    sheet.append([8, 28.0, None, None])
    book.save(tmp_path / "people.xlsx")
    result = coded.cases.import_table(
        tmp_path / "people.xlsx", "Participant", source_column="Interviews"
    )
    assert [(a.name, a.type) for a in result.attributes] == [("Age", "integer"), ("Joined", "date")]
    assert coded.cases.get("7").sources == ("interview-01.txt",)
    assert coded.cases.get("8").attributes == {"Age": 28, "Joined": None}


def test_bad_excel_files(project, tmp_path):
    (tmp_path / "fake.xlsx").write_text("id,age\n1,2\n")
    with pytest.raises(
        InvalidInput, match="fake.xlsx is not a valid Excel file \\(not a zip archive\\)"
    ):
        project.cases.import_table(tmp_path / "fake.xlsx", "id")


def test_two_participants_in_one_interview(project, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("id\n1\n2\n")
    project.cases.import_table(path, "id")
    project.sources.add("group.txt", "I: Both of you?\nP1: Me first.\nP2: Then me.\nP1: Again.\n")
    project.codes.add("Talk")
    project.cases.link("1", "group.txt", speaker="P1")
    project.cases.link("2", "group.txt", speaker="P2")
    with pytest.raises(
        InvalidInput, match="no turns by 'P3' in group.txt; its speakers are: I, P1, P2"
    ):
        project.cases.link("2", "group.txt", speaker="P3")
    text = project.sources.text("group.txt")
    for words in ("Me first.", "Then me.", "Again."):
        start = text.index(words)
        project.codings.add("group.txt", "Talk", start, start + len(words))
    assert [s.case for s in project.segments("Talk")] == ["Mother 1", "Mother 2", "Mother 1"]
    assert project.cases.get("2").sources == ("group.txt",)


def test_link_by_file_name_pattern(project, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("id\n1\n10\n")
    project.cases.import_table(path, "id")
    project.sources.add("interview-01.txt", "P: one")
    project.sources.add("interview-10.txt", "P: ten")
    project.sources.add("notes.txt", "P: none")
    assert project.cases.link_by_pattern(r"interview-(?P<id>\d+)") == [
        ("Mother 1", "interview-01.txt"),
        ("Mother 10", "interview-10.txt"),
    ]
    with pytest.raises(InvalidInput, match="needs a group named id"):
        project.cases.link_by_pattern(r"interview-\d+")
    with pytest.raises(InvalidInput, match="no source name matches"):
        project.cases.link_by_pattern(r"zzz-(?P<id>\d+)")
