import re

import pytest

from thematica import InvalidInput
from thematica.anonymise.findings import Finding, recogniser
from thematica.anonymise.gazetteer import aliases, expand, find_words, read_names
from thematica.anonymise.pipeline import detect, settle
from thematica.anonymise.pseudonyms import Pseudonyms, edits, replacements
from thematica.text.remap import apply_edits


@recogniser("test_wards")
def find_wards(text):
    return [
        Finding(m.start(), m.end(), "HOSPITAL", 0.7, "test_wards")
        for m in re.finditer(r"\b\w+ Ward\b", text)
    ]


TEXTS = {
    "a.txt": "Participant: Sarah Jones came to Rowan Ward with Sarah's baby Alfie.",
    "b.txt": "Participant: I told SARAH, and then Rowan Ward again. Alfie slept.",
}


def test_gazetteer_finds_full_names_and_their_parts_anywhere():
    names = expand({"Sarah Jones": "NAME", "Alfie": "NAME", "Al": "NAME"})
    assert set(names) == {"Sarah Jones", "Sarah", "Jones", "Alfie", "Al"}
    found = [TEXTS["a.txt"][f.start : f.end] for f in find_words(TEXTS["a.txt"], names)]
    assert found == ["Sarah Jones", "Sarah", "Alfie"]


def test_detect_propagates_and_settles_overlaps():
    proposals = detect(TEXTS, recognisers=["test_wards"], names={"Sarah Jones": "NAME"})
    assert [(p.source, p.text, p.label, p.recogniser) for p in proposals] == [
        ("a.txt", "Sarah Jones", "NAME", "gazetteer"),
        ("a.txt", "Rowan Ward", "HOSPITAL", "test_wards"),
        ("a.txt", "Sarah", "NAME", "gazetteer"),
        ("b.txt", "SARAH", "NAME", "gazetteer"),
        ("b.txt", "Rowan Ward", "HOSPITAL", "test_wards"),
    ]
    spread = detect(TEXTS, recognisers=[], names={"Alfie": "NAME"}, propagate=True)
    assert [(p.source, p.text) for p in spread] == [("a.txt", "Alfie"), ("b.txt", "Alfie")]


def test_unknown_recogniser():
    with pytest.raises(InvalidInput, match="unknown recogniser 'nope'"):
        detect(TEXTS, recognisers=["nope"])


def test_settle_prefers_the_longer_then_the_surer():
    findings = [
        Finding(0, 5, "NAME", 0.9, "a"),
        Finding(0, 11, "NAME", 0.5, "b"),
        Finding(20, 25, "DATE", 0.4, "c"),
        Finding(20, 25, "AGE", 0.8, "d"),
    ]
    assert [(f.recogniser) for f in settle(findings)] == ["b", "d"]


def test_placeholders_are_consistent_across_a_study():
    proposals = detect(
        TEXTS, recognisers=["test_wards"], names={"Sarah Jones": "NAME", "Alfie": "NAME"}
    )
    pseudonyms = Pseudonyms(
        overrides={"Alfie": "[my baby]"}, aliases=aliases({"Sarah Jones": "NAME"})
    )
    replaced = replacements(proposals, pseudonyms)
    a = apply_edits(TEXTS["a.txt"], edits(replaced["a.txt"]))
    b = apply_edits(TEXTS["b.txt"], edits(replaced["b.txt"]))
    assert a == "Participant: [Person 1] came to [Hospital A] with [Person 1]'s baby [my baby]."
    assert b == "Participant: I told [Person 1], and then [Hospital A] again. [my baby] slept."


def test_names_file(tmp_path):
    path = tmp_path / "names.txt"
    path.write_text("# the study's people\nSarah Jones\nRowan Ward | HOSPITAL\n")
    assert read_names(path) == {"Sarah Jones": "NAME", "Rowan Ward": "HOSPITAL"}
    path.write_text("Rowan Ward | WARD\n")
    with pytest.raises(InvalidInput, match="line 1: unknown label 'WARD'"):
        read_names(path)
