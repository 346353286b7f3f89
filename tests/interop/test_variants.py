"""Files as other tools write them: the variants found in the wild, counted their way.

Every file here is built by the test, so nothing depends on the reference samples."""

import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thematica import open_project
from thematica.errors import InvalidInput
from thematica.interop import import_codebook, import_file
from thematica.text import canonical

G = [f"{n:08x}-aaaa-4bbb-8ccc-{n:012x}" for n in range(1, 40)]  # GUIDs


def qdpx(path, qde: str, files: dict[str, bytes], qde_name: str = "project.qde"):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(qde_name, qde.encode("utf-8"))
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def project_xml(origin: str, body: str, ns: str = "urn:QDA-XML:project:1.0") -> str:
    return f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{ns}" name="Field study" origin="{origin}">{body}</Project>'


USERS = (
    f'<Users><User guid="{G[0].upper()}" name="Ana"/><User guid="{{{G[1]}}}" name="Ben"/></Users>'
)
CODES = (
    "<CodeBook><Codes>"
    f'<Code guid="{G[2]}" name="Care" isCodable="false" color="rgb(255, 0, 128)">'
    "<Description>Being cared for</Description>"
    f'<Code guid="{G[3]}" name="Tea" isCodable="true" color="#0A0"/>'
    "</Code>"
    f'<Code guid="{G[4]}" name="Fear" isCodable="true" color="rgba(1,2,3,0.5)"/>'
    "</Codes></CodeBook>"
)
TEXT = "\ufeffAna: She made me tea \U0001f375.\r\nBen: And then?\r\nAna: Then I cried.\r\n"


def _units(text: str, piece: str, occurrence: int = 0) -> tuple[int, int]:
    """NVivo's start and end of ``piece``: UTF-16 units over the text without BOM."""
    body = text.removeprefix("\ufeff")
    at = -1
    for _ in range(occurrence + 1):
        at = body.index(piece, at + 1)
    before = len(body[:at].encode("utf-16-le")) // 2
    return before, before + len(piece.encode("utf-16-le")) // 2


def selection(guid, start, end, code, user, name=""):
    coding = (
        f'<Coding guid="{guid[:-3]}c0d" creatingUser="{user}"><CodeRef targetGUID="{code}"/></Coding>'
        if code
        else ""
    )
    return f'<PlainTextSelection guid="{guid}" name="{name}" startPosition="{start}" endPosition="{end}">{coding}</PlainTextSelection>'


def test_nvivo_windows_file_with_bom_crlf_emoji_and_variants(tmp_path):
    tea = _units(TEXT, "She made me tea \U0001f375.")
    cried = _units(TEXT, "Then I cried.")
    sources = (
        "<Sources>"
        f'<TextSource guid="{G[5].upper()}" name="interview.txt" plainTextPath="internal://{G[5].upper()}.TXT">'
        + selection(G[6], *tea, G[3].upper(), "{" + G[0] + "}")
        + selection(G[7], *cried, "{" + G[4] + "}", G[1])
        + "</TextSource></Sources>"
    )
    path = qdpx(
        tmp_path / "nvivo.qdpx",
        project_xml("NVivo for Windows 12.6", USERS + CODES + sources),
        {f"Sources/{G[5]}.txt": TEXT.encode("utf-8")},
    )
    report = import_file(path, into=tmp_path / "nvivo.thematica")
    assert (report.tool, report.coders, report.codes, report.sources, report.codings) == (
        "NVivo",
        2,
        3,
        1,
        2,
    )
    assert report.unplaced == [] and report.counting == {
        "interview.txt": "UTF-16 code units, line ends as in the file"
    }
    with open_project(tmp_path / "nvivo.thematica") as project:
        assert project.sources.text("interview.txt") == canonical(TEXT)
        found = {(c.code, c.coder, c.text) for c in project.codings.list()}
        assert found == {
            ("Care/Tea", "Ana", "She made me tea \U0001f375."),
            ("Fear", "Ben", "Then I cried."),
        }
        codes = {c.path: c for c in project.codes.list()}
        assert codes["Care"].colour == "#ff0080" and codes["Care/Tea"].colour == "#00aa00"
        assert codes["Fear"].colour == "#010203"
        assert codes["Care"].description == "Being cared for"
    assert any("isCodable=false" in note for note in report.notes)


