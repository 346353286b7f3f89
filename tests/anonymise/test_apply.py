import pytest

from thematica import InvalidInput
from thematica.anonymise.apply import anonymise_sources
from thematica.anonymise.vault import KeyVault, ScryptParams, VaultError

TEXT = (
    "Interviewer: Where were you seen?\n\n"
    "Participant: Sarah Jones at the Royal Elm Hospital rang me on 07700 900461. "
    "She was kind to me. Sarah came every week.\n"
)
FAST = ScryptParams(n=2**10, r=8, p=1)


@pytest.fixture
def study(project):
    project.sources.add("i.txt", TEXT)
    project.codes.add("Warmth")
    project.codings.add_quote("i.txt", "Warmth", "She was kind to me.")
    project.codings.add_quote("i.txt", "Warmth", "Sarah came every week.")
    return project


def test_apply_replaces_identifiers_remaps_codings_and_keeps_the_key(study, tmp_path):
    key = tmp_path / "study.key"
    KeyVault.create(key, "correct horse battery", kdf=FAST).save()
    report = anonymise_sources(study, key, "correct horse battery", names={"Sarah Jones": "NAME"})
    assert (report.sources, report.replaced) == (1, 4)
    text = study.sources.text("i.txt")
    assert text == (
        "Interviewer: Where were you seen?\n\n"
        "Participant: [Person 1] at the [Hospital A] rang me on [Phone number]. "
        "She was kind to me. [Person 1] came every week.\n"
    )
    assert [c.text for c in study.codings.list()] == [
        "She was kind to me.",
        "[Person 1] came every week.",
    ]
    entries = KeyVault.open(key, "correct horse battery").lookup("i.txt")
    assert [(e.original, e.placeholder) for e in entries] == [
        ("Sarah Jones", "[Person 1]"),
        ("Royal Elm Hospital", "[Hospital A]"),
        ("07700 900461", "[Phone number]"),
        ("Sarah", "[Person 1]"),
    ]
    assert all(text[e.start : e.end] == e.placeholder for e in entries)
    event = study.log(1)[0]
    assert event.action == "anonymise" and not event.undoable
    assert "Sarah" not in str(event.after)
    with pytest.raises(InvalidInput, match="nothing to undo: the last change, 'anonymise'"):
        study.undo()


def test_a_wrong_passphrase_changes_nothing(study, tmp_path):
    key = tmp_path / "study.key"
    KeyVault.create(key, "correct horse battery", kdf=FAST).save()
    before = key.read_bytes()
    with pytest.raises(VaultError, match="wrong passphrase"):
        anonymise_sources(study, key, "not the passphrase")
    assert study.sources.text("i.txt") == TEXT
    assert key.read_bytes() == before


def test_a_failed_key_save_leaves_the_sources_as_they_were(study, tmp_path, monkeypatch):
    key = tmp_path / "study.key"
    KeyVault.create(key, "correct horse battery", kdf=FAST).save()

    def fail(self):
        raise VaultError("cannot write key file: disk full")

    monkeypatch.setattr(KeyVault, "save", fail)
    with pytest.raises(VaultError, match="disk full"):
        anonymise_sources(study, key, "correct horse battery")
    assert study.sources.text("i.txt") == TEXT
    assert len(study.codings.list()) == 2


def test_a_source_is_anonymised_once(study, tmp_path):
    key = tmp_path / "study.key"
    KeyVault.create(key, "correct horse battery", kdf=FAST).save()
    anonymise_sources(study, key, "correct horse battery", names={"Sarah Jones": "NAME"})
    once = study.sources.text("i.txt")
    with pytest.raises(InvalidInput, match="i.txt is already anonymised"):
        anonymise_sources(study, key, "correct horse battery")
    assert study.sources.text("i.txt") == once
