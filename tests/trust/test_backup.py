"""Backups: taken while a writer is busy, they and the project survive the writer being
killed with nothing committed lost; restore checks a copy before it replaces anything."""

import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.cli import fails, out
from tests.conftest import INTERVIEW
from thematica import ProjectBusy, ProjectError, create_project, open_project
from thematica.backup import backup, check_backup, list_backups, restore
from thematica.store.migrations import HEAD

WRITER = Path(__file__).with_name("writer.py")


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "study.thematica"
    with create_project(path, participant_label="Mother {id}") as project:
        project.sources.add("one.txt", INTERVIEW)
        project.codes.add("Warmth")
    return path


def coding_ids(path: Path) -> set[int]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return {i for (i,) in conn.execute("SELECT id FROM coding")}
    finally:
        conn.close()


def logged(log: Path) -> list[int]:
    # The last line may be cut short by the kill.
    return [int(line) for line in log.read_text().split("\n") if line.strip().isdigit()]


def wait_for(log: Path, count: int, writer: subprocess.Popen) -> list[int]:
    deadline = time.monotonic() + 120
    while len(logged(log)) < count:
        assert writer.poll() is None, writer.stderr.read()
        assert time.monotonic() < deadline, "the writer is too slow"
        time.sleep(0.05)
    return logged(log)


def test_a_backup_taken_while_writing_and_a_killed_writer_lose_nothing(small, tmp_path):
    log = tmp_path / "committed.log"
    log.touch()
    writer = subprocess.Popen(
        [sys.executable, str(WRITER), str(small), str(log)], stderr=subprocess.PIPE, text=True
    )
    try:
        before_backup = wait_for(log, 40, writer)
        made = out("-p", str(small), "backup", "--keep", "3")  # another process, mid-write
        after_backup = logged(log)
        wait_for(log, len(after_backup) + 40, writer)
        writer.send_signal(signal.SIGKILL)  # mid-transaction, as a crash would
        writer.wait(timeout=30)
    finally:
        if writer.poll() is None:
            writer.kill()
    committed = set(logged(log))
    (copy,) = list(small.parent.glob("study.thematica.backups/study-*.thematica"))
    assert made.startswith(f"Backed up {small} to {copy} (keeping the newest 3)")

    # The project opens whole, with every coding the writer saw committed (and at most
    # the one it committed but was killed before writing down).
    in_project = coding_ids(small)
    assert committed <= in_project and len(in_project - committed) <= 1
    # The backup opens whole too, and holds one committed state: every coding committed
    # before it began, nothing the project does not hold, and no gap.
    in_backup = coding_ids(copy)
    assert set(before_backup) <= in_backup <= in_project
    assert in_backup == set(range(1, max(in_backup) + 1))
    assert max(in_backup) <= max(after_backup) + 1
    assert check_backup(copy) == HEAD
    with open_project(copy) as restored:
        assert len(restored.codings.list()) == len(in_backup)


def test_restore_checks_the_copy_and_keeps_the_current_file(small, tmp_path):
    with open_project(small) as project:
        made = backup(project, keep=2)
        project.codings.add("one.txt", "Warmth", 0, 11)
    assert out("-p", str(small), "restore", str(made.path)).splitlines() == [
        f"Restored {small} from {made.path} (checked: intact, schema {check_backup(made.path)})",
        f"The file it replaced is kept as {next(small.parent.glob('study.thematica.before-restore-*'))}",
    ]
    assert coding_ids(small) == set()
    (aside,) = small.parent.glob("study.thematica.before-restore-*")
    assert coding_ids(aside) == {1}
    with open_project(small) as project:  # the restored project works on
        project.codings.add("one.txt", "Warmth", 0, 11)


