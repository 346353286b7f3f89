"""The demo study's themes (examples/parent-infant-study/coding/themes.yaml) imported into
a project built from the demo's files, the way run_demo.py builds it."""

import yaml

from tests.conftest import DEMO

EDUCATION = "ordinal:No formal qualifications|GCSEs|Vocational (NVQ)|A levels|Degree|Postgraduate"
THEMES = DEMO / "coding" / "themes.yaml"


def build(project):
    project.cases.import_table(
        DEMO / "participants.csv", id_column="id", types={"highest_education": EDUCATION}
    )
    project.sources.add_files([DEMO / "raw"])
    project.cases.link_by_pattern(r"interview-(?P<id>\d+)")
    project.codes.import_file(DEMO / "codebook.yaml")
    project.codings.import_csv(DEMO / "coding" / "codings-hannah.csv")
    return project


def walk(items, parent=""):
    for item in items:
        path = f"{parent}/{item['name']}" if parent else item["name"]
        yield path, item
        yield from walk(item.get("subthemes", []), path)


def test_demo_themes_import_with_every_field(project, tmp_path):
    build(project)
    expected = dict(walk(yaml.safe_load(THEMES.read_text(encoding="utf-8"))["themes"]))
    result = project.themes.import_file(THEMES)
    assert (result.created, result.updated) == (15, 0)
    assert result.links == sum(len(item.get("codes", [])) for item in expected.values()) == 27
    themes = project.themes.list()
    assert [t.path for t in themes] == list(expected)
    assert sum(t.depth == 0 for t in themes) == 4
    for theme in themes:
        item = expected[theme.path]
        assert theme.status == item["status"]
        assert theme.codes == tuple(item["codes"])
        assert theme.definition == " ".join(item["definition"].split())
        assert theme.contextual == item.get("contextual", False)
    (contextual,) = [t for t in themes if t.contextual]
    assert contextual.name.startswith('"It\'s all one thing that watches you"')
    assert [e.what for e in project.themes.history(contextual.name)] == [f"imported from {THEMES}"]

    # Exported and imported into an empty copy of the study, the themes come back.
    exported = tmp_path / "themes.yaml"
    assert project.themes.export(exported) == 15
    for top in [t for t in themes if t.depth == 0]:
        project.themes.delete(top.path, force=True)
    assert project.themes.list() == []
    project.themes.import_file(exported)

    def shown(found):
        return [{k: v for k, v in t.as_dict().items() if k != "id"} for t in found]

    assert shown(project.themes.list()) == shown(themes)


def test_demo_prevalence_matches_the_segments(sqlite_project):
    """Every demo interview is one mother's, so a theme's participants are the cases of
    the segments of its codes: an independent count through retrieval."""
    project = build(sqlite_project)
    project.themes.import_file(THEMES)
    project.themes.set_wording(noun="woman/women")
    table = project.themes.prevalence(coder="Hannah")
    assert (table.participants, table.sources) == (12, 12)
    for row in table.rows:
        if row.kind == "code":
            segments = project.segments(row.name, coder="Hannah", children=True)
        else:
            theme = project.themes.get(row.theme)
            codes = set(theme.codes)
            for other in project.themes.list():
                if other.path.startswith(theme.path + "/"):
                    codes |= set(other.codes)
            segments = [s for c in codes for s in project.segments(c, coder="Hannah")]
        assert row.participants == len({s.case for s in segments}), row.name
        assert row.sources == len({s.source for s in segments}), row.name
        assert row.codings == len(segments), row.name
    words = {row.name: row.words for row in table.rows if row.kind == "code"}
    assert words["Change of therapist"] == "some women"  # 3 of 12
    assert words["Partner included"] == "many women"  # 6 of 12
    assert words["Fear of social services"] == "all women"
    progress = project.themes.progress()
    assert (progress.sources, progress.coded, progress.themes, progress.defined) == (12, 12, 15, 4)
