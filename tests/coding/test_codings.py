import pytest

from thematica import InvalidInput, NotFound


def test_code_by_offsets_and_by_quote(coded, interview):
    made = coded.codings.add("interview-01.txt", "Warmth", 10, 20, coder="Hannah")
    assert (made.text, made.code, made.coder) == (
        interview[10:20],
        "Therapist relationship/Warmth",
        "Hannah",
    )
    quoted = coded.codings.add_quote("interview-01.txt", "Feeling mothered", "looking after me")
    assert interview[quoted.start : quoted.end] == "looking after me"
    assert quoted.coder == "tester"


def test_coding_the_same_span_twice_is_one_coding(coded):
    first = coded.codings.add("interview-01.txt", "Warmth", 10, 20, coder="Hannah")
    again = coded.codings.add("interview-01.txt", "Warmth", 10, 20, coder="Hannah")
    assert first.id == again.id
    assert len(coded.codings.list()) == 1
    assert coded.log(1)[0].action == "code (already coded)"
    # It changed nothing, so undo passes over it and undoes the first coding.
    coded.undo()
    assert coded.codings.list() == []


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (("nope.txt", "Warmth", 0, 5), NotFound, "unknown source 'nope.txt'"),
        (("interview-01.txt", "Warmht", 0, 5), NotFound, "did you mean 'Warmth'"),
        (("interview-01.txt", "Warmth", 5, 5), InvalidInput, "empty span"),
        (("interview-01.txt", "Warmth", 9, 5), InvalidInput, "need 0 <= start <= end"),
        (("interview-01.txt", "Warmth", -1, 5), InvalidInput, "need 0 <= start <= end"),
        (("interview-01.txt", "Warmth", 0, 10**6), InvalidInput, "out of range"),
    ],
)
def test_bad_codings_are_refused(coded, args, error, message):
    with pytest.raises(error, match=message):
        coded.codings.add(*args)
    assert coded.codings.list() == []


def test_import_csv_by_quote_with_memos_and_duplicates(coded, tmp_path):
    path = tmp_path / "codings.csv"
    path.write_text(
        "source,quote,code,coder,memo,prefix,suffix\n"
        "interview-01.txt,she was really kind to me,Warmth,Hannah,First sign of warmth,,\n"
        'interview-01.txt,"Like someone was looking after me",Feeling mothered,Hannah,,,\n'
        "interview-01.txt,Me.,Feeling mothered,Dev,,just the baby. ,\n",
        encoding="utf-8",
    )
    result = coded.codings.import_csv(path)
    assert (result.added, result.duplicates, result.memos) == (3, 0, 1)
    again = coded.codings.import_csv(path)
    assert (again.added, again.duplicates) == (0, 3)
    (memo,) = coded.memos.list("coding")
    assert memo.text == "First sign of warmth"
    me = coded.codings.list(coder_name="Dev")[0]
    assert me.text == "Me."


