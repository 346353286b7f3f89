"""The themes commands as a user runs them: a real `thematica` process, exact output."""

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.cli import fails, out

I1 = """Interviewer: How did you first hear about the team?

Participant: The health visitor told me. I rang them twice before anyone called back.

Interviewer: And the sessions?

Participant: She was kind to me. Like someone was looking after me for once.
"""

I3 = """Interviewer: Did you tell them how you felt?

Participant: No. I said I'm grand. I thought they'd take [my baby] off me.
"""


@pytest.fixture
def study(tmp_path):
    """Two interviews, three codes, four codings; made through the API, which is quicker
    than a process a step (the CLI's own steps are tested in tests/e2e)."""
    from tests.themes.conftest import span
    from thematica import create_project

    Path("p.csv").write_text("id,age\n1,24\n3,19\n")
    with create_project("study.thematica", participant_label="Mother {id}", actor="Hannah") as p:
        p.cases.import_table("p.csv", id_column="id")
        p.sources.add("i1.txt", I1, case="1")
        p.sources.add("i3.txt", I3, case="3")
        for code in ("Warmth", "Feeling mothered", "Hiding"):
            p.codes.add(code)
        p.codings.add("i1.txt", "Warmth", *span(I1, "She was kind to me."), coder="Hannah")
        p.codings.add(
            "i1.txt", "Feeling mothered", *span(I1, "looking after me for once."), coder="Hannah"
        )
        p.codings.add("i3.txt", "Hiding", *span(I3, "I said I'm grand."), coder="Hannah")
        p.codings.add("i3.txt", "Hiding", 0, 120, coder="Hannah")
    return tmp_path / "study.thematica"


def test_building_and_reviewing_themes(study):
    assert out("themes", "add", "Trust", "--code", "Warmth", "--definition", "Earned.") == (
        "Added theme Trust (theme 1) with 1 code\n"
    )
    assert out("themes", "add", "Like a mum", "--parent", "Trust") == (
        "Added subtheme Trust/Like a mum (theme 2)\n"
    )
    assert out("themes", "add", "Being watched", "--contextual", "--status", "reviewed") == (
        "Added theme Being watched (theme 3)\n"
    )
    assert out("themes", "link", "Like a mum", "Feeling mothered") == (
        "Linked 1 code to Trust/Like a mum\n"
    )
    assert out("themes", "link", "3", "Hiding", "Warmth") == "Linked 2 codes to Being watched\n"
    assert out("themes", "unlink", "Being watched", "Warmth") == (
        "Unlinked 1 code from Being watched\n"
    )
    assert out("themes", "status", "Trust", "defined") == "Trust: candidate -> defined\n"
    assert out("themes", "define", "Like a mum", "Cared for herself.") == (
        "Defined Trust/Like a mum\n"
    )
    assert out("themes", "rename", "Like a mum", "Like a mum would") == (
        "Renamed Like a mum to Trust/Like a mum would\n"
    )
    assert out("themes", "move", "Being watched", "--position", "1") == (
        "Moved Being watched to Being watched (position 1 of 2)\n"
    )
    assert out("themes", "list") == (
        "#   theme                        status      codes   quotes\n"
        "───────────────────────────────────────────────────────────\n"
        "3   Being watched (contextual)   reviewed        1        0\n"
        "1   Trust                        defined         1        0\n"
        "2     Like a mum would           candidate       1        0\n"
    )
    assert out("themes", "tree") == (
        "themes\n"
        "├── Being watched (reviewed, contextual)\n"
        "│   └── code: Hiding\n"
        "└── Trust (defined)\n"
        "    ├── code: Warmth\n"
        "    └── Like a mum would (candidate)\n"
        "        └── code: Feeling mothered\n"
    )
    assert out("themes", "show", "Trust") == (
        "Theme 1: Trust\n"
        "  status: defined\n"
        "  contextual: no\n"
        "  codes: Warmth\n"
        "  subthemes: Like a mum would\n"
        "  quotes: 0\n"
        "\n"
        "Earned.\n"
    )
    assert json.loads(out("themes", "show", "Trust/Like a mum would", "--json")) == {
        "id": 2,
        "name": "Like a mum would",
        "path": "Trust/Like a mum would",
        "parent": "Trust",
        "kind": "subtheme",
        "definition": "Cared for herself.",
        "status": "candidate",
        "contextual": False,
        "codes": ["Feeling mothered"],
        "subthemes": [],
        "quotes": 0,
    }
    assert [t["path"] for t in json.loads(out("themes", "list", "--json"))] == [
        "Being watched",
        "Trust",
        "Trust/Like a mum would",
    ]
    assert out("themes", "contextual", "Being watched", "--off") == (
        "Being watched is no longer contextual\n"
    )
    assert out("themes", "split", "Trust", "Mothering", "--subtheme", "Like a mum would") == (
        "Split Trust: Mothering (theme 4) takes 0 codes and 1 subtheme\n"
    )
    assert out("themes", "merge", "Mothering", "Trust") == (
        "Merged Mothering into Trust: 0 codes, 1 subtheme and 0 quotes moved\n"
    )
    history = out("themes", "history", "Trust").splitlines()
    assert history[0].split() == ["#", "at", "(UTC)", "who", "what"]
    assert [line.split("Hannah   ", 1)[1] for line in history[2:]] == [
        "added 'Trust' (candidate, codes Warmth)",
        "status candidate -> defined",
        "split: 'Mothering' (theme #4) took Like a mum would",
        "took in 'Mothering' (merged, theme #4)",
    ]
    events = json.loads(out("themes", "history", "#4", "--json"))
    assert [(e["action"], e["what"]) for e in events] == [
        ("split theme", "split from 'Trust' (theme #1), taking Like a mum would"),
        ("merge themes", "merged into 'Trust' (theme #1)"),
    ]
    assert out("undo") == "Undid event 24: merge themes Mothering -> Trust\n"
    assert out("themes", "delete", "Mothering", "--force") == (
        "Deleted theme Mothering and 1 subtheme\n"
    )
    assert out("themes", "export", "themes.yaml") == "Exported 2 themes to themes.yaml\n"
    assert Path("themes.yaml").read_text() == (
        "themes:\n"
        "- name: Being watched\n"
        "  definition: ''\n"
        "  status: reviewed\n"
        "  contextual: false\n"
        "  codes:\n"
        "  - Hiding\n"
        "- name: Trust\n"
        "  definition: Earned.\n"
        "  status: defined\n"
        "  contextual: false\n"
        "  codes:\n"
        "  - Warmth\n"
    )
    out("themes", "delete", "Trust")
    assert out("themes", "import", "themes.yaml") == (
        "Imported themes.yaml: 1 theme added, 0 updated, 1 code linked\n"
    )


