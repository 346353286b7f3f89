"""A review in progress (thematica.anonymise.review): proposals found once, each decision
saved as it is made, and what it shows is what `anonymise apply` does."""

import errno
import os
import re
import subprocess

import pytest

from tests.cli import THEMATICA
from thematica import InvalidInput, NotFound
from thematica.anonymise import findings
from thematica.anonymise.apply import find, plan
from thematica.anonymise.decisions import Decisions
from thematica.anonymise.pseudonyms import chosen_placeholder
from thematica.anonymise.review import Progress, Review, choose_review_files, review_files

TEXTS = {
    "a.txt": (
        "Interviewer: Who came?\n\n"
        "Participant: Grace from the Royal Elm Hospital came. Alfie was eight weeks. "
        "Grace rang from 07700 900461.\n"
    ),
    "b.txt": "Participant: Grace again, and Alfie, at the Royal Elm Hospital.\n",
}
RULES = ["uk_phone", "organisation", "age"]
NAMES = {"Grace": "NAME"}


def review(tmp_path, texts=TEXTS, recognisers=RULES):
    return Review(texts, tmp_path / "d.csv", NAMES, recognisers)


def spans(items):
    return [(i.proposal.source, i.text, i.status, i.placeholder) for i in items]


def test_items_are_the_proposals_and_placeholders_apply_would_use(tmp_path):
    r = review(tmp_path)
    assert r.proposals() == find(TEXTS, NAMES, RULES, Decisions())
    planned = plan(TEXTS, NAMES, RULES, Decisions())
    assert [(i.proposal.source, i.proposal.start, i.placeholder) for i in r.items()] == [
        (name, rep.start, rep.placeholder) for name in TEXTS for rep in planned[name]
    ]
    assert spans(r.items("b.txt")) == [
        ("b.txt", "Grace", "pending", "[Person 1]"),
        ("b.txt", "Royal Elm Hospital", "pending", "[Hospital A]"),
    ]
    grace = r.items("a.txt")[0]
    assert (grace.label, grace.others, grace.alike) == ("NAME", 2, False)
    assert r.progress() == Progress(total=7, pending=7, accepted=0, rejected=0)


def test_each_decision_is_saved_at_once_and_read_by_the_next_review(tmp_path):
    r = review(tmp_path)
    grace, hospital, age, *_ = r.items("a.txt")
    r.decide(age.proposal, "r")
    assert (tmp_path / "d.csv").read_text().splitlines()[1:] == [
        "eight weeks,reject,AGE,,a.txt,87,98"
    ]
    r.decide(grace.proposal, "A")
    r.decide(hospital.proposal, "p", "the hospital")
    again = review(tmp_path)
    assert [(i.text, i.status, i.placeholder, i.alike) for i in again.items("a.txt")] == [
        ("Grace", "accepted", "[Person 1]", True),
        ("Royal Elm Hospital", "accepted", "[the hospital]", True),
        ("eight weeks", "rejected", "", False),
        ("Grace", "accepted", "[Person 1]", True),
        ("07700 900461", "pending", "[Phone number]", False),
    ]
    assert again.progress("b.txt") == Progress(2, 0, 2, 0)
    assert again.pending() == [again.items("a.txt")[4].proposal]


def test_accepting_words_everywhere_finds_them_everywhere_without_running_the_recognisers_again(
    tmp_path, monkeypatch
):
    runs = []

    def counting(text):
        runs.append(text)
        return []

    monkeypatch.setitem(findings._REGISTRY, "counting", counting)
    r = review(tmp_path, recognisers=[*RULES, "counting"])
    alfie = r.proposals()  # "Alfie" is no one's name yet: not proposed
    assert "Alfie" not in [p.text for p in alfie]
    # A reviewer marks a missed name at one place in the file, then accepts it everywhere.
    at = TEXTS["a.txt"].index("Alfie")
    (tmp_path / "d.csv").write_text(
        f"text,decision,label,placeholder,source,start,end\nAlfie,accept,NAME,,a.txt,{at},{at + 5}\n"
    )
    r.refresh()
    added = r.item_at("a.txt", at, at + 5)
    assert (added.proposal.recogniser, added.status) == ("review", "accepted")
    r.decide(added.proposal, "p", "my baby")
    assert [(i.proposal.source, i.text, i.placeholder) for i in r.items() if i.text == "Alfie"] == [
        ("a.txt", "Alfie", "[my baby]"),
        ("b.txt", "Alfie", "[my baby]"),
    ]
    assert len(runs) == 2  # once per text, not once per decision
    # A text that changes is read again, and only that one.
    r.refresh({**TEXTS, "b.txt": "Participant: Ring 0113 496 0472.\n"})
    assert spans(r.items("b.txt")) == [("b.txt", "0113 496 0472", "pending", "[Phone number]")]
    assert len(runs) == 3
    decisions = Decisions.load(tmp_path / "d.csv")
    assert r.proposals() == find(r.texts, NAMES, [*RULES, "counting"], decisions)
    # Another decisions file and names file: the recognisers' findings are kept.
    before = len(runs)
    r.use(tmp_path / "e.csv", {"Alfie": "NAME"})
    assert [(i.text, i.status) for i in r.items("a.txt") if i.label == "NAME"] == [
        ("Alfie", "pending")
    ]
    assert len(runs) == before
    assert r.proposals() == find(r.texts, {"Alfie": "NAME"}, [*RULES, "counting"], Decisions())


