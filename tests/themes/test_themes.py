"""The theme tree: building, reorganising, history, undo, YAML."""

import pytest
import yaml
from sqlalchemy import select

from thematica import InvalidInput, NotFound
from thematica.store.schema import TABLES


def tree(project):
    return [(t.path, t.status, t.codes) for t in project.themes.list()]


def snapshot(project):
    with project.read() as conn:
        return {
            name: sorted(tuple(row) for row in conn.execute(select(table)))
            for name, table in TABLES.items()
            if name != "audit"
        }


def test_add_list_get(study):
    themes = study.themes.list()
    assert [(t.id, t.path, t.depth, t.kind, t.codes) for t in themes] == [
        (1, "Trust", 0, "theme", ("Relationship",)),
        (2, "Trust/Hidden", 1, "subtheme", ("Hiding",)),
        (3, "Place", 0, "theme", ("Home visits",)),
    ]
    trust = study.themes.get("Trust")
    assert trust.as_dict() == {
        "id": 1,
        "name": "Trust",
        "path": "Trust",
        "parent": None,
        "kind": "theme",
        "definition": "Trust earned slowly.",
        "status": "candidate",
        "contextual": False,
        "codes": ["Relationship"],
        "subthemes": ["Hidden"],
        "quotes": 0,
    }
    assert study.themes.get("#2").path == study.themes.get("2").path == "Trust/Hidden"
    assert study.themes.get("Trust/Hidden").parent == "Trust"


def test_names_are_checked(study):
    with pytest.raises(InvalidInput, match="a theme named 'Hidden' already exists under 'Trust'"):
        study.themes.add("Hidden", parent="Trust")
    with pytest.raises(InvalidInput, match="a theme needs a name"):
        study.themes.add("  ")
    with pytest.raises(NotFound) as error:
        study.themes.get("Trsut")
    assert str(error.value) == (
        "unknown theme 'Trsut' (did you mean 'Trust'?); `thematica themes list` shows them all"
    )
    with pytest.raises(InvalidInput, match="unknown status 'final': use one of candidate"):
        study.themes.add("New", status="final")
    with pytest.raises(NotFound, match="unknown code 'Warmht'"):
        study.themes.add("New", codes=["Warmht"])
    assert [t.name for t in study.themes.list()] == ["Trust", "Hidden", "Place"]


def test_same_name_under_two_parents_needs_a_path(study):
    study.themes.add("Doubt", parent="Trust")
    study.themes.add("Doubt", parent="Place")
    with pytest.raises(InvalidInput, match="theme name 'Doubt' is ambiguous: use its path"):
        study.themes.get("Doubt")
    assert study.themes.get("Place/Doubt").parent == "Place"


def test_rename_define_status_contextual(study):
    study.themes.rename("Hidden", "Concealment")
    study.themes.define("Concealment", "Keeping back\n what might\n\n\nbe used against her.")
    study.themes.set_status("Concealment", "Reviewed")
    study.themes.set_contextual("Place")
    theme = study.themes.get("Trust/Concealment")
    assert (theme.definition, theme.status) == (
        "Keeping back what might\n\nbe used against her.",
        "reviewed",
    )
    assert study.themes.get("Place").contextual
    with pytest.raises(InvalidInput, match="a sibling theme is already named 'Place'"):
        study.themes.rename("Trust", "Place")


def test_link_and_unlink(study):
    study.themes.link("Place", ["Setting", "Warmth"])
    assert study.themes.get("Place").codes == ("Home visits", "Setting", "Warmth")
    with pytest.raises(InvalidInput, match="code 'Warmth' is already linked to 'Place'"):
        study.themes.link("Place", ["Warmth"])
    study.themes.unlink("Place", ["Home visits", "Warmth"])
    assert study.themes.get("Place").codes == ("Setting",)
    with pytest.raises(InvalidInput, match="code 'Hiding' is not linked to 'Place'"):
        study.themes.unlink("Place", ["Hiding"])
    with pytest.raises(InvalidInput, match="name at least one code to link"):
        study.themes.link("Place", [])


