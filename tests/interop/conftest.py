"""Shared for the REFI-QDA tests: the reference files in ../shared/refi-qda, the official
schemas, a project with one of everything, and a comparison of project.qde files."""

import zipfile
from pathlib import Path

import pytest

from tests.conftest import SHARED

REFI = SHARED / "refi-qda"
PROJECT_XSD = REFI / "ccbogel__QualCoder" / "qualcoder" / "Project-mrt2019.xsd"
# QualCoder's Codebook.xsd is not well-formed (see SOURCES.md); openqda's is the one.
CODEBOOK_XSD = (
    REFI / "openqda__refi-tools" / "docs" / "schemas" / "codebook" / "v1.0" / "Codebook.xsd"
)

# Speaker turns, CRLF, an emoji, a decomposed accent, a combining mark on a space.
TEXT_ONE = (
    "Interviewer: How was the first visit?\r\n\r\n"
    "Participant: She made me tea \U0001f375 and sat with me. Cafe\u0301 talk, really.\r\n\r\n"
    "Interviewer: And after?\r\n\r\nParticipant: I felt seen. Like she was my mum.\r\n"
)
TEXT_TWO = (
    "Interviewer: Tell me about the team.\n\nParticipant: Nobody judged me. Not once. \U0001f64f\n"
)


def sample(relative: str) -> Path:
    path = REFI / relative
    if not path.exists():
        pytest.skip(f"REFI-QDA sample {relative} is not in {REFI} (see its SOURCES.md)")
    return path


@pytest.fixture(scope="session")
def project_schema():
    import xmlschema

    if not PROJECT_XSD.exists():
        pytest.skip(f"the REFI-QDA Project schema is not at {PROJECT_XSD}")
    return xmlschema.XMLSchema(str(PROJECT_XSD))


@pytest.fixture(scope="session")
def codebook_schema():
    import xmlschema

    if not CODEBOOK_XSD.exists():
        pytest.skip(f"the REFI-QDA Codebook schema is not at {CODEBOOK_XSD}")
    return xmlschema.XMLSchema(str(CODEBOOK_XSD))


def qde_of(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("project.qde")


def canonical_xml(data: bytes) -> list[str]:
    """A project.qde as a sorted list of element lines without time stamps: equal lists
    mean equal files up to the order of elements and the times in them."""
    from lxml import etree

    root = etree.fromstring(data)
    lines = []

    def walk(element, path):
        attrs = {
            k: v for k, v in element.attrib.items() if not k.endswith("DateTime") and k != "origin"
        }
        here = f"{path}/{etree.QName(element).localname}{sorted(attrs.items())}"
        text = (element.text or "").strip()
        lines.append(f"{here} {text!r}")
        for child in element:
            walk(child, here)

    walk(root, "")
    return sorted(lines)


def fill_rich(project):
    """One of everything Thematica keeps, for exports and round trips."""
    import csv

    project.sources.add("interview-01.txt", TEXT_ONE)
    project.sources.add("interview-02.txt", TEXT_TWO)
    table = Path("participants.csv")
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "age", "education", "partner", "location", "score", "joined"])
        writer.writerow(["1", "24", "GCSEs", "yes", "Urban", "3.5", "2021-03-04"])
        writer.writerow(["2", "31", "Degree", "no", "Urban", "4.25", "2020-11-30"])
        writer.writerow(["3", "", "A levels", "no", "Rural", "", ""])
    project.cases.import_table(
        table,
        "id",
        types={"education": "ordinal:GCSEs|A levels|Degree", "location": "categorical"},
    )
    project.cases.link("1", "interview-01.txt")
    project.cases.link("2", "interview-02.txt", speaker="Participant")
    project.codes.add("Therapist relationship", description="How she experienced clinicians")
    project.codes.add("Warmth", parent="Therapist relationship", colour="#aa3311")
    project.codes.add("Feeling mothered", parent="Therapist relationship", description="Kin")
    project.codes.add("Not judged")
    text = project.sources.text("interview-01.txt")
    tea = text.index("She made me tea")
    project.codings.add(
        "interview-01.txt", "Warmth", tea, tea + len("She made me tea \U0001f375"), coder="Hannah"
    )
    project.codings.add(
        "interview-01.txt", "Warmth", tea, tea + len("She made me tea \U0001f375"), coder="Dev"
    )
    cafe = text.index("Café")
    project.codings.add("interview-01.txt", "Feeling mothered", cafe, cafe + 4, coder="Dev")
    project.codings.add_quote(
        "interview-01.txt", "Feeling mothered", "Like she was my mum.", coder="Hannah"
    )
    coding = project.codings.add_quote(
        "interview-02.txt", "Not judged", "Nobody judged me.", coder="Hannah"
    )
    project.memos.add("I expected anger; I found fear.", title="After interview 1", author="Hannah")
    project.memos.add(
        "Tea as care", source="interview-01.txt", quote="She made me tea", author="Dev"
    )
    project.memos.add("Whole interview felt warm", source="interview-02.txt", author="Hannah")
    project.memos.add("Too broad?", code="Warmth", author="Sam")
    project.memos.add("Said twice", coding=coding.id, author="Hannah")
    if hasattr(project, "themes"):
        project.themes.add(
            "Being looked after", definition="Care that asks nothing back.", codes=["Warmth"]
        )
        project.themes.add(
            "Like a mum would",
            parent="Being looked after",
            codes=["Feeling mothered"],
            status="reviewed",
        )
        project.themes.add("Context: the referral", contextual=True)
    from thematica.agreement.double_coding import pick

    pick(project, sources=["interview-01.txt"])
    return project


@pytest.fixture
def rich(project):
    return fill_rich(project)


@pytest.fixture
def rich_sqlite(sqlite_project):
    return fill_rich(sqlite_project)
