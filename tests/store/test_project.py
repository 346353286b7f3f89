import sqlite3
import subprocess
import sys

import pytest
from sqlalchemy import text

from thematica import ProjectError, create_project, open_project
from thematica.store import migrations
from thematica.store.schema import metadata


def test_create_then_open_keeps_settings(location):
    create_project(location, name="Parent-infant study", participant_label="Mother {id}").close()
    with open_project(location) as project:
        assert project.setting("name") == "Parent-infant study"
        assert project.participant_label == "Mother {id}"
        (event,) = project.log()
        assert event.action == "create project"
        assert not event.undoable


def test_sqlite_project_is_wal_with_foreign_keys_and_fts(sqlite_project, interview):
    sqlite_project.sources.add("a.txt", interview)
    with sqlite_project.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        hits = conn.exec_driver_sql(
            "SELECT rowid FROM source_fts WHERE source_fts MATCH 'NEAR(health visitor, 2)'"
        ).all()
    # The index holds windows of each source; the first window of source 1.
    assert hits == [(1 << 20,)]


def test_fts_follows_text_changes_and_undo(sqlite_project, interview):
    from thematica.text import Edit

    sqlite_project.sources.add("a.txt", interview)
    start = interview.index("Grace")
    sqlite_project.sources.edit_text("a.txt", [Edit(start, start + 5, "[Therapist]")])

    def matches(word):
        with sqlite_project.read() as conn:
            query = f"SELECT count(*) FROM source_fts WHERE source_fts MATCH '{word}'"
            return conn.exec_driver_sql(query).scalar()

    assert (matches("grace"), matches("therapist")) == (0, 1)
    sqlite_project.undo()
    assert (matches("grace"), matches("therapist")) == (1, 0)


def long_text(words=3000):
    """A participant's turn of several windows of the index, every word a different one."""
    return "Participant: " + " ".join(f"w{n}x" for n in range(words))


def vocabulary(project):
    """Each term of the full-text index with the windows and the times it occurs in."""
    with project.read() as conn:
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.terms USING fts5vocab(main, source_fts, row)"
        )
        return conn.exec_driver_sql("SELECT term, doc, cnt FROM temp.terms").all()


def test_the_windowed_index_takes_out_exactly_what_it_put_in(sqlite_project):
    """Adding, editing, deleting and undoing a text of several windows leaves the index
    as building it afresh from the texts would."""
    from thematica.store.fts import WINDOW, reindex_sql
    from thematica.text import Edit

    project = sqlite_project
    project.sources.add("a.txt", long_text())
    project.sources.add("b.txt", long_text(500))
    assert len(project.sources.text("a.txt")) > 2 * WINDOW
    at = project.sources.text("a.txt").index("w1700x")
    for words in ("changed", "changed words"):
        project.sources.edit_text("a.txt", [Edit(at, at + 6, words)])
        project.undo()
    project.sources.edit_text("a.txt", [Edit(at, at + 6, "changed words")])
    project.sources.add("c.txt", long_text(2000))
    project.undo()  # c.txt is taken out
    left = sorted(vocabulary(project))
    with project.engine.begin() as conn:
        for statement in reindex_sql():
            conn.exec_driver_sql(statement)
    assert sorted(vocabulary(project)) == left
    terms = {term: windows for term, windows, _ in left}
    assert "w1700x" not in terms and terms["changed"] == 1 and terms["w1x"] == 2
    # A word in the overlap of two windows is in both.
    assert terms[project.sources.text("a.txt")[WINDOW + 10 :].split()[1]] == 2
    assert [p.text for p in project.query.search('"changed words"').hits] == ["changed words"]


def test_upgrading_to_0010_indexes_existing_texts_in_windows(tmp_path):
    from alembic import command

    location = str(tmp_path / "study.thematica")
    create_project(location).close()
    with open_project(location) as project:
        project.sources.add("a.txt", long_text())
        with project.engine.begin() as conn:
            command.downgrade(migrations.alembic_config(conn), "0009")
            match = "SELECT rowid FROM source_fts WHERE source_fts MATCH 'w2900x'"
            assert conn.exec_driver_sql(match).all() == [(1,)]
    with open_project(location) as project:
        with project.read() as conn:
            assert conn.exec_driver_sql(match).all() == [((1 << 20) + 2,)]
        (hit,) = project.query.search("w2900x").hits
        assert project.sources.text("a.txt")[hit.start : hit.end] == "w2900x"


def test_postgres_full_text_index_exists(postgres):
    url = postgres.create_database("fts_check")
    with create_project(url) as project, project.read() as conn:
        indexes = conn.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = 'source'"))
        assert "ix_source_fts" in set(indexes.scalars())