def test_import_csv_with_offsets_and_a_default_coder(coded, tmp_path):
    path = tmp_path / "offsets.csv"
    path.write_text("source,start,end,code\ninterview-01.txt,0,11,Warmth\n")
    with pytest.raises(InvalidInput, match="has no 'coder' column: name the coder with --coder"):
        coded.codings.import_csv(path)
    assert coded.codings.import_csv(path, coder="Dev").added == 1
    assert coded.codings.list()[0].coder == "Dev"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("source,code\n", "needs a 'quote' column, or 'start' and 'end' columns"),
        ("quote,code,coder\nx,Warmth,H\n", "has no column 'source'; its columns are: quote, code"),
        (
            "source,quote,code,coder\ninterview-01.txt,Me.,Warmth,H\ninterview-01.txt,zzz,Warmth,H\n",
            "line 3: quote 'zzz' not found in interview-01.txt",
        ),
        (
            "source,quote,code,coder\ninterview-01.txt,Participant,Warmth,H\n",
            "line 2: quote 'Participant' matches 3 places in interview-01.txt",
        ),
        ("source,quote,code,coder\ninterview-01.txt,Me.,Nope,H\n", "line 2: unknown code 'Nope'"),
        (
            "source,start,end,code,coder\ninterview-01.txt,a,5,Warmth,H\n",
            "start 'a' is not a whole",
        ),
    ],
)
def test_bad_csv_imports_nothing(coded, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    events = len(coded.log(None))
    with pytest.raises((InvalidInput, NotFound), match=message):
        coded.codings.import_csv(path)
    assert coded.codings.list() == []
    assert len(coded.log(None)) == events


def test_csv_in_the_wrong_encoding(coded, tmp_path):
    path = tmp_path / "cp1252.csv"
    path.write_bytes(
        "source,quote,code,coder\ninterview-01.txt,caf\u00e9,Warmth,H\n".encode("cp1252")
    )
    with pytest.raises(InvalidInput, match=r"is not UTF-8 \(byte 0xe9 at position 44\); pass its"):
        coded.codings.import_csv(path)
    with pytest.raises(InvalidInput, match="line 2: quote 'café' not found"):
        coded.codings.import_csv(path, encoding="cp1252")


def test_remove_keeps_memos_on_the_text(coded):
    made = coded.codings.add("interview-01.txt", "Warmth", 10, 20)
    coded.memos.add("Why here?", coding=made.id)
    coded.codings.remove(made.id)
    (memo,) = coded.memos.list()
    assert (memo.kind, memo.start, memo.end) == ("source", 10, 20)
    with pytest.raises(NotFound, match="no coding with id 99"):
        coded.codings.remove(99)


def test_text_change_remaps_codings_and_memos(coded, interview):
    from thematica.text import Edit

    name = interview.index("Grace")
    kind = coded.codings.add_quote("interview-01.txt", "Warmth", "called Grace picked up")
    after = coded.codings.add_quote("interview-01.txt", "Feeling mothered", "looking after me")
    gone = coded.codings.add("interview-01.txt", "Warmth", name, name + 5)
    memo = coded.memos.add("Name here", source="interview-01.txt", start=name, end=name + 5)
    report = coded.sources.edit_text("interview-01.txt", [Edit(name, name + 5, "")])
    assert report.collapsed == 1
    texts = {c.id: c.text for c in coded.codings.list()}
    assert texts == {kind.id: "called  picked up", after.id: "looking after me"}
    assert gone.id not in texts
    assert coded.memos.get(memo.id).start is None
    coded.undo()
    assert {c.id: c.text for c in coded.codings.list()}[gone.id] == "Grace"


def test_code_with_a_new_code_is_one_change(coded, interview):
    start = interview.index("I rang them twice")
    made = coded.codings.add_with_new_code("interview-01.txt", "Rang twice", start, start + 17)
    assert made.created
    assert (made.coding.code, made.coding.text) == ("Rang twice", "I rang them twice")
    assert coded.codes.get("Rang twice").parent is None
    (event,) = coded.log(1)
    assert (event.action, event.target) == (
        "code with new code",
        f"interview-01.txt [{start}, {start + 17})",
    )
    assert event.after["created"] == "Rang twice"
    coded.undo()  # one undo takes back the coding and the code
    assert coded.codings.list() == []
    assert "Rang twice" not in [c.name for c in coded.codes.list()]


def test_code_with_a_new_code_under_a_parent_or_an_existing_code(coded):
    under = coded.codings.add_with_new_code(
        "interview-01.txt", "Kind words", 10, 20, parent="Therapist relationship", coder="Dev"
    )
    assert under.created and under.coding.code == "Therapist relationship/Kind words"
    assert under.coding.coder == "Dev"
    # A unique name anywhere in the codebook is that code: nothing new is made.
    again = coded.codings.add_with_new_code("interview-01.txt", "Warmth", 30, 40)
    assert not again.created and again.coding.code == "Therapist relationship/Warmth"
    assert coded.log(1)[0].action == "code"
    # A slash is part of a name, not a path.
    slash = coded.codings.add_with_new_code("interview-01.txt", "and/or", 50, 60)
    assert slash.created and coded.codes.get("and/or").parent is None


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (("nope.txt", "New", 0, 5), {}, NotFound, "unknown source 'nope.txt'"),
        (("interview-01.txt", "New", 5, 5), {}, InvalidInput, "empty span"),
        (("interview-01.txt", "New", 0, 10**6), {}, InvalidInput, "out of range"),
        (("interview-01.txt", "  ", 0, 5), {}, InvalidInput, "needs a name"),
        (("interview-01.txt", "New", 0, 5), {"parent": "Nope"}, NotFound, "unknown code"),
    ],
)
def test_failed_code_with_a_new_code_adds_nothing(coded, args, kwargs, error, message):
    codes, events = coded.codes.list(), coded.log(None)
    with pytest.raises(error, match=message):
        coded.codings.add_with_new_code(*args, **kwargs)
    assert (coded.codes.list(), coded.log(None)) == (codes, events)
    assert coded.codings.list() == []