def test_restore_refuses_a_damaged_or_foreign_copy_and_changes_nothing(small, tmp_path):
    with open_project(small) as project:
        made = backup(project).path
    data = made.read_bytes()
    cut = tmp_path / "cut.thematica"
    cut.write_bytes(data[: len(data) // 2])  # a copy cut short
    with sqlite3.connect(made) as conn:
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'coding'"
        ).fetchone()
        (size,) = conn.execute("PRAGMA page_size").fetchone()
    garbled = tmp_path / "garbled.thematica"
    page = size * (root - 1)
    garbled.write_bytes(data[:page] + b"\xff" * 8 + data[page + 8 :])  # a table's first page
    newer = tmp_path / "newer.thematica"
    shutil.copy(made, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    notes = tmp_path / "notes.thematica"
    notes.write_text("not a project")
    original = small.read_bytes()
    assert fails("-p", str(small), "restore", str(cut)) == (
        f"{cut} is not a Thematica project (database disk image is malformed)"
    )
    assert fails("-p", str(small), "restore", str(garbled)) == (
        f"{garbled} is damaged (database disk image is malformed); choose another backup"
    )
    assert fails("-p", str(small), "restore", str(newer)) == (
        f"{newer} has schema revision 9999, which this Thematica does not know; upgrade "
        "Thematica to restore it"
    )
    assert fails("-p", str(small), "restore", str(notes)) == (
        f"{notes} is not a Thematica project (not a SQLite database)"
    )
    assert fails("-p", str(small), "restore", "gone.thematica") == (
        "no backup at gone.thematica: `thematica backup --list` shows them"
    )
    assert small.read_bytes() == original
    assert sorted(p.name for p in small.parent.iterdir()) == [
        "cut.thematica", "garbled.thematica", "newer.thematica", "notes.thematica",
        "study.thematica", "study.thematica.backups",
    ]  # fmt: skip


def test_restore_waits_for_no_one(small):
    with open_project(small) as project:
        made = backup(project).path
    reader = sqlite3.connect(small)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM coding").fetchall()  # a read in progress
    try:
        with open_project(small) as project:
            project.codings.add("one.txt", "Warmth", 0, 11)  # so the log has frames to move
        with pytest.raises(ProjectBusy, match="is being read or written by another program"):
            restore(small, made)
    finally:
        reader.close()
    assert coding_ids(small) == {1}


def test_the_rotation_keeps_the_newest(small):
    with open_project(small) as project:
        for hour in range(4):
            backup(project, keep=2, now=datetime(2026, 3, 2, 10 + hour, tzinfo=UTC))
        again = backup(project, keep=2, now=datetime(2026, 3, 2, 13, tzinfo=UTC))
        kept = list_backups(project)
    assert [b.stamp for b in kept] == ["20260302T130000Z-2", "20260302T130000Z"]
    assert [p.name for p in again.removed] == ["study-20260302T120000Z.thematica"]
    assert sorted(p.name for p in kept[0].path.parent.iterdir()) == [
        "study-20260302T130000Z-2.thematica",
        "study-20260302T130000Z.thematica",
    ]


def test_backups_in_the_same_second_never_rotate_out_the_newest(small):
    when = datetime(2026, 3, 2, 10, tzinfo=UTC)
    with open_project(small) as project:
        made = [backup(project, keep=2, now=when) for _ in range(4)]
        assert [b.stamp for b in made] == [
            "20260302T100000Z", "20260302T100000Z-2", "20260302T100000Z-3", "20260302T100000Z-4",
        ]  # fmt: skip
        assert made[-1].path.exists()
        assert [b.stamp for b in list_backups(project)] == [made[3].stamp, made[2].stamp]


def test_a_backup_cut_short_leaves_nothing_that_looks_like_one(small):
    folder = Path(f"{small}.backups")
    folder.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    stale = folder / f".study-20260302T100000Z.thematica.{dead}.partial"
    stale.write_bytes(b"half a copy")
    with open_project(small) as project:
        assert list_backups(project) == []
        backup(project)
        assert len(list_backups(project)) == 1
    assert not stale.exists()


def test_an_encrypted_project_has_encrypted_backups(tmp_path, monkeypatch):
    pytest.importorskip("sqlcipher3", reason="needs the encrypt extra (sqlcipher3-wheels)")
    path = tmp_path / "secret.thematica"
    with create_project(path, passphrase="correct horse battery") as project:
        project.sources.add("one.txt", INTERVIEW)
        made = backup(project).path
    raw = made.read_bytes()
    assert not raw.startswith(b"SQLite format 3") and b"health visitor" not in raw
    with pytest.raises(ProjectError, match="is encrypted: set THEMATICA_PASSPHRASE"):
        check_backup(made)
    with pytest.raises(ProjectError, match="wrong passphrase"):
        check_backup(made, "not the passphrase")
    monkeypatch.setenv("THEMATICA_PASSPHRASE", "correct horse battery")
    restore(path, made)
    with open_project(path) as project:
        assert project.sources.text("one.txt") == INTERVIEW


@pytest.mark.postgresql
def test_a_postgresql_project_is_dumped_and_exported(postgres, tmp_path):
    if shutil.which("pg_restore") is None:
        pytest.skip("pg_dump and pg_restore not found: install Debian's postgresql-client")
    location = postgres.create_database("backup")
    with create_project(location, participant_label="Mother {id}") as project:
        project.sources.add("one.txt", INTERVIEW)
        made = backup(project, tmp_path / "backups")
    assert [p.suffix for p in made.files] == [".dump", ".qdpx"]
    listing = subprocess.run(
        ["pg_restore", "--list", str(made.files[0])], capture_output=True, text=True, check=True
    ).stdout
    assert "TABLE public source" in listing
    with zipfile.ZipFile(made.files[1]) as archive:
        assert "project.qde" in archive.namelist()
    with pytest.raises(Exception, match="restore a PostgreSQL backup with pg_restore"):
        restore(location, made.files[0])