def test_move_and_reorder(study):
    study.themes.add("Doubt")
    study.themes.move("Doubt", position=1)
    assert [t.path for t in study.themes.list()] == ["Doubt", "Trust", "Trust/Hidden", "Place"]
    study.themes.move("Doubt", "Trust", position=1)
    assert [t.path for t in study.themes.list()] == [
        "Trust",
        "Trust/Doubt",
        "Trust/Hidden",
        "Place",
    ]
    study.themes.move("Hidden", top=True)
    assert [t.path for t in study.themes.list()] == ["Trust", "Trust/Doubt", "Place", "Hidden"]
    with pytest.raises(InvalidInput, match="cannot move 'Trust' under itself"):
        study.themes.move("Trust", "Doubt")
    with pytest.raises(InvalidInput, match="position must be 1 to 3"):
        study.themes.move("Place", position=4)
    study.themes.add("Place", parent="Trust")
    with pytest.raises(InvalidInput, match="'Trust' already has a theme named 'Place'"):
        study.themes.move("#3", "Trust")
    with pytest.raises(InvalidInput, match="use its path or number, e.g. 'Place' \\(#3\\) or"):
        study.themes.move("Place", "Trust")
    with pytest.raises(InvalidInput, match="not both"):
        study.themes.move("#3", "Trust", top=True)


def test_merge_moves_codes_subthemes_quotes_and_summaries(study):
    study.themes.add("Safety", codes=["Relationship", "Setting"], definition="Feeling safe.")
    study.themes.add("Home", parent="Safety")
    study.themes.add_quote("Safety", coding=5)
    study.themes.add_quote("Place", coding=7)
    study.themes.summarise("Safety", "Mother 1", "Felt safe at home.")
    study.themes.summarise("Place", "Mother 1", "Home visits.")
    study.themes.summarise("Safety", "Mother 3", "Safe with Beth there.")
    kept = study.themes.merge("Safety", into="Place")
    assert kept.codes == ("Home visits", "Relationship", "Setting")
    assert kept.subthemes == ("Home",)
    assert kept.quotes == 2
    assert kept.definition == "Feeling safe."  # Place had none
    assert [t.path for t in study.themes.list()] == ["Trust", "Trust/Hidden", "Place", "Place/Home"]
    matrix = study.themes.framework()
    assert matrix.cell("Mother 1", "Place").summary == "Home visits.\n\nFelt safe at home."
    assert matrix.cell("Mother 3", "Place").summary == "Safe with Beth there."
    assert study.log(1)[0].after == {
        "themes": [4, 3],
        "into": "Place",
        "codes_moved": 2,
        "subthemes_moved": 1,
        "quotes_moved": 1,
    }
    with pytest.raises(InvalidInput, match="cannot merge a theme into itself"):
        study.themes.merge("Place", "Place")
    with pytest.raises(InvalidInput, match="cannot merge 'Trust' into one of its own subthemes"):
        study.themes.merge("Trust", "Hidden")


def test_merge_takes_the_definition_when_the_kept_theme_has_none(study):
    kept = study.themes.merge("Trust", into="Place")
    assert kept.definition == "Trust earned slowly."
    assert kept.subthemes == ("Hidden",)
    assert [t.path for t in study.themes.list()] == ["Place", "Place/Hidden"]


def test_merge_a_subtheme_into_its_parent(study):
    kept = study.themes.merge("Hidden", into="Trust")
    assert kept.codes == ("Relationship", "Hiding")
    assert kept.subthemes == ()


