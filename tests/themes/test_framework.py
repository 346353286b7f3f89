"""The framework matrix of the hand-counted study (tests/themes/conftest.py)."""

import csv

import pytest
from openpyxl import load_workbook

from tests.themes.conftest import A, B, C, span
from thematica import InvalidInput, NotFound


def line(name, text, words):
    start, end = span(text, words)
    return f"[{name} {start}-{end}] {' '.join(words.split())}"


KIND = line("a.txt", A, "She was kind to me.")
HID = line("a.txt", A, "I hid how I felt")
TEAM = line("a.txt", A, "And the team?")
NURSE = line("c.txt", C, "The nurse was lovely with us.")
VISITS = line("c.txt", C, "lovely with us.\n\nBeth: She came to my flat")


def test_cells_hold_each_participants_segments_and_summary(study):
    study.themes.summarise("Trust", "Mother 1", "Kindness first, then hiding.")
    matrix = study.themes.framework(coder="Hannah")
    assert matrix.themes == ("Trust", "Place")
    assert matrix.cases == ("Mother 1", "Mother 2", "Mother 3", "Mother 4")
    texts = {key: cell.text() for key, cell in matrix.cells.items()}
    assert texts == {
        ("Mother 1", "Trust"): f"Summary: Kindness first, then hiding.\n\n{KIND}\n\n{HID}",
        ("Mother 1", "Place"): TEAM,
        ("Mother 2", "Trust"): "",  # her one coding is Dev's
        ("Mother 2", "Place"): "",
        ("Mother 3", "Trust"): NURSE,  # the interviewer's question in c.txt is no one's
        ("Mother 3", "Place"): VISITS,
        ("Mother 4", "Trust"): "",
        ("Mother 4", "Place"): VISITS,
    }
    assert "Did you ever" not in str(texts)
    everyone = study.themes.framework()
    assert everyone.cell("Mother 2", "Trust").text() == line("b.txt", B, "kind")


def test_subtheme_columns(study):
    matrix = study.themes.framework(coder="Hannah", subthemes=True)
    assert matrix.themes == ("Trust", "Trust/Hidden", "Place")
    assert matrix.cell("Mother 1", "Trust/Hidden").text() == HID


def test_xlsx_reads_back(study, tmp_path):
    study.themes.summarise("Place", "Mother 4", "Weekly visits.")
    path = study.themes.framework(coder="Hannah").save(tmp_path / "framework.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["Framework", "Segments"]
    grid = [
        [c if c is not None else "" for c in row]
        for row in book["Framework"].iter_rows(values_only=True)
    ]
    assert grid == [
        ["participant", "Trust", "Place"],
        ["Mother 1", f"{KIND}\n\n{HID}", TEAM],
        ["Mother 2", "", ""],
        ["Mother 3", NURSE, VISITS],
        ["Mother 4", "", f"Summary: Weekly visits.\n\n{VISITS}"],
    ]
    assert book["Framework"].freeze_panes == "B2"
    long = list(book["Segments"].iter_rows(values_only=True))
    assert long[0] == ("participant", "theme", "source", "start", "end", "text")
    assert long[1] == (
        "Mother 1",
        "Trust",
        "a.txt",
        *span(A, "She was kind to me."),
        "She was kind to me.",
    )
    assert len(long) == 1 + 6


def test_csv_reads_back(study, tmp_path):
    path = study.themes.framework(coder="Hannah").save(tmp_path / "framework.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["participant", "Trust", "Place"]
    assert rows[3] == ["Mother 3", NURSE, VISITS]
    with pytest.raises(InvalidInput, match="use a .xlsx or .csv file name"):
        study.themes.framework().save(tmp_path / "framework.ods")


def test_summaries_are_written_replaced_removed_and_undone(study):
    themes = study.themes
    themes.summarise("Trust", "3", "Lovely nurse.")
    themes.summarise("Trust", "Mother 3", "The nurse, lovely.")
    assert themes.framework().cell("Mother 3", "Trust").summary == "The nurse, lovely."
    themes.summarise("Trust", "Mother 3", "")
    assert themes.framework().cell("Mother 3", "Trust").summary is None
    study.undo()
    assert themes.framework().cell("Mother 3", "Trust").summary == "The nurse, lovely."
    with pytest.raises(InvalidInput, match="Mother 2 has no summary for 'Trust'"):
        themes.summarise("Trust", "Mother 2", " ")
    with pytest.raises(NotFound, match="unknown case 'Mother 9'"):
        themes.summarise("Trust", "Mother 9", "x")
    assert [e.what for e in themes.history("Trust")][-3:] == [
        "summary for Mother 3",
        "summary for Mother 3",
        "undid event 25: summarise theme Trust: Mother 3",
    ]


def test_long_cells_are_cut_for_excel(sqlite_study, tmp_path):
    sqlite_study.themes.summarise("Trust", "Mother 1", "word " * 8000)
    path = sqlite_study.themes.framework().save(tmp_path / "f.xlsx")
    cell = load_workbook(path)["Framework"]["B2"].value
    assert len(cell) == 32767 and cell.endswith("[cut: see the Segments sheet]")
