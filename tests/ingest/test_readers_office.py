"""The Word (.docx), OpenDocument (.odt) and RTF readers.

Documents are made here, in tmp_path, with the real tools: python-docx (plus its oxml
for what it has no API for), odfpy, LibreOffice (``soffice --headless --convert-to``),
or by hand where the point is a precise RTF construct. The real transcripts under
shared/corpora check that no word is lost against an independent extraction.
"""

from __future__ import annotations

import difflib
import html
import re
import shutil
import subprocess
import time
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import SHARED
from thematica.errors import InvalidInput
from thematica.ingest.readers import read_document
from thematica.ingest.readers.docx import docx_text
from thematica.ingest.readers.odt import odt_text
from thematica.ingest.readers.rtf import rtf_text
from thematica.text import detect_turns

CORPUS = SHARED / "corpora" / "uk-open-interviews"
SOFFICE = Path("/usr/bin/soffice")
needs_soffice = pytest.mark.skipif(
    not SOFFICE.exists(),
    reason="LibreOffice is not installed: install Debian's libreoffice-writer-nogui",
)

NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)


# --- building Word documents -----------------------------------------------------------


def oxml(xml: str):
    """An element from WordprocessingML, namespaces declared on the outermost tag."""
    from docx.oxml import parse_xml

    return parse_xml(re.sub(r"^<([\w:]+)", rf"<\1 {NS}", xml, count=1))


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def text_box(text: str) -> str:
    """A text box as Word writes it: DrawingML in mc:Choice, the same in VML as fallback."""
    content = f"<w:txbxContent><w:p>{run(text)}</w:p></w:txbxContent>"
    return (
        '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
        '<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="1" '
        'behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
        '<wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset></wp:positionH>'
        '<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>'
        '<wp:extent cx="2000000" cy="600000"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        '<wp:wrapSquare wrapText="bothSides"/><wp:docPr id="1" name="Text Box 1"/>'
        "<wp:cNvGraphicFramePr/><a:graphic><a:graphicData "
        'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
        '<wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/>'
        '<a:ext cx="2000000" cy="600000"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>'
        f"</a:prstGeom></wps:spPr><wps:txbx>{content}</wps:txbx><wps:bodyPr/></wps:wsp>"
        "</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback>"
        '<w:pict><v:shape id="box1" type="#_x0000_t202" style="width:150pt;height:40pt">'
        f"<v:textbox>{content}</v:textbox></v:shape></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r>"
    )


def add_block(document, xml: str) -> None:
    """Append a block (w:p, w:sdt, ...) to the body, before its section properties."""
    body = document.element.body
    body.insert(len(body) - 1, oxml(xml))


def add_paragraph_xml(document, inner: str) -> None:
    add_block(document, f"<w:p>{inner}</w:p>")


def add_notes(document, kind: str, notes: dict[int, str]) -> None:
    """Give the document a footnotes or endnotes part; python-docx has no API for one."""
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    separators = (
        f'<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>'
        f'<w:{kind} w:type="continuationSeparator" w:id="0"><w:p><w:r>'
        f"<w:continuationSeparator/></w:r></w:p></w:{kind}>"
    )
    bodies = "".join(
        f'<w:{kind} w:id="{i}"><w:p><w:r><w:{kind}Ref/></w:r>{run(" " + text)}</w:p></w:{kind}>'
        for i, text in notes.items()
    )
    xml = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{kind}s {NS}>{separators}{bodies}</w:{kind}s>'
    content_type = CT.WML_FOOTNOTES if kind == "footnote" else CT.WML_ENDNOTES
    relation = RT.FOOTNOTES if kind == "footnote" else RT.ENDNOTES
    part = Part(PackURI(f"/word/{kind}s.xml"), content_type, xml.encode(), document.part.package)
    document.part.relate_to(part, relation)


def note_reference(kind: str, note_id: int) -> str:
    return f'<w:r><w:{kind}Reference w:id="{note_id}"/></w:r>'