def test_split_moves_codes_subthemes_and_their_quotes(study):
    study.themes.link("Trust", ["Hiding"])
    study.themes.add("Doubt", parent="Trust")
    study.themes.add_quote("Trust", coding=6)  # coded Hiding: goes with the code
    study.themes.add_quote("Trust", coding=1)  # coded Warmth: stays
    new = study.themes.split(
        "Trust", "Keeping back", codes=["Hiding"], subthemes=["Hidden"], definition="New."
    )
    assert (new.path, new.codes, new.subthemes, new.quotes, new.status, new.definition) == (
        "Keeping back",
        ("Hiding",),
        ("Hidden",),
        1,
        "candidate",
        "New.",
    )
    assert [t.path for t in study.themes.list()] == [
        "Trust",
        "Trust/Doubt",
        "Keeping back",
        "Keeping back/Hidden",
        "Place",
    ]
    assert study.themes.get("Trust").codes == ("Relationship",)
    with pytest.raises(InvalidInput, match="code 'Warmth' is not linked to 'Trust'"):
        study.themes.split("Trust", "X", codes=["Warmth"])
    with pytest.raises(InvalidInput, match="'Place' is not a subtheme of 'Trust'"):
        study.themes.split("Trust", "X", subthemes=["Place"])
    with pytest.raises(InvalidInput, match="name the codes or subthemes"):
        study.themes.split("Trust", "X")


def test_delete_is_refused_with_subthemes_or_quotes_unless_forced(study):
    with pytest.raises(InvalidInput) as error:
        study.themes.delete("Trust")
    assert str(error.value) == (
        "theme 'Trust' has 1 subtheme; use --force to delete them too, or merge it into "
        "another theme"
    )
    study.themes.add_quote("Place", coding=7)
    with pytest.raises(InvalidInput, match="theme 'Place' has 1 quote;"):
        study.themes.delete("Place")
    gone = study.themes.delete("Trust", force=True)
    assert gone.path == "Trust" and gone.subthemes == ("Hidden",)
    assert study.log(1)[0].action == "delete theme (forced)"
    study.themes.delete("Place", force=True)
    assert study.themes.list() == []
    # The codes stay.
    assert len(study.codes.list()) == 5


def test_every_change_undoes_exactly(study, tmp_path):
    themes = study.themes
    path = tmp_path / "more.yaml"
    path.write_text(
        "themes:\n- name: Trust\n  status: reviewed\n  codes: [Hiding]\n"
        "- name: Endings\n  codes: [Setting]\n"
    )
    states = [snapshot(study)]
    steps = [
        lambda: themes.add("Doubt", parent="Trust", codes=["Warmth"]),
        lambda: themes.rename("Doubt", "Mistrust"),
        lambda: themes.define("Mistrust", "Waiting to be let down."),
        lambda: themes.set_status("Mistrust", "defined"),
        lambda: themes.set_contextual("Trust"),
        lambda: themes.move("Mistrust", top=True, position=1),
        lambda: themes.link("Place", ["Hiding"]),
        lambda: themes.unlink("Place", ["Hiding"]),
        lambda: themes.add_quote("Place", coding=5, keep=[(0, 6)]),
        lambda: themes.summarise("Place", "Mother 3", "Lovely nurse."),
        lambda: themes.split("Trust", "Secrets", subthemes=["Hidden"]),
        lambda: themes.merge("Place", "Secrets"),
        lambda: themes.import_file(path),
        lambda: themes.set_phase(4),
        lambda: themes.set_wording(noun="woman/women"),
        lambda: themes.remove_quote(1),
        lambda: themes.delete("Secrets", force=True),
    ]
    for step in steps:
        step()
        states.append(snapshot(study))
    for expected in reversed(states[:-1]):
        study.undo()
        assert snapshot(study) == expected


