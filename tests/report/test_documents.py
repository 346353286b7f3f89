"""The Word table: opened with python-docx, and printed to PDF by LibreOffice."""

import shutil
import subprocess

import pytest
from docx import Document

from thematica.report.table1 import demographics


@pytest.fixture
def docx_file(sqlite_study, files):
    table = demographics(sqlite_study, files / "table1.toml")
    path = table.to_docx(files / "table1.docx")
    assert path == files / "table1.docx"
    return path


def test_docx_has_a_caption_and_a_real_table(docx_file):
    document = Document(str(docx_file))
    caption = document.paragraphs[0]
    assert caption.text == "Table 1. Mothers who took part (N = 12)"
    assert caption.style.name == "Caption"
    assert document.core_properties.title == caption.text
    (table,) = document.tables
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[:6] == [
        ["Characteristic", "n (%)"],
        ["Age (years)", ""],
        ["Mean (SD)", "28.6 (6.2)"],
        ["Median", "28"],
        ["Range", "19–40"],
        ["≤ 25", "4 (36.4)"],
    ]
    assert ["Black Caribbean", "2 (18.2)"] in cells
    assert cells[-1] == ["Missing", "1"]
    assert len(cells) == 1 + 31  # 8 + 6 + 7 + 4 + 6 lines, as in the Markdown
    header = table.rows[0]
    assert all(run.bold for cell in header.cells for run in cell.paragraphs[0].runs)
    assert header._tr.trPr.xpath("./w:tblHeader")  # repeats on every page
    assert table.rows[1].cells[0].paragraphs[0].runs[0].bold  # a variable's label
    assert document.paragraphs[-1].text.startswith("Percentages are of participants")


def test_docx_prints_to_pdf(docx_file, tmp_path):
    for program, package in (
        ("soffice", "libreoffice-writer-nogui"),
        ("pdftotext", "poppler-utils"),
    ):
        if shutil.which(program) is None:
            pytest.skip(f"{program} not found: install Debian's {package} package")
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "pdf"),
            str(docx_file),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "pdf" / "table1.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Table 1. Mothers who took part (N = 12)" in text
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "Mean (SD) 28.6 (6.2)" in lines
    assert "White British 5 (45.5)" in lines
    assert "Living with a partner" in lines
