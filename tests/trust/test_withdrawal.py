"""Withdrawal of consent: after `thematica cases withdraw`, nothing the participant said,
nor anything written about their words, is left in the project file (its pages, free
space, full-text index, write-ahead log), its audit log, its key, or its exports."""

import json
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import Column, ForeignKey, Integer, Table, Text, insert, select

from tests.cli import run
from tests.conftest import DEMO, INTERVIEW
from tests.trust.conftest import DEMO_PASSPHRASE
from thematica import InvalidInput, open_project
from thematica.anonymise.vault import KeyVault
from thematica.store.schema import metadata
from thematica.text import checksum
from thematica.text.remap import Edit

WITHDRAWN = "8"  # Mother 8: double-coded, quoted, with memos on her codings
SOURCE = "interview-08.txt"


def project_bytes(path: Path) -> bytes:
    """Everything SQLite keeps of a project on disk: the file, its WAL and shared memory."""
    return b"".join(
        Path(f"{path}{suffix}").read_bytes()
        for suffix in ("", "-wal", "-shm")
        if Path(f"{path}{suffix}").exists()
    )


def export_bytes(folder: Path) -> dict[str, bytes]:
    """Every exported file, zip packages (qdpx, docx) opened member by member."""
    found = {}
    for path in sorted(folder.iterdir()):
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    found[f"{path.name}/{name}"] = archive.read(name)
        else:
            found[path.name] = path.read_bytes()
    return found


def fragments(own: str, others: list[str]) -> list[str]:
    """The sentences of ``own`` (25 characters or more) found in none of ``others``: words
    only this participant said (the interviewer's questions recur in every interview)."""
    pieces = {p.strip() for p in re.split(r"[.?!\n]+", own) if len(p.strip()) >= 25}
    return sorted(p for p in pieces if not any(p in text for text in others))


def add_traces(project, tmp_path):
    """Give Mother 8 everything a study could hold of her, including what only the
    audit log's undo data keeps: an edited text, an edited memo, a removed quote, a
    rewritten summary. Return the texts written about her words, and the hash of another
    woman's words, whose cached vector must stay."""
    coding = next(c for c in project.codings.list() if c.source == SOURCE)
    someone_else = next(c for c in project.codings.list() if c.source != SOURCE)
    written = [
        "Sentinel memo on her answer about the kitchen table",
        "Sentinel memo, first version, later rewritten",
        "Sentinel framework summary: she felt watched at home",
        "Sentinel summary, second version",
    ]
    project.memos.add(written[0], source=SOURCE, start=coding.start, end=coding.end)
    edited = project.memos.add(written[1], coding=coding.id)
    project.memos.edit(edited.id, text="Sentinel memo, rewritten")
    theme = project.themes.list()[0].path
    project.themes.summarise(theme, "Mother 8", written[2])
    project.themes.summarise(theme, "Mother 8", written[3])
    project.themes.remove_quote(project.themes.add_quote(theme, coding.id).id)
    text = project.sources.text(SOURCE)
    start = text.index("Participant:", 400)
    project.sources.edit_text(SOURCE, [Edit(start, start + 12, "Mum:")], reason="relabel")
    # Vectors cached for her coded words and another woman's, as assisted coding makes them.
    from thematica.store.schema import embedding

    with project.engine.begin() as conn:
        for digest in (checksum(someone_else.text), checksum(coding.text)):
            row = {"model": "m", "model_hash": "h", "text_hash": digest, "vector": b"\0\0"}
            conn.execute(insert(embedding), row)
    return written + ["Sentinel memo, rewritten", coding.text], checksum(someone_else.text)


