"""The PDF reader, on PDFs made with reportlab and on the DDM2020 line-numbered transcripts."""

import collections
import functools
import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

import thematica.ingest.readers.pdf as pdf_reader
from tests.conftest import SHARED
from thematica.errors import InvalidInput
from thematica.ingest.readers import Document, ReadOptions, read_document
from thematica.text import detect_turns

STRIP = ReadOptions(strip_line_numbers=True, strip_headers=True)
DDM = SHARED / "corpora" / "uk-open-interviews" / "sustainable-design-ddm2020"

# A line is a string at the text column, or (label, words) with the label in a column of
# its own, or None for an empty (but numbered) line.
Line = str | tuple[str, str] | None


def build_pdf(
    path: Path,
    pages: list[list[Line]],
    *,
    numbers: str | None = None,
    header: str | None = None,
    footer: str | None = None,
    leading: float = 14,
    text_x: float = 100,
) -> Path:
    """A PDF drawn the way a word processor lays out a transcript.

    ``numbers``: "left" or "right" prints running line numbers in that margin;
    ``header`` / ``footer``: text drawn on every page, ``{page}`` is the page number.
    """
    pdf = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    number = 1
    for page_number, lines in enumerate(pages, start=1):
        if header:
            pdf.setFont("Helvetica", 9)
            pdf.drawString(72, height - 40, header.format(page=page_number))
        if footer:
            pdf.setFont("Helvetica", 9)
            pdf.drawCentredString(width / 2, 30, footer.format(page=page_number))
        pdf.setFont("Helvetica", 11)
        y = height - 90
        for line in lines:
            if numbers == "left":
                pdf.drawRightString(50, y, str(number))
            elif numbers == "right":
                pdf.drawString(width - 60, y, str(number))
            if isinstance(line, tuple):
                pdf.drawString(72, y, line[0])
                pdf.drawString(text_x, y, line[1])
            elif line:
                pdf.drawString(text_x, y, line)
            number += 1
            y -= leading
        pdf.showPage()
    pdf.save()
    return path


@pytest.fixture(autouse=True)
def _registered():
    # builtin.py registers the reader once it is listed there; tests do not rely on it.
    from thematica.ingest.readers import register

    register(".pdf")(pdf_reader.read_pdf)


INTERVIEW_PAGES: list[list[Line]] = [
    [
        "Interviewer: Thank you for meeting me at the café. Can you tell me",
        "how you first heard about the team?",
        "P1: It was the health visitor, really. She said “there’s a team for",
        "mums and babies” and I thought, well, what’s that? We had 3 children",
        "by 2019 and the decision-",
        "making was mine, so I rang them",
    ],
    [
        "12 times in the end.",
        "Interviewer: And what happened next?",
        "P1: Nothing, for weeks. Then a woman called Grace picked up and she",
        "was lovely – she was really kind to me. It’s hard to say what it meant.",
    ],
    [
        "Interviewer: How did the sessions feel?",
        "P1: Like someone was looking after me for once. Not just the baby. Me.",
    ],
]
INTERVIEW_TEXT = (
    "Interviewer: Thank you for meeting me at the café. Can you tell me how you first "
    "heard about the team?\n\n"
    "P1: It was the health visitor, really. She said “there’s a team for mums and "
    "babies” and I thought, well, what’s that? We had 3 children by 2019 and the "
    "decision-making was mine, so I rang them 12 times in the end.\n\n"
    "Interviewer: And what happened next?\n\n"
    "P1: Nothing, for weeks. Then a woman called Grace picked up and she was lovely – "
    "she was really kind to me. It’s hard to say what it meant.\n\n"
    "Interviewer: How did the sessions feel?\n\n"
    "P1: Like someone was looking after me for once. Not just the baby. Me."
)


def interview_pdf(tmp_path: Path) -> Path:
    return build_pdf(
        tmp_path / "interview.pdf",
        INTERVIEW_PAGES,
        numbers="left",
        header="Study 7 – interview 3 transcript, 12 March 2024",
        footer="Page {page} of 3",
    )


def test_line_numbers_headers_and_footers_stripped(tmp_path):
    document = read_document(interview_pdf(tmp_path), STRIP)
    assert document.kind == "pdf"
    assert document.text == INTERVIEW_TEXT
    assert document.warnings == ()
    turns = detect_turns(document.text)
    assert [t.speaker for t in turns] == ["Interviewer", "P1"] * 3


