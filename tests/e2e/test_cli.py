"""The CLI as a user runs it: a real `thematica` process, exact output, exit codes."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli import THEMATICA, fails, out, run

INTERVIEW = """Interviewer: How did you first hear about the team?

Participant: The health visitor told me. I rang them twice before anyone called back.

Interviewer: And the sessions?

Participant: She was kind to me. Like someone was looking after me for once.
"""


@pytest.fixture
def study(tmp_path):
    Path("i1.txt").write_text(INTERVIEW)
    Path("p.csv").write_text("id,age,partner\n1,24,yes\n3,19,no\n")
    out("init", "study.thematica", "--participant-label", "Mother {id}")
    return tmp_path / "study.thematica"


def test_a_study_from_the_command_line(study):
    assert out("cases", "import", "p.csv", "--id", "id") == (
        "Imported 2 cases (2 new, 0 updated) with 2 attributes: age (integer), partner (boolean)\n"
    )
    assert (
        out("sources", "add", "i1.txt", "--case", "1")
        == "Added i1.txt: 41 words, 4 turns (Mother 1)\n"
    )
    assert out("codes", "add", "Therapist relationship") == "Added code Therapist relationship\n"
    assert out(
        "codes",
        "add",
        "Warmth",
        "--parent",
        "Therapist relationship",
        "--description",
        "Kindness felt",
    ) == ("Added code Therapist relationship/Warmth\n")
    assert out("code", "i1.txt", "--code", "Warmth", "--quote", "She was kind to me.") == (
        "Coded i1.txt [185, 204) as Therapist relationship/Warmth by Hannah (coding 1)\n"
    )
    assert out(
        "code", "i1.txt", "--code", "Warmth", "--start", "205", "--end", "248", "--coder", "Dev"
    ) == ("Coded i1.txt [205, 248) as Therapist relationship/Warmth by Dev (coding 2)\n")
    assert out("codes", "tree") == (
        "codebook\n└── ■ Therapist relationship (0)\n    └── ■ Warmth (2)\n"
    )
    assert out("codes", "list") == (
        "code                     codings   sources   participants   colour    description\n"
        "───────────────────────────────────────────────────────────────────────────────────\n"
        "Therapist relationship     0 / 2     0 / 1          0 / 1   #4e79a7\n"
        "  Warmth                       2         1              1   #4e79a7   Kindness felt\n"
    )
    assert json.loads(out("codes", "list", "--json"))[0] == {
        "name": "Therapist relationship", "path": "Therapist relationship", "parent": None,
        "description": "", "colour": "#4e79a7", "codings": 0, "sources": 0, "participants": 0,
        "with_children": {"codings": 2, "sources": 1, "participants": 1}, "version": 1,
    }  # fmt: skip
    assert out("cases", "list") == (
        "case       age   partner   sources\n"
        "──────────────────────────────────\n"
        "Mother 1   24    yes       i1.txt\n"
        "Mother 3   19    no\n"
    )
    assert out("sources", "list") == (
        "source   words   turns   codings   cases\n"
        "───────────────────────────────────────────\n"
        "i1.txt      41       4         2   Mother 1\n"
    )
    segments = json.loads(out("segments", "Warmth", "--json", "--context", "20"))
    assert segments == [
        {
            "coding": 1, "source": "i1.txt", "start": 185, "end": 204,
            "text": "She was kind to me.", "code": "Therapist relationship/Warmth",
            "coder": "Hannah", "case": "Mother 1", "speaker": "Participant",
            "role": "participant", "before": "ions?\n\nParticipant: ",
            "after": " Like someone was lo", "time": None,
        },
        {
            "coding": 2, "source": "i1.txt", "start": 205, "end": 248,
            "text": "Like someone was looking after me for once.", "code": "Therapist relationship/Warmth",
            "coder": "Dev", "case": "Mother 1", "speaker": "Participant",
            "role": "participant", "before": "She was kind to me. ", "after": "\n",
            "time": None,
        },
    ]  # fmt: skip
    assert out("segments", "Warmth", "--coder", "Dev", "--context", "0") == (
        "i1.txt [205, 248) · Mother 1 · Dev\n"
        "  ...Like someone was looking after me for once....\n\n"
        "1 segment\n"
    )
    assert out("memo", "add", "Kindness comes up early.", "--title", "First read") == (
        "Added memo 1 (journal)\n"
    )
    assert out(
        "memo", "add", "Echo of the GP", "--source", "i1.txt", "--quote", "health visitor"
    ) == ("Added memo 2 (i1.txt [70, 84))\n")
    memos = json.loads(out("memo", "list", "--json"))
    assert [(m["kind"], m["author"], m["text"]) for m in memos] == [
        ("project", "Hannah", "Kindness comes up early."),
        ("source", "Hannah", "Echo of the GP"),
    ]
    shown = out("memo", "show", "1").splitlines()
    assert shown[0] == "Memo 1: First read" and shown[-1] == "Kindness comes up early."
    assert out("uncode", "2") == (
        "Removed coding 2: Therapist relationship/Warmth on i1.txt [205, 248) by Dev\n"
    )
    assert out("undo") == "Undid event 10: uncode coding 2\n"
    log = json.loads(out("log", "--json", "--limit", "3"))
    assert [(e["action"], e["target"], e["undone_by"]) for e in log] == [
        ("undo", "event 10: uncode coding 2", None),
        ("uncode", "coding 2", 11),
        ("add memo", "i1.txt", None),
    ]
    assert len(json.loads(out("codings", "list", "--json"))) == 2


def test_codebook_commands(study):
    out("codes", "add", "Relationship")
    out("codes", "add", "Kindness", "--parent", "Relationship")
    out("codes", "add", "Warmth")
    assert out("codes", "rename", "Warmth", "Care") == "Renamed Warmth to Care\n"
    assert out("codes", "describe", "Care", "Being cared for") == "Described Care\n"
    assert out("codes", "colour", "Care", "#AA0000") == "Coloured Care #aa0000\n"
    assert (
        out("codes", "move", "Care", "--parent", "Relationship")
        == "Moved Care to Relationship/Care\n"
    )
    assert out("codes", "merge", "Kindness", "Care") == (
        "Merged Kindness into Relationship/Care: 0 codings moved, 0 duplicates dropped\n"
    )
    assert out("codes", "export", "book.yaml") == "Exported 2 codes to book.yaml\n"
    assert Path("book.yaml").read_text() == (
        "codes:\n"
        "- name: Relationship\n"
        "  description: ''\n"
        "  colour: '#4e79a7'\n"
        "  children:\n"
        "  - name: Care\n"
        "    description: Being cared for\n"
        "    colour: '#aa0000'\n"
    )
    assert out("codes", "delete", "Relationship") == "Deleted code Relationship\n"
    assert out("codes", "import", "book.yaml") == "Imported book.yaml: 2 codes added, 0 updated\n"
    assert out("codes", "export", "book.csv") == "Exported 2 codes to book.csv\n"
    assert Path("book.csv").read_bytes() == (
        b"name,parent,description,colour\r\n"
        b"Relationship,,,#4e79a7\r\n"
        b"Care,Relationship,Being cared for,#aa0000\r\n"
    )


def test_editing_and_deleting_memos(study):
    out("sources", "add", "i1.txt")
    out("memo", "add", "Kindness comes up early.", "--title", "First read")
    out("memo", "add", "Echo of the GP", "--source", "i1.txt", "--quote", "health visitor")
    assert out("memo", "edit", "1", "--text", "Kindness comes up early, and often.") == (
        "Edited memo 1 (journal): new text\n"
    )
    assert out("memo", "edit", "2", "--title", "GP", "--text", "Echo of the GP's words") == (
        "Edited memo 2 (i1.txt [70, 84)): new title and text\n"
    )
    assert out("memo", "edit", "1", "--title", "First read") == (
        "Memo 1 (journal) already says that; nothing changed\n"
    )
    assert out("memo", "show", "2").splitlines()[::3] == ["Memo 2: GP", "Echo of the GP's words"]
    assert fails("memo", "edit", "1") == "give a new text or title for the memo"
    assert fails("memo", "edit", "1", "--text", " ") == (
        "a memo needs some text: delete it instead"
    )
    assert fails("memo", "edit", "9", "--title", "x") == (
        "no memo with id 9; `thematica memo list` shows them"
    )
    assert out("memo", "delete", "2") == "Deleted memo 2 (i1.txt [70, 84))\n"
    assert fails("memo", "delete", "2") == "no memo with id 2; `thematica memo list` shows them"
    assert [m["id"] for m in json.loads(out("memo", "list", "--json"))] == [1]
    assert out("undo").endswith(": delete memo memo 2\n")
    memos = json.loads(out("memo", "list", "--json"))
    assert [(m["id"], m["title"], m["text"], m["anchor"]) for m in memos] == [
        (1, "First read", "Kindness comes up early, and often.", "journal"),
        (2, "GP", "Echo of the GP's words", "i1.txt [70, 84)"),
    ]


def test_codings_import(study):
    out("sources", "add", "i1.txt")
    out("codes", "add", "Warmth")
    Path("c.csv").write_text(
        "source,quote,code,coder,memo\n"
        "i1.txt,She was kind to me.,Warmth,Dev,Early\n"
        "i1.txt,looking after me,Warmth,Dev,\n"
    )
    assert out("codings", "import", "c.csv") == (
        "Imported 2 codings from c.csv (0 already there, 1 memo)\n"
    )
    assert out("codings", "import", "c.csv") == (
        "Imported 0 codings from c.csv (2 already there, 0 memos)\n"
    )


def test_bad_input_is_one_line_exit_2_and_changes_nothing(study):
    out("sources", "add", "i1.txt")
    out("codes", "add", "Warmth")
    Path("bad.csv").write_text("source,quote,code\ni1.txt,nowhere,Warmth\n")
    Path("cp.txt").write_bytes(b"caf\x81")  # neither UTF-8 nor Windows-1252
    before = out("log", "--json", "--limit", "0")
    assert fails("code", "nope.txt", "--code", "Warmth", "--start", "0", "--end", "5") == (
        "unknown source 'nope.txt'; `thematica sources list` shows them all"
    )
    assert fails("code", "i1.txt", "--code", "Wramth", "--start", "0", "--end", "5") == (
        "unknown code 'Wramth' (did you mean 'Warmth'?); `thematica codes list` shows them all"
    )
    assert fails("code", "i1.txt", "--code", "Warmth", "--start", "0", "--end", "9999") == (
        "offsets [0, 9999) are out of range: the text has 249 characters"
    )
    assert fails("code", "i1.txt", "--code", "Warmth", "--quote", "Participant") == (
        "quote 'Participant' matches 2 places in i1.txt: add a prefix or suffix to choose one"
    )
    assert fails("code", "i1.txt", "--code", "Warmth") == "give --start and --end, or --quote"
    assert fails("codings", "import", "bad.csv", "--coder", "Dev") == (
        "bad.csv, line 2: quote 'nowhere' not found in i1.txt"
    )
    assert fails("codings", "import", "missing.csv") == "no such file: missing.csv"
    assert fails("sources", "add", "cp.txt") == (
        "cp.txt is not UTF-8 (byte 0x81 at position 3); pass its encoding, e.g. --encoding cp1252"
    )
    assert fails("cases", "import", "bad.csv", "--id", "participant") == (
        "bad.csv has no column 'participant'; its columns are: source, quote, code"
    )
    assert fails("uncode", "42") == "no coding with id 42; `thematica codings list` shows them"
    assert fails("memo", "show", "7") == "no memo with id 7; `thematica memo list` shows them"
    assert out("log", "--json", "--limit", "0") == before


def test_choosing_the_project(study, tmp_path):
    assert json.loads(out("sources", "list", "--json")) == []
    os.mkdir("elsewhere")
    os.chdir("elsewhere")
    assert fails("sources", "list") == (
        "no project given: use -p PATH, set THEMATICA_PROJECT, or run where one *.thematica file is"
    )
    assert json.loads(out("-p", str(study), "sources", "list", "--json")) == []
    assert run("sources", "list", "--json", env={"THEMATICA_PROJECT": str(study)}).stdout == "[]\n"
    shutil.copy(study, "a.thematica")
    shutil.copy(study, "b.thematica")
    assert fails("sources", "list") == (
        "several projects here (a.thematica, b.thematica): choose one with -p PATH"
    )


def test_files_that_are_not_projects(tmp_path):
    Path("notes.thematica").write_text("hello")
    assert fails("sources", "list") == (
        "notes.thematica is not a Thematica project (not a SQLite database)"
    )
    assert fails("-p", "gone.thematica", "log") == (
        "no project at gone.thematica: create one with `thematica init gone.thematica`"
    )
    assert (
        fails("init", "notes.thematica")
        == "notes.thematica already exists; open it, or choose another name"
    )


def test_help_and_version():
    assert out("--version") == "thematica 0.1.0\n"
    listing = out("--help")
    for group in (
        "init",
        "sources",
        "cases",
        "codes",
        "code",
        "uncode",
        "codings",
        "segments",
        "memo",
        "log",
        "undo",
    ):
        assert f" {group} " in listing


def test_adding_a_folder_shows_a_summary_and_exits_2_for_skipped_files(study):
    os.mkdir("batch")
    Path("batch/a.txt").write_text("Interviewer: Hello?\n\nParticipant: Hi there.\n")
    Path("batch/b.txt").write_text("Interviewer: Again?\n\nParticipant: Yes.\n")
    Path("batch/c.txt").write_bytes(b"caf\x81")
    result = run("sources", "add", "batch", check=False)
    assert result.returncode == 2
    assert result.stdout == (
        "file    result                                                                                                   words   turns   cases\n"
        "──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────\n"
        "a.txt   added                                                                                                        5       2\n"
        "b.txt   added                                                                                                        4       2\n"
        "c.txt   skipped: batch/c.txt is not UTF-8 (byte 0x81 at position 3); pass its encoding, e.g. --encoding cp1252\n"
        "2 sources added, 1 skipped\n"
    )
    assert [s["name"] for s in json.loads(out("sources", "list", "--json"))] == ["a.txt", "b.txt"]


def test_anonymise_detect_and_apply(study):
    Path("i.txt").write_text(
        "Interviewer: Who rang?\n\nParticipant: Sarah Jones rang me on 07700 900461 from Leeds.\n"
    )
    Path("names.txt").write_text("Sarah Jones\nLeeds | TOWN\n")
    found = json.loads(out("anonymise", "detect", "i.txt", "--names", "names.txt", "--json"))
    assert [(f["text"], f["label"], f["recogniser"], f["placeholder"]) for f in found] == [
        ("Sarah Jones", "NAME", "gazetteer", "[Person 1]"),
        ("07700 900461", "PHONE", "uk_phone", "[Phone number]"),
        ("Leeds", "TOWN", "gazetteer", "[Town A]"),
    ]
    out("sources", "add", "i.txt")
    result = run(
        "anonymise", "apply", "--key", "study.key", "--names", "names.txt",
        "--placeholder", "Sarah Jones=[the mother]",
        env={"THEMATICA_KEY_PASSPHRASE": "correct horse battery"},
    )  # fmt: skip
    assert result.stdout == (
        "Anonymised 1 source: 3 identifiers replaced (1 NAME, 1 PHONE, 1 TOWN); "
        "originals are in study.key\n"
    )
    shown = json.loads(out("sources", "show", "i.txt", "--json"))
    assert shown["text"] == (
        "Interviewer: Who rang?\n\nParticipant: [the mother] rang me on [Phone number] from [Town A].\n"
    )
    assert "Sarah" not in Path("study.thematica").read_bytes().decode("latin-1")
    wrong = run(
        "anonymise", "apply", "--key", "study.key",
        env={"THEMATICA_KEY_PASSPHRASE": "not the passphrase"}, check=False,
    )  # fmt: skip
    assert wrong.returncode == 2
    assert wrong.stderr == "Error: wrong passphrase for study.key, or the file was changed\n"


def test_anonymise_review_saves_each_answer_and_apply_uses_the_decisions(study):
    Path("raw").mkdir()
    Path("raw/i.txt").write_text(
        "Interviewer: Who came?\n\n"
        "Participant: Grace from the Royal Elm Hospital came. Alfie was eight weeks.\n"
        "Ring 07700 900461.\n"
    )
    rules = ["--recogniser", "uk_phone", "--recogniser", "organisation", "--recogniser", "age"]
    review = subprocess.run(
        [THEMATICA, "anonymise", "review", "raw/i.txt", "--decisions", "d.csv", *rules],
        input="A\np\n[my baby]\nq\n",
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": ""},
    )
    assert review.returncode == 0, review.stderr
    assert review.stdout.splitlines() == [
        "3 identifiers to review; a accept · r reject · A accept all alike · "
        "R reject all alike · p choose a placeholder · s skip · q save and stop",
        "",
        "[1/3] i.txt [52, 70) HOSPITAL 'Royal Elm Hospital' -> [Hospital A] "
        "(organisation, 0.90; 0 other places)",
        "  ...Interviewer: Who came? Participant: Grace from the [[Royal Elm Hospital]] came. "
        "Alfie was eight weeks. Ring 07700 900461. ...",
        "decision [a]: ",
        "[2/3] i.txt [87, 98) AGE 'eight weeks' -> [Age] (age, 0.85; 0 other places)",
        "  ...came? Participant: Grace from the Royal Elm Hospital came. Alfie was "
        "[[eight weeks]]. Ring 07700 900461. ...",
        "decision [a]: placeholder for 'eight weeks' everywhere, e.g. [my baby]: ",
        "[3/3] i.txt [105, 117) PHONE '07700 900461' -> [Phone number] "
        "(uk_phone, 0.95; 0 other places)",
        "  ...: Grace from the Royal Elm Hospital came. Alfie was eight weeks. Ring "
        "[[07700 900461]]. ...",
        "decision [a]: ",
        "2 accepted, 0 rejected, 1 left to review; decisions are in d.csv",
    ]
    assert Path("d.csv").read_text() == (
        "text,decision,label,placeholder,source,start,end\n"
        "eight weeks,accept,AGE,[my baby],,,\n"
        "Royal Elm Hospital,accept,HOSPITAL,,,,\n"
    )
    env = {"THEMATICA_KEY_PASSPHRASE": "correct horse battery"}
    assert run(
        "anonymise", "apply", "raw/i.txt", "--out", "clean", "--key", "files.key",
        "--decisions", "d.csv", *rules, env=env,
    ).stdout == (
        "Anonymised 1 file into clean: 3 identifiers replaced (1 AGE, 1 HOSPITAL, 1 PHONE); "
        "originals are in files.key\n"
    )  # fmt: skip
    assert "[Hospital A] came. Alfie was [my baby]." in Path("clean/i.txt").read_text()
    out("sources", "add", "raw/i.txt")
    original = json.loads(out("sources", "show", "i.txt", "--json"))["text"]
    run("anonymise", "apply", "--key", "study.key", "--decisions", "d.csv", *rules, env=env)
    assert "eight weeks" not in out("sources", "show", "i.txt")
    assert run("anonymise", "reidentify", "i.txt", "--key", "study.key", env=env).stdout == (
        original
    )
    assert out("log", "--limit", "1", "--json").count('"re-identify"') == 1
    assert fails("anonymise", "apply", "--decisions", "nothing.csv", "--key", "x.key") == (
        "no decisions file at nothing.csv"
    )


def test_double_coding_agreement_and_consensus_from_the_command_line(study):
    out("sources", "add", "i1.txt")
    out("codes", "add", "Warmth")
    out("codes", "add", "Referral")
    for quote, code, coder in [
        ("She was kind to me.", "Warmth", "A"),
        ("She was kind to me. Like someone was looking after me for once.", "Warmth", "B"),
        ("The health visitor told me.", "Referral", "A"),
        ("The health visitor told me.", "Referral", "B"),
        ("I rang them twice", "Referral", "B"),
    ]:
        out("code", "i1.txt", "--code", code, "--quote", quote, "--coder", coder)
    assert out("double-coding", "pick", "i1.txt") == "Picked 1 source (by hand): i1.txt\n"
    assert fails("double-coding", "pick", "i1.txt") == "i1.txt is already picked for double coding"
    assert out("agreement", "--coders", "A,B", "--unit", "turn") == (
        "Agreement of A and B on 1 source; unit: speaker turns\n"
        "\n"
        "code                         units   prevalence   agreement   Cohen's kappa   alpha   u-alpha\n"
        "─────────────────────────────────────────────────────────────────────────────────────────────\n"
        "Referral                         4         0.25      100.0%            1.00    1.00      0.77\n"
        "Warmth                           4         0.25      100.0%            1.00    1.00      0.26\n"
        "overall (all codes pooled)       8         0.25      100.0%            1.00    1.00      0.43\n"
        "\n"
        "Method: A and B on 1 source, per turn; a turn counts as coded if any of it is. "
        "Overall figures pool every code's decisions.\n"
    )
    figures = json.loads(out("agreement", "--coders", "A,B", "--json"))
    assert figures["unit_name"] == "characters"
    referral = figures["codes"][0]
    assert (referral["code"], round(referral["figures"]["kappa"], 4)) == ("Referral", 0.7234)
    assert out("agreement", "--coders", "A,B", "--disagreements", "d.csv").endswith(
        "Wrote 2 disagreements to d.csv\n"
    )
    assert Path("d.csv").read_text().splitlines()[1].startswith("i1.txt,Warmth,185,248,44,")
    assert out("double-coding", "blind", "B") == "B is coding blind\n"
    assert fails("--user", "B", "agreement", "--coders", "A,B").startswith("B is coding blind")
    assert out("consensus", "start", "--from", "A,B") == (
        "Started 'consensus': 1 agreed coding copied, 2 disagreements to resolve\n"
    )
    assert out("consensus", "next") == (
        "Item 1 · i1.txt [94, 111) · Referral\n"
        "  A: not coded\n"
        "  B: [94, 111)\n"
        "  text: I rang them twice\n"
        "2 of 2 left\n"
    )
    assert out("consensus", "resolve", "1", "take", "--coder", "B", "--memo", "She rang.") == (
        "Resolved item 1 (take B)\n"
    )
    assert out("consensus", "resolve", "2", "edit", "--start", "185", "--end", "204") == (
        "Resolved item 2 (edit)\n"
    )
    assert out("consensus", "status") == "consensus: 2 of 2 disagreements resolved, 0 left\n"
    assert out("consensus", "next") == "Every disagreement is resolved\n"
    agreed = json.loads(out("codings", "list", "--coder", "consensus", "--json"))
    assert [(c["start"], c["end"], c["code"]) for c in agreed] == [
        (66, 93, "Referral"),
        (94, 111, "Referral"),
        (185, 204, "Warmth"),
    ]
    assert fails("consensus", "resolve", "2", "union") == (
        "item 2 is already resolved (edit by Hannah)"
    )


def test_anonymise_refuses_bad_input_with_one_line(study):
    Path("bin.txt").write_bytes(bytes(range(256)) * 8)
    Path("empty.txt").write_text("")
    Path("i.txt").write_text("Participant: Ring 07700 900461.\n")
    Path("cut.key").write_text('{"format": "thematica-key"')
    assert fails("anonymise", "detect", "empty.txt") == "empty.txt is empty"
    assert fails("anonymise", "detect", "bin.txt").startswith("bin.txt is not UTF-8")
    env = {"THEMATICA_KEY_PASSPHRASE": "correct horse battery"}
    result = run(
        "anonymise", "apply", "i.txt", "--out", "clean", "--key", "cut.key", env=env, check=False
    )
    assert result.returncode == 2
    assert result.stderr.startswith("Error: cut.key is not a Thematica key file")
    assert not Path("clean").exists() or not any(Path("clean").iterdir())
    assert Path("cut.key").read_text() == '{"format": "thematica-key"'