def test_a_decision_made_elsewhere_meanwhile_is_kept(tmp_path):
    mine, theirs = review(tmp_path), review(tmp_path)
    grace, hospital, *_ = mine.items("a.txt")
    theirs.decide(grace.proposal, "R")
    mine.decide(hospital.proposal, "a")
    assert Decisions.load(tmp_path / "d.csv").about(grace.proposal).verdict == "reject"
    assert [i.status for i in mine.items("a.txt")[:2]] == ["rejected", "accepted"]


def test_deciding_for_the_words_everywhere_overrides_a_decision_at_that_place(tmp_path):
    r = review(tmp_path)
    grace = r.items("a.txt")[0]
    r.decide(grace.proposal, "r")
    r.decide(grace.proposal, "A")
    assert [i.status for i in r.items() if i.text == "Grace"] == ["accepted"] * 3
    r.decide(grace.proposal, "r")  # this place only, now
    assert [i.status for i in r.items() if i.text == "Grace"] == [
        "rejected",
        "accepted",
        "accepted",
    ]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "needs words between its brackets"),
        ("[ ]", "needs words between its brackets"),
        ("[my [baby]]", "one line in one pair of brackets"),
        ("my\nbaby", "one line in one pair of brackets"),
        ("x" * 59, "at most 60 characters"),
        ("Eight  Weeks", "would keep the words it replaces"),
        ("[eight weeks old]", "would keep the words it replaces"),
    ],
)
def test_a_bad_placeholder_is_refused_and_nothing_is_saved(tmp_path, typed, message):
    r = review(tmp_path, texts={"a.txt": "Participant: Alfie was eight weeks.\n"})
    age = r.proposals()[0]
    with pytest.raises(InvalidInput, match=re.escape(message)):
        r.decide(age, "p", typed)
    assert not (tmp_path / "d.csv").exists()


def test_placeholders_are_put_in_brackets():
    assert chosen_placeholder("  my baby ", "Alfie") == "[my baby]"
    assert chosen_placeholder("[her partner]", "Sam") == "[her partner]"
    assert chosen_placeholder("[Samantha's mum]", "Sam") == "[Samantha's mum]"


def test_unknown_answers_sources_and_places_are_refused(tmp_path):
    r = review(tmp_path)
    grace = r.items("a.txt")[0].proposal
    with pytest.raises(InvalidInput, match="answer a .* not 'x'"):
        r.decide(grace, "x")
    with pytest.raises(NotFound, match="no source 'c.txt' to review"):
        r.items("c.txt")
    with pytest.raises(NotFound, match=re.escape("nothing is proposed at [0, 5) of a.txt")):
        r.item_at("a.txt", 0, 5)
    assert not (tmp_path / "d.csv").exists()


def test_a_decisions_file_that_cannot_be_written_is_an_error_and_the_file_wins(
    tmp_path, monkeypatch
):
    r = review(tmp_path)
    grace, hospital, *_ = r.items("a.txt")
    r.decide(grace.proposal, "a")

    def full(self, path=None):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Decisions, "save", full)
    with pytest.raises(InvalidInput, match="could not save the decision to .* left on device"):
        r.decide(hospital.proposal, "a")
    # What the screen shows next is what the file holds: the decision that was not saved
    # is not shown as made.
    assert [i.status for i in r.items("a.txt")[:2]] == ["accepted", "pending"]


