"""`thematica query`, `thematica matrix` and `thematica sets` as a user runs them."""

import json

import docx
import pytest

from tests.cli import fails, out
from tests.query.conftest import build


@pytest.fixture
def study(tmp_path):
    from thematica import create_project

    with create_project(tmp_path / "s.thematica", participant_label="Mother {id}") as project:
        build(project, tmp_path)
    return "s.thematica"


def test_coding_query(study):
    assert out(
        "-p", study, "query", "coding", "Judged OR Trust", "--where", "age <= 25", "--context", "20"
    ) == (
        "a.txt [194, 241) · Mother 1 · Relationship/Judged\n"
        "  ...ions? Participant: The therapist was warm. I felt judged at first. Later I trusted her...\n"
        "\n"
        "a.txt [242, 262) · Mother 1 · Relationship/Trust\n"
        "  ...lt judged at first. Later I trusted her....\n"
        "\n"
        "2 passages in 1 source from 1 participant\n"
    )
    found = json.loads(out("-p", study, "query", "coding", "Warmth AND Judged", "--json"))
    assert found["query"] == "Warmth AND Judged"
    assert [(p["text"], p["codes"], p["coders"]) for p in found["passages"]] == [
        (
            "The therapist was warm.",
            ["Relationship/Judged", "Relationship/Warmth"],
            ["Dev", "Hannah"],
        )
    ]


def test_search_and_code_hits(study):
    assert out("-p", study, "query", "search", '"social worker"', "--width", "20") == (
        "a.txt [128]  he referral. Then a [social worker] rang. Interviewer:\n"
        "b.txt [81]   t the referral. The [social worker] was kind. I felt ju\n"
        "2 hits in 2 sources\n"
    )
    # b.txt's sentence is already coded Warmth: one new coding.
    assert out(
        "-p",
        study,
        "query",
        "code-hits",
        '"social worker"',
        "--code",
        "Warmth",
        "--unit",
        "sentence",
    ) == ("Coded 1 sentence as Warmth\n")
    assert out("-p", study, "log", "--limit", "1").count("add codings") == 1


def test_word_frequencies(study):
    assert out("-p", study, "query", "words", "--top", "3") == (
        "word       count   sources   participants\n"
        "─────────────────────────────────────────\n"
        "referral       2         2              2\n"
        "social         2         2              2\n"
        "worker         2         2              2\n"
        "45 words counted\n"
    )


def test_matrices(study, tmp_path):
    assert out("-p", study, "matrix", "cases", "--code", "Route", "--code", "Judged") == (
        "code                  Mother 1   Mother 2\n"
        "─────────────────────────────────────────\n"
        "Referral/Route               1          1\n"
        "Relationship/Judged          2          1\n"
    )
    assert out(
        "-p", study, "matrix", "attribute", "education", "--count", "participants",
        "--children", "--code", "Relationship", "--export", "m.docx",
    ) == (
        "code           GCSEs   Degree\n"
        "─────────────────────────────\n"
        "Relationship       1        1\n"
        "Wrote m.docx\n"
    )  # fmt: skip
    table = docx.Document(tmp_path / "m.docx").tables[0]
    assert [c.text for c in table.rows[1].cells] == ["Relationship", "1", "1"]
    assert out(
        "-p",
        study,
        "matrix",
        "cooccurrence",
        "--code",
        "Warmth",
        "--code",
        "Judged",
        "--by",
        "turn",
    ) == (
        "code                  Relationship/Warmth   Relationship/Judged\n"
        "───────────────────────────────────────────────────────────────\n"
        "Relationship/Warmth                     2                     2\n"
        "Relationship/Judged                     2                     2\n"
    )


def test_sets_and_saved_queries(study):
    assert out("-p", study, "sets", "define", "Waited", "--coded", "Waiting") == (
        "Case set 'Waited' (coded Referral/Waiting): 1 case\n  Mother 1\n"
    )
    assert out("-p", study, "sets", "add", "Pilot", "--kind", "source", "b.txt") == (
        "Source set 'Pilot' (static): 1 source\n  b.txt\n"
    )
    assert out("-p", study, "sets", "list") == (
        "name     kind     members   definition\n"
        "──────────────────────────────────────────────────\n"
        "Pilot    source         1   static\n"
        "Waited   case           1   coded Referral/Waiting\n"
    )
    assert out(
        "-p", study, "query", "coding", "Judged", "--case-set", "Waited", "--save", "Judged, waited"
    ) == (
        "Saved coding query 'Judged, waited'; run it with: thematica query run 'Judged, waited'\n"
    )
    assert out("-p", study, "query", "saved") == (
        "name             kind     query    filter\n"
        "───────────────────────────────────────────────────────\n"
        "Judged, waited   coding   Judged   case_sets=['Waited']\n"
    )
    assert out("-p", study, "query", "run", "Judged, waited", "--json").startswith(
        '{"query": "Judged"'
    )
    assert out("-p", study, "query", "forget", "Judged, waited") == (
        "Forgot saved coding query 'Judged, waited'\n"
    )
    assert out("-p", study, "sets", "delete", "Pilot") == "Deleted source set 'Pilot'\n"


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["query", "coding", "Judged AND"],
            "coding query 'Judged AND': expected a code name, found end of query; e.g. \"Warmth\" (at character 11)",
        ),
        (
            ["query", "coding", "Judged", "--where", "agee < 3"],
            "filter 'agee < 3': unknown attribute 'agee' (did you mean 'age'?); `thematica cases list` shows them all",
        ),
        (
            ["query", "search", "NEAR(a b, -1)"],
            "search 'NEAR(a b, -1)': NEAR needs a number of words of 0 or more, not -1 (at character 11)",
        ),
        (
            ["query", "coding", "Judged", "--role", "narrator"],
            "unknown speaker role 'narrator': use participant, interviewer, other (or none for all)",
        ),
        (
            ["query", "coding", "Judged", "--export", "j.pdf"],
            "cannot write j.pdf: use a .csv, .xlsx, .md or .docx file name",
        ),
        (["matrix", "cooccurrence", "--by", "page"], "--by 'page': use overlap or turn"),
        (
            ["matrix", "cases", "--count", "words"],
            "unknown count 'words': use codings, sources, participants, segments",
        ),
        (["sets", "show", "Nope"], "unknown set 'Nope'; `thematica sets list` shows them all"),
        (
            ["query", "run", "Nope"],
            "unknown saved query 'Nope'; `thematica query saved` shows them all",
        ),
    ],
)
def test_mistakes_are_one_line(study, args, message):
    assert fails("-p", study, *args) == message
