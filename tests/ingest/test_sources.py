from pathlib import Path

import pytest

from thematica import InvalidInput, NotFound
from thematica.ingest.readers import ReadOptions


def test_add_file_is_canonical_with_turns(sqlite_project, tmp_path):
    path = tmp_path / "interview.txt"
    path.write_bytes("\ufeffInterviewer: Hello?\r\nParticipant: Cafe\u0301.\r\n".encode())
    source = sqlite_project.sources.add_file(path)
    assert (source.name, source.kind, source.words, source.turns) == ("interview.txt", "text", 4, 2)
    text = sqlite_project.sources.text("interview.txt")
    assert text == "Interviewer: Hello?\nParticipant: Café.\n"
    turns = sqlite_project.sources.turns("interview.txt")
    assert [text[t.start : t.end] for t in turns] == ["Hello?", "Café."]


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("utf-16", "Participant: naïve\n".encode("utf-16")),
        ("cp1252", "Participant: naïve\n".encode("cp1252")),
    ],
)
def test_other_encodings(sqlite_project, tmp_path, encoding, data):
    path = tmp_path / "i.txt"
    path.write_bytes(data)
    given = encoding if encoding == "cp1252" else None
    sqlite_project.sources.add_file(path, options=ReadOptions(encoding=given))
    assert sqlite_project.sources.text("i.txt") == "Participant: naïve\n"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.txt", b"na\x81ve", r"is not UTF-8 \(byte 0x81 at position 2\)"),
        ("a.txt", b"Participant: \x01\x02\x03", "looks like a binary file"),
        ("a.txt", b"\x00\x01binary\x00", "looks like a binary file"),
        ("a.pages", b"PK\x03\x04", r"cannot read a.pages: .pages is not a supported format"),
        ("a.txt", b"", "a.txt is empty"),
        ("a.txt", b"  \n\n ", "a.txt has no text"),
    ],
)
def test_unreadable_files(sqlite_project, tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InvalidInput, match=message):
        sqlite_project.sources.add_file(path)
    assert sqlite_project.sources.list() == []


def test_huge_file_is_refused_without_reading_it(sqlite_project, tmp_path, monkeypatch):
    from thematica.ingest import files

    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(files.MAX_TEXT_BYTES + 1)
    with pytest.raises(InvalidInput, match="huge.txt is 50 MB; text files over 50 MB are refused"):
        sqlite_project.sources.add_file(path)


def test_batch_adds_the_good_files_and_says_why_it_skipped_the_others(sqlite_project, tmp_path):
    folder = tmp_path / "interviews"
    folder.mkdir()
    (folder / "a.txt").write_text("Participant: fine\n")
    (folder / "b.txt").write_bytes(b"caf\x81")
    (folder / "c.md").write_text("Participant: fine\n")  # same text as a.txt
    (folder / "notes.pages").write_bytes(b"ignored: not a transcript format")
    (folder / "sub").mkdir()
    (folder / "sub" / "d.txt").write_text("Interviewer: deeper?\n")
    seen = []
    report = sqlite_project.sources.add_files([folder], progress=seen.append)
    assert seen == ["a.txt", "b.txt", "c.md"]
    assert [s.name for s in report.imported] == ["a.txt"]
    assert [(Path(where).name, why.split(" (")[0]) for where, why in report.skipped] == [
        ("b.txt", f"{folder / 'b.txt'} is not UTF-8"),
        ("c.md", "c.md has the same text as source 'a.txt', already imported"),
    ]
    again = sqlite_project.sources.add_files([folder], recursive=True)
    assert [s.name for s in again.imported] == ["d.txt"]
    assert len(sqlite_project.log(1)[0].after["names"]) == 1


def test_unknown_source_suggests_names(coded):
    with pytest.raises(NotFound) as error:
        coded.sources.get("interview-1.txt")
    assert str(error.value) == (
        "unknown source 'interview-1.txt' (did you mean 'interview-01.txt'?); "
        "`thematica sources list` shows them all"
    )


def test_edit_text_rejects_bad_edits(coded):
    from thematica.text import Edit

    with pytest.raises(InvalidInput, match="out of range"):
        coded.sources.edit_text("interview-01.txt", [Edit(0, 10**6, "")])
    with pytest.raises(InvalidInput, match="edits overlap at offset 3"):
        coded.sources.edit_text("interview-01.txt", [Edit(0, 5, ""), Edit(3, 8, "")])