def test_line_numbers_and_headers_kept_unless_asked(tmp_path):
    path = interview_pdf(tmp_path)
    kept = read_document(path, ReadOptions())
    header = "Study 7 – interview 3 transcript, 12 March 2024"
    assert kept.text == (
        f"{header}\n\n"
        "1 Interviewer: Thank you for meeting me at the café. Can you tell me 2 how you "
        "first heard about the team? 3 P1: It was the health visitor, really. She said "
        "“there’s a team for 4 mums and babies” and I thought, well, what’s that? We had 3 "
        "children 5 by 2019 and the decision- 6 making was mine, so I rang them\n\n"
        f"Page 1 of 3 {header}\n\n"
        "7 12 times in the end. 8 Interviewer: And what happened next? 9 P1: Nothing, for "
        "weeks. Then a woman called Grace picked up and she 10 was lovely – she was really "
        "kind to me. It’s hard to say what it meant.\n\n"
        f"Page 2 of 3 {header}\n\n"
        "11 Interviewer: How did the sessions feel? 12 P1: Like someone was looking after "
        "me for once. Not just the baby. Me.\n\n"
        "Page 3 of 3"
    )
    assert kept.warnings == (
        "most lines carry printed line numbers; they are kept in the text "
        "(import with strip_line_numbers to remove them)",
        "the pages carry running headers, footers or page numbers; they are kept in the "
        "text (import with strip_headers to remove them)",
    )
    # Headers kept: footer and header stand as a paragraph between the two they cut.
    numbers_only = read_document(path, ReadOptions(strip_line_numbers=True))
    assert numbers_only.text.split("\n\n") == [
        header,
        "Interviewer: Thank you for meeting me at the café. Can you tell me how you first "
        "heard about the team?",
        "P1: It was the health visitor, really. She said “there’s a team for mums and "
        "babies” and I thought, well, what’s that? We had 3 children by 2019 and the "
        "decision-making was mine, so I rang them",
        f"Page 1 of 3 {header}",
        "12 times in the end.",
        "Interviewer: And what happened next?",
        "P1: Nothing, for weeks. Then a woman called Grace picked up and she was lovely – "
        "she was really kind to me. It’s hard to say what it meant.",
        f"Page 2 of 3 {header}",
        "Interviewer: How did the sessions feel?",
        "P1: Like someone was looking after me for once. Not just the baby. Me.",
        "Page 3 of 3",
    ]
    headers_only = read_document(path, ReadOptions(strip_headers=True))
    assert header not in headers_only.text and "Page" not in headers_only.text
    assert headers_only.text.startswith("1 Interviewer: Thank you")


def test_speaker_labels_in_a_column_of_their_own(tmp_path):
    # Labels without a colon in a column left of the words, as in the DDM2020
    # transcripts; continuation lines that start with the word "I" are not labels.
    path = build_pdf(
        tmp_path / "column.pdf",
        [
            [
                ("I", "so can you tell me about the table you"),
                "designed for the university",
                ("P1", "yes it was a trestle table and"),
                "I think we made five hundred of them",
                "I mean trestles, not tables",
                None,
                "and then the second paragraph",
                ("I", "mhm"),
            ],
            [("P1", "and the brief was clear"), ("I", "okay")],
        ],
        numbers="left",
        footer="{page}",
        text_x=130,
    )
    document = read_document(path, STRIP)
    assert document.text == (
        "I so can you tell me about the table you designed for the university\n\n"
        "P1 yes it was a trestle table and I think we made five hundred of them I mean "
        "trestles, not tables\n\n"
        "and then the second paragraph\n\n"
        "I mhm\n\n"
        "P1 and the brief was clear\n\n"
        "I okay"
    )
    assert document.warnings == (
        "speaker labels stand in their own column without a colon (I, P1); turns are "
        "found with the label pattern (?P<label>I|P1)[ \\t]+",
    )
    assert document.label_pattern == r"(?P<label>I|P1)[ \t]+"
    turns = detect_turns(document.text, document.label_pattern)
    assert [(t.speaker, t.role) for t in turns] == [
        ("I", "interviewer"),
        ("P1", "participant"),
        ("I", "interviewer"),
        ("P1", "participant"),
        ("I", "interviewer"),
    ]
    # Kept line numbers do not hide the labels: each turn still starts a paragraph.
    kept = read_document(path, ReadOptions())
    assert kept.text.split("\n\n")[:2] == [
        "1 I so can you tell me about the table you 2 designed for the university",
        "3 P1 yes it was a trestle table and 4 I think we made five hundred of them 5 I mean "
        "trestles, not tables 6 7 and then the second paragraph",
    ]


def test_numbers_in_the_text_are_not_line_numbers(tmp_path):
    # Double spacing, line numbers in the right margin, and numbers at both ends of
    # lines of text: only the printed line numbers go. A wider gap (an empty line) is a
    # paragraph break; the usual double-spaced gap is not, nor is a page end.
    path = build_pdf(
        tmp_path / "double.pdf",
        [
            ["We moved here in 2020", "and there were 3", "12 of us came by bus", None, "A"],
            ["second paragraph starts", "here and ends at 5"],
        ],
        numbers="right",
        leading=28,
        text_x=72,
    )
    document = read_document(path, STRIP)
    assert document.text == (
        "We moved here in 2020 and there were 3 12 of us came by bus\n\n"
        "A second paragraph starts here and ends at 5"
    )
    kept = read_document(path, ReadOptions())
    assert kept.text == (
        "We moved here in 2020 1 and there were 3 2 12 of us came by bus 3 4 A 5 "
        "second paragraph starts 6 here and ends at 5 7"
    )


