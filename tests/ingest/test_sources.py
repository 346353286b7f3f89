import pytest

from thematica import InvalidInput, NotFound


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
    sqlite_project.sources.add_file(path, encoding=given)
    assert sqlite_project.sources.text("i.txt") == "Participant: naïve\n"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.txt", "naïve".encode("cp1252"), r"is not UTF-8 \(byte 0xef at position 2\)"),
        ("a.txt", b"\x00\x01binary\x00", "looks like a binary file"),
        ("a.docx", b"PK\x03\x04", "only plain text .* and Markdown .* are supported"),
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
    with pytest.raises(InvalidInput, match="huge.txt is 50 MB; files over 50 MB are refused"):
        sqlite_project.sources.add_file(path)


def test_batch_is_all_or_nothing(sqlite_project, tmp_path):
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text("Participant: fine\n")
    bad.write_bytes(b"\xff\xfe\x00")
    bad.write_bytes(b"caf\xe9")
    with pytest.raises(InvalidInput):
        sqlite_project.sources.add_files([good, bad])
    assert sqlite_project.sources.list() == []
    sqlite_project.sources.add_files([good])
    with pytest.raises(InvalidInput, match="a source named 'good.txt' already exists"):
        sqlite_project.sources.add_files([good])


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