def test_theme_errors_are_one_line(study):
    out("themes", "add", "Trust", "--code", "Warmth")
    assert fails("themes", "show", "Trsut") == (
        "unknown theme 'Trsut' (did you mean 'Trust'?); `thematica themes list` shows them all"
    )
    assert fails("themes", "link", "Trust", "Warmht") == (
        "unknown code 'Warmht' (did you mean 'Warmth'?); `thematica codes list` shows them all"
    )
    assert fails("themes", "status", "Trust", "final") == (
        "unknown status 'final': use one of candidate, reviewed, defined"
    )
    assert fails("themes", "move", "Trust") == "give --parent THEME, --top or --position N"
    assert (
        fails("themes", "add", "Trust") == "a theme named 'Trust' already exists at the top level"
    )
    assert fails("quotes", "add", "Trust", "--coding", "1", "--keep", "3") == (
        "--keep '3' should be START:END, offsets from the segment's start"
    )
    assert fails("phase", "9") == (
        "phase must be 1 to 6: 1 familiarising with the data; 2 generating initial codes; "
        "3 searching for themes; 4 reviewing themes; 5 defining and naming themes; 6 writing up"
    )
    assert (
        fails("framework", "--out", "f.ods") == "cannot write f.ods: use a .xlsx or .csv file name"
    )
    Path("bad.yaml").write_text("themes:\n- name: X\n  codes: [Nope]\n")
    assert fails("themes", "import", "bad.yaml").startswith("bad.yaml: unknown code 'Nope'")


