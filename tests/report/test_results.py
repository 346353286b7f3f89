"""The Results draft: gathered from a small study, written as Markdown, HTML and Word."""

import shutil
import subprocess
import zipfile

import pytest

from thematica.report.render import write_report
from thematica.report.results import build_report

INTERVIEW = (
    "Interviewer: How was it?\n\n"
    "Participant: She was kind to me. Like she was my mum. I could tell her anything.\n\n"
    "Interviewer: And the video?\n\n"
    "Participant: I hated watching myself. But then I saw him smile at me.\n"
)


@pytest.fixture
def study(sqlite_project, tmp_path):
    project = sqlite_project
    (tmp_path / "p.csv").write_text("id,age,location\n1,24,Urban\n2,31,Rural\n")
    project.cases.import_table(tmp_path / "p.csv", id_column="id")
    project.sources.add("i1.txt", INTERVIEW, case="1")
    project.sources.add("i2.txt", INTERVIEW.replace("mum", "mother"), case="2")
    for code in ("Warmth", "Video"):
        project.codes.add(code, description=f"About {code.lower()}")
    project.codings.add_quote("i1.txt", "Warmth", "She was kind to me. Like she was my mum.")
    project.codings.add_quote("i2.txt", "Warmth", "I could tell her anything.")
    made = project.codings.add_quote("i1.txt", "Video", "I hated watching myself.")
    project.themes.add(
        "Feeling mothered", definition="Care that felt like family.", codes=["Warmth"]
    )
    project.themes.add("Seeing herself", definition="The video work.", codes=["Video"])
    project.themes.set_wording(noun="woman/women")
    coding = next(c for c in project.codings.list() if c.text.startswith("She was kind"))
    project.themes.add_quote("Feeling mothered", coding.id, keep=[(0, 19), (25, 40)])
    assert made.id
    return project


def test_the_report_gathers_methods_themes_prevalence_and_quotes(study):
    report = build_report(study)
    assert report.methods == (
        "Two interview transcripts (74 words) were analysed in Thematica 0.1.0. "
        "tester coded all two (3 codings)."
    )
    names = [t.name for t in report.themes]
    assert names == ["Feeling mothered", "Seeing herself"]
    mothered = report.themes[0]
    assert mothered.prevalence.startswith("Drawn on by")
    assert "(2 of 2 women; 2 sources, 2 coded segments)" in mothered.prevalence
    assert mothered.quotes == ["She was kind to me. ... she was my mum. [Mother 1]"]
    assert [(c.path, c.codings) for c in report.codebook] == [("Warmth", 2), ("Video", 1)]
    assert [f.title for f in report.figures] == [
        "Thematic map",
        "Codes by location",
        "Code co-occurrence",
    ]


def test_each_format_holds_the_headings_table_and_quotes(study, tmp_path):
    report = build_report(study)
    md = write_report(report, tmp_path / "results.md").read_text()
    assert "## Participants" in md and "| **Age** | |" in md
    assert "> She was kind to me. ... she was my mum. [Mother 1]" in md
    assert (tmp_path / "results-figure-1.png").read_bytes().startswith(b"\x89PNG")
    page = write_report(report, tmp_path / "results.html").read_text()
    assert page.count("<svg") == 3 and "<blockquote>She was kind" in page
    assert "http" not in page.split("<svg")[0]  # nothing fetched from elsewhere
    docx = write_report(report, tmp_path / "results.docx")
    from docx import Document

    document = Document(str(docx))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Themes" in headings and "Feeling mothered" in headings
    quotes = [p.text for p in document.paragraphs if p.style.name == "Quote"]
    assert quotes == ["She was kind to me. ... she was my mum. [Mother 1]"]
    assert len(document.tables) == 2 and len(document.inline_shapes) == 3
    with zipfile.ZipFile(docx) as archive:
        assert sum(n.startswith("word/media/") for n in archive.namelist()) == 3


def test_the_word_report_renders_to_pdf_with_its_headings_table_and_quotes(study, tmp_path):
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    if not soffice or not pdftotext:
        pytest.skip("needs LibreOffice (Debian package libreoffice-writer-nogui) and "
                    "pdftotext (poppler-utils)")  # fmt: skip
    docx = write_report(build_report(study), tmp_path / "results.docx")
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    text = subprocess.run(
        [pdftotext, "-layout", str(tmp_path / "results.pdf"), "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    for words in ("Method", "Participants", "Themes", "Feeling mothered",
                  "Table 1. Participant characteristics (N = 2)", "She was kind to me.",
                  "[Mother 1]", "Appendix: codebook"):  # fmt: skip
        assert words in text, words


def test_a_bad_format_is_refused(study, tmp_path):
    from thematica import InvalidInput

    with pytest.raises(InvalidInput, match="write the report as md, html or docx, not 'pdf'"):
        write_report(build_report(study), tmp_path / "results.pdf")
