"""Exports: valid against the official REFI-QDA schemas, texts as the standard asks,
and everything a project holds written where the standard (or a documented convention
inside it) puts it."""

import zipfile

import pytest
from lxml import etree

from tests.interop.conftest import TEXT_ONE, qde_of
from thematica.errors import InvalidInput
from thematica.interop import export_codebook, export_project
from thematica.text import canonical

NS = {"q": "urn:QDA-XML:project:1.0"}


def test_project_export_is_valid_and_complete(rich, project_schema, tmp_path):
    report = export_project(rich, tmp_path / "study.qdpx")
    counts = (report.users, report.codes, report.sources, report.cases, report.variables)
    assert counts == (3, 4, 2, 3, 6)
    assert (report.codings, report.notes) == (5, 5)
    qde = qde_of(tmp_path / "study.qdpx")
    project_schema.validate(qde.decode())
    root = etree.fromstring(qde)
    assert root.get("origin").startswith("Thematica ")
    users = {u.get("name") for u in root.iterfind("q:Users/q:User", NS)}
    assert users == {"Hannah", "Dev", "Sam"}
    warmth = root.find(".//q:Code[@name='Warmth']", NS)
    assert warmth.get("color") == "#aa3311"
    assert warmth.find("q:NoteRef", NS) is not None  # the memo on the code
    assert root.find(".//q:Code[@name='Therapist relationship']/q:Description", NS).text == (
        "How she experienced clinicians"
    )
    types = {v.get("name"): v.get("typeOfVariable") for v in root.iterfind(".//q:Variable", NS)}
    assert types == {
        "age": "Integer",
        "education": "Text",
        "partner": "Boolean",
        "location": "Text",
        "score": "Float",
        "joined": "Date",
    }
    education = root.find(".//q:Variable[@name='education']/q:Description", NS).text
    assert education == "Thematica attribute type: ordinal; levels: GCSEs | A levels | Degree"


def test_texts_are_utf8_with_newlines_and_selections_count_code_points(rich, tmp_path):
    export_project(rich, tmp_path / "study.qdpx")
    with zipfile.ZipFile(tmp_path / "study.qdpx") as archive:
        root = etree.fromstring(archive.read("project.qde"))
        source = root.find(".//q:TextSource[@name='interview-01.txt']", NS)
        member = "sources/" + source.get("plainTextPath").removeprefix("internal://")
        data = archive.read(member)
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
    text = data.decode("utf-8")
    assert text == canonical(TEXT_ONE)
    selections = source.findall("q:PlainTextSelection", NS)
    quoted = {text[int(s.get("startPosition")) : int(s.get("endPosition"))] for s in selections}
    assert "She made me tea \U0001f375" in quoted and "Café" in quoted
    tea = next(s for s in selections if s.get("name") == "She made me tea \U0001f375")
    coders = {c.get("creatingUser") for c in tea.findall("q:Coding", NS)}
    assert len(coders) == 2  # one coding per coder in the same selection
    memo = next(s for s in selections if s.get("name") == "She made me tea")
    assert memo.find("q:NoteRef", NS) is not None and memo.find("q:Coding", NS) is None


def test_memos_cases_themes_and_double_coding_are_written(rich, tmp_path):
    export_project(rich, tmp_path / "study.qdpx")
    root = etree.fromstring(qde_of(tmp_path / "study.qdpx"))
    notes = {n.get("guid"): n.get("name") for n in root.iterfind(".//q:Note", NS)}
    assert len(notes) == 5
    journal = [r.get("targetGUID") for r in root.iterfind("q:NoteRef", NS)]
    assert [notes[g] for g in journal] == ["After interview 1"]
    coding_note = root.find(".//q:Coding/q:NoteRef", NS)
    assert coding_note is not None
    case = root.find(".//q:Case[@name='Mother 2']", NS)
    assert case.find("q:SourceRef", NS) is not None
    assert case.find("q:SelectionRef", NS) is not None  # her speaker turns
    sets = {s.get("name"): s for s in root.iterfind(".//q:Set", NS)}
    assert "Double-coded sources" in sets
    if "Theme: Being looked after" in sets:
        child = sets["Theme: Being looked after/Like a mum would"]
        assert "status: reviewed" in child.find("q:Description", NS).text
        assert len(child.findall("q:MemberCode", NS)) == 1


def test_codebook_export_is_valid(rich, codebook_schema, tmp_path):
    report = export_codebook(rich, tmp_path / "codes.qdc")
    assert report.codes == 4
    data = (tmp_path / "codes.qdc").read_text(encoding="utf-8")
    codebook_schema.validate(data)
    root = etree.fromstring(data.encode())
    assert root.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    members = root.findall(".//{urn:QDA-XML:codebook:1.0}MemberCode")
    assert all(m.get("guid") for m in members)


def test_exporting_twice_gives_the_same_file(rich, tmp_path):
    export_project(rich, tmp_path / "a.qdpx")
    export_project(rich, tmp_path / "b.qdpx")
    assert (tmp_path / "a.qdpx").read_bytes() == (tmp_path / "b.qdpx").read_bytes()


def test_bad_export_names_are_refused(rich, tmp_path):
    with pytest.raises(InvalidInput, match="use a .qdpx file name"):
        export_project(rich, tmp_path / "study.zip")
    with pytest.raises(InvalidInput, match="use a .qdc file name"):
        export_codebook(rich, tmp_path / "codes.xml")
    with pytest.raises(InvalidInput, match="does not exist"):
        export_project(rich, tmp_path / "missing" / "study.qdpx")