def test_table_of_transcripts(sqlite_project, tmp_path):
    path = tmp_path / "transcripts.csv"
    path.write_text(
        'transcript_id,text\nsci_0,"AI: Hello?\n\nUser: Hi, I work in a lab."\n'
        'sci_1,"AI: Tell me more.\n\nUser: I use it daily."\nsci_2,\n',
        encoding="utf-8",
    )
    report = sqlite_project.sources.add_table(path, "text", "transcript_id")
    assert [(s.name, s.turns) for s in report.imported] == [("sci_0", 2), ("sci_1", 2)]
    assert report.skipped == (("transcripts.csv, line 4", "the text cell is empty"),)
    roles = [t.role for t in sqlite_project.sources.turns("sci_0")]
    assert roles == ["interviewer", "participant"]


def test_time_anchors_give_turns_their_times(sqlite_project):
    from thematica.ingest.readers import Document, TimeAnchor

    text = "Interviewer: So?\n\nParticipant: Well, it began in May.\n\nInterviewer: Go on."
    anchors = (TimeAnchor(0, 1.5), TimeAnchor(18, 4.25), TimeAnchor(len(text) - 25, 9.0))
    sqlite_project.sources.add_documents([("timed.vtt", Document(text, "vtt", anchors), None)])
    with sqlite_project.read() as conn:
        rows = conn.exec_driver_sql("SELECT speaker, t_start, t_end FROM turn ORDER BY start").all()
    assert rows == [
        ("Interviewer", 1500, 4250),
        ("Participant", 4250, 9000),
        ("Interviewer", 9000, None),
    ]


def test_attach_media(coded, tmp_path):
    recording = tmp_path / "interview-01.m4a"
    recording.write_bytes(b"\x00\x00\x00\x18ftypM4A ")
    assert coded.sources.attach_media("interview-01.txt", recording).media == str(recording)
    with pytest.raises(InvalidInput, match="no such media file: gone.m4a"):
        coded.sources.attach_media("interview-01.txt", "gone.m4a")
    coded.undo()
    assert coded.sources.get("interview-01.txt").media is None


def test_add_a_file_with_its_recording_in_one_change(project, tmp_path):
    transcript = tmp_path / "interview-09.txt"
    transcript.write_text("Interviewer: Hello?\n\nParticipant: Hi.\n", encoding="utf-8")
    recording = tmp_path / "interview-09.m4a"
    recording.write_bytes(b"\x00\x00\x00\x18ftypM4A ")
    with pytest.raises(InvalidInput, match="no such media file: gone.m4a"):
        project.sources.add_file(transcript, media="gone.m4a")
    assert project.sources.list() == []
    added = project.sources.add_file(transcript, media=recording)
    assert added.media == str(recording)
    assert [(e.action, e.after["media"]) for e in project.log(1)] == [
        ("add source", str(recording))
    ]
    project.undo()
    assert project.sources.list() == []


def test_hard_wrapped_text_is_rejoined_unless_asked_not_to(sqlite_project, tmp_path):
    path = tmp_path / "wrapped.txt"
    path.write_text("I: How did it\nstart for you?\n\nR: With the health\nvisitor, who rang.\n")
    sqlite_project.sources.add_file(path)
    assert sqlite_project.sources.text("wrapped.txt") == (
        "I: How did it start for you?\n\nR: With the health visitor, who rang.\n"
    )
    sqlite_project.sources.add_file(
        path, name="as-is.txt", options=ReadOptions(keep_line_breaks=True)
    )
    assert sqlite_project.sources.text("as-is.txt") == path.read_text()


def test_windows_1252_text_is_read_with_a_note(sqlite_project, tmp_path):
    path = tmp_path / "old.txt"
    path.write_bytes("Participant: it felt na\u00efve \u2019really\u2019\n".encode("cp1252"))
    report = sqlite_project.sources.add_files([path])
    assert (
        sqlite_project.sources.text("old.txt")
        == "Participant: it felt na\u00efve \u2019really\u2019\n"
    )
    assert report.notes == (
        (
            "old.txt",
            "not UTF-8: read as Windows-1252 (cp1252); if letters look wrong, add it again with its encoding, e.g. --encoding latin-1",
        ),
    )


@pytest.mark.parametrize("name", ["huge.pdf", "huge.docx", "huge.vtt"])
def test_a_500_mb_document_is_refused_without_reading_it(sqlite_project, tmp_path, name):
    path = tmp_path / name
    with path.open("wb") as handle:
        handle.truncate(500 * 1024 * 1024)  # sparse: no disk used, nothing to read
    with pytest.raises(InvalidInput, match=f"{name} is 500 MB; documents over 200 MB are refused"):
        sqlite_project.sources.add_file(path)
