import re

import pytest

from thematica import InvalidInput
from thematica.anonymise.apply import anonymise_files, anonymise_sources, plan, reidentify
from thematica.anonymise.decisions import Decision, Decisions
from thematica.anonymise.pipeline import Proposal
from thematica.anonymise.vault import KeyVault, ScryptParams

FAST = ScryptParams(n=2**10, r=8, p=1)
PASS = "correct horse battery"
TEXT = (
    "Interviewer: Who came?\n\n"
    "Participant: Grace from the Royal Elm Hospital came. Alfie was eight weeks. "
    "By God's grace we got through. Ring 07700 900461 if you need Alfie's notes.\n"
)
RULES = ["uk_phone", "organisation", "age"]


def proposal(text, start, source="i.txt", label="NAME"):
    return Proposal(source, start, start + len(text), text, label, 0.9, "test")


def fast_key(tmp_path):
    key = tmp_path / "study.key"
    KeyVault.create(key, PASS, kdf=FAST).save()
    return key


def test_decisions_cover_all_alike_or_one_place_and_round_trip(tmp_path):
    decisions = Decisions(tmp_path / "d.csv")
    here, there = proposal("Grace", 10), proposal("Grace", 90)
    decisions.decide(here, "reject")
    assert decisions.about(here).verdict == "reject"
    assert decisions.about(there) is None
    decisions.decide(proposal("ALFIE", 40), "accept", placeholder="[my baby]")
    assert decisions.placeholders() == {"ALFIE": "[my baby]"}
    assert decisions.about(proposal("alfie", 300)).verdict == "accept"  # any case
    decisions.save()
    again = Decisions.load(tmp_path / "d.csv")
    assert sorted(map(repr, again)) == sorted(map(repr, decisions))
    assert (tmp_path / "d.csv").read_text().splitlines() == [
        "text,decision,label,placeholder,source,start,end",
        "ALFIE,accept,NAME,[my baby],,,",
        "Grace,reject,NAME,,i.txt,10,15",
    ]


def test_apply_drops_rejections_relabels_and_keeps_the_undecided():
    decisions = Decisions(
        decisions=[Decision("Grace", "reject"), Decision("Elm", "accept", "TOWN")]
    )
    found = [proposal("Grace", 1), proposal("Elm", 20), proposal("Sam", 40)]
    assert [(p.text, p.label) for p in decisions.apply(found)] == [
        ("Elm", "TOWN"),
        ("Sam", "NAME"),
    ]
    assert decisions.pending(found) == [found[2]]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("words,decision\nx,accept\n", "no 'text' column"),
        ("text,decision\nGrace,maybe\n", "line 2: decision must be accept or reject, not 'maybe'"),
        ("text,decision,label\nGrace,accept,PLANET\n", "line 2: unknown label 'PLANET'"),
        ("text,decision,source,start,end\nGrace,reject,i.txt,9,3\n", "the span [9, 3) is empty"),
        ("text,decision,source,start,end\nGrace,reject,i.txt,x,3\n", "must be whole numbers"),
        ("text,decision,start,end\nGrace,reject,1,3\n", "need the source they are in"),
        ("text,decision\n,accept\n", "line 2: the text is empty"),
    ],
)
def test_a_bad_decisions_file_is_refused_with_its_line(tmp_path, content, message):
    path = tmp_path / "d.csv"
    path.write_text(content)
    with pytest.raises(InvalidInput, match=re.escape(message)):
        Decisions.load(path)


def test_a_reviewer_can_add_words_no_recogniser_found_and_they_are_found_everywhere():
    decisions = Decisions(decisions=[Decision("Alfie", "accept", placeholder="[my baby]")])
    planned = plan({"i.txt": TEXT}, recognisers=RULES, decisions=decisions)
    assert [(r.original, r.placeholder) for r in planned["i.txt"]] == [
        ("Royal Elm Hospital", "[Hospital A]"),
        ("Alfie", "[my baby]"),
        ("eight weeks", "[Age]"),
        ("07700 900461", "[Phone number]"),
        ("Alfie", "[my baby]"),
    ]


def test_a_second_batch_keeps_the_placeholders_the_key_already_gave(project, tmp_path):
    key = fast_key(tmp_path)
    project.sources.add("a.txt", "Participant: Sam Hale and Jo Reid came.\n")
    project.sources.add("b.txt", "Participant: Jo Reid came back, then Kit Moss.\n")
    names = {"Sam Hale": "NAME", "Jo Reid": "NAME", "Kit Moss": "NAME"}
    anonymise_sources(project, key, PASS, sources=["a.txt"], names=names, recognisers=[])
    anonymise_sources(project, key, PASS, sources=["b.txt"], names=names, recognisers=[])
    assert project.sources.text("a.txt") == "Participant: [Person 1] and [Person 2] came.\n"
    assert project.sources.text("b.txt") == (
        "Participant: [Person 2] came back, then [Person 3].\n"
    )