def rich_docx(path: Path) -> Path:
    """A transcript using every construct the reader must handle."""
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Study 12 header, not body text"
    document.sections[0].footer.paragraphs[0].text = "Page footer, not body text"
    document.add_paragraph("Interviewer: Thank you for coming. How did it start?")
    document.add_paragraph("Participant: The health visitor told me about the team.")
    document.add_paragraph("She said it was for mums and babies.")
    document.add_paragraph("Participant: And then I waited for weeks.")
    # Google Docs wraps words in content controls, even in mid-sentence.
    add_paragraph_xml(
        document,
        run("Interviewer: What was the ")
        + '<w:sdt><w:sdtPr><w:tag w:val="goog_rdk_1"/></w:sdtPr><w:sdtContent>'
        + run("first")
        + "</w:sdtContent></w:sdt>"
        + run(" meeting like?")
        + note_reference("footnote", 1),
    )
    add_block(
        document,
        '<w:sdt><w:sdtPr><w:alias w:val="Answer"/></w:sdtPr><w:sdtContent>'
        f"<w:p>{run('Participant: Warm. She listened.')}</w:p>"
        "</w:sdtContent></w:sdt>",
    )
    add_paragraph_xml(
        document,
        run("Interviewer: Line one")
        + "<w:r><w:br/></w:r>"
        + run("line two")
        + "<w:r><w:tab/></w:r>"
        + run("after a tab"),
    )
    add_paragraph_xml(
        document, run("Participant: See the box ") + text_box("Boxed aside") + run("here.")
    )
    add_paragraph_xml(
        document,
        run("Interviewer: We ")
        + '<w:ins w:id="11" w:author="A" w:date="2024-01-01T00:00:00Z">'
        + run("really ")
        + "</w:ins>"
        + '<w:del w:id="12" w:author="A" w:date="2024-01-01T00:00:00Z">'
        + '<w:r><w:delText xml:space="preserve">never </w:delText></w:r></w:del>'
        + run("agreed.")
        + note_reference("endnote", 2),
    )
    document.add_paragraph("First point", style="List Bullet")
    document.add_paragraph("Second point", style="List Number")
    link = document.part.relate_to(
        "https://example.org/guide",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
        is_external=True,
    )
    add_paragraph_xml(
        document,
        run("Participant: It was in the ")
        + f'<w:hyperlink r:id="{link}">{run("online guide")}</w:hyperlink>'
        + run("."),
    )
    table = document.add_table(rows=2, cols=2)
    for (row, col), value in {
        (0, 0): "Theme",
        (0, 1): "Quote",
        (1, 0): "Warmth",
        (1, 1): "She listened",
    }.items():
        table.cell(row, col).text = value
    add_notes(document, "footnote", {1: "Asked in the second session."})
    add_notes(document, "endnote", {2: "The interviewer added this later."})
    document.save(path)
    return path


RICH_TEXT = (
    "Interviewer: Thank you for coming. How did it start?\n\n"
    "Participant: The health visitor told me about the team.\n\n"
    "She said it was for mums and babies.\n\n"
    "Participant: And then I waited for weeks.\n\n"
    "Interviewer: What was the first meeting like?[1]\n\n"
    "Participant: Warm. She listened.\n\n"
    "Interviewer: Line one\nline two\tafter a tab\n\n"
    "Participant: See the box here.\n\n"
    "Boxed aside\n\n"
    "Interviewer: We really agreed.[i]\n\n"
    "First point\n\n"
    "Second point\n\n"
    "Participant: It was in the online guide.\n\n"
    "Theme\tQuote\n\n"
    "Warmth\tShe listened\n\n"
    "Footnotes\n\n"
    "[1] Asked in the second session.\n\n"
    "Endnotes\n\n"
    "[i] The interviewer added this later.\n"
)


# --- .docx ---------------------------------------------------------------------------------


def test_docx_reads_every_construct_in_order(tmp_path):
    path = rich_docx(tmp_path / "rich.docx")
    assert docx_text(path) == RICH_TEXT


def test_docx_through_the_registry_keeps_paragraphs_for_turns(tmp_path):
    document = read_document(rich_docx(tmp_path / "rich.docx"))
    assert document.kind == "docx"
    turns = detect_turns(document.text)
    # The two consecutive Participant paragraphs and the unlabelled one merge into one turn.
    assert [t.speaker for t in turns] == ["Interviewer", "Participant"] * 4
    second = document.text[turns[1].start : turns[1].end]
    assert second.startswith("The health visitor") and second.endswith("waited for weeks.")


def test_python_docx_alone_would_drop_content_control_words(tmp_path):
    """Why the reader walks the XML itself: python-docx's paragraph text skips w:sdt."""
    import docx

    path = rich_docx(tmp_path / "rich.docx")
    seen = "\n".join(p.text for p in docx.Document(path).paragraphs)
    assert "What was the  meeting" in seen and "Warm. She listened" not in seen
    assert "What was the first meeting" in docx_text(path)


def test_docx_text_box_is_read_once_even_with_its_fallback_copy(tmp_path):
    path = rich_docx(tmp_path / "rich.docx")
    with zipfile.ZipFile(path) as archive:
        assert archive.read("word/document.xml").count(b"Boxed aside") == 2
    assert docx_text(path).count("Boxed aside") == 1


def test_docx_vml_only_text_box(tmp_path):
    import docx

    document = docx.Document()
    add_paragraph_xml(
        document,
        run("Before ")
        + '<w:r><w:pict><v:shape id="b" style="width:10pt;height:10pt"><v:textbox>'
        + f"<w:txbxContent><w:p>{run('Old style box')}</w:p></w:txbxContent>"
        + "</v:textbox></v:shape></w:pict></w:r>"
        + run("after."),
    )
    document.save(tmp_path / "vml.docx")
    assert docx_text(tmp_path / "vml.docx") == "Before after.\n\nOld style box\n"


