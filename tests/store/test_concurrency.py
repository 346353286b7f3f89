"""Two real processes writing one SQLite project: both succeed, or one is told it is busy."""

import os
import sqlite3
import subprocess
import sys
import time

from thematica import open_project

WRITER = """
import sys
import thematica
project = thematica.open_project(sys.argv[1], actor=sys.argv[2])
for i in range(int(sys.argv[3])):
    project.codings.add("interview-01.txt", "Warmth", i, i + 5, coder=sys.argv[2])
project.close()
"""


def test_two_writers_both_succeed(coded):
    path = coded.location
    coded.close()
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, path, name, "150"], stderr=subprocess.PIPE)
        for name in ("Hannah", "Dev")
    ]
    errors = [w.communicate(timeout=120)[1].decode() for w in writers]
    assert [w.returncode for w in writers] == [0, 0], errors
    with open_project(path) as project:
        assert len(project.codings.list(coder_name="Hannah")) == 150
        assert len(project.codings.list(coder_name="Dev")) == 150
        assert len(project.log(None)) == 1 + 5 + 300
    if coded.dialect == "sqlite":
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_writer_blocked_past_the_timeout_is_told_the_project_is_busy(coded_sqlite):
    path = coded_sqlite.location
    coded_sqlite.close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(4)\n"
            "c.execute('ROLLBACK')",
            path,
        ],
        stdout=subprocess.PIPE,
    )
    assert holder.stdout.readline().strip() == b"locked"
    env = {**os.environ, "THEMATICA_BUSY_TIMEOUT": "0.5"}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "thematica.cli", "-p", path, "code", "interview-01.txt",
         "--code", "Warmth", "--start", "0", "--end", "5"],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    waited = time.monotonic() - started
    holder.wait()
    assert result.returncode == 2
    assert result.stderr.startswith("Error: project is busy: another process kept ")
    assert result.stderr.endswith("locked for more than 0.5 s; try again\n")
    assert waited < 4
    with open_project(path) as project:
        assert project.codings.list() == []
