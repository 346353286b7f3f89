"""Optimistic concurrency on the codebook: every change to a code raises its version, and
a change made against an older version is refused, naming who changed it, with nothing
changed (issue 12: two members of a team editing the same code)."""

import pytest

from tests.cli import fails, out
from thematica import Conflict, open_project


def test_every_change_to_a_code_raises_its_version(coded):
    assert coded.codes.get("Warmth").version == 1
    assert coded.codes.rename("Warmth", "Kindness", version=1).version == 2
    assert coded.codes.describe("Kindness", "Being treated kindly", version=2).version == 3
    assert coded.codes.recolour("Kindness", "#336699", version=3).version == 4
    assert coded.codes.move("Kindness", None, version=4).version == 5
    assert coded.codes.get("Kindness").as_dict()["version"] == 5
    coded.undo()  # the move is undone, and the version with it
    assert coded.codes.get("Kindness").version == 4
    assert coded.codes.get("Kindness").parent == "Therapist relationship"


def test_a_change_made_to_an_older_version_is_refused_and_names_who_changed_it(coded):
    lead = open_project(coded.location, actor="Hannah")
    coder = open_project(coded.location, actor="Ali")
    seen = coder.codes.get("Warmth").version  # Ali opens the code...
    lead.codes.describe("Warmth", "Kindness from any clinician", version=seen)  # Hannah saves
    with pytest.raises(Conflict) as refused:  # ...and Ali saves what he typed
        coder.codes.describe("Warmth", "Warm words", version=seen)
    message = str(refused.value)
    assert message.startswith("code 'Therapist relationship/Warmth' was changed by Hannah at ")
    assert message.endswith(
        "since you opened it (it is at version 2, your change was made to version 1): "
        "reload it and make your change again"
    )
    assert coder.codes.get("Warmth").description == "Kindness from any clinician"
    for change in (
        lambda: coder.codes.rename("Warmth", "Warm", version=seen),
        lambda: coder.codes.recolour("Warmth", "#112233", version=seen),
        lambda: coder.codes.move("Warmth", None, version=seen),
        lambda: coder.codes.merge("Warmth", "Getting referred", version=seen),
        lambda: coder.codes.delete("Warmth", force=True, version=seen),
    ):
        with pytest.raises(Conflict):
            change()
    assert [e.actor for e in coder.log(limit=None)].count("Ali") == 0  # nothing was done
    assert coder.codes.rename("Warmth", "Warm", version=2).name == "Warm"  # after reloading
    lead.close()
    coder.close()


def test_a_change_without_a_version_is_not_checked(coded):
    coded.codes.rename("Warmth", "Kindness")
    assert coded.codes.describe("Kindness", "Any kindness").version == 3


def test_merge_and_codebook_import_raise_the_versions_of_the_codes_they_change(coded, tmp_path):
    coded.codes.add("Gentle", parent="Feeling mothered")
    coded.codes.merge("Feeling mothered", "Warmth")
    assert coded.codes.get("Gentle").version == 2  # moved under Warmth
    codebook = tmp_path / "codebook.csv"
    codebook.write_text("name,description\nGetting referred,How she reached the team\n")
    coded.codes.import_file(codebook)
    assert coded.codes.get("Getting referred").version == 2


def test_the_cli_shows_the_version(coded_sqlite):
    coded_sqlite.codes.rename("Warmth", "Kindness")
    shown = out("-p", str(coded_sqlite.location), "codes", "list", "--json")
    assert '"version": 2' in shown
    assert fails("-p", str(coded_sqlite.location), "codes", "rename", "Nope", "X").startswith(
        "unknown code 'Nope'"
    )