def test_docx_tracked_changes_read_as_accepted(tmp_path):
    import docx

    document = docx.Document()
    change = 'w:author="A" w:date="2024-01-01T00:00:00Z"'
    add_paragraph_xml(
        document,
        run("Kept ")
        + f'<w:ins w:id="1" {change}>{run("inserted ")}</w:ins>'
        + f'<w:del w:id="2" {change}><w:r><w:delText xml:space="preserve">deleted </w:delText></w:r></w:del>'
        + f'<w:moveFrom w:id="3" {change}>{run("moved away ")}</w:moveFrom>'
        + f'<w:moveTo w:id="4" {change}>{run("moved here ")}</w:moveTo>'
        + run("end."),
    )
    # A deleted paragraph mark: accepting it joins this paragraph to the next.
    add_paragraph_xml(
        document,
        f'<w:pPr><w:rPr><w:del w:id="5" {change}/></w:rPr></w:pPr>' + run("Joined "),
    )
    add_paragraph_xml(document, run("to this one."))
    table = document.add_table(rows=2, cols=1)
    table.cell(0, 0).text = "Kept row"
    table.cell(1, 0).text = "Deleted row"
    table.rows[1]._tr.get_or_add_trPr().append(oxml(f'<w:del w:id="6" {change}/>'))
    document.save(tmp_path / "changes.docx")
    assert docx_text(tmp_path / "changes.docx") == (
        "Kept inserted moved here end.\n\nJoined to this one.\n\nKept row\n"
    )


def test_docx_leaves_out_headers_footers_and_comments(tmp_path):
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Header words"
    document.sections[0].footer.paragraphs[0].text = "Footer words"
    paragraph = document.add_paragraph("Participant: Body words.")
    document.add_comment(paragraph.runs, text="Comment words", author="Coder")
    document.save(tmp_path / "furniture.docx")
    assert docx_text(tmp_path / "furniture.docx") == "Participant: Body words.\n"


def test_docx_imported_html_chunk_is_reported_not_lost_silently(tmp_path):
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    document = docx.Document()
    document.add_paragraph("Participant: Before.")
    html_part = Part(
        PackURI("/word/chunk.htm"), "text/html", b"<p>Imported words</p>", document.part.package
    )
    add_block(document, f'<w:altChunk r:id="{document.part.relate_to(html_part, RT.A_F_CHUNK)}"/>')
    document.save(tmp_path / "chunk.docx")
    read = read_document(tmp_path / "chunk.docx")
    assert read.text == "Participant: Before.\n"
    assert read.warnings == (
        "chunk.docx: 1 embedded HTML/RTF piece(s) (w:altChunk) were not read; open the "
        "file in Word and save it again to make them ordinary text",
    )


def test_docx_notes_nobody_cites_are_kept(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Body.")
    add_notes(document, "footnote", {1: "Orphan note words."})
    document.save(tmp_path / "orphan.docx")
    assert docx_text(tmp_path / "orphan.docx") == "Body.\n\nFootnotes\n\n[1] Orphan note words.\n"


def test_docx_tables_do_not_merge_words_and_nested_cells_become_lines(tmp_path):
    import docx

    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Left"
    table.cell(0, 1).text = "Right"
    table.cell(0, 1).add_paragraph("second line")
    inner = table.cell(0, 0).add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "in1"
    inner.cell(0, 1).text = "in2"
    # A repeating-section content control wraps whole rows.
    cells = "".join(f"<w:tc><w:p>{run(word)}</w:p></w:tc>" for word in ("row", "control"))
    table._tbl.append(oxml(f"<w:sdt><w:sdtContent><w:tr>{cells}</w:tr></w:sdtContent></w:sdt>"))
    document.save(tmp_path / "table.docx")
    assert docx_text(tmp_path / "table.docx") == (
        "Left\nin1\tin2\tRight\nsecond line\n\nrow\tcontrol\n"
    )


def test_docx_text_of_a_zoom_transcript_pasted_into_word(tmp_path):
    import docx

    document = docx.Document()
    for line in ["WEBVTT", "", "1", "00:00:01.000 --> 00:00:04.000", "Ann Lee: Hello."]:
        document.add_paragraph(line)
    document.save(tmp_path / "zoom.docx")
    text = docx_text(tmp_path / "zoom.docx")
    assert text.startswith("WEBVTT\n")
    assert text == "WEBVTT\n\n1\n\n00:00:01.000 --> 00:00:04.000\n\nAnn Lee: Hello.\n"


def test_docx_white_space_symbols_and_hyphens(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("  Participant: words   ")
    document.add_paragraph("   ")
    document.add_paragraph("")
    add_paragraph_xml(document, run("more\u00a0words\u200b ") + "<w:r><w:br/></w:r>")
    add_paragraph_xml(
        document,
        run("well")
        + "<w:r><w:noBreakHyphen/></w:r>"
        + run("being, tick ")
        + '<w:r><w:sym w:font="Segoe UI Symbol" w:char="2713"/></w:r>'
        # A Wingdings glyph: a private-use code that means nothing outside the font.
        + '<w:r><w:sym w:font="Wingdings" w:char="F04A"/></w:r>',
    )
    document.save(tmp_path / "spaces.docx")
    assert docx_text(tmp_path / "spaces.docx") == (
        "Participant: words\n\nmore\u00a0words\u200b\n\nwell-being, tick \u2713\n"
    )


# --- bad input -----------------------------------------------------------------------------


def zip_crypto_docx(path: Path) -> Path:
    """A zip whose member is really encrypted (traditional PKWARE encryption)."""
    if shutil.which("zip") is None:
        pytest.skip("the zip command is not installed: install Debian's zip package")
    source = path.parent / "plain"
    (source / "word").mkdir(parents=True)
    (source / "word" / "document.xml").write_text("<w:document/>")
    subprocess.run(["zip", "-q", "-P", "secret", "-r", str(path), "word"], cwd=source, check=True)
    with zipfile.ZipFile(path) as archive:
        assert archive.read("word/document.xml", pwd=b"secret") == b"<w:document/>"
    return path


def billion_laughs_docx(path: Path) -> Path:
    import docx

    docx.Document().save(path)
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + ("" if i == 1 else str(i - 1)) + ";") * 10}">'
        for i in range(1, 10)
    )
    body = (
        f'<?xml version="1.0"?><!DOCTYPE w:document [{entities}]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
    )
    rewrite_member(path, "word/document.xml", body.encode())
    return path


