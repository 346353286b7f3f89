"""The Results draft: gathered from a small study, written as Markdown, HTML and Word."""

import re
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
    (quote,) = mothered.quotes
    assert quote.text == "She was kind to me. ... she was my mum. [Mother 1]"
    # Where the words come from: the kept pieces' extent in the source, and who coded it.
    assert INTERVIEW[quote.start : quote.end] == "She was kind to me. Like she was my mum."
    assert (quote.number, quote.source, quote.coder, quote.time) == (1, "i1.txt", "tester", None)
    assert quote.provenance() == "Quote 1: i1.txt [39, 79), coded by tester"
    assert report.quotes == [quote]
    (last,) = study.log(1)
    assert report.as_of == (
        f"Drawn from the project as it stood after audit event {last.id} "
        f"({last.at[:10]} {last.at[11:16]} UTC)."
    )
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
    assert "> She was kind to me. ... she was my mum. [Mother 1]\n\n*Quote 1: i1.txt [39, 79)" in md
    assert "| Quote 1 | Mother 1 | i1.txt | [39, 79) | tester |  | Feeling mothered |" in md
    assert (tmp_path / "results-figure-1.png").read_bytes().startswith(b"\x89PNG")
    page = write_report(report, tmp_path / "results.html").read_text()
    assert page.count("<svg") == 3
    link = "http://127.0.0.1:8765/sources/i1.txt#span-39-79"
    assert f'<blockquote cite="{link}">She was kind' in page
    assert f'<p class="provenance"><a href="{link}">Quote 1: i1.txt [39, 79), coded' in page
    assert f'<td><a href="{link}">i1.txt</a></td>' in page
    # Nothing is fetched from elsewhere: the only addresses are links to the workbench.
    assert re.findall(r"https?://[^/\"]+", page.split("<svg")[0]) == ["http://127.0.0.1:8765"] * 3
    docx = write_report(report, tmp_path / "results.docx")
    from docx import Document

    document = Document(str(docx))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Themes" in headings and "Feeling mothered" in headings
    quotes = [p.text for p in document.paragraphs if p.style.name == "Quote"]
    assert quotes == ["She was kind to me. ... she was my mum. [Mother 1]"]
    assert len(document.tables) == 3 and len(document.inline_shapes) == 3
    appendix = [[c.text for c in row.cells] for row in document.tables[2].rows]
    assert appendix == [
        ["quote", "participant", "source", "span", "coder", "time", "theme"],
        ["Quote 1", "Mother 1", "i1.txt", "[39, 79)", "tester", "", "Feeling mothered"],
    ]
    assert document.core_properties.author == "Thematica 0.1.0"
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


SUBTITLES = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Interviewer>How did the first visit go?

00:01:02.500 --> 00:01:09.000
<v Participant>She sat on the floor with us. Nobody had done that before.
"""


def _render_all(report, folder):
    folder.mkdir()
    return {
        s: write_report(report, folder / f"results.{s}").read_bytes()
        for s in ("md", "html", "docx")
    }


def test_the_same_project_gives_the_same_bytes(study, tmp_path, monkeypatch):
    import time

    first = _render_all(build_report(study), tmp_path / "first")
    # A later run: another clock (zip entries, figure dates) and another process's salt.
    later = time.time() + 3 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    second = _render_all(build_report(study), tmp_path / "second")
    for suffix in ("md", "html", "docx"):
        assert first[suffix] == second[suffix], suffix
    for n in (1, 2, 3):
        name = f"results-figure-{n}.png"
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes()


def test_source_date_epoch_dates_every_file(study, tmp_path, monkeypatch):
    from docx import Document

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    report = build_report(study)
    docx = write_report(report, tmp_path / "results.docx")
    properties = Document(str(docx)).core_properties
    assert (
        properties.created.isoformat()
        == properties.modified.isoformat()
        == "2023-11-14T22:13:20+00:00"
    )
    with zipfile.ZipFile(docx) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2023, 11, 14, 22, 13, 20)}
    page = write_report(report, tmp_path / "results.html").read_text()
    assert page.count("<dc:date>2023-11-14T22:13:20+00:00</dc:date>") == 3
    # The audit event the report was drawn after is a fact of the project, not the clock's.
    assert report.as_of.startswith("Drawn from the project as it stood after audit event")


def test_a_bad_source_date_epoch_is_refused(study, monkeypatch):
    from thematica import InvalidInput

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(InvalidInput, match="SOURCE_DATE_EPOCH must be whole seconds since 1970"):
        build_report(study)


def test_a_quote_from_a_recording_carries_its_time(study, tmp_path):
    (tmp_path / "visit.vtt").write_text(SUBTITLES, encoding="utf-8")
    study.sources.add_file(tmp_path / "visit.vtt", case="2")
    made = study.codings.add_quote("visit.vtt", "Warmth", "Nobody had done that before.")
    study.themes.add_quote("Feeling mothered", made.id)
    quotes = build_report(study).themes[0].quotes
    assert [q.number for q in quotes] == [1, 2]
    assert quotes[1].time == 62.5 and quotes[1].clock == "1:02"
    assert quotes[1].provenance() == (
        f"Quote 2: visit.vtt [{made.start}, {made.end}), coded by tester, at 1:02 in the recording"
    )


def test_a_quote_whose_coding_went_says_so(study):
    (quote,) = study.themes.quotes("Feeling mothered")
    study.codings.remove(quote.coding)
    (shown,) = build_report(study).themes[0].quotes
    assert shown.coder is None
    assert shown.provenance() == "Quote 1: i1.txt [39, 79), its coding since removed"


def test_the_methods_figures_follow_the_project(study):
    before = build_report(study).methods
    study.sources.add("i3.txt", INTERVIEW.replace("video", "film"), case="2")
    study.codings.add_quote("i3.txt", "Video", "I hated watching myself.")
    after = build_report(study).methods
    assert before.startswith("Two interview transcripts (74 words)")
    assert after.startswith("Three interview transcripts (111 words)")
    assert after.endswith("tester coded all three (4 codings).")
