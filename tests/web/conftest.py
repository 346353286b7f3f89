"""The browser workbench's fixtures: a real SQLite project from the demo study's files
(three transcripts, their codings by both coders, the journal) plus a short source of
emoji and accents, and a test client or a real `thematica serve` over it."""

import contextlib
import csv
import shutil
import sys
import warnings
from pathlib import Path

import pytest
import yaml

from tests.conftest import DEMO

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[web]'")

SOURCES = ("interview-01.txt", "interview-02.txt", "interview-05.txt")
EMOJI_NAME = "café notes 😀.txt"
# Emoji outside the Basic Multilingual Plane (two UTF-16 units each), a ZWJ sequence of
# three code points, a variation selector, and precomposed accents (NFC).
EMOJI_TEXT = (
    "Interviewer: Tell me about the first visit?\n\n"
    "Participant: Zoë came round 😀 and I cried. Honestly 👩‍👧 it felt like the first time "
    "someone saw me. Café, naïve, résumé — all of it.\n\n"
    "Interviewer: And then?\n\n"
    "Participant: Then the 🌧️ stopped. She said “you’re doing fine” and I believed her.\n"
)
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"


def build_demo(path: Path) -> None:
    """A project of three demo transcripts, as ``run_demo.py`` builds the whole study."""
    from thematica import create_project

    work = path.parent
    with create_project(
        path, name="Parent-infant team study", participant_label="Mother {id}", actor="Hannah"
    ) as project:
        education = "No formal qualifications|GCSEs|Vocational (NVQ)|A levels|Degree|Postgraduate"
        project.cases.import_table(
            DEMO / "participants.csv",
            id_column="id",
            types={"highest_education": f"ordinal:{education}"},
        )
        project.sources.add_files([DEMO / "raw" / name for name in SOURCES])
        project.cases.link_by_pattern(r"interview-(?P<id>\d+)")
        project.sources.add(EMOJI_NAME, EMOJI_TEXT)
        project.codes.import_file(DEMO / "codebook.yaml")
        for coder in ("hannah", "dev"):
            with (DEMO / "coding" / f"codings-{coder}.csv").open(encoding="utf-8") as handle:
                reader = csv.DictReader(handle)
                rows = [row for row in reader if row["source"] in SOURCES]
                fields = reader.fieldnames
            subset = work / f"codings-{coder}.csv"
            with subset.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=fields)
                writer.writeheader()
                writer.writerows(rows)
            with contextlib.chdir(work):  # the audit log names the file, not a temp path
                project.codings.import_csv(subset.name)
        journal = yaml.safe_load((DEMO / "journal.yaml").read_text(encoding="utf-8"))
        for entry in journal["entries"][:3]:
            project.memos.add(
                entry["text"],
                title=entry["title"],
                author=entry["author"],
                created=f"{entry['date']}T09:00:00.000+00:00",
            )


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.thematica"
    build_demo(path)
    return path


@pytest.fixture
def demo_path(demo_template, tmp_path):
    path = tmp_path / "study.thematica"
    shutil.copy(demo_template, path)
    return path


@pytest.fixture
def demo(demo_path):
    from thematica import open_project

    with open_project(demo_path, actor="Hannah") as project:
        yield project


@pytest.fixture
def app(demo):
    from thematica.web import create_app

    return create_app(demo, port=PORT, token="test-token")


@pytest.fixture
def client(app):
    with warnings.catch_warnings():
        # Starlette 1.x asks for the httpx2 package; httpx still works and is what
        # the rest of the suite has.
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    with TestClient(app, base_url=BASE, follow_redirects=False) as test_client:
        yield test_client


def python() -> str:
    return sys.executable