def rewrite_member(path: Path, name: str, data: bytes) -> None:
    with zipfile.ZipFile(path) as archive:
        members = {i.filename: archive.read(i) for i in archive.infolist()}
    members[name] = data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            archive.writestr(member, content)


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory) -> bytes:
    """A zip with a member that inflates to 216 MB from a few hundred bytes.

    Written in chunks, so making it never holds more than 8 MB; bzip2 packs zeros far
    tighter than deflate's limit of about 1:1000.
    """
    path = tmp_path_factory.mktemp("bomb") / "bomb.zip"
    chunk = bytes(8 * 1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as handle:
            for _ in range(27):
                handle.write(chunk)
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("word/document.xml").file_size == 27 * len(chunk)
    return path.read_bytes()


def test_zip_bomb_named_docx_is_refused_fast(tmp_path, zip_bomb):
    path = tmp_path / "bomb.docx"
    path.write_bytes(zip_bomb)
    assert len(zip_bomb) < 4096
    started = time.perf_counter()
    with pytest.raises(InvalidInput, match=r"^bomb.docx would inflate to more than its limits"):
        docx_text(path)
    assert time.perf_counter() - started < 1


def test_billion_laughs_docx_is_refused_fast(tmp_path):
    path = billion_laughs_docx(tmp_path / "laughs.docx")
    started = time.perf_counter()
    with pytest.raises(
        InvalidInput, match=r"^laughs.docx is refused: its word/document.xml declares XML entities"
    ):
        docx_text(path)
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda p: p.write_text("Interviewer: hello\nParticipant: hi\n"),
            r"^x.docx is plain text, not a Word .docx file; rename it to .txt$",
        ),
        (
            lambda p: p.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
            r"^x.docx is a PDF, not a Word .docx file; rename it to .pdf$",
        ),
        (
            lambda p: p.write_bytes(bytes(range(256)) * 4),
            r"^x.docx is not a Word .docx file$",
        ),
        (
            lambda p: (rich_docx(p), p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])),
            r"^x.docx is damaged: its zip archive is incomplete or corrupt",
        ),
        (
            lambda p: (rich_docx(p), corrupt_member(p, "word/document.xml")),
            r"^x.docx is damaged: its zip archive is corrupt \(Error -3 while decompressing",
        ),
        (
            lambda p: zip_crypto_docx(p),
            r"^x.docx is encrypted; save an unprotected copy to import it$",
        ),
        (
            # What Word writes for a password-protected .docx: an OLE file whose
            # EncryptedPackage stream holds the real package.
            lambda p: p.write_bytes(
                b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
                + bytes(504)
                + "EncryptedPackage".encode("utf-16-le")
            ),
            r"^x.docx is password-protected; save an unprotected copy to import it$",
        ),
        (
            lambda p: p.write_bytes(
                zip_of({"mimetype": b"application/vnd.oasis.opendocument.text"})
            ),
            r"^x.docx is an OpenDocument file, not a Word .docx document$",
        ),
        (
            lambda p: workbook(p),
            r"^x.docx is not a Word document \(content type .*spreadsheetml",
        ),
    ],
    ids=[
        "text",
        "pdf",
        "binary",
        "truncated",
        "bad-deflate",
        "encrypted-zip",
        "encrypted-word",
        "odt",
        "xlsx",
    ],
)
def test_bad_docx_gives_one_clear_line(tmp_path, make, message):
    path = tmp_path / "x.docx"
    make(path)
    with pytest.raises(InvalidInput, match=message) as raised:
        read_document(path)
    assert "\n" not in str(raised.value)


