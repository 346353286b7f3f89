"""`make demo`'s main job: the demo study carried from raw files to a project and summary."""

import csv
import json
import re
import subprocess
import sys

import pytest
import yaml

from tests.conftest import DEMO
from thematica import open_project
from thematica.agreement import consensus, double_coding


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo-output")
    result = subprocess.run(
        [sys.executable, str(DEMO / "run_demo.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,  # a guard against a hang: the demo transcribes and loads MiniLM
    )
    assert result.returncode == 0, result.stderr
    return out, result.stderr


def csv_rows(name):
    with (DEMO / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_demo_builds_the_study(demo):
    out, printed = demo
    with open_project(out / "parent-infant-study.thematica") as project:
        assert len(project.sources.list()) == 12
        cases = project.cases.list()
        assert [c.label for c in cases] == [
            f"Mother {row['id']}" for row in csv_rows("participants.csv")
        ]
        assert all(len(c.sources) == 1 for c in cases)
        guide = [
            line for line in (DEMO / "interview-guide.txt").read_text().splitlines()
            if line and not line.startswith("#")
        ]  # fmt: skip
        assert len(project.codes.list()) == 40 + 1 + len(guide)
        structural = project.codings.list(coder_name="structural")
        assert {c.code.split("/")[0] for c in structural} == {"Interview guide"}
        assert len({c.source for c in structural}) == 12
        for layer, name in (("Hannah", "hannah"), ("Dev", "dev")):
            expected = len(csv_rows(f"coding/codings-{name}.csv"))
            assert len(project.codings.list(coder_name=layer)) == expected
        # Every disagreement was resolved the way the team recorded: the consensus layer
        # holds the recorded codings (two that overlap became one).
        assert consensus.progress(project).remaining == 0
        recorded = len(csv_rows("coding/codings-consensus.csv")) - 1
        assert len(project.codings.list(coder_name="consensus")) == recorded
        assert {p.source for p in double_coding.picked(project)} == {
            row["source"] for row in csv_rows("coding/codings-dev.csv")
        }
        journal = yaml.safe_load((DEMO / "journal.yaml").read_text())["entries"]
        assert len(project.memos.journal()) == len(journal)
        assert all(s.role == "participant" for s in project.segments("Warmth", children=True))
        from thematica.team import accounts

        team = accounts.list_users(project)
        assert [(u.name, u.roles) for u in team] == [("Dev", "coder"), ("Hannah", "lead")]
        assert accounts.authenticate(project, "Dev", "demo only: team password") == team[0]
    assert "Try:  thematica -p" in printed
    assert "Give the team its accounts: Hannah (lead) and Dev (coder)" in printed


def test_demo_anonymises_with_the_reviewed_decisions(demo):
    from thematica.anonymise.apply import reidentify

    out, _ = demo
    key = out / "parent-infant-study.key"
    with open_project(out / "parent-infant-study.thematica") as project:
        texts = {s.name: project.sources.text(s.name) for s in project.sources.list()}
        surviving = [
            row for row in csv_rows("raw/identifiers.csv")
            if row["type"] not in {"AGE", "DATE"}
            and re.search(rf"(?<!\w){re.escape(row['text'])}(?!\w)", texts[row["source"]])
        ]  # fmt: skip
        assert surviving == []
        assert "[my baby]" in texts["interview-01.txt"]
        raw = (DEMO / "raw" / "interview-01.txt").read_text(encoding="utf-8")
        passphrase = "demo only: parent-infant study key"
        assert reidentify(project, key, passphrase, "interview-01.txt") == raw
        assert len(project.codings.list(coder_name="Hannah")) == len(
            csv_rows("coding/codings-hannah.csv")
        )
    assert (out / "disagreements.html").exists()
    agreement = json.loads((out / "agreement.json").read_text())
    assert agreement["turn"]["unit_name"] == "speaker turns"


def test_summary_names_each_theme_with_a_quote(demo):
    out, _ = demo
    summary = (out / "summary.md").read_text(encoding="utf-8")
    themes = yaml.safe_load((DEMO / "coding" / "themes.yaml").read_text())["themes"]
    assert len(themes) == 4
    for theme in themes:
        assert f"### {theme['name']}" in summary
        for sub in theme.get("subthemes", []):
            assert f"- {sub['name']}" in summary
    assert "12 mothers; ages 19 to 40" in summary
    assert len(re.findall(r"^> .+ \[Mother \d+\]$", summary, flags=re.M)) == 4


def test_demo_corpus_is_consistent():
    """The answer key and every coding file still match the transcripts."""
    texts = {p.name: p.read_text(encoding="utf-8") for p in (DEMO / "raw").glob("*.txt")}
    assert len(texts) == 12
    for text in texts.values():
        assert 1500 <= len(text.split()) <= 3000
    for row in csv_rows("raw/identifiers.csv"):
        assert texts[row["source"]][int(row["start"]) : int(row["end"])] == row["text"]
    types = {row["type"] for row in csv_rows("raw/identifiers.csv")}
    assert {"NAME", "HOSPITAL", "NHS_TRUST", "TOWN", "STREET", "POSTCODE", "DATE", "AGE",
            "PHONE", "EMAIL", "NHS_NUMBER"} <= types  # fmt: skip
    for row in csv_rows("raw/identifiers.csv"):
        if row["type"] == "NHS_NUMBER":
            digits = [int(d) for d in row["text"] if d.isdigit()]
            check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=False)) % 11
            assert (0 if check == 11 else check) == digits[9]


def test_demo_writes_the_report_in_three_formats(demo):
    from docx import Document

    out, _ = demo
    markdown = (out / "report.md").read_text(encoding="utf-8")
    themes = yaml.safe_load((DEMO / "coding" / "themes.yaml").read_text())["themes"]
    for theme in themes:
        assert f"### {theme['name']}" in markdown
    assert "Table 1. Participant characteristics (N = 12)" in markdown
    assert len(re.findall(r"^> .+ \[Mother \d+\]$", markdown, flags=re.M)) >= len(themes)
    assert "Cohen's kappa 0.81" in markdown
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 3
    document = Document(str(out / "report.docx"))
    assert document.paragraphs[0].text == "Parent-infant team study: results"
    assert sum(p.style.name == "Quote" for p in document.paragraphs) >= len(themes)
