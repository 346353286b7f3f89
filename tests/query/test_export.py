"""Exports opened by the programs that read them: csv, openpyxl, python-docx."""

import csv

import docx
import pytest
from openpyxl import load_workbook

from thematica.errors import InvalidInput
from thematica.query.export import XLSX_CELL_LIMIT, export_table
from thematica.query.passages import COLUMNS


@pytest.fixture
def result(sqlite_study):
    return sqlite_study.query.coding("Judged", context=10)


def test_passages_as_csv(result, tmp_path):
    path = result.save(tmp_path / "judged.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == list(COLUMNS)
    assert [r[0] for r in rows[1:]] == ["a.txt", "b.txt"]
    assert rows[2][3:5] == ["Mother 2", "Participant"]
    assert rows[2][8] == "I felt judged by my mum."
    assert rows[2][6] == "Relationship/Judged"


def test_passages_as_xlsx(result, tmp_path):
    sheet = load_workbook(result.save(tmp_path / "judged.xlsx")).active
    assert sheet.title == "Coding query Judged"
    assert [c.value for c in sheet[1]][:3] == ["source", "start", "end"]
    assert sheet.cell(3, 9).value == "I felt judged by my mum."
    assert sheet.freeze_panes == "B2"


def test_passages_as_markdown(result, tmp_path):
    assert result.save(tmp_path / "judged.md").read_text(encoding="utf-8") == (
        "# Coding query: Judged\n\n"
        "## a.txt [194, 241) · Mother 1\n\n"
        "> …ticipant: **The therapist was warm. I felt judged at first.** Later I t…\n\n"
        "Codes: Relationship/Judged\n\n"
        "## b.txt [105, 129) · Mother 2\n\n"
        "> …was kind. **I felt judged by my mum.**\n\n"
        "Codes: Relationship/Judged\n"
    )


def test_passages_as_docx(result, tmp_path):
    document = docx.Document(result.save(tmp_path / "judged.docx"))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert paragraphs[0] == ("Heading 1", "Coding query: Judged")
    assert paragraphs[1][0] == "Heading 2" and paragraphs[1][1].startswith("a.txt [")
    body = document.paragraphs[2]
    assert [r.bold for r in body.runs] == [None, True, None]
    assert body.runs[1].text == "The therapist was warm. I felt judged at first."


def test_matrix_in_every_format(sqlite_study, tmp_path):
    matrix = sqlite_study.query.matrix(["Route", "Judged"])
    with matrix.save(tmp_path / "m.csv").open(encoding="utf-8") as handle:
        assert list(csv.reader(handle)) == [
            ["code", "Mother 1", "Mother 2"],
            ["Referral/Route", "1", "1"],
            ["Relationship/Judged", "2", "1"],
        ]
    sheet = load_workbook(matrix.save(tmp_path / "m.xlsx")).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["code", "Mother 1", "Mother 2"],
        ["Referral/Route", 1, 1],
        ["Relationship/Judged", 2, 1],
    ]
    assert matrix.save(tmp_path / "m.md").read_text(encoding="utf-8") == (
        "# Codes by case (codings)\n\n"
        "| code | Mother 1 | Mother 2 |\n"
        "| --- | ---: | ---: |\n"
        "| Referral/Route | 1 | 1 |\n"
        "| Relationship/Judged | 2 | 1 |\n"
    )
    table = docx.Document(matrix.save(tmp_path / "m.docx")).tables[0]
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["code", "Mother 1", "Mother 2"],
        ["Referral/Route", "1", "1"],
        ["Relationship/Judged", "2", "1"],
    ]


def test_search_hits_and_word_counts(sqlite_study, tmp_path):
    hits = sqlite_study.query.search('"social worker"').save(tmp_path / "hits.csv")
    assert hits.read_text(encoding="utf-8").count("social worker") >= 2
    words = sqlite_study.query.words(top=2).save(tmp_path / "words.md")
    assert (
        words.read_text(encoding="utf-8").splitlines()[2]
        == "| word | count | sources | participants |"
    )


def test_long_cells_and_bad_names(tmp_path):
    path = export_table(tmp_path / "long.xlsx", "Long", ["a"], [["x" * (XLSX_CELL_LIMIT + 10)]])
    value = load_workbook(path).active.cell(2, 1).value
    assert len(value) == XLSX_CELL_LIMIT and value.endswith("[cut: too long for one Excel cell]")
    with pytest.raises(
        InvalidInput, match="cannot write m.pdf: use a .csv, .xlsx, .md or .docx file name"
    ):
        export_table(tmp_path / "m.pdf", "M", ["a"], [])
    with pytest.raises(InvalidInput, match="folder .*nowhere does not exist"):
        export_table(tmp_path / "nowhere" / "m.csv", "M", ["a"], [])
