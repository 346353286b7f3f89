import pytest

from thematica.errors import InvalidInput, NotFound
from thematica.query.filters import Filter

ROWS = (
    "Referral",
    "Referral/Route",
    "Referral/Waiting",
    "Relationship",
    "Relationship/Warmth",
    "Relationship/Judged",
    "Relationship/Trust",
)


def grid(matrix):
    return {row: [matrix.cell(row, c) for c in matrix.columns] for row in matrix.rows}


def test_codes_by_case(study):
    matrix = study.query.matrix()
    assert matrix.rows == ROWS
    assert matrix.columns == ("Mother 1", "Mother 2")  # Mother 3 has no interview
    assert grid(matrix) == {
        "Referral": [1, 0],
        "Referral/Route": [1, 1],  # the interviewer's coded question is not counted
        "Referral/Waiting": [1, 0],
        "Relationship": [0, 0],
        "Relationship/Warmth": [1, 1],
        "Relationship/Judged": [2, 1],  # Hannah's and Dev's
        "Relationship/Trust": [1, 0],
    }
    with_children = study.query.matrix(["Referral", "Relationship"], children=True)
    assert grid(with_children) == {"Referral": [3, 1], "Relationship": [4, 2]}
    assert grid(study.query.matrix(["Judged"], count="sources")) == {"Relationship/Judged": [1, 1]}
    assert grid(study.query.matrix(["Judged"], where=Filter(coder="Dev"))) == {
        "Relationship/Judged": [1, 0]
    }


def test_codes_by_attribute_values(study, tmp_path):
    by_diagnosis = study.query.matrix(["Judged"], by="attribute:diagnosis", count="participants")
    assert by_diagnosis.columns == ("Anxiety", "Depression")
    assert grid(by_diagnosis) == {"Relationship/Judged": [1, 1]}
    # Ordinal values in their order; yes/no as yes and no.
    assert study.query.matrix(by="attribute:education").columns == ("GCSEs", "Degree")
    assert study.query.matrix(by="attribute:partner").columns == ("no", "yes")
    # A participant without a value falls under (missing).
    study.sources.add("c.txt", "Participant: I felt judged too.\n", case="3")
    study.codings.add("c.txt", "Judged", 13, 30, coder="Hannah")
    by_age = study.query.matrix(["Judged"], by="attribute:age")
    assert by_age.columns == ("22", "31", "(missing)")
    assert grid(by_age) == {"Relationship/Judged": [2, 1, 1]}


def test_segments_in_the_cells(study):
    matrix = study.query.matrix(["Trust", "Route"], by="attribute:diagnosis", count="segments")
    cell = matrix.cell("Relationship/Trust", "Depression")
    assert [(p.source, p.text, p.cases) for p in cell] == [
        ("a.txt", "Later I trusted her.", ["Mother 1"])
    ]
    assert [p.text for p in matrix.cell("Referral/Route", "Anxiety")] == [
        "My GP sent the referral."
    ]
    assert matrix.cell("Relationship/Trust", "Anxiety") == []
    header, rows = matrix.table()
    assert header == ["code", "Anxiety", "Depression"]
    assert rows[0][2].endswith("] Later I trusted her.")


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        (
            "overlap",
            {
                "Referral": [1, 0, 1, 0, 0, 0, 0],
                "Referral/Route": [0, 2, 0, 0, 0, 0, 0],
                "Referral/Waiting": [1, 0, 1, 0, 0, 0, 0],
                "Relationship": [0, 0, 0, 0, 0, 0, 0],
                "Relationship/Warmth": [0, 0, 0, 0, 2, 1, 0],
                "Relationship/Judged": [0, 0, 0, 0, 1, 2, 0],
                "Relationship/Trust": [0, 0, 0, 0, 0, 0, 1],
            },
        ),
        (
            "turn",
            {
                "Referral": [1, 1, 1, 0, 0, 0, 0],
                "Referral/Route": [1, 2, 1, 0, 1, 1, 0],
                "Referral/Waiting": [1, 1, 1, 0, 0, 0, 0],
                "Relationship": [0, 0, 0, 0, 0, 0, 0],
                "Relationship/Warmth": [0, 1, 0, 0, 2, 2, 1],
                "Relationship/Judged": [0, 1, 0, 0, 2, 2, 1],
                "Relationship/Trust": [0, 0, 0, 0, 1, 1, 1],
            },
        ),
    ],
)
def test_cooccurrence_counts(study, by, expected):
    matrix = study.query.matrix(by=by)
    assert matrix.columns == ROWS
    assert grid(matrix) == expected


def test_cooccurrence_by_participants_and_segments(study):
    shared = study.query.matrix(["Warmth", "Judged"], by="turn", count="participants")
    assert grid(shared) == {"Relationship/Warmth": [2, 2], "Relationship/Judged": [2, 2]}
    places = study.query.matrix(["Warmth", "Judged"], by="overlap", count="segments")
    assert [p.text for p in places.cell("Relationship/Warmth", "Relationship/Judged")] == [
        "The therapist was warm."
    ]


def test_as_a_data_frame(study):
    frame = study.query.matrix(["Route", "Judged"]).to_frame()
    assert frame.index.name == "code"
    assert frame.to_dict() == {
        "Mother 1": {"Referral/Route": 1, "Relationship/Judged": 2},
        "Mother 2": {"Referral/Route": 1, "Relationship/Judged": 1},
    }


def test_bad_matrices(sqlite_study):
    with pytest.raises(InvalidInput, match="unknown count 'words': use codings, sources"):
        sqlite_study.query.matrix(count="words")
    with pytest.raises(InvalidInput, match="unknown matrix 'attribute': use case, attribute:NAME"):
        sqlite_study.query.matrix(by="attribute")
    with pytest.raises(NotFound, match="unknown attribute 'diagnoses' \\(did you mean 'diagnosis'"):
        sqlite_study.query.matrix(by="attribute:diagnoses")
    with pytest.raises(NotFound, match="unknown code 'Warmht'"):
        sqlite_study.query.matrix(["Warmht"])


def test_without_pandas_the_frame_says_what_to_install(sqlite_study, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now fails
    with pytest.raises(
        InvalidInput, match=r"pandas is not installed: pip install 'thematica\[query\]'"
    ):
        sqlite_study.query.matrix(["Route"]).to_frame()