def test_history_follows_a_theme_through_renames_splits_and_merges(study):
    themes = study.themes
    themes.rename("Trust", "Trust earned")
    themes.define("Trust earned", "Earned by constancy.")
    themes.set_status("Trust earned", "reviewed")
    themes.link("Trust earned", ["Hiding"])
    themes.split("Trust earned", "Secrets", codes=["Hiding"])
    themes.move("Secrets", position=1)
    themes.merge("Place", "Trust earned")
    themes.add_quote("Trust earned", coding=1)
    study.undo()
    assert [
        (e.action, e.what, e.undone_by is not None) for e in themes.history("Trust earned")
    ] == [
        ("add theme", "added 'Trust' (candidate, codes Relationship)", False),
        ("rename theme", "renamed 'Trust' to 'Trust earned'", False),
        ("define theme", "redefined: 'Earned by constancy.'", False),
        ("set theme status", "status candidate -> reviewed", False),
        ("link codes to theme", "linked Hiding", False),
        ("split theme", "split: 'Secrets' (theme #4) took Hiding", False),
        ("merge themes", "took in 'Place' (merged, theme #3)", False),
        ("add quote", "chose quote 1 (a.txt [73, 92))", True),
        ("undo", "undid event 30: add quote Trust earned", False),
    ]
    assert [e.what for e in themes.history("Secrets")] == [
        "split from 'Trust earned' (theme #1), taking Hiding",
        "moved from position 2 to 1",
    ]
    # A theme merged away is found by its number.
    assert [e.what for e in themes.history("#3")] == [
        "added 'Place' (candidate, codes Home visits)",
        "merged into 'Trust earned' (theme #1)",
    ]
    with pytest.raises(NotFound, match="no theme #99 in the log"):
        themes.history("#99")
    with pytest.raises(NotFound, match="unknown theme 'Plaice'"):
        themes.history("Plaice")


def test_export_then_import_round_trips(study, tmp_path):
    study.themes.set_status("Hidden", "defined")
    study.themes.set_contextual("Place")
    path = tmp_path / "themes.yaml"
    assert study.themes.export(path) == 3
    data = yaml.safe_load(path.read_text())
    assert data == {
        "themes": [
            {
                "name": "Trust",
                "definition": "Trust earned slowly.",
                "status": "candidate",
                "contextual": False,
                "codes": ["Relationship"],
                "subthemes": [
                    {
                        "name": "Hidden",
                        "definition": "",
                        "status": "defined",
                        "contextual": False,
                        "codes": ["Hiding"],
                    }
                ],
            },
            {
                "name": "Place",
                "definition": "",
                "status": "candidate",
                "contextual": True,
                "codes": ["Home visits"],
            },
        ]
    }
    before = tree(study)
    study.themes.delete("Trust", force=True)
    study.themes.delete("Place")
    result = study.themes.import_file(path)
    assert (result.created, result.updated, result.links) == (3, 0, 3)
    assert tree(study) == before
    again = study.themes.import_file(path)
    assert (again.created, again.updated, again.links) == (0, 0, 0)


def test_import_updates_existing_themes_and_adds_links(study, tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(
        "themes:\n- name: Trust\n  status: defined\n  codes: [Relationship, Hiding]\n"
        "  subthemes:\n  - name: Hidden\n    definition: Kept back.\n"
    )
    result = study.themes.import_file(path)
    assert (result.created, result.updated, result.links) == (0, 2, 1)
    assert study.themes.get("Trust").codes == ("Relationship", "Hiding")
    assert study.themes.get("Trust").definition == "Trust earned slowly."
    assert study.themes.get("Hidden").definition == "Kept back."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("themes: nope\n", "must hold a 'themes' list"),
        ("themes:\n- definition: x\n", "every theme needs a 'name' \\(under the top\\)"),
        ("themes:\n- name: A\n  status: final\n", "theme 'A': unknown status 'final'"),
        ("themes:\n- name: A\n  colour: red\n", "theme 'A' has an unknown key 'colour'"),
        ("themes:\n- name: A\n- name: A\n", "theme 'A' appears twice under the top"),
        ("themes:\n- name: A\n  codes: Warmth\n", "'codes' of 'A' must be a list"),
        ("themes:\n- name: A\n  contextual: maybe\n", "'contextual' of 'A' must be true or false"),
        ("themes:\n- name: A\n  codes: [Warmht]\n", "t.yaml: unknown code 'Warmht'"),
        ("themes: [\n", "is not valid YAML at line 2"),
    ],
)
def test_bad_theme_files_are_refused_whole(study, tmp_path, text, message):
    path = tmp_path / "t.yaml"
    path.write_text(text)
    before = snapshot(study)
    with pytest.raises((InvalidInput, NotFound), match=message):
        study.themes.import_file(path)
    assert snapshot(study) == before


