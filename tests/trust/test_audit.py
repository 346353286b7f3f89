"""The audit log as CSV and JSON, for an appendix or an auditor."""

import csv
import io
import json

from tests.cli import fails, out
from tests.conftest import INTERVIEW

START = INTERVIEW.index("she was really kind to me")


def study(tmp_path):
    (tmp_path / "one.txt").write_text(INTERVIEW)
    out("init", "study.thematica", "--participant-label", "Mother {id}")
    out("sources", "add", "one.txt")
    out("codes", "add", "Warmth")
    out("code", "one.txt", "--code", "Warmth", "--quote", "she was really kind to me")
    out("undo")


def test_the_whole_log_as_csv_oldest_first(tmp_path):
    study(tmp_path)
    rows = list(csv.DictReader(io.StringIO(out("log", "--format", "csv"))))
    assert [list(r) for r in rows][0] == [
        "id", "at", "actor", "action", "target", "undoable", "undone_by", "before", "after",
    ]  # fmt: skip
    assert [(r["id"], r["actor"], r["action"], r["undoable"], r["undone_by"]) for r in rows] == [
        ("1", "Hannah", "create project", "no", ""),
        ("2", "Hannah", "add sources", "yes", ""),
        ("3", "Hannah", "add code", "yes", ""),
        ("4", "Hannah", "code", "yes", "5"),
        ("5", "Hannah", "undo", "yes", ""),
    ]
    assert rows[3]["target"] == f"one.txt [{START}, {START + 25})"
    assert json.loads(rows[3]["after"]) == {"code": "Warmth", "coder": "Hannah", "id": 1}
    assert rows[0]["before"] == "" and rows[0]["at"].endswith("+00:00")


def test_json_and_files(tmp_path):
    study(tmp_path)
    newest = json.loads(out("log", "--format", "json", "--limit", "2"))
    assert [e["action"] for e in newest] == ["code", "undo"]
    assert newest[1]["before"] == {"code": "Warmth", "coder": "Hannah", "id": 1}
    assert out("log", "--out", "audit.json") == "Wrote audit.json: 5 events\n"
    assert [e["id"] for e in json.loads((tmp_path / "audit.json").read_text())] == [1, 2, 3, 4, 5]
    assert out("log", "--format", "csv", "--out", "log.txt") == "Wrote log.txt: 5 events\n"
    assert (tmp_path / "log.txt").read_text().startswith("id,at,actor,action,target,")
    # The log on screen is as it was: newest first, twenty at most.
    last = out("log", "--limit", "1").splitlines()[-1].split()
    assert " ".join(last[4:]) == f"undo event 4: code one.txt [{START}, {START + 25})"


def test_bad_formats_are_refused(tmp_path):
    study(tmp_path)
    assert fails("log", "--format", "xml") == "write the audit log as csv or json, not 'xml'"
    assert fails("log", "--out", "audit.pdf") == "write the audit log as csv or json, not 'pdf'"
    assert fails("log", "--format", "csv", "--out", "gone/audit.csv") == (
        "cannot write 'gone/audit.csv': No such file or directory"
    )
