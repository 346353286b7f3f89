"""`thematica batch` on a real local Dask cluster: the same project as the one-machine
commands, resumed after a kill, and going on when a worker dies."""

import os
import signal
import sqlite3
import subprocess
import time

import pytest
from sqlalchemy import text

from tests.cli import THEMATICA, fails, run
from tests.conftest import DEMO
from thematica import create_project, open_project
from thematica.batch import import_files
from thematica.batch.cluster import parse_scheduler
from thematica.errors import InvalidInput

RAW = DEMO / "raw"


def contents(project) -> dict:
    """Everything a source import writes, ids included (not the times of day)."""
    queries = {
        "sources": "SELECT id, name, kind, text, length, words, checksum, origin FROM source",
        "chunks": "SELECT id, source_id, n, text FROM source_chunk",
        "turns": 'SELECT source_id, start, "end", speaker, role, t_start, t_end FROM turn',
        "anchors": 'SELECT source_id, start, "end", ms FROM time_anchor',
        "links": "SELECT source_id, case_id FROM source_case",
    }
    with project.engine.connect() as conn:
        found = {k: sorted(conn.execute(text(q)).all()) for k, q in queries.items()}
        found["search"] = sorted(
            conn.execute(text("SELECT rowid FROM source_fts WHERE source_fts MATCH 'baby OR AI'"))
            .scalars()
            .all()
        )
    return found


def one_machine(tmp_path, paths, name="one.thematica"):
    project = create_project(tmp_path / name, actor="tester")
    project.sources.add_files(paths)
    return project


@pytest.mark.parametrize(
    ("given", "expected"),
    [("local:3", 3), ("tcp://10.0.0.5:8786", "tcp://10.0.0.5:8786"), ("host:8786", "host:8786")],
)
def test_scheduler_addresses(given, expected):
    assert parse_scheduler(given) == expected


@pytest.mark.parametrize("given", ["local:0", "local:x", "local:-1", "nowhere"])
def test_bad_scheduler_is_one_line(given):
    with pytest.raises(InvalidInput, match="--scheduler"):
        parse_scheduler(given)


def test_demo_import_matches_one_machine(tmp_path, client):
    batch = create_project(tmp_path / "batch.thematica", actor="tester")
    summary = import_files(batch, [RAW], client)
    expected = one_machine(tmp_path, [RAW])
    assert contents(batch) == contents(expected)
    assert len(summary.done) == len(expected.sources.list()) == 12
    assert summary.failed == summary.retried == summary.already == []


def test_public_transcripts_match_one_machine(tmp_path, client, public_transcripts):
    batch = create_project(tmp_path / "batch.thematica", actor="tester")
    summary = import_files(batch, [public_transcripts], client)
    expected = one_machine(tmp_path, [public_transcripts])
    assert len(summary.done) == 250
    assert contents(batch) == contents(expected)


def test_a_file_that_fails_twice_is_reported_and_skipped(tmp_path, client):
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 this is not a Word file")
    paths = [RAW / "interview-01.txt", broken, RAW / "interview-02.txt"]
    batch = create_project(tmp_path / "batch.thematica", actor="tester")
    summary = import_files(batch, paths, client)
    assert summary.done == [str(paths[0]), str(paths[2])]
    assert summary.retried == [str(broken)]
    assert [f.item for f in summary.failed] == [str(broken)]
    assert "broken.docx" in summary.failed[0].error
    assert [s.name for s in batch.sources.list()] == ["interview-01.txt", "interview-02.txt"]


def test_a_rerun_goes_on_where_the_last_stopped(tmp_path, client):
    batch = create_project(tmp_path / "batch.thematica", actor="tester")
    import_files(batch, sorted(RAW.glob("interview-0*.txt")), client)
    summary = import_files(batch, [RAW], client)
    assert len(summary.already) == 6
    assert len(summary.done) == 6
    assert contents(batch) == contents(one_machine(tmp_path, [RAW]))


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(tmp_path, client, public_transcripts):
    files = sorted(public_transcripts.glob("*.txt"))[:60]
    pids = client.run(os.getpid)
    killed = []

    def kill_a_busy_worker(item):
        # After the first write, while tasks are still out on the workers.
        if killed:
            return
        busy = [w for w, tasks in client.processing().items() if tasks] or list(pids)
        killed.append(busy[0])
        os.kill(pids[busy[0]], signal.SIGKILL)

    batch = create_project(tmp_path / "batch.thematica", actor="tester")
    summary = import_files(batch, files, client, progress=kill_a_busy_worker)
    assert killed
    assert summary.failed == []
    assert sorted(summary.done) == [str(f) for f in files]
    assert contents(batch) == contents(one_machine(tmp_path, files))