def test_files_are_copied_anonymised_and_the_originals_left_alone(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "i.txt").write_text(TEXT)
    key = fast_key(tmp_path)
    decisions = Decisions(decisions=[Decision("Alfie", "accept", placeholder="[my baby]")])
    report = anonymise_files(
        [raw / "i.txt"], tmp_path / "out", key, PASS, recognisers=RULES, decisions=decisions
    )
    assert (report.sources, report.replaced) == (1, 5)
    written = (tmp_path / "out" / "i.txt").read_text()
    assert "Alfie" not in written and "[my baby] was [Age]" in written
    assert (raw / "i.txt").read_text() == TEXT
    entries = KeyVault.open(key, PASS).lookup("i.txt")
    assert all(written[e.start : e.end] == e.placeholder for e in entries)
    with pytest.raises(InvalidInput, match="already exists: choose another --out folder"):
        anonymise_files([raw / "i.txt"], tmp_path / "out", key, PASS, recognisers=RULES)
    with pytest.raises(InvalidInput, match="another folder than the originals"):
        anonymise_files([raw / "i.txt"], raw, key, PASS, recognisers=RULES)


def test_a_failed_key_save_writes_no_copies(tmp_path, monkeypatch):
    (tmp_path / "i.txt").write_text(TEXT)
    key = fast_key(tmp_path)
    before = key.read_bytes()

    def broken(self):
        raise OSError("disk full")

    monkeypatch.setattr(KeyVault, "save", broken)
    with pytest.raises(OSError, match="disk full"):
        anonymise_files([tmp_path / "i.txt"], tmp_path / "out", key, PASS, recognisers=RULES)
    assert list((tmp_path / "out").iterdir()) == []
    assert key.read_bytes() == before


def test_reidentify_puts_the_originals_back_and_is_audited(project, tmp_path):
    key = fast_key(tmp_path)
    project.sources.add("i.txt", TEXT)
    project.codes.add("Warmth")
    project.codings.add_quote("i.txt", "Warmth", "we got through")
    anonymise_sources(project, key, PASS, recognisers=RULES, names={"Alfie": "NAME"})
    assert reidentify(project, key, PASS, "i.txt") == TEXT
    event = project.log(1)[0]
    assert (event.action, event.target, event.after["identifiers"]) == ("re-identify", "i.txt", 5)
    assert "Alfie" not in str(event.after)
    # Reading the key changed nothing, so undo goes to the change before it.
    project.codings.add_quote("i.txt", "Warmth", "Ring")
    project.undo()
    assert reidentify(project, key, PASS, "i.txt") == TEXT
    with pytest.raises(InvalidInput, match="holds no identifiers of"):
        project.sources.add("j.txt", "Participant: nothing here.\n")
        reidentify(project, key, PASS, "j.txt")


def test_reidentify_refuses_a_text_changed_since(project, tmp_path):
    from thematica.text import Edit

    key = fast_key(tmp_path)
    project.sources.add("i.txt", TEXT)
    anonymise_sources(project, key, PASS, recognisers=["uk_phone"])
    at = project.sources.text("i.txt").index("[Phone number]")
    project.sources.edit_text("i.txt", [Edit(at, at + 1, "")], reason="typo")
    with pytest.raises(InvalidInput, match="has changed at .* since it was anonymised"):
        reidentify(project, key, PASS, "i.txt")


def test_a_reviewer_can_add_one_missed_place_and_it_wins_over_overlaps():
    text = "Participant: It was the spring of that year, and Ring 07700 900461.\n"
    at = text.index("the spring")
    decisions = Decisions(
        decisions=[Decision("the spring of that year", "accept", "DATE", "", "i.txt", at, at + 23)]
    )
    planned = plan({"i.txt": text}, recognisers=["uk_phone"], decisions=decisions)
    assert [(r.original, r.placeholder) for r in planned["i.txt"]] == [
        ("the spring of that year", "[Date]"),
        ("07700 900461", "[Phone number]"),
    ]
    stale = Decisions(decisions=[Decision("autumn", "accept", "DATE", "", "i.txt", at, at + 6)])
    with pytest.raises(InvalidInput, match="no longer fits its text"):
        plan({"i.txt": text}, recognisers=[], decisions=stale)


def test_two_files_of_one_name_are_refused(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "i.txt").write_text(TEXT)
    key = fast_key(tmp_path)
    paths = [tmp_path / "a" / "i.txt", tmp_path / "b" / "i.txt"]
    with pytest.raises(InvalidInput, match="two files are called i.txt: anonymise them separately"):
        anonymise_files(paths, tmp_path / "out", key, PASS, recognisers=RULES)
    assert not (tmp_path / "out").exists()