def test_phase_and_progress(study):
    assert study.themes.phase == 1
    assert study.themes.set_phase(3) == 1
    assert study.themes.phase == 3
    with pytest.raises(InvalidInput, match="phase must be 1 to 6: 1 familiarising with the data;"):
        study.themes.set_phase(7)
    study.memos.add("First read: the nurse.", source="c.txt")
    study.memos.add("Reflexive note")
    study.themes.set_status("Hidden", "defined")
    progress = study.themes.progress()
    assert progress.as_dict() == {
        "phase": 3,
        "phase_name": "searching for themes",
        "sources": 3,
        "familiarised": 1,
        "coded": 3,
        "codes": 3,  # Warmth, Hiding and Home visits carry codings
        "codes_in_themes": 3,
        "themes": 3,
        "reviewed": 0,
        "defined": 1,
        "coder": None,
    }
    study.themes.unlink("Place", ["Home visits"])
    dev = study.themes.progress(coder="Dev")
    assert (dev.coded, dev.codes, dev.codes_in_themes) == (1, 1, 1)
    assert study.themes.progress().codes_in_themes == 2


def test_links_follow_a_merged_code_and_go_with_a_deleted_one(study):
    """What the codebook does, in its own transaction, when it merges or deletes codes."""
    from thematica.coding.codebook import find_code
    from thematica.themes.links import drop_code_links, move_code_links

    study.themes.link("Place", ["Warmth", "Hiding"])
    with study.transaction("merge code") as tx:
        hiding, warmth = find_code(tx.conn, "Hiding"), find_code(tx.conn, "Warmth")
        move_code_links(tx, hiding, warmth)  # Place has both: one link stays
    assert study.themes.get("Place").codes == ("Home visits", "Warmth")
    assert study.themes.get("Hidden").codes == ("Warmth",)
    with study.transaction("delete code") as tx:
        drop_code_links(tx, [find_code(tx.conn, "Warmth")])
    assert study.themes.get("Place").codes == ("Home visits",)
    assert study.themes.get("Hidden").codes == ()
    study.undo()
    study.undo()
    assert study.themes.get("Place").codes == ("Home visits", "Warmth", "Hiding")


def test_long_quoted_names_are_found_without_their_quotation_marks(project):
    project.themes.add('"She just kept coming": trust earned by constancy')
    project.themes.add("\u201cEveryone leaves\u201d", parent="1")
    project.themes.add("Everyone leaves early")
    assert project.themes.get("she just kept coming").id == 1
    assert project.themes.get("Everyone leaves").id == 2  # the whole name wins
    assert project.themes.get('"Everyone leaves"').id == 2
    with pytest.raises(InvalidInput) as error:
        project.themes.get("Everyone")
    assert str(error.value) == (
        "theme 'Everyone' could be '\"She just kept coming\": trust earned by constancy/"
        "\u201cEveryone leaves\u201d' (#2) or 'Everyone leaves early' (#3): use the full name "
        "or number"
    )
    with pytest.raises(NotFound, match="unknown theme 'Every'"):
        project.themes.get("Every")  # not at the end of a word


def test_long_definitions_export_folded_and_come_back_whole(sqlite_study, tmp_path):
    text = (
        "Keeping back what might be used against her, learned from earlier encounters "
        "with services.\n\nA reasonable strategy, not a symptom."
    )
    sqlite_study.themes.define("Hidden", text)
    path = tmp_path / "themes.yaml"
    sqlite_study.themes.export(path)
    assert "    definition: >-\n      Keeping back what might" in path.read_text()
    sqlite_study.themes.define("Hidden", "")
    sqlite_study.themes.import_file(path)
    assert sqlite_study.themes.get("Hidden").definition == text