def test_atlas_names_choose_the_counting_and_move_what_they_quote(tmp_path):
    text = "Line one \U0001f600 here.\r\nSecond line with words.\r\nThird line, the end.\r\n"
    body = text

    # ATLAS.ti counts code points and a line end as one; its names quote the text.
    def cp(piece):
        flat = body.replace("\r\n", "\n")
        at = flat.index(piece)
        return at, at + len(piece)

    second = cp("Second line")
    third = cp("Third line, the end.")
    wrong = (third[0] - 5, third[1] - 5)  # positions off by five; its name is its text
    label = cp("with words")
    lost = (2, 9)
    sources = (
        "<Sources>"
        f'<TextSource guid="{G[5]}" name="a.txt" plainTextPath="{G[5]}.txt">'
        + selection(G[6], *second, G[3], G[0], "Second line")
        + selection(G[7], *wrong, G[3], G[0], "Third line, the end.")
        + selection(G[8], *label, G[4], G[0], "A label someone wrote")
        + selection(G[9], *lost, G[4], G[0], "Nowhere in this text at all…")
        + "</TextSource></Sources>"
    )
    path = qdpx(
        tmp_path / "atlas.qdpx",
        project_xml("ATLAS.ti 23.2.3 (Windows)", USERS + CODES + sources),
        {f"sources/{G[5]}.txt": text.encode("utf-8")},
    )
    report = import_file(path, into=tmp_path / "atlas.thematica")
    assert (report.verified, report.moved, report.by_position, len(report.unplaced)) == (1, 1, 1, 1)
    assert report.unplaced[0].reason == "the text it quotes is not at its positions nor nearby"
    with open_project(tmp_path / "atlas.thematica") as project:
        texts = sorted(c.text for c in project.codings.list())
    assert texts == ["Second line", "Third line, the end.", "with words"]


def test_a_wrong_tool_is_overruled_by_the_selections_text(tmp_path):
    text = "\U0001f600\U0001f600 Alpha beta.\nGamma delta.\n"
    # written by a tool that says NVivo but counts code points: the names tell
    at = text.index("Gamma delta.")
    sources = (
        f'<Sources><TextSource guid="{G[5]}" name="x" plainTextPath="internal://{G[5]}.txt">'
        + selection(G[6], at, at + 12, G[3], G[0], "Gamma delta.")
        + "</TextSource></Sources>"
    )
    path = qdpx(
        tmp_path / "x.qdpx",
        project_xml("NVivo 14", USERS + CODES + sources),
        {f"sources/{G[5]}.txt": text.encode()},
    )
    report = import_file(path, into=tmp_path / "x.thematica")
    assert report.verified == 1 and report.counting == {
        "x": "code points, line ends as in the file"
    }
    assert any("positions counted as code points" in n for n in report.notes)


def test_selections_outside_the_text_are_reported_not_placed(tmp_path):
    sources = (
        f'<Sources><TextSource guid="{G[5]}" name="short"><PlainTextContent>Just this.</PlainTextContent>'
        + selection(G[6], 0, 4, G[3], G[0])
        + selection(G[7], 5, 99, G[3], G[0])
        + selection(G[8], 6, 6, G[3], G[0])
        + "</TextSource></Sources>"
    )
    path = tmp_path / "bare.qde"
    path.write_text(project_xml("Some Tool 1.0", USERS + CODES + sources), encoding="utf-8")
    report = import_file(path, into=tmp_path / "bare.thematica")
    assert report.format == "qde" and report.codings == 1
    reasons = sorted(u.reason for u in report.unplaced)
    assert reasons == [
        "it is empty or its end comes before its start",
        "it runs past the end of the text (10 counted)",
    ]