def test_cli_import_prints_a_summary(tmp_path):
    run("init", "batch.thematica", "--name", "Batch")
    result = run(
        "-p", "batch.thematica", "batch", "import", "--scheduler", "local:1",
        str(RAW / "interview-01.txt"), str(RAW / "interview-02.txt"), check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("Running on 1 Dask worker; dashboard at http://127.0.0.1:")
    assert result.stdout == (
        "file               result\n"
        "─────────────────────────\n"
        "interview-01.txt   added\n"
        "interview-02.txt   added\n"
        "2 added, 0 already done, 0 tried again, 0 failed\n"
    )


def test_cli_bad_scheduler(tmp_path):
    run("init", "batch.thematica", "--name", "Batch")
    assert fails(
        "-p", "batch.thematica", "batch", "import", "--scheduler", "local:0", str(RAW)
    ) == ("--scheduler 'local:0': say local:N with N a whole number >= 1")


def test_killed_cli_run_resumes_with_nothing_lost(tmp_path, public_transcripts):
    run("init", "batch.thematica", "--name", "Batch")
    command = [THEMATICA, "-p", "batch.thematica", "batch", "import", "--scheduler", "local:2",
               "--quiet", str(public_transcripts)]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    written = 0
    deadline = time.monotonic() + 120
    while written < 20 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
        try:
            with sqlite3.connect("batch.thematica", timeout=5) as conn:
                written = conn.execute("SELECT count(*) FROM source").fetchone()[0]
        except sqlite3.OperationalError:
            continue
    os.killpg(process.pid, signal.SIGKILL)  # the client, its scheduler and its workers
    process.wait()
    assert 20 <= written < 250, "the batch ended before it could be interrupted"
    resumed = run("-p", "batch.thematica", "batch", "import", "--scheduler", "local:2",
                  "--quiet", "--json", str(public_transcripts), check=False)  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    project = open_project(tmp_path / "batch.thematica")
    assert contents(project) == contents(one_machine(tmp_path, [public_transcripts]))


def anonymised(project, key) -> dict:
    from thematica.anonymise.vault import KeyVault

    entries = KeyVault.open(key, "correct horse battery").entries
    texts = {s.name: project.sources.text(s.name) for s in project.sources.list()}
    return {"texts": texts, "key": sorted((e.source, e.start, e.end, e.original, e.placeholder)
                                          for e in entries)}  # fmt: skip


def test_batch_anonymise_matches_one_machine(tmp_path, client):
    from thematica.anonymise.apply import anonymise_sources as one_machine_anonymise
    from thematica.anonymise.decisions import Decisions
    from thematica.anonymise.gazetteer import read_names
    from thematica.batch import anonymise_sources
    from thematica.batch.steps import FindingsCache

    files = sorted(RAW.glob("interview-0*.txt"))[:4]
    names = read_names(DEMO / "names.txt")
    decisions = Decisions.load(RAW / "anonymisation-decisions.csv")
    options = {"names": names, "decisions": decisions, "overrides": {"Alfie": "[my baby]"}}

    expected = one_machine(tmp_path, files)
    one_machine_anonymise(expected, tmp_path / "one.key", "correct horse battery", **options)

    batch = create_project(tmp_path / "batch.thematica", actor="tester")
    batch.sources.add_files(files)
    state = tmp_path / "state"
    # An earlier run that was stopped after the first source: its findings are kept.
    from thematica.anonymise.apply import study_names
    from thematica.anonymise.pipeline import find_in
    from thematica.text import checksum

    gazetteer = study_names(names, decisions)
    cache = FindingsCache(state / "anonymise.jsonl", {"recognisers": None, "names": gazetteer})
    first = batch.sources.list()[0].name
    cache.add(
        first,
        checksum(batch.sources.text(first)),
        find_in(batch.sources.text(first), None, gazetteer),
    )

    summary, report = anonymise_sources(
        batch, client, tmp_path / "batch.key", "correct horse battery", state, **options
    )
    assert summary.already == [first]
    assert summary.done == [s.name for s in batch.sources.list()][1:]
    assert report.sources == 4 and report.replaced > 0
    assert anonymised(batch, tmp_path / "batch.key") == anonymised(expected, tmp_path / "one.key")
    assert not (state / "anonymise.jsonl").exists()


def test_findings_cache_keeps_no_words(tmp_path):
    from thematica.anonymise.findings import Finding
    from thematica.batch.steps import FindingsCache

    cache = FindingsCache(tmp_path / "a.jsonl", {"names": {"Leanne Barker": "NAME"}})
    cache.add("interview-01.txt", "abc", [Finding(10, 23, "NAME", 0.85, "names")])
    written = (tmp_path / "a.jsonl").read_text()
    assert "Leanne" not in written
    with (tmp_path / "a.jsonl").open("a") as handle:
        handle.write('{"source": "cut sh')  # a run killed mid-line
    again = FindingsCache(tmp_path / "a.jsonl", {"names": {"Leanne Barker": "NAME"}})
    assert again.get("interview-01.txt", "abc") == [Finding(10, 23, "NAME", 0.85, "names")]
    assert FindingsCache(tmp_path / "a.jsonl", {"names": {}}).get("interview-01.txt", "abc") is None


def test_files_named_by_fsspec_url(tmp_path, client):
    """Files on shared or object storage are named by URL; file:// stands in here."""
    batch = create_project(tmp_path / "batch.thematica", actor="tester")
    summary = import_files(batch, [RAW.as_uri() + "/"], client)
    assert len(summary.done) == 12 and summary.done[0] == (RAW / "interview-01.txt").as_uri()
    expected = one_machine(tmp_path, [RAW])
    assert [(s.name, s.checksum) for s in batch.sources.list()] == [
        (s.name, s.checksum) for s in expected.sources.list()
    ]
