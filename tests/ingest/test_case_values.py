"""One participant's value of one attribute, set through the API: typed like an import,
one audit event that undo reverts, and nothing recorded when nothing changes."""

from datetime import date

import pytest

from thematica import InvalidInput, NotFound
from thematica.ingest.cases import shown

CSV = (
    "id,age,partner,score,first_contact,site,note,education\n"
    "3,24,yes,4.5,2025-03-02,Leeds,quiet,GCSEs\n"
    "10,31,no,3,2025-04-11,Leeds,late,Degree\n"
)


@pytest.fixture
def people(project, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(CSV, encoding="utf-8")
    project.cases.import_table(
        path,
        "id",
        types={"site": "categorical", "education": "ordinal:GCSEs|A levels|Degree"},
    )
    return project


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("age", "25", 25),
        ("age", 26, 26),
        ("age", " +27 ", 27),
        ("partner", "No", False),
        ("partner", True, True),
        ("score", "2.25", 2.25),
        ("first_contact", date(2025, 5, 1), date(2025, 5, 1)),
        ("first_contact", "2025-05-02", date(2025, 5, 2)),
        ("site", "York", "York"),
        ("note", "  talks fast ", "talks fast"),
        ("education", "A levels", "A levels"),
        ("age", "", None),
        ("site", None, None),
    ],
)
def test_a_value_of_each_type(people, name, value, expected):
    made = people.cases.set_value("Mother 3", name, value)
    assert made.attributes[name] == expected
    assert people.cases.get("3").attributes[name] == expected
    assert people.cases.get("10").attributes == {
        "age": 31, "partner": False, "score": 3.0, "first_contact": date(2025, 4, 11),
        "site": "Leeds", "note": "late", "education": "Degree",
    }  # fmt: skip


def test_one_event_and_undo(people):
    before = len(people.log(None))
    people.cases.set_value("3", "education", "Degree")
    event = people.log(1)[0]
    assert (event.action, event.target, event.actor) == (
        "set attribute",
        "Mother 3: education",
        "tester",
    )
    assert (event.before, event.after, event.undoable) == (
        {"education": "GCSEs"},
        {"education": "Degree"},
        True,
    )
    assert len(people.log(None)) == before + 1
    people.undo()
    assert people.cases.get("3").attributes["education"] == "GCSEs"


def test_a_value_where_there_was_none_and_undo(people, tmp_path):
    path = tmp_path / "more.csv"
    path.write_text("id,age\n4,\n", encoding="utf-8")
    people.cases.import_table(path, "id")
    assert "partner" not in people.cases.get("4").attributes  # no row for it yet
    people.cases.set_value("4", "partner", "yes")
    assert people.cases.get("4").attributes["partner"] is True
    people.undo()
    assert "partner" not in people.cases.get("4").attributes


def test_the_same_value_records_nothing(people):
    before = people.log(None)
    people.cases.set_value("3", "age", "24")
    people.cases.set_value("3", "partner", "Y")
    assert people.log(None) == before


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("age", "24.5", "Mother 3's age: '24.5' is not an integer; type one, or leave the cell empty for no value"),
        ("age", True, "Mother 3's age: 'yes' is not an integer"),
        ("partner", "maybe", "Mother 3's partner: 'maybe' is not yes or no"),
        ("score", "nan", "Mother 3's score: 'nan' is not a number"),
        ("score", "inf", "Mother 3's score: 'inf' is not a number"),
        ("first_contact", "02/03/2025", "Mother 3's first_contact: '02/03/2025' is not a date \\(YYYY-MM-DD\\)"),
        ("education", "degree", "Mother 3's education: 'degree' is not one of 'GCSEs', 'A levels', 'Degree'"),
    ],
)  # fmt: skip
def test_a_value_of_the_wrong_type_is_refused(people, name, value, message):
    before = people.log(None)
    with pytest.raises(InvalidInput, match=f"^{message}"):
        people.cases.set_value("3", name, value)
    assert people.log(None) == before
    assert people.cases.get("3").attributes["age"] == 24


def test_unknown_case_or_attribute(people):
    with pytest.raises(NotFound, match="^unknown case 'Mother 4' \\(did you mean 'Mother 3'"):
        people.cases.set_value("Mother 4", "age", "3")
    with pytest.raises(NotFound, match="^unknown attribute 'ages' \\(did you mean 'age'\\?\\)"):
        people.cases.set_value("3", "ages", "3")


def test_an_import_refuses_numbers_that_are_not_finite(project, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("id,score\n1,2.5\n2,inf\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="line 3: 'inf' in column 'score' is not a number"):
        project.cases.import_table(path, "id", types={"score": "number"})


def test_shown_is_what_set_value_takes_back(people):
    case = people.cases.get("3")
    for name, value in case.attributes.items():
        people.cases.set_value("3", name, shown(value))
    assert people.cases.get("3") == case
