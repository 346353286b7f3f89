"""Backing up a team's PostgreSQL study, as docs/deploy.md tells an administrator to:
``pg_dump`` and ``pg_restore`` give back the same study, searchable and undoable, and
``thematica export qdpx`` carries it to a project file on any machine."""

import os
import subprocess

import pytest

from tests.cli import out
from tests.conftest import fill
from thematica import create_project, open_project


def _client(server, tool: str, *args: str) -> None:
    """Run a PostgreSQL client program against the test server, as an administrator's
    cron job would (a client, so no need to be the postgres user)."""
    command = [str(server.bindir / tool), "-h", "127.0.0.1", "-p", str(server.port)]
    command += ["-U", "thematica", *args]
    subprocess.run(command, check=True, capture_output=True, env={**os.environ, "PGTZ": "UTC"})


def _study(url: str) -> None:
    with create_project(url, participant_label="Mother {id}", actor="Hannah") as project:
        fill(project)
        project.codings.add_quote("interview-01.txt", "Warmth", "kind", coder="Hannah")
        project.codings.add_quote(
            "interview-01.txt", "Getting referred", "Nothing, for weeks", coder="Ali"
        )
        project.memos.add("Warmth comes up before any talk of the referral.", "Order")
        project.codes.rename("Getting referred", "Referral")


def _snapshot(project) -> dict:
    return {
        "sources": [(s.name, s.checksum, s.words, s.turns) for s in project.sources.list()],
        "codes": [c.path for c in project.codes.list()],
        "segments": sorted(
            (s.source, s.start, s.end, s.text, s.code, s.coder)
            for code in ("Warmth", "Referral")
            for s in project.segments(code)
        ),
        "memos": [(m.title, m.text) for m in project.memos.list()],
        "log": [(e.action, e.target, e.actor) for e in project.log(limit=None)],
        "search": [(h.source, h.start, h.end) for h in project.query.search("health visitor").hits],
    }


def test_pg_dump_and_restore_give_back_the_same_study(postgres, tmp_path):
    url = postgres.create_database("team_study")
    _study(url)
    with open_project(url) as project:
        before = _snapshot(project)
    assert before["segments"] and before["search"] and before["memos"]

    dump = tmp_path / "team_study.dump"
    _client(postgres, "pg_dump", "--format=custom", f"--file={dump}", "team_study")
    _client(postgres, "createdb", "team_study_restored")
    _client(postgres, "pg_restore", "--no-owner", "--dbname=team_study_restored", str(dump))

    restored_url = postgres.url("team_study_restored")
    with open_project(restored_url, actor="Hannah") as restored:
        assert _snapshot(restored) == before
        restored.undo()  # the audit log came back whole: the rename can still be undone
        assert "Getting referred" in [c.path for c in restored.codes.list()]


def test_export_qdpx_from_a_team_database_opens_as_a_project_file(postgres, tmp_path):
    url = postgres.create_database("team_exported")
    _study(url)
    archive = tmp_path / "team.qdpx"
    out("-p", url, "export", "qdpx", str(archive))
    copy = tmp_path / "copy.thematica"
    out("init", str(copy))
    out("-p", str(copy), "import", "qdpx", str(archive))
    with open_project(url) as team, open_project(copy) as local:
        assert [c.path for c in local.codes.list()] == [c.path for c in team.codes.list()]
        for code in ("Warmth", "Referral"):
            assert sorted((s.source, s.start, s.end, s.coder) for s in local.segments(code)) == (
                sorted((s.source, s.start, s.end, s.coder) for s in team.segments(code))
            )


@pytest.fixture(autouse=True)
def _needs_client_tools(postgres):
    for tool in ("pg_dump", "pg_restore", "createdb"):
        if not (postgres.bindir / tool).exists():
            pytest.skip(f"{tool} not found: install Debian's postgresql-client package")