def test_any_single_qde_name_and_a_missing_text_file(tmp_path):
    sources = (
        f'<Sources><TextSource guid="{G[5]}" name="gone" plainTextPath="internal://{G[5]}.txt">'
        + selection(G[6], 0, 4, G[3], G[0])
        + "</TextSource></Sources>"
    )
    path = qdpx(
        tmp_path / "odd.qdpx",
        project_xml("MAXQDA 24", USERS + CODES + sources),
        {},
        qde_name="My Export.QDE",
    )
    report = import_file(path, into=tmp_path / "odd.thematica")
    assert report.sources == 0 and report.codes == 3
    assert report.skipped == [
        ("source 'gone'", f"its text file internal://{G[5]}.txt is not in odd.qdpx")
    ]
    assert [u.reason for u in report.unplaced] == ["its source's text is missing"]


def test_cases_variables_notes_links_and_sets(tmp_path):
    variables = (
        "<Variables>"
        f'<Variable guid="{G[10]}" name="age" typeOfVariable="Integer"/>'
        f'<Variable guid="{G[11]}" name="group" typeOfVariable="Text"><Description>Which group</Description></Variable>'
        f'<Variable guid="{G[12]}" name="consented" typeOfVariable="Boolean"/>'
        f'<Variable guid="{G[13]}" name="site" typeOfVariable="Text"/>'
        "</Variables>"
    )

    def value(var, kind, text):
        return f'<VariableValue><VariableRef targetGUID="{var}"/><{kind}>{text}</{kind}></VariableValue>'

    cases = (
        "<Cases>"
        f'<Case guid="{G[14]}" name="P01">'
        + value(G[10], "IntegerValue", "34")
        + value(G[11], "TextValue", "A")
        + value(G[12], "BooleanValue", "1")
        + f'<SourceRef targetGUID="{G[5]}"/></Case>'
        f'<Case guid="{G[15]}" name="P02">'
        + value(G[10], "IntegerValue", "old")
        + value(G[11], "TextValue", "A")
        + "</Case></Cases>"
    )
    sources = (
        f'<Sources><TextSource guid="{G[5]}" name="one"><PlainTextContent>Ana: hello there</PlainTextContent>'
        f'<PlainTextSelection guid="{G[6]}" startPosition="5" endPosition="10"><Description>A greeting</Description>'
        f'<Coding guid="{G[16]}" creatingUser="{G[0]}"><CodeRef targetGUID="{G[3]}"/><NoteRef targetGUID="{G[21]}"/></Coding></PlainTextSelection>'
        f'<NoteRef targetGUID="{G[20]}"/>' + value(G[13], "TextValue", "North") + "</TextSource>"
        f'<PictureSource guid="{G[17]}" name="photo.jpg" path="internal://{G[17]}.jpg"/>'
        "</Sources>"
    )
    notes = (
        "<Notes>"
        f'<Note guid="{G[20]}" name="On the source" creatingUser="{G[1]}"><PlainTextContent>Long pauses.</PlainTextContent></Note>'
        f'<Note guid="{G[21]}" name="On the coding"><PlainTextContent>Polite, not warm.</PlainTextContent></Note>'
        f'<Note guid="{G[22]}" name="Journal"><PlainTextContent>Day one.</PlainTextContent></Note>'
        f'<Note guid="{G[23]}" name="Linked"><PlainTextContent>About fear.</PlainTextContent></Note>'
        "</Notes>"
    )
    links = f'<Links><Link guid="{G[24]}" originGUID="{G[23]}" targetGUID="{G[4]}"/><Link guid="{G[25]}" name="relates" originGUID="{G[3]}" targetGUID="{G[4]}"/></Links>'
    sets = f'<Sets><Set guid="{G[26]}" name="Core"><MemberCode guid="{G[3]}"/><MemberSource targetGUID="{G[5]}"/></Set></Sets>'
    body = USERS + CODES + variables + cases + sources + notes + links + sets
    path = tmp_path / "full.qde"
    path.write_text(project_xml("QualCoder 3.5", body), encoding="utf-8")
    report = import_file(path, into=tmp_path / "full.thematica")
    with open_project(tmp_path / "full.thematica") as project:
        cases = {c.label: c for c in project.cases.list()}
        assert cases["P01"].attributes == {
            "age": 34,
            "group": "A",
            "consented": True,
            "site": "North",
        }
        assert cases["P01"].sources == ("one",)
        assert cases["P02"].attributes["age"] is None
        memos = {m.title or m.text: m for m in project.memos.list()}
        assert memos["On the source"].anchor == "one" and memos["On the source"].author == "Ben"
        assert memos["On the coding"].kind == "coding"
        assert memos["A greeting"].anchor == "one [5, 10)"
        assert memos["Journal"].kind == "project"
        assert memos["Linked"].anchor == "code Fear"
        assert memos["Set Core"].text == "Codes: Care/Tea\nSources: one"
        assert memos["Variable group"].text == "Which group"
    assert ("age of 'P02'", "'old' is not a valid integer value") in report.skipped
    assert (
        "link 'relates'",
        "Thematica keeps no links between codes, sources or selections",
    ) in report.skipped
    assert ("picture 'photo.jpg'", "Thematica holds text sources only") in report.skipped