def test_prevalence_quotes_framework_phase_status(study):
    out("themes", "add", "Trust", "--code", "Warmth", "--code", "Feeling mothered")
    out("themes", "add", "Kindness", "--parent", "Trust", "--code", "Warmth")
    out("themes", "add", "Hiding it", "--code", "Hiding")
    assert out("themes", "wording", "--noun", "woman/women") == "Set the wording: woman/women\n"
    assert out("themes", "prevalence", "--coder", "Hannah") == (
        "Prevalence (coder Hannah) among 2 participants in 2 sources\n"
        "\n"
        "theme                      participants   sources   codings   in words\n"
        "───────────────────────────────────────────────────────────────────────\n"
        "Trust                                 1         1         2   one woman\n"
        "  code: Warmth                        1         1         1   one woman\n"
        "  code: Feeling mothered              1         1         1   one woman\n"
        "  Kindness                            1         1         1   one woman\n"
        "    code: Warmth                      1         1         1   one woman\n"
        "Hiding it                             1         1         2   one woman\n"
        "  code: Hiding                        1         1         2   one woman\n"
    )
    data = json.loads(out("themes", "prevalence", "--json"))
    assert (data["coder"], data["participants"], data["noun"]) == (None, 2, "woman/women")
    assert data["rows"][0]["cases"] == ["Mother 1"]
    assert out("themes", "wording") == (
        "Participants are called woman/women; default scale:\n"
        "\n"
        "rule           words\n"
        "─────────────────────────────\n"
        "count = 0      no {plural}\n"
        "all            all {plural}\n"
        "count = 1      one {singular}\n"
        "count = 2      two {plural}\n"
        "below = 0.5    some {plural}\n"
        "below = 0.75   many {plural}\n"
        "(otherwise)    most {plural}\n"
        "\n"
        "n of 2   in words\n"
        "──────────────────\n"
        "     0   no women\n"
        "     1   one woman\n"
        "     2   all women\n"
    )
    assert json.loads(out("themes", "wording", "--json"))["words"] == [
        "no women",
        "one woman",
        "all women",
    ]

    # Coding 4 runs from the interviewer's question into Mother 3's answer.
    assert out("quotes", "add", "Hiding it", "--coding", "4") == (
        "Added quote 1 to Hiding it: No. I said I'm grand. I thought they'd take [my baby] off "
        "me. [Mother 3]\n"
    )
    assert out("quotes", "add", "Hiding it", "--coding", "4", "--interviewer") == (
        "Added quote 2 to Hiding it: Interviewer: Did you tell them how you felt? Participant: "
        "No. I said I'm grand. I thought they'd take [my baby] off me. [Mother 3]\n"
    )
    keep = ["--keep", "63:80", "--keep", "98:120"]
    assert out("quotes", "add", "Hiding it", "--coding", "4", *keep) == (
        "Added quote 3 to Hiding it: I said I'm grand. ... take [my baby] off me. [Mother 3]\n"
    )
    assert out("quotes", "add", "Kindness", "--coding", "1") == (
        "Added quote 4 to Trust/Kindness: She was kind to me. [Mother 1]\n"
    )
    assert out("quotes", "remove", "2") == "Removed quote 2 from Hiding it\n"
    assert out("quotes", "list") == (
        "4 · Trust/Kindness · i1.txt [185, 204)\n"
        "  She was kind to me. [Mother 1]\n"
        "\n"
        "1 · Hiding it · i3.txt [0, 120)\n"
        "  No. I said I'm grand. I thought they'd take [my baby] off me. [Mother 3]\n"
        "\n"
        "3 · Hiding it · i3.txt [0, 120)\n"
        "  I said I'm grand. ... take [my baby] off me. [Mother 3]\n"
        "\n"
        "3 quotes\n"
    )
    listed = json.loads(out("quotes", "list", "Kindness", "--json"))
    assert listed == [
        {
            "id": 4, "theme": "Trust/Kindness", "source": "i1.txt", "start": 185,
            "end": 204, "coding": 1, "keep": [[0, 19]], "text": "She was kind to me.",
            "attribution": "Mother 1", "interviewer": False,
            "quote": "She was kind to me. [Mother 1]",
        }
    ]  # fmt: skip

    assert out("framework", "summary", "Trust", "1", "Kind, then cared for.") == (
        "Wrote the summary for Mother 1 in Trust\n"
    )
    assert out("framework") == (
        "participant   #1   #3\n"
        "─────────────────────\n"
        "Mother 1      2*    0\n"
        "Mother 3       0    2\n"
        "\n"
        "#1  Trust\n"
        "#3  Hiding it\n"
        "Cells count coded segments; * marks a written summary.\n"
    )
    assert out("framework", "--coder", "Hannah", "--out", "framework.xlsx") == (
        "Wrote framework.xlsx: 2 participants x 2 themes, 4 segments, 1 summary\n"
    )
    sheet = load_workbook("framework.xlsx")["Framework"]
    assert [c.value for c in sheet[1]] == ["participant", "Trust", "Hiding it"]
    assert sheet["B2"].value == (
        "Summary: Kind, then cared for.\n\n"
        "[i1.txt 185-204] She was kind to me.\n\n"
        "[i1.txt 222-248] looking after me for once."
    )
    assert out("framework", "--out", "framework.csv") == (
        "Wrote framework.csv: 2 participants x 2 themes, 4 segments, 1 summary\n"
    )
    matrix = json.loads(out("framework", "--json", "--subthemes"))
    assert matrix["themes"] == ["Trust", "Trust/Kindness", "Hiding it"]

    assert out("phase") == "Phase 1 of 6: familiarising with the data\n"
    assert out("phase", "3") == (
        "Phase 3 of 6: searching for themes (was 1: familiarising with the data)\n"
    )
    assert json.loads(out("phase", "--json")) == {
        "phase": 3,
        "name": "searching for themes",
        "of": 6,
    }
    out("memo", "add", "Grand: the word she used for being not fine.", "--source", "i3.txt")
    out("themes", "status", "Kindness", "defined")
    assert out("status") == (
        "study: phase 3 of 6, searching for themes\n"
        "\n"
        "progress                            done   of      %\n"
        "────────────────────────────────────────────────────\n"
        "sources with notes (familiarised)      1    2    50%\n"
        "sources coded                          2    2   100%\n"
        "codes in themes (of codes used)        3    3   100%\n"
        "themes defined (of all themes)         1    3    33%\n"
    )
    assert json.loads(out("status", "--json"))["defined"] == 1