def test_nothing_of_a_withdrawn_participant_remains(study, tmp_path):
    key = study.with_suffix(".key")
    with open_project(study, actor="Hannah") as project:
        raw = (DEMO / "raw" / SOURCE).read_text(encoding="utf-8")
        written, other_vector = add_traces(project, tmp_path)
        own = project.sources.text(SOURCE)
        others = [project.sources.text(s.name) for s in project.sources.list() if s.name != SOURCE]
        others += [m.text for m in project.memos.list() if m.source != SOURCE]
        said = fragments(own, others) + fragments(raw, others)
        before = (project.themes.prevalence("Hannah").participants, project.cases.list())
        counts = (
            len([c for c in project.codings.list() if c.source == SOURCE]),
            len([m for m in project.memos.list() if m.source == SOURCE]),
            len([q for q in project.themes.quotes() if q.source == SOURCE]),
        )
        vault = KeyVault.open(key, DEMO_PASSPHRASE)
        originals = [e.original for e in vault.lookup(SOURCE)]
    assert len(said) > 100 and originals
    for text in said[:5] + written:
        assert text.encode() in project_bytes(study) + (DEMO / "raw" / SOURCE).read_bytes()

    result = run(
        "-p", str(study), "cases", "withdraw", WITHDRAWN, "--key", str(key), "--yes",
        env={"THEMATICA_KEY_PASSPHRASE": DEMO_PASSPHRASE}, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert counts == (159, 9, 1)
    assert lines[0].startswith(
        "Withdrew Mother 8 (id 8): removed 1 source, 159 codings, 9 memos, 1 quote ("
    )
    assert lines[1] == f"Removed {len(originals)} identifiers from the key {key}."
    assert re.fullmatch(
        r"Logged as event \d+, without content; \d+ earlier events lost their details\. "
        r"This cannot be undone\.",
        lines[2],
    )

    # The file, its write-ahead log and its free pages hold none of her words.
    stored = project_bytes(study)
    left = [text for text in said + written if text.encode() in stored]
    assert left == []
    assert not Path(f"{study}-wal").exists() or Path(f"{study}-wal").stat().st_size == 0
    with sqlite3.connect(study) as conn:
        assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
        # Nor does the full-text index: none of the words only she used is a term in it.
        conn.execute("CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, source_fts, row)")
        terms = {t for (t,) in conn.execute("SELECT term FROM temp.terms")}
        own_words = set(re.findall(r"[a-z]{6,}", own.lower()))
        their_words = set(re.findall(r"[a-z]{6,}", " ".join(others).lower()))
        assert own_words - their_words and not (own_words - their_words) & terms
        # The log says a withdrawal happened, by whom and when, naming only the case id.
        events = conn.execute("SELECT action, target, before, after, changes FROM audit").fetchall()
        assert SOURCE not in json.dumps(events) and "Mother 8" not in json.dumps(events)
        action, target, _, after, _ = events[-1]
        assert (action, target) == ("withdraw case", "case 8")
        assert json.loads(after)["rows"]["embedding"] >= 1
        # Her vector went; the other woman's stays.
        vectors = {h for (h,) in conn.execute("SELECT text_hash FROM embedding")}
        assert other_vector in vectors and checksum(written[-1]) not in vectors

    # Her identifiers left the key; the key file itself never held them in the clear.
    assert KeyVault.open(key, DEMO_PASSPHRASE).lookup(SOURCE) == ()
    names = [o for o in originals if len(o) >= 6]  # "24" may well be in base64 by chance
    assert names and not any(o.encode() in key.read_bytes() for o in names)

    # Computed figures follow: prevalence and Table 1 count eleven women now.
    with open_project(study) as project:
        assert project.themes.prevalence("Hannah").participants == before[0] - 1
        assert [c.label for c in project.cases.list()] == [
            c.label for c in before[1] if c.label != "Mother 8"
        ]
    exports = tmp_path / "exports"
    exports.mkdir()
    for args in (
        ("export", "qdpx", str(exports / "study.qdpx")),
        ("report", "--out", str(exports / "report.docx"), "--coder", "Hannah"),
        ("report", "--out", str(exports / "report.html"), "--coder", "Hannah"),
        ("report", "--out", str(exports / "report.md"), "--coder", "Hannah"),
        ("table1", "--spec", str(DEMO / "table1.toml"), "--out", str(exports / "table1.csv")),
        ("framework", "--out", str(exports / "framework.csv")),
        ("codes", "export", str(exports / "codebook.csv")),
        ("log", "--format", "csv", "--out", str(exports / "audit.csv")),
    ):
        run("-p", str(study), *args, check=False)
    found = export_bytes(exports)
    assert "report.md" in found and "study.qdpx/project.qde" in found
    assert b"(N = 11)" in found["table1.csv"] + found["report.md"]
    assert [
        (name, t) for name, data in found.items() for t in said + written if t.encode() in data
    ] == []
    assert not any(SOURCE.encode() in data or b"Mother 8" in data for data in found.values())


def test_withdrawal_cannot_be_undone_and_blocks_undo_before_it(study):
    with open_project(study, actor="Hannah") as project:
        project.cases.withdraw("Mother 3", without_key=True)
        with pytest.raises(
            InvalidInput, match="the last change, 'withdraw case', cannot be undone"
        ):
            project.undo()


def test_an_anonymised_source_needs_its_key(study):
    with open_project(study) as project:
        with pytest.raises(InvalidInput, match=(
            "the project was anonymised: give the key file \\(--key\\) so that Mother 3's "
            "identifiers leave it too, or --without-key if it no longer exists or holds none of "
            "theirs"
        )):  # fmt: skip
            project.cases.withdraw("3")
        with pytest.raises(InvalidInput, match="wrong passphrase"):
            project.cases.withdraw("3", key=study.with_suffix(".key"), passphrase="not this one")
        assert [c.label for c in project.cases.list()].count("Mother 3") == 1  # nothing went
        done = project.cases.withdraw("3", without_key=True)
        assert (done.key_entries, done.sources) == (None, ("interview-03.txt",))
        # The first withdrawal erased the source names from the anonymisation's event;
        # the next one still asks for the key.
        with pytest.raises(InvalidInput, match="the project was anonymised"):
            project.cases.withdraw("5")


@pytest.fixture
def pair(sqlite_project, tmp_path):
    """Two participants, each with an interview, codings and memos."""
    project = sqlite_project
    (tmp_path / "p.csv").write_text("id,age\n1,24\n2,31\n")
    project.cases.import_table(tmp_path / "p.csv", id_column="id")
    project.sources.add("one.txt", INTERVIEW, case="1")
    project.sources.add("two.txt", INTERVIEW.replace("Grace", "Hope"), case="2")
    project.codes.add("Warmth")
    for name in ("one.txt", "two.txt"):
        coding = project.codings.add_quote(name, "Warmth", "she was really kind to me")
        project.memos.add(f"Memo on {name}", coding=coding.id)
    return project


def test_a_new_table_that_points_at_a_source_is_covered(pair):
    """Tables are found from the schema's foreign keys: one added later (and one that
    points at it, and one that points at a case) is emptied of her rows too."""
    vectors = Table(
        "test_passage_vector", metadata,
        Column("id", Integer, primary_key=True),
        Column("source_id", Integer, ForeignKey("source.id"), nullable=False),
        Column("text", Text, nullable=False),
    )  # fmt: skip
    notes = Table(
        "test_vector_note", metadata,
        Column("id", Integer, primary_key=True),
        Column("vector_id", Integer, ForeignKey("test_passage_vector.id"), nullable=False),
    )  # fmt: skip
    consents = Table(
        "test_consent_form", metadata,
        Column("id", Integer, primary_key=True),
        Column("case_id", Integer, ForeignKey("case.id"), nullable=False),
    )  # fmt: skip
    try:
        with pair.engine.begin() as conn:
            for table in (vectors, notes, consents):
                table.create(conn)
            for source_id in (1, 2):
                conn.execute(
                    insert(vectors), {"source_id": source_id, "text": f"words {source_id}"}
                )
                conn.execute(insert(notes), {"vector_id": source_id})
                conn.execute(insert(consents), {"case_id": source_id})
        done = pair.cases.withdraw("1")
        with pair.read() as conn:
            assert conn.execute(select(vectors.c.source_id)).scalars().all() == [2]
            assert conn.execute(select(notes.c.vector_id)).scalars().all() == [2]
            assert conn.execute(select(consents.c.case_id)).scalars().all() == [2]
        assert {k: done.removed[k] for k in ("test_passage_vector", "test_vector_note", "test_consent_form")} == {
            "test_passage_vector": 1, "test_vector_note": 1, "test_consent_form": 1,
        }  # fmt: skip
    finally:
        for table in (consents, notes, vectors):
            metadata.remove(table)
    assert [c.label for c in pair.cases.list()] == ["Mother 2"]
    assert [s.name for s in pair.sources.list()] == ["two.txt"]
    assert [m.text for m in pair.memos.list()] == ["Memo on two.txt"]


def test_a_source_shared_with_another_participant_is_refused_unless_asked(pair):
    pair.cases.link("2", "one.txt")
    with pytest.raises(InvalidInput, match=(
        "one.txt also holds the words of Mother 2: withdrawing Mother 1 would remove "
        "theirs too; give --include-shared to remove the whole source"
    )):  # fmt: skip
        pair.cases.withdraw("1")
    done = pair.cases.withdraw("1", include_shared=True)
    assert done.sources == ("one.txt",)
    assert [c.sources for c in pair.cases.list()] == [("two.txt",)]


def test_notes_that_still_name_the_participant_are_listed(pair):
    pair.memos.add("Mother 1 reminds me of my sister.", title="Journal")
    pair.memos.add("Mother 12 is not her.", title="Journal")
    done = pair.cases.withdraw("Mother 1")
    assert done.still_named == ("memo 3 (project)",)


@pytest.mark.postgresql
def test_withdrawal_on_postgresql(postgres):
    from thematica import create_project

    location = postgres.create_database("withdrawal")
    with create_project(location, participant_label="Mother {id}") as project:
        project.cases.add("1")
        project.cases.add("2")
        project.sources.add("one.txt", INTERVIEW, case="1")
        project.sources.add("two.txt", INTERVIEW.replace("Grace", "Hope"), case="2")
        project.codes.add("Warmth")
        coding = project.codings.add_quote("one.txt", "Warmth", "she was really kind to me")
        project.memos.add("Sentinel memo on one", coding=coding.id)
        done = project.cases.withdraw("Mother 1")
        assert done.wiped and done.removed["source"] == 1
        assert [s.name for s in project.sources.list()] == ["two.txt"]
        assert project.memos.list() == []
        events = json.dumps([e.as_dict() for e in project.log(None)])
        assert "one.txt" not in events and "Sentinel" not in events and "Mother 1" not in events
        assert project.log(1)[0].target == "case 1"


def test_the_log_keeps_who_and_when_but_no_words(pair):
    theme = pair.themes.add("Kindness", codes=["Warmth"])
    ones = [c for c in pair.codings.list() if c.source == "one.txt"]
    pair.themes.remove_quote(pair.themes.add_quote(theme.path, ones[0].id).id)
    pair.codings.remove(ones[0].id)
    kept = pair.codings.add_quote("two.txt", "Warmth", "Not just the baby. Me.")
    before = {e.id: e for e in pair.log(None)}
    done = pair.cases.withdraw("1")
    after = {e.id: e for e in pair.log(None)}
    words = ("she was really kind", "Memo on one.txt", "one.txt", "Mother 1", "Grace")
    assert not any(w in json.dumps([e.as_dict() for e in after.values()]) for w in words)
    erased = [i for i in before if after[i] != before[i]]
    assert len(erased) == done.events_erased
    for i in erased:
        assert (after[i].actor, after[i].at, after[i].action) == (
            before[i].actor, before[i].at, before[i].action,
        )  # fmt: skip
        assert not after[i].undoable and after[i].after["erased"] == "withdrawal of consent"
    removal = next(e for e in after.values() if e.action == "remove quote")
    assert "text" in before[removal.id].before and "text" not in removal.before
    assert not any(isinstance(v, str) for v in removal.before.values())
    assert removal.before["start"] == ones[0].start
    uncoded = next(e for e in after.values() if e.action == "uncode")
    assert uncoded.target == f"coding {ones[0].id}"
    # Another woman's coding keeps its details and can still be undone, up to the withdrawal.
    theirs = next(e for e in after.values() if e.action == "code" and e.after.get("id") == kept.id)
    assert theirs == before[theirs.id] and theirs.undoable
    assert theirs.target.startswith("two.txt [")
    last = pair.log(1)[0]
    assert (last.action, last.target, last.actor, last.undoable) == (
        "withdraw case", "case 1", "tester", False,
    )  # fmt: skip
    assert last.after == {
        "case": "1", "sources": 1, "events_erased": done.events_erased, "key_entries": None,
        # Her one coding was removed before: its memo stayed, on her text.
        "rows": {"case": 1, "case_value": 1, "memo": 1, "source": 1, "source_case": 1,
                 "source_chunk": 1, "turn": 6},
    }  # fmt: skip