@pytest.mark.parametrize(
    "ns", ["urn:QDA-XML:codebook:1.0", "urn:QDA-XML:codebook:1:0", "urn:QDA-XML:codebook:0:4"]
)
def test_codebooks_in_every_namespace_found_in_the_wild(sqlite_project, tmp_path, ns):
    path = tmp_path / "codes.qdc"
    path.write_text(
        f'<CodeBook xmlns="{ns}" origin="Taguette 1.4.1"><Codes>'
        f'<Code guid="{G[2].upper()}" name="Care" isCodable="true" color="#123"><Code guid="{G[3]}" name="Tea" isCodable="true"/></Code>'
        "</Codes><Sets/></CodeBook>",
        encoding="utf-8",
    )
    sqlite_project.codes.add("Care")
    report = import_codebook(sqlite_project, path)
    assert report.codes == 1 and report.skipped == [
        ("1 code already in the codebook ('Care')", "left as they are")
    ]
    assert [c.path for c in sqlite_project.codes.list()] == ["Care", "Care/Tea"]


def test_a_project_is_imported_only_into_an_empty_project(coded_sqlite, tmp_path):
    path = tmp_path / "p.qde"
    path.write_text(project_xml("X", USERS), encoding="utf-8")
    events = len(coded_sqlite.log(None))
    with pytest.raises(InvalidInput, match="is not empty .*name one with --into"):
        import_file(path, into=coded_sqlite.location)
    assert len(coded_sqlite.log(None)) == events


# -- property: random texts and selections, counted as NVivo and ATLAS.ti count -------------