def test_the_files_a_project_reviews_with(project, tmp_path):
    assert review_files(project).decisions == tmp_path / "anonymisation-decisions.csv"
    assert review_files(project).names is None
    (tmp_path / "names.txt").write_text("Grace\nRoyal Elm | HOSPITAL\n")
    (tmp_path / "keep").mkdir()
    chosen = choose_review_files(project, "keep/d.csv", "names.txt")
    assert chosen == review_files(project)
    assert (chosen.decisions, chosen.names) == (tmp_path / "keep/d.csv", tmp_path / "names.txt")
    assert chosen.read_names() == {"Grace": "NAME", "Royal Elm": "HOSPITAL"}
    event = project.log(1)[0]
    assert (event.action, event.after["names"]) == (
        "choose review files",
        str(tmp_path / "names.txt"),
    )
    project.undo()
    assert review_files(project).names is None


@pytest.mark.parametrize(
    ("decisions", "names", "message"),
    [
        ("", "", "name the CSV file to keep the decisions in"),
        (".", "", "is a folder: name a CSV file in it"),
        ("nowhere/d.csv", "", "there is no folder"),
        ("bad.csv", "", "has no 'text' column"),
        ("d.csv", "missing.txt", "there is no names file at"),
        ("d.csv", "bad-names.txt", "unknown label 'PLANET'"),
    ],
)
def test_files_that_will_not_do_are_refused(project, tmp_path, decisions, names, message):
    (tmp_path / "bad.csv").write_text("words\nGrace\n")
    (tmp_path / "bad-names.txt").write_text("Grace | PLANET\n")
    before = len(project.log(None))
    with pytest.raises(InvalidInput, match=re.escape(message)):
        choose_review_files(project, decisions, names)
    assert len(project.log(None)) == before


def test_the_terminal_review_asks_again_for_a_placeholder_that_will_not_do(tmp_path):
    (tmp_path / "i.txt").write_text("Participant: Alfie was eight weeks.\n")
    result = subprocess.run(
        [THEMATICA, "anonymise", "review", "i.txt", "--decisions", "d.csv",
         "--recogniser", "age"],
        input="p\neight weeks\n[a baby's age]\n",
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": ""},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-3:] == [
        "decision [a]: placeholder for 'eight weeks' everywhere, e.g. [my baby]:   the "
        "placeholder 'eight weeks' would keep the words it replaces; describe the person or "
        "place instead, e.g. [my baby]",
        "placeholder for 'eight weeks' everywhere, e.g. [my baby]: ",
        "1 accepted, 0 rejected, 0 left to review; decisions are in d.csv",
    ]
    assert (tmp_path / "d.csv").read_text().splitlines()[1:] == [
        "eight weeks,accept,AGE,[a baby's age],,,"
    ]


def test_a_placeholder_chosen_for_part_of_a_full_name_is_the_one_it_gets(tmp_path):
    texts = {"a.txt": "Participant: Grace Hall rang. Grace said yes.\n"}
    r = Review(texts, tmp_path / "d.csv", {"Grace Hall": "NAME"}, recognisers=[])
    full, part = r.items("a.txt")
    assert (full.placeholder, part.placeholder) == ("[Person 1]", "[Person 1]")
    r.decide(part.proposal, "p", "her sister")
    assert [(i.text, i.placeholder) for i in r.items("a.txt")] == [
        ("Grace Hall", "[Person 1]"),
        ("Grace", "[her sister]"),
    ]
    assert plan(texts, {"Grace Hall": "NAME"}, [], r.decisions)["a.txt"][1].placeholder == (
        "[her sister]"
    )


def test_a_decision_whose_words_left_its_place_is_listed_not_a_stop(tmp_path):
    at = TEXTS["a.txt"].index("Alfie")
    (tmp_path / "d.csv").write_text(
        "text,decision,label,placeholder,source,start,end\n"
        f"Alfie,accept,NAME,,a.txt,{at},{at + 5}\n"
    )
    changed = {**TEXTS, "a.txt": "Participant: " + TEXTS["a.txt"]}
    r = review(tmp_path, texts=changed)
    assert [(d.text, d.start) for d in r.stale()] == [("Alfie", at)]
    assert "Alfie" not in [i.text for i in r.items()]
    assert r.progress().total == 7
    with pytest.raises(InvalidInput, match="no longer fits its text"):
        plan(changed, NAMES, RULES, r.decisions)