def test_claimed_turns_have_their_partial_index_on_both_databases(location):
    with create_project(location) as project, project.read() as conn:
        if conn.dialect.name == "sqlite":
            sql = "SELECT sql FROM sqlite_master WHERE name = 'ix_turn_claimed'"
        else:
            sql = "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_turn_claimed'"
        (made,) = conn.exec_driver_sql(sql).scalars()
    assert "case_id IS NOT NULL" in made


def test_a_sqlite_project_opens_without_the_postgresql_dialect(tmp_path):
    """Importing SQLAlchemy's PostgreSQL dialect (and asyncio with its drivers) cost every
    command about 25 ms; a SQLite project has no use for it."""
    create_project(tmp_path / "s.thematica").close()
    script = (
        "import sys\n"
        "from thematica import open_project\n"
        f"open_project({str(tmp_path / 's.thematica')!r}).sources.list()\n"
        "print([m for m in sys.modules if m.startswith('sqlalchemy.dialects.postgresql')])\n"
    )
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert found.returncode == 0, found.stderr
    assert found.stdout == "[]\n"


def test_migrations_build_exactly_the_schema_the_code_uses(location):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with create_project(location) as project, project.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": migrations.include_name})
        diff = compare_metadata(context, metadata)
        script = ScriptDirectory.from_config(migrations.alembic_config(conn))
    assert diff == []
    history = [rev.revision for rev in reversed(list(script.walk_revisions()))]
    assert tuple(history) == migrations.REVISIONS


def test_missing_file(tmp_path):
    with pytest.raises(ProjectError, match="no project at .*: create one with `thematica init"):
        open_project(tmp_path / "nope.thematica")


def test_file_that_is_not_sqlite(tmp_path):
    path = tmp_path / "notes.thematica"
    path.write_text("just some notes")
    with pytest.raises(
        ProjectError, match="is not a Thematica project \\(not a SQLite database\\)"
    ):
        open_project(path)


def test_sqlite_database_of_another_program(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    before = path.read_bytes()
    with pytest.raises(ProjectError, match="is not a Thematica project$"):
        open_project(path)
    assert path.read_bytes() == before


def test_project_from_a_newer_version(tmp_path):
    path = tmp_path / "future.thematica"
    create_project(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(
        ProjectError, match="saved by a newer version of Thematica \\(schema 9999\\)"
    ):
        open_project(path)


def test_refuses_to_overwrite(tmp_path):
    path = tmp_path / "study.thematica"
    create_project(path).close()
    with pytest.raises(ProjectError, match="already exists"):
        create_project(path)


def test_postgres_database_without_a_project(postgres):
    url = postgres.create_database("empty_db")
    with pytest.raises(ProjectError, match="is not a Thematica project: create one"):
        open_project(url)
    create_project(url).close()
    with pytest.raises(ProjectError, match="already holds a Thematica project"):
        create_project(url)


def test_corrupt_sqlite_file(tmp_path):
    path = tmp_path / "broken.thematica"
    create_project(path).close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)
    path.write_bytes(bytes(data))
    with pytest.raises(ProjectError, match="not a Thematica project"):
        open_project(path)


def test_an_older_project_is_upgraded_when_opened(location):
    from alembic import command

    create_project(location).close()
    with open_project(location) as project, project.engine.begin() as conn:
        command.downgrade(migrations.alembic_config(conn), "0001")
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
    with open_project(location) as project, project.read() as conn:
        assert (
            conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            == migrations.HEAD
        )
        assert conn.execute(text("SELECT count(*) FROM time_anchor")).scalar() == 0


def test_upgrading_to_0003_renumbers_text_chunks_so_segments_still_read_right(location):
    from alembic import command

    create_project(location).close()
    words = " ".join(f"word{i}" for i in range(1500))  # seven chunks of text
    with open_project(location) as project:
        project.sources.add("a.txt", "Participant: " + words)
        project.sources.add("b.txt", "Participant: other " + words)
        project.codes.add("Late")
        at = project.sources.text("b.txt").index("word1400")
        project.codings.add("b.txt", "Late", at, at + 8, "Hannah")
        with project.engine.begin() as conn:
            command.downgrade(migrations.alembic_config(conn), "0002")
            # Number the chunks the way revision 0002 did: one after another.
            conn.execute(text("UPDATE source_chunk SET id = -id"))
            conn.execute(text("UPDATE source_chunk SET id = (source_id - 1) * 10 + n + 1"))
    with open_project(location) as project:
        (segment,) = project.segments("Late", context=4)
        assert (segment.before, segment.text, segment.after) == ("399 ", "word1400", " wor")
        with project.read() as conn:
            ids = conn.execute(text("SELECT id FROM source_chunk ORDER BY id")).scalars().all()
        assert ids == [s * (1 << 20) + n for s in (1, 2) for n in range(7)]