def corrupt_member(path: Path, name: str) -> None:
    """Overwrite a member's compressed data with bytes no deflate stream can hold."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start : start + 64] = b"\xff" * 64  # block type 3 does not exist
    path.write_bytes(bytes(data))


def zip_of(members: dict[str, bytes]) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def workbook(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = "Participant: a cell"
    book.save(path.with_suffix(".xlsx"))
    path.with_suffix(".xlsx").rename(path)


@needs_soffice
def test_old_binary_doc_renamed_docx(tmp_path):
    source = rich_docx(tmp_path / "old.docx")
    convert(source, "doc", tmp_path / "out")
    path = tmp_path / "out" / "old.doc"
    renamed = path.rename(tmp_path / "renamed.docx")
    with pytest.raises(
        InvalidInput,
        match=r"^renamed.docx is an old binary Word .doc file, not a Word .docx file; "
        r"save it as .docx in Word or LibreOffice$",
    ):
        read_document(renamed)


def test_empty_docx_has_no_text(tmp_path):
    import docx

    docx.Document().save(tmp_path / "empty.docx")
    assert docx_text(tmp_path / "empty.docx") == ""
    with pytest.raises(InvalidInput, match=r"^empty.docx has no text$"):
        read_document(tmp_path / "empty.docx")


# --- .odt ----------------------------------------------------------------------------------


def rich_odt(path: Path) -> Path:
    from odf import dc, draw, office, table, text
    from odf.namespaces import TEXTNS, XMLNS
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    changes = text.TrackedChanges()
    region = text.ChangedRegion(qattributes={(TEXTNS, "id"): "ct1", (XMLNS, "id"): "ct1"})
    deletion = text.Deletion()
    info = office.ChangeInfo()
    info.addElement(dc.Creator(text="A"))
    info.addElement(dc.Date(text="2024-01-01T00:00:00"))
    deletion.addElement(info)
    deletion.addElement(text.P(text="Deleted words"))
    region.addElement(deletion)
    changes.addElement(region)
    inserted = text.ChangedRegion(qattributes={(TEXTNS, "id"): "ct2", (XMLNS, "id"): "ct2"})
    insertion = text.Insertion()
    info = office.ChangeInfo()
    info.addElement(dc.Creator(text="A"))
    info.addElement(dc.Date(text="2024-01-01T00:00:00"))
    insertion.addElement(info)
    inserted.addElement(insertion)
    changes.addElement(inserted)
    document.text.addElement(changes)

    document.text.addElement(text.H(outlinelevel=1, text="Interview 3"))
    document.text.addElement(text.P(text="Interviewer: How did it   start?"))
    answer = text.P(text="Participant: It was")
    answer.addElement(text.S(c=2))
    answer.addText("slow")
    answer.addElement(text.Tab())
    answer.addText("and")
    answer.addElement(text.LineBreak())
    answer.addText("then quick.")
    note = text.Note(id="ftn1", noteclass="footnote")
    note.addElement(text.NoteCitation(text="1"))
    body = text.NoteBody()
    body.addElement(text.P(text="She meant the referral."))
    note.addElement(body)
    answer.addElement(note)
    document.text.addElement(answer)
    document.text.addElement(text.P(text="Participant: Then a second paragraph."))

    changed = text.P(text="Interviewer: We ")
    changed.addElement(text.ChangeStart(changeid="ct2"))
    changed.addText("really ")
    changed.addElement(text.ChangeEnd(changeid="ct2"))
    changed.addElement(text.Change(changeid="ct1"))
    changed.addText("agreed.")
    endnote = text.Note(id="edn1", noteclass="endnote")
    endnote.addElement(text.NoteCitation(text="i"))
    body = text.NoteBody()
    body.addElement(text.P(text="Added later."))
    endnote.addElement(body)
    changed.addElement(endnote)
    comment = office.Annotation()
    comment.addElement(text.P(text="A coder's comment"))
    changed.addElement(comment)
    document.text.addElement(changed)

    items = text.List()
    for words in ("First point", "Second point"):
        item = text.ListItem()
        item.addElement(text.P(text=words))
        items.addElement(item)
    nested = text.List()
    inner = text.ListItem()
    inner.addElement(text.P(text="Nested point"))
    nested.addElement(inner)
    items.lastChild.addElement(nested)
    document.text.addElement(items)

    grid = table.Table(name="Themes")
    grid.addElement(table.TableColumn(numbercolumnsrepeated=2))
    for left, right in (("Theme", "Quote"), ("Warmth", "She listened")):
        row = table.TableRow()
        for value in (left, right):
            cell = table.TableCell()
            cell.addElement(text.P(text=value))
            row.addElement(cell)
        grid.addElement(row)
    document.text.addElement(grid)

    host = text.P(text="See the frame ")
    frame = draw.Frame(name="f1", anchortype="as-char", width="3cm", height="1cm")
    box = draw.TextBox()
    box.addElement(text.P(text="Framed aside"))
    frame.addElement(box)
    host.addElement(frame)
    host.addText("here.")
    document.text.addElement(host)
    document.save(str(path))
    return path


ODT_TEXT = (
    "Interview 3\n\n"
    "Interviewer: How did it start?\n\n"
    "Participant: It was  slow\tand\nthen quick.[1]\n\n"
    "Participant: Then a second paragraph.\n\n"
    "Interviewer: We really agreed.[i]\n\n"
    "First point\n\n"
    "Second point\n\n"
    "Nested point\n\n"
    "Theme\tQuote\n\n"
    "Warmth\tShe listened\n\n"
    "See the frame here.\n\n"
    "Framed aside\n\n"
    "Footnotes\n\n"
    "[1] She meant the referral.\n\n"
    "Endnotes\n\n"
    "[i] Added later.\n"
)


def test_odt_reads_every_construct_in_order(tmp_path):
    path = rich_odt(tmp_path / "rich.odt")
    assert odt_text(path) == ODT_TEXT
    assert read_document(path).kind == "odt"


def test_odt_header_and_footer_are_left_out(tmp_path):
    from odf import style, text
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    layout = style.PageLayout(name="pl")
    document.automaticstyles.addElement(layout)
    page = style.MasterPage(name="Standard", pagelayoutname=layout)
    header = style.Header()
    header.addElement(text.P(text="Header words"))
    page.addElement(header)
    document.masterstyles.addElement(page)
    document.text.addElement(text.P(text="Participant: Body words."))
    document.save(str(tmp_path / "h.odt"))
    with zipfile.ZipFile(tmp_path / "h.odt") as archive:
        assert b"Header words" in archive.read("styles.xml")
    assert odt_text(tmp_path / "h.odt") == "Participant: Body words.\n"


def test_bad_odt_gives_one_clear_line(tmp_path, zip_bomb):
    from odf.opendocument import OpenDocumentSpreadsheet

    sheet = OpenDocumentSpreadsheet()
    sheet.save(str(tmp_path / "sheet.odt"))
    with pytest.raises(
        InvalidInput,
        match=r"^sheet.odt is an OpenDocument spreadsheet \(.ods\), not an OpenDocument text",
    ):
        read_document(tmp_path / "sheet.odt")

    rich_docx(tmp_path / "word.odt")
    with pytest.raises(InvalidInput, match=r"^word.odt is an Office Open XML file \(.docx\?\)"):
        read_document(tmp_path / "word.odt")

    (tmp_path / "notes.odt").write_text("just some notes")
    with pytest.raises(InvalidInput, match=r"^notes.odt is plain text, not an OpenDocument .odt"):
        read_document(tmp_path / "notes.odt")

    # LibreOffice's "save with password" keeps the zip but encrypts content.xml and
    # says so in the manifest.
    path = rich_odt(tmp_path / "locked.odt")
    manifest = (
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.3"><manifest:file-entry manifest:full-path="content.xml" '
        'manifest:media-type="text/xml" manifest:size="4000"><manifest:encryption-data '
        'manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k" '
        'manifest:checksum="AAAA"><manifest:algorithm '
        'manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc" '
        'manifest:initialisation-vector="AAAA"/></manifest:encryption-data>'
        "</manifest:file-entry></manifest:manifest>"
    )
    rewrite_member(path, "META-INF/manifest.xml", manifest.encode())
    rewrite_member(path, "content.xml", bytes(range(256)) * 16)
    with pytest.raises(InvalidInput, match=r"^locked.odt is password-protected"):
        read_document(path)

    laughs = rich_odt(tmp_path / "laughs.odt")
    rewrite_member(
        laughs,
        "content.xml",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
    )
    with pytest.raises(InvalidInput, match=r"^laughs.odt is refused: its content.xml declares"):
        read_document(laughs)

    bomb = tmp_path / "bomb.odt"
    bomb.write_bytes(zip_bomb)
    with pytest.raises(InvalidInput, match=r"^bomb.odt would inflate to more than its limits"):
        read_document(bomb)


# --- .rtf ----------------------------------------------------------------------------------


def write_rtf(path: Path, body: str, header: str = r"\ansi\ansicpg1252\deff0") -> Path:
    fonts = r"{\fonttbl{\f0\froman\fcharset0 Times New Roman;}{\f1\fnil\fcharset204 Arial Cyr;}}"
    path.write_bytes(("{\\rtf1" + header + fonts + "\n" + body + "}").encode("latin-1"))
    return path


def test_rtf_escapes_decode_to_the_right_characters(tmp_path):
    path = write_rtf(
        tmp_path / "escapes.rtf",
        r"\pard Participant: caf\'e9 it\u8217?s na\u239\'efve \par "
        r"{\uc2 two\u8220\'93\'22fallbacks\u8221\'94\'22}\par "
        r"emoji \u-10179?\u-8704? here\par "
        r"{\f1 \'cf\'f0\'e8\'e2\'e5\'f2}\par "
        "raw \x92quote\\par "
        r"bell\'07 and\'0b tab\par ",
    )
    assert rtf_text(path) == (
        "Participant: café it’s naïve\n\ntwo“fallbacks”\n\nemoji 😀 here\n\nПривет\n\n"
        "raw ’quote\n\nbell and\ntab\n"
    )


def test_rtf_as_macos_textedit_writes_it(tmp_path):
    """Backslash-newline ends a paragraph; \\uc0 means no fallback characters."""
    path = tmp_path / "textedit.rtf"
    path.write_text(
        "{\\rtf1\\ansi\\ansicpg1252\\cocoartf2639\n"
        "\\cocoatextscaling0\\cocoaplatform0{\\fonttbl\\f0\\fswiss\\fcharset0 Helvetica;}\n"
        "{\\colortbl;\\red255\\green255\\blue255;}\n{\\*\\expandedcolortbl;;}\n"
        "\\pard\\tx566\\pardirnatural\\partightenfactor0\n\n"
        "\\f0\\fs24 \\cf0 Interviewer: Hello \\'96 caf\\'e9\\\n"
        "Participant: It\\'92s fine \\uc0\\u55357 \\u56832 \\\n}\n"
    )
    assert rtf_text(path) == "Interviewer: Hello – café\n\nParticipant: It’s fine 😀\n"


def test_rtf_paragraphs_lines_tables_notes_boxes_and_deletions(tmp_path):
    path = write_rtf(
        tmp_path / "structure.rtf",
        r"{\header \pard Header words\par}"
        r"\pard Interviewer: one\line two\tab three\par "
        r"\pard Participant: answer{\super\chftn}{\*\footnote\pard\plain{\super\chftn} Note words.}"
        r" goes on{\super\chftn}{\*\footnote\ftnalt\pard\plain An endnote.}\par "
        r"\pard Participant: second paragraph\par "
        r"\trowd\cellx2000\cellx4000\pard\intbl Theme\cell Quote\cell\row "
        r"\pard Kept {\deleted gone \u8217? away }words\par "
        r"\pard Host {\shp{\*\shpinst{\sp{\sn shapeType}{\sv 202}}{\shptxt \pard Boxed aside\par}}"
        r"{\shprslt{\*\do\dobxcolumn{\dptxbx{\dptxbxtext\pard Boxed aside\par}}}}}text.\par "
        r"{\*\annotation Comment words}"
        r"{\listtext \'95\tab}First point\par "
        r'In the {\field{\*\fldinst{HYPERLINK "https://example.org/guide"}}{\fldrslt{online guide}}}.\par ',
    )
    assert rtf_text(path) == (
        "Interviewer: one\ntwo\tthree\n\n"
        "Participant: answer[1] goes on[i]\n\n"
        "Participant: second paragraph\n\n"
        "Theme\tQuote\n\n"
        "Kept words\n\n"
        "Host text.\n\n"
        "Boxed aside\n\n"
        "First point\n\n"
        "In the online guide.\n\n"
        "Footnotes\n\n"
        "[1] Note words.\n\n"
        "Endnotes\n\n"
        "[i] An endnote.\n"
    )


def test_rtf_deleted_paragraph_mark_joins_paragraphs(tmp_path):
    path = write_rtf(
        tmp_path / "join.rtf",
        r"\pard Start of it {\deleted and more\par}and its end.\par ",
    )
    assert rtf_text(path) == "Start of it and its end.\n"


def test_rtf_pictures_are_skipped_quickly(tmp_path):
    photo = "89504e47" * 1_000_000  # 8 MB of hex, as Word writes a photo
    path = write_rtf(
        tmp_path / "photo.rtf",
        r"\pard Before{\*\shppict{\pict{\*\picprop}\pngblip " + photo + r"}}"
        r"{\nonshppict{\pict\wmetafile8 " + photo[:1000] + r"}} after.\par ",
    )
    started = time.perf_counter()
    assert rtf_text(path) == "Before after.\n"
    assert time.perf_counter() - started < 2


def test_rtf_crafted_nesting_is_refused(tmp_path):
    path = tmp_path / "deep.rtf"
    path.write_text("{\\rtf1 " + "{" * 100_000 + "words" + "}" * 100_001)
    with pytest.raises(InvalidInput, match=r"^deep.rtf nests RTF groups too deeply"):
        read_document(path)


def test_rtf_registry_and_bad_input(tmp_path):
    path = write_rtf(tmp_path / "ok.rtf", r"\pard Participant: fine.\par ")
    document = read_document(path)
    assert (document.kind, document.text) == ("rtf", "Participant: fine.\n")
    path.write_bytes(b"\xef\xbb\xbf\n" + path.read_bytes() + b"}}\n")  # BOM, stray braces
    assert rtf_text(path) == "Participant: fine.\n"

    rich_docx(tmp_path / "word.rtf")
    with pytest.raises(
        InvalidInput,
        match=r"^word.rtf is a zip archive, not an RTF file; is it a .docx or .odt",
    ):
        read_document(tmp_path / "word.rtf")
    (tmp_path / "plain.rtf").write_text("Participant: not RTF at all")
    with pytest.raises(InvalidInput, match=r"^plain.rtf is plain text, not an RTF file"):
        read_document(tmp_path / "plain.rtf")


# --- LibreOffice conversions ---------------------------------------------------------------


def convert(source: Path | list[Path], target: str, outdir: Path) -> None:
    sources = source if isinstance(source, list) else [source]
    profile = outdir.parent / "lo-profile"
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            *map(str, sources),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )


@needs_soffice
def test_libreoffice_conversions_read_the_same_as_the_docx(tmp_path):
    source = rich_docx(tmp_path / "rich.docx")
    convert(source, "odt", tmp_path / "out")
    convert(source, "rtf", tmp_path / "out")
    expected = docx_text(source)
    assert odt_text(tmp_path / "out" / "rich.odt") == expected
    assert rtf_text(tmp_path / "out" / "rich.rtf") == expected


@needs_soffice
def test_libreoffice_rtf_of_hand_checked_characters(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Participant: café, it’s “quoted” – naïve.")
    document.add_paragraph("Ελληνικά, Кириллица, 日本語, emoji 😀.")
    document.save(tmp_path / "chars.docx")
    convert(tmp_path / "chars.docx", "rtf", tmp_path / "out")
    raw = (tmp_path / "out" / "chars.rtf").read_bytes()
    assert rb"caf\u233\'e9" in raw and rb"\u8217\'92" in raw  # what the test is about
    assert rtf_text(tmp_path / "out" / "chars.rtf") == (
        "Participant: café, it’s “quoted” – naïve.\n\nΕλληνικά, Кириллица, 日本語, emoji 😀.\n"
    )


# --- the real corpus -----------------------------------------------------------------------


def corpus_files(pattern: str) -> list[Path]:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared interview corpus is not at {CORPUS}")
    return sorted(CORPUS.glob(pattern))


def raw_wt_text(path: Path) -> str:
    """Independent of the reader: regular expressions over the raw XML, no XML parser.

    Paragraph ends, tabs and breaks become spaces; w:delText is not w:t, so deleted
    text stays out as in the reader.
    """
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    xml = re.sub(r"<w:(?:tab|br|cr)\b[^>]*/>|</w:p>", "<w:t> </w:t>", xml)
    return "".join(html.unescape(t) for t in re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", xml))


def test_corpus_docx_word_counts_match_the_raw_xml():
    files = corpus_files("**/*.docx")
    assert len(files) == 39
    counts = {}
    for path in files:
        counts[path.name] = (len(docx_text(path).split()), len(raw_wt_text(path).split()))
    # These transcripts have no text boxes, notes or tracked changes, where the two
    # methods would legitimately differ, so the counts must agree exactly.
    assert {name: c for name, c in counts.items() if c[0] != c[1]} == {}
    assert sum(c[0] for c in counts.values()) == 228_387


def test_open_research_data_words_inside_content_controls_are_kept():
    """The Google Docs w:sdt wrappers hold real words, often mid-sentence."""
    path = corpus_files("open-research-data-interviews/Ana.docx")[0]
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    inside = re.findall(r"<w:sdtContent>(.*?)</w:sdtContent>", xml, re.S)
    words = [
        w
        for chunk in inside
        for w in "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", chunk)).split()
    ]
    assert "planning" in words
    text = docx_text(path)
    assert "<w:" not in text and "planning" in text.split()


def hyphen_joined_words(path: Path) -> list[str]:
    # The .txt twins are hard-wrapped, so "non-\ncommercial" is one word split in two.
    text = path.read_text(encoding="utf-8-sig")
    return re.sub(r"(?<=\w-)[ \t]*\n[ \t]*", "", text).split()


def test_trials_docx_hold_every_word_of_their_txt_twins():
    """The .txt twins are an edited version: they lack some turns the .docx has.

    So the check is one way: every word of the .txt appears in the .docx text, in order.
    Over the 12 twins the .docx text has 98,429 words and the .txt 90,494 (hyphen-joined);
    the 7,935 extra are turns the .txt leaves out (the consent preamble everywhere, and
    many interviewer turns in uni005 and uni007).
    """
    pairs = [(p, p.with_suffix(".docx")) for p in corpus_files("trials-transparency/*.txt")]
    assert len(pairs) == 12
    totals = Counter()
    for txt, docx_path in pairs:
        ours, theirs = docx_text(docx_path).split(), hyphen_joined_words(txt)
        matcher = difflib.SequenceMatcher(None, ours, theirs, autojunk=False)
        missing = [
            " ".join(theirs[j1:j2])
            for op, _, _, j1, j2 in matcher.get_opcodes()
            if op in ("insert", "replace")
        ]
        assert missing == [], f"{docx_path.name} lacks words of its .txt twin: {missing[:5]}"
        totals.update(docx=len(ours), txt=len(theirs))
    assert (totals["docx"], totals["txt"]) == (98_429, 90_494)


@pytest.mark.parametrize(
    ("name", "interviewers", "expected"),
    [
        # Checked by reading the paragraphs with python-docx and counting label changes.
        (
            "flu-vaccination-parents/Participant 01 Transcript.docx",
            ("Timothy Price",),
            {"Timothy Price": 51, "Participant 01": 50, "Participant O1": 1},
        ),
        (
            "flu-vaccination-parents/Participant 11.docx",
            ("Timothy Price",),
            {"Timothy Price": 63, "Participant 11": 63},
        ),
        (
            "trials-transparency/nt003_transcribed_anonymised_final.docx",
            (),
            {"I": 80, "R1": 62, "R2": 66, "R": 5},
        ),
        (
            "trials-transparency/uni007_transcribed_anonymised_final.docx",
            (),
            {"I": 99, "R": 99},
        ),
    ],
)
def test_corpus_turns_by_speaker_and_role(name, interviewers, expected):
    path = corpus_files(name)[0]
    turns = detect_turns(docx_text(path), interviewers=interviewers)
    assert Counter(t.speaker for t in turns) == expected
    interviewer = {"Timothy Price", "I"}
    assert {t.speaker for t in turns if t.role == "interviewer"} == interviewer & set(expected)


@pytest.fixture(scope="module")
def corpus_conversions(tmp_path_factory):
    """Every corpus .docx converted by LibreOffice to .odt and .rtf (one run each)."""
    if not SOFFICE.exists():
        pytest.skip("LibreOffice is not installed: install Debian's libreoffice-writer-nogui")
    files = corpus_files("**/*.docx")
    work = tmp_path_factory.mktemp("corpus")
    # Names repeat across folders in other corpora; copy under unique names.
    sources = []
    for index, path in enumerate(files):
        sources.append(work / f"{index:02d}.docx")
        shutil.copyfile(path, sources[-1])
    convert(sources, "odt", work / "out")
    convert(sources, "rtf", work / "out")
    return [(path, work / "out" / f"{i:02d}") for i, path in enumerate(files)]


def test_corpus_through_libreoffice_reads_the_same_in_every_format(corpus_conversions):
    differ = []
    for path, converted in corpus_conversions:
        expected = docx_text(path)
        for reader, suffix in ((odt_text, ".odt"), (rtf_text, ".rtf")):
            if reader(converted.with_suffix(suffix)) != expected:
                differ.append(f"{path.name}{suffix}")
    assert differ == []
