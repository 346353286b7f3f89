"""`thematica table1` as a user runs it: a real process, exact output, exit codes."""

import json
from pathlib import Path

import pytest

from tests.cli import fails, out, run
from tests.report.conftest import EDUCATION, EXPECTED, EXPECTED_MD


@pytest.fixture
def cli_study(files):
    out("init", "study.thematica", "--participant-label", "Mother {id}")
    out("cases", "import", "participants.csv", "--id", "id", "--type", f"education={EDUCATION}")
    return files


def test_table1_json_and_markdown(cli_study):
    printed = out("table1", "--spec", "table1.toml", "--json")
    assert printed.startswith(
        '{"n": 12, "variables": [{"label": "Age (years)", "rows": [{"category": "≤ 25", '
        '"n": 4, "percent": 36.36363636363637}, {"category": "26-30", "n": 3, '
        '"percent": 27.272727272727273}, '
    )
    assert json.loads(printed) == EXPECTED
    assert json.loads(out("table1", "--spec", "table1.toml", "--format", "json")) == EXPECTED
    assert out("table1", "--spec", "table1.toml", "--format", "md") == EXPECTED_MD
    assert out("table1", "--spec", "table1.toml") == EXPECTED_MD


def test_table1_without_a_spec(cli_study):
    assert out("table1").splitlines()[4:13] == [
        "| **Age** | |",
        "| \u00a0\u00a0Mean (SD) | 28.6 (6.2) |",
        "| \u00a0\u00a0Range | 19–40 |",
        "| \u00a0\u00a0Missing | 1 |",
        "| **Education** | |",
        "| \u00a0\u00a0None | 0 (0.0) |",
        "| \u00a0\u00a0GCSEs | 3 (27.3) |",
        "| \u00a0\u00a0A levels | 2 (18.2) |",
        "| \u00a0\u00a0Degree | 4 (36.4) |",
    ]


def test_table1_keeps_a_spec_for_every_later_table(cli_study):
    default = out("table1")
    assert out("table1", "--spec", "table1.toml", "--keep") == EXPECTED_MD
    assert out("table1") == EXPECTED_MD
    assert json.loads(out("table1", "--json")) == EXPECTED
    assert "  set table1 spec   " in out("log").splitlines()[2]
    assert fails("table1", "--keep") == "--keep keeps the --spec file in the project: name one"
    assert fails("table1", "--spec", "table1.toml", "--keep", "--forget") == (
        "choose --keep or --forget, not both"
    )
    assert out("table1", "--forget") == default
    assert out("table1") == default


def test_table1_notes_what_it_leaves_out(files):
    Path("p.csv").write_text("id,notes,team\n1,quiet,A\n2,talkative,A\n3,late,B\n")
    out("init", "s.thematica")
    out("cases", "import", "p.csv", "--id", "id", "--type", "notes=text")
    result = run("table1", "--format", "csv", check=False)
    assert result.returncode == 0
    assert result.stderr == (
        "Note: left out 'notes': free text, 3 different values among 3 participants "
        "(a spec can list them)\n"
    )
    assert result.stdout == ("Variable,Characteristic,n (%)\nTeam,A,2 (66.7)\nTeam,B,1 (33.3)\n")


def test_table1_writes_files(cli_study):
    assert out("table1", "--spec", "table1.toml", "--out", "t.md") == (
        "Wrote t.md: 5 variables, N = 12\n"
    )
    assert Path("t.md").read_text(encoding="utf-8") == EXPECTED_MD
    out("table1", "--spec", "table1.toml", "--out", "t.json")
    assert json.loads(Path("t.json").read_text(encoding="utf-8")) == EXPECTED
    out("table1", "--spec", "table1.toml", "--out", "t.csv")
    written = Path("t.csv").read_bytes()
    assert written.startswith(
        b"Variable,Characteristic,n (%)\r\nAge (years),Mean (SD),28.6 (6.2)\r\n"
    )
    out("table1", "--spec", "table1.toml", "--out", "t.htm")
    page = Path("t.htm").read_text(encoding="utf-8")
    assert "<caption>Table 1. Mothers who took part (N = 12)</caption>" in page
    assert out("table1", "--out", "table.txt", "--format", "html") == (
        "Wrote table.txt: 5 variables, N = 12\n"
    )
    assert Path("table.txt").read_text(encoding="utf-8").startswith("<table")
    assert out("table1", "--spec", "table1.toml", "--out", "t.docx") == (
        "Wrote t.docx: 5 variables, N = 12\n"
    )
    assert Path("t.docx").read_bytes()[:2] == b"PK"


def test_table1_errors(cli_study):
    assert fails("table1", "--format", "docx") == "a Word table needs a file: add --out table1.docx"
    assert fails("table1", "--out", "t.txt") == (
        "cannot tell the format from 't.txt': give --format md|csv|json|docx|html"
    )
    assert fails("table1", "--format", "pdf") == (
        "unknown format 'pdf': use one of md, csv, json, docx, html"
    )
    assert fails("table1", "--json", "--format", "md") == "give --json or --format md, not both"
    assert fails("table1", "--spec", "nope.toml") == "spec file 'nope.toml' not found"
    Path("bad.toml").write_text('[[variable]]\ncolumn = "ethnicty"\n')
    assert fails("table1", "--spec", "bad.toml") == (
        "bad.toml, variable 1 (ethnicty): unknown column 'ethnicty' (did you mean "
        "'ethnicity'?); the participants' attributes are: age, education, partner, children, "
        "ethnicity"
    )
    Path("bad.toml").write_text("[[variable]\n")
    assert fails("table1", "--spec", "bad.toml") == (
        "bad.toml is not valid TOML: Expected ']]' at the end of an array declaration "
        "(at line 1, column 11)"
    )
    Path("bad.toml").write_text(
        '[[variable]]\ncolumn = "age"\nbins = [{label = "≤ 30", max = 30}, {label = "30+", min = 30}]\n'
    )
    assert fails("table1", "--spec", "bad.toml") == (
        "bad.toml, variable 1 (age): bins '≤ 30' and '30+' overlap "
        "(30 falls in both; min and max are inclusive)"
    )
    Path("bad.toml").write_text(
        '[[variable]]\ncolumn = "age"\nbins = [{label = "≤ 30", max = 30}, {label = "35+", min = 35}]\n'
    )
    assert fails("table1", "--spec", "bad.toml") == (
        "bad.toml, variable 1 (age): Mother 2 has age 31, which falls in no bin; add a bin "
        'for it, or a row for such values with other = "Other"'
    )