PIECES = st.sampled_from(
    [
        "a",
        "word",
        " ",
        "\r\n",
        "\n",
        "é",
        "e\u0301",
        "\U0001f600",
        "\u0915\u094d\u0937",
        "\t",
        "Ana: ",
    ]
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.lists(PIECES, min_size=2, max_size=25), min_size=1, max_size=4),
    st.sampled_from(["NVivo for Windows 12.6", "ATLAS.ti 9", "Unknown 1.0"]),
    st.data(),
)
def test_foreign_selections_land_on_their_words(tmp_path_factory, pieces, origin, data):
    """Cut each text only between pieces (where a tool's user could select), count the
    cut the exporting tool's way, and the imported coding holds exactly those words."""
    where = tmp_path_factory.mktemp("foreign")
    sources, files, expected = [], {}, []
    for n, parts in enumerate(pieces):
        text = "".join(parts)
        bounds = [len("".join(parts[:k])) for k in range(len(parts) + 1)]
        i, j = sorted(data.draw(st.lists(st.sampled_from(bounds), min_size=2, max_size=2)))
        if canonical(text[:i]) == canonical(text[:j]):
            continue
        counted = {
            "NVivo": lambda k, t=text: len(t[:k].encode("utf-16-le")) // 2,
            "ATLAS": lambda k, t=text: k - t[:k].count("\r\n"),
            "Unkno": lambda k: k,
        }[origin[:5]]
        guid = G[5 + n]
        sources.append(
            f'<TextSource guid="{guid}" name="s{n}" plainTextPath="internal://{guid}.txt">'
            + selection(G[20 + n], counted(i), counted(j), G[3], G[0])
            + "</TextSource>"
        )
        files[f"sources/{guid}.txt"] = ("\ufeff" + text).encode("utf-8")
        expected.append((f"s{n}", canonical(text[i:j])))
    if not sources:
        return
    body = USERS + CODES + "<Sources>" + "".join(sources) + "</Sources>"
    path = qdpx(where / "f.qdpx", project_xml(origin, body), files)
    report = import_file(path, into=where / "f.thematica")
    assert report.unplaced == [] and report.adjusted == 0
    with open_project(where / "f.thematica") as project:
        got = sorted((c.source, c.text) for c in project.codings.list())
    assert got == sorted(expected)


def test_a_codebook_pasted_into_a_project_in_its_own_namespace(tmp_path):
    codebook = CODES.replace("<CodeBook>", '<CodeBook xmlns="urn:QDA-XML:codebook:0:4">')
    path = tmp_path / "pasted.qde"
    path.write_text(project_xml("script", USERS + codebook), encoding="utf-8")
    report = import_file(path, into=tmp_path / "pasted.thematica")
    assert report.codes == 3


def test_transcripts_with_sync_points_and_document_variables(tmp_path):
    text = "Ana: hello.\nBen: hi there.\nAna: bye.\n"
    points = "".join(
        f'<SyncPoint guid="{G[30 + n]}" position="{text.index(word)}" timeStamp="{ms}"/>'
        for n, (word, ms) in enumerate([("Ana: hello", 0), ("Ben:", 4000), ("Ana: bye", 9000)])
    )
    sources = (
        "<Sources>"
        f'<VideoSource guid="{G[5]}" name="talk.mp4" path="relative:///talk.mp4">'
        f'<Transcript guid="{G[6]}" name="talk transcript"><PlainTextContent>{text}</PlainTextContent>{points}'
        f'<TranscriptSelection guid="{G[7]}" fromSyncPoint="{G[31]}" toSyncPoint="{G[32]}">'
        f'<Coding guid="{G[8]}" creatingUser="{G[0]}"><CodeRef targetGUID="{G[4]}"/></Coding>'
        "</TranscriptSelection></Transcript></VideoSource>"
        f'<TextSource guid="{G[9]}" name="notes.txt"><PlainTextContent>Field notes.</PlainTextContent>'
        f'<VariableValue><VariableRef targetGUID="{G[10]}"/><IntegerValue>7</IntegerValue></VariableValue>'
        "</TextSource></Sources>"
    )
    variables = (
        f'<Variables><Variable guid="{G[10]}" name="visit" typeOfVariable="Integer"/></Variables>'
    )
    path = tmp_path / "media.qde"
    path.write_text(project_xml("MAXQDA 24", USERS + CODES + variables + sources), encoding="utf-8")
    report = import_file(path, into=tmp_path / "media.thematica")
    assert ("video 'talk.mp4'", "Thematica keeps its text, not the file itself") in report.skipped
    with open_project(tmp_path / "media.thematica") as project:
        assert [c.text for c in project.codings.list()] == ["Ben: hi there.\n"]
        segment = project.segments("Fear")[0]
        assert segment.time == 4.0  # seconds, from the sync point where it starts
        assert project.cases.get("notes.txt").attributes == {"visit": 7}
        assert project.cases.get("notes.txt").sources == ("notes.txt",)
    assert any("'notes.txt' had variables" in note for note in report.notes)