def test_a_numbered_list_is_not_line_numbered(tmp_path):
    # Numbers set one space from their words are the text's own; bare page numbers in
    # the footer are running lines.
    path = build_pdf(
        tmp_path / "list.pdf",
        [["Shopping list:", "1 eggs", "2 flour", "3 milk"], ["4 butter", "5 tea"]],
        footer="- {page} -",
        text_x=72,
    )
    document = read_document(path, STRIP)
    assert document.text == "Shopping list: 1 eggs 2 flour 3 milk 4 butter 5 tea"
    assert document.warnings == ()


def test_rotated_text_is_kept(tmp_path):
    path = tmp_path / "rotated.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 700, "Interviewer: What did the note in the margin say?")
    pdf.saveState()
    pdf.translate(40, 400)
    pdf.rotate(90)
    pdf.drawString(0, 0, "sideways margin note")
    pdf.restoreState()
    pdf.save()
    text = read_document(path, STRIP).text
    assert text.startswith("Interviewer: What did the note in the margin say?")
    assert "sideways margin note" in text


def _scanned_page(pdf: canvas.Canvas) -> None:
    # What a scanner makes: a picture of text, and no text layer.
    pdf.rect(72, 500, 400, 200, fill=1)
    for y in range(520, 700, 20):
        pdf.line(80, y, 460, y)
    pdf.showPage()


def test_scanned_pdf_needs_ocr(tmp_path):
    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    _scanned_page(pdf)
    _scanned_page(pdf)
    pdf.save()
    with pytest.raises(InvalidInput, match=r"^scan.pdf has no text layer .*needs OCR") as error:
        read_document(path, STRIP)
    assert "\n" not in str(error.value)


def test_scanned_page_among_text_pages_is_named(tmp_path):
    path = tmp_path / "mixed.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.drawString(72, 700, "P1: First page of text.")
    pdf.showPage()
    _scanned_page(pdf)
    pdf.drawString(72, 700, "P1: Third page of text.")
    pdf.showPage()
    pdf.save()
    document = read_document(path, STRIP)
    assert document.text == "P1: First page of text.\n\nP1: Third page of text."
    assert document.warnings == (
        "page 2 has no text layer (scanned?); its content is missing, run OCR "
        "(e.g. ocrmypdf) on the file to import it",
    )


def _encrypted(tmp_path: Path, user_password: str) -> Path:
    writer = pypdf.PdfWriter(clone_from=interview_pdf(tmp_path))
    # RC4 needs no extra package; AES would need 'cryptography'.
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    path = tmp_path / f"locked-{len(user_password)}.pdf"
    with path.open("wb") as out:
        writer.write(out)
    return path


def test_encrypted_with_empty_password_opens(tmp_path):
    assert read_document(_encrypted(tmp_path, ""), STRIP).text == INTERVIEW_TEXT


def test_password_protected_is_refused(tmp_path):
    with pytest.raises(InvalidInput, match=r"^locked-6.pdf is password-protected; save an"):
        read_document(_encrypted(tmp_path, "secret"), STRIP)


