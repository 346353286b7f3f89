import itertools
import os
from pathlib import Path

import pytest

from tests.pg_server import PostgresServer, find_bindir

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
DEMO = REPO / "examples" / "parent-infant-study"

INTERVIEW = """Interviewer: Thank you for coming. Can you tell me how you first heard about the team?

Participant: Um, it was the health visitor, really. She said there's this team, for mums and babies, and I thought, well, what's that then?

Interviewer: And what happened next?

Participant: Nothing, for weeks. I rang them twice. The second time a woman called Grace picked up and she was lovely, she was really kind to me.

Interviewer: How did the sessions feel?

Participant: Like someone was looking after me for once. Not just the baby. Me.
"""


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    monkeypatch.delenv("THEMATICA_PROJECT", raising=False)
    monkeypatch.setenv("THEMATICA_USER", "tester")
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def postgres():
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries not found: install Debian's postgresql package")
    server = PostgresServer(bindir).start()
    yield server
    server.stop()


_databases = itertools.count()


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request, tmp_path):
    """A place for a new project: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "study.thematica")
    server = request.getfixturevalue("postgres")
    return server.create_database(f"t{os.getpid()}_{next(_databases)}")


@pytest.fixture
def project(location):
    """An empty project on each backend."""
    from thematica import create_project

    with create_project(location, participant_label="Mother {id}", actor="tester") as made:
        yield made


@pytest.fixture
def sqlite_project(tmp_path):
    from thematica import create_project

    with create_project(tmp_path / "study.thematica", participant_label="Mother {id}") as made:
        yield made


@pytest.fixture
def interview():
    return INTERVIEW


def fill(project):
    project.sources.add("interview-01.txt", INTERVIEW)
    project.codes.add("Therapist relationship", description="How she experienced clinicians")
    project.codes.add("Warmth", parent="Therapist relationship", description="Kindness")
    project.codes.add("Feeling mothered", parent="Therapist relationship")
    project.codes.add("Getting referred")
    return project


@pytest.fixture
def coded(project):
    """A project on each backend with one interview and a small codebook."""
    return fill(project)


@pytest.fixture
def coded_sqlite(sqlite_project):
    return fill(sqlite_project)