def test_aes_without_cryptography_is_explained(tmp_path, monkeypatch):
    # pypdf decrypts AES only with the 'cryptography' package; without it, say so.
    def needs_cryptography(self, password):
        raise pypdf.errors.DependencyError("cryptography>=3.1 is required for AES algorithm")

    monkeypatch.setattr(pypdf.PdfReader, "decrypt", needs_cryptography)
    with pytest.raises(InvalidInput, match=r"encrypted with AES, which needs the 'cryptography'"):
        read_document(_encrypted(tmp_path, ""), STRIP)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"Interviewer: Hello.\nP1: Hi.\n",
            r"^bad.pdf is not a PDF file \(it has no %PDF header\)$",
        ),
        (None, r"^bad.pdf is truncated or corrupt \(no %%EOF end marker\)"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n", r"^bad.pdf is a corrupt PDF \("),
        (b"%PDF-1.7\n%%EOF\n", r"^bad.pdf is a corrupt PDF \("),
    ],
    ids=["text-renamed", "truncated", "garbage", "header-only"],
)
def test_bad_files_get_one_line(tmp_path, content, message):
    if content is None:
        whole = interview_pdf(tmp_path).read_bytes()
        content = whole[: len(whole) // 2]
    path = tmp_path / "bad.pdf"
    path.write_bytes(content)
    with pytest.raises(InvalidInput, match=message) as error:
        read_document(path, STRIP)
    assert "\n" not in str(error.value)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(InvalidInput, match="is empty"):
        read_document(path, STRIP)


def test_pdf_without_pages(tmp_path):
    path = tmp_path / "nopages.pdf"
    with path.open("wb") as out:
        pypdf.PdfWriter().write(out)
    with pytest.raises(InvalidInput, match=r"^nopages.pdf has no pages$"):
        read_document(path, STRIP)


def test_page_that_layout_mode_cannot_read_falls_back_to_plain(tmp_path, monkeypatch):
    extract = pypdf.PageObject.extract_text

    def layout_fails(self, *args, **kwargs):
        if kwargs.get("extraction_mode") == "layout":
            raise KeyError("/Widths")
        return extract(self, *args, **kwargs)

    monkeypatch.setattr(pypdf.PageObject, "extract_text", layout_fails)
    path = build_pdf(tmp_path / "plain.pdf", [["Interviewer: One line.", "P1: Another."]])
    document = read_document(path, STRIP)
    assert document.text == "Interviewer: One line.\n\nP1: Another."
    assert document.warnings == (
        "page 1 could not be laid out; its text was read without its columns, so line "
        "numbers and speaker columns there are not recognised",
    )


# --- the DDM2020 corpus: real "words only" transcripts with line numbers ------------------


def _ddm(number: int) -> Path:
    if not DDM.is_dir():
        pytest.skip(f"corpus not found at {DDM}")
    return DDM / f"DDM2020_interview_{number}_words_only_transcript.pdf"


@functools.cache
def _read_ddm(number: int, options: ReadOptions) -> Document:
    # Each transcript takes about a second to read; the tests share the readings.
    return read_document(_ddm(number), options)


def _pdftotext(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not found: install Debian's poppler-utils")
    run = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return run.stdout


def _poppler_body_words(layout: str) -> list[str]:
    """The words of a DDM2020 transcript without line numbers, headers and page numbers,
    found from poppler's layout text with what we know of these files: every body line
    starts with its number, the header is the file's first line (poppler wraps it on
    later pages, so any part of it alone on a line is header), page numbers stand alone.
    Line-end hyphens are joined as :func:`rejoin_wrapped` documents."""
    lines = layout.splitlines()
    header = lines[0].strip()
    words: list[str] = []
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.isdigit() or stripped in header:
            continue
        for word in re.sub(r"^\s*\d+\s", " ", line).split():
            if words and re.search(r"[a-z]-$", words[-1]) and word[0].islower():
                words[-1] += word
            else:
                words.append(word)
    return words


@pytest.mark.parametrize("number", range(1, 17))
def test_ddm2020_words_match_poppler(number):
    # All 16 transcripts: every word is there, in poppler's order. With nothing
    # stripped, the words are exactly poppler's; stripped, they are exactly poppler's
    # less line numbers, headers and page numbers, with the compound words broken at a
    # line end ("decision-" / "making") joined: no tolerance is needed.
    layout = _pdftotext(_ddm(number))
    assert _read_ddm(number, ReadOptions()).text.split() == layout.split()
    document = _read_ddm(number, STRIP)
    assert document.text.split() == _poppler_body_words(layout)
    assert "Words only transcript" not in document.text
    assert not re.search(r"(^|\n)\d+( |$)", document.text)
    assert len(document.warnings) == 1
    assert document.warnings[0].startswith("speaker labels stand in their own column")


# Turn counts read off the PDFs: the label column of each file, counted by hand in
# poppler's layout text and checked at the places where a speaker's label repeats (the
# transcripts keep the transcriber's slips: a lower-case "p" in interview 1, "P15" once
# in interview 16, and interviewer lines labelled as the participant). detect_turns
# merges a speaker's consecutive turns; the preamble ("I = interviewer; ...") opens the
# first interviewer turn.
DDM_TURNS = {
    1: ({"I": 91, "P1": 90, "p": 1}, 184),
    7: ({"I": 39, "P7": 38}, 77),
    16: ({"I": 144, "P16": 142, "P15": 1}, 289),
}


@pytest.mark.parametrize("number", sorted(DDM_TURNS))
def test_ddm2020_turns(number):
    document = _read_ddm(number, STRIP)
    roles, labelled = DDM_TURNS[number]
    paragraphs = document.text.split("\n\n")
    assert paragraphs[0].startswith("I = interviewer; P")
    assert len(paragraphs) == labelled + 1
    pattern = re.search(r"\(\?P<label>.*\)\[ \\t\]\+", document.warnings[-1]).group(0)
    turns = detect_turns(document.text, pattern)
    assert dict(collections.Counter(t.speaker for t in turns)) == roles
    assert {t.role for t in turns if t.speaker == "I"} == {"interviewer"}
