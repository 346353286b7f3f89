"""Comparing coder layers in a project: each unit on small cases counted by hand."""

import csv
import math

import pytest

from thematica import InvalidInput, ThematicaError
from thematica.agreement.compare import (
    compare,
    disagreements,
    export_disagreements,
    paragraphs,
    segment_matches,
)


def padded(text, length):
    assert len(text) <= length
    return text + " " * (length - len(text) - 1) + "\n"


# Four turns in 100 characters, each after its speaker's label: [13, 21), [36, 47),
# [62, 71) and [86, 97).
TEXT = padded(
    "Interviewer: one two.\n\n"  # [0, 21) + blank line
    + "Participant: three four.\n\n"  # 24
    + "Interviewer: five six.\n\n"  # 50
    + "Participant: seven eight",  # 74
    100,
)


@pytest.fixture
def study(project):
    project.sources.add("a.txt", TEXT)
    project.codes.add("X")
    project.codes.add("Y")
    return project


def code(project, start, end, coder, name="X", source="a.txt"):
    project.codings.add(source, name, start, end, coder=coder)


def test_characters_agreement_kappa_alpha_and_prevalence_by_hand(study):
    code(study, 10, 30, "A")
    code(study, 20, 40, "B")
    result = compare(study, ["A", "B"], unit="char")
    (row,) = result.codes
    # 100 characters: 10 both, 10 only A, 10 only B, 70 neither.
    assert row.units == 100
    assert row.percent == pytest.approx(0.8)
    assert row.prevalence == pytest.approx(0.2)
    # p_e = 0.2 * 0.2 + 0.8 * 0.8 = 0.68; kappa = (0.8 - 0.68) / 0.32
    assert row.kappa == pytest.approx(0.375)
    # 200 values, 40 "coded", 20 disagreeing pairs: 1 - 199 * 20 / (160 * 40)
    assert row.alpha == pytest.approx(0.378125)
    assert result.kappa_name == "Cohen's kappa"
    assert result.unit_name == "characters"
    assert "weighted by source length" in result.method


def test_characters_per_source_are_averaged_by_length_as_nvivo_does(study):
    study.sources.add("b.txt", padded("Participant: " + "words " * 40, 300))
    code(study, 10, 30, "A")
    code(study, 20, 40, "B")
    code(study, 0, 30, "A", source="b.txt")
    code(study, 0, 30, "B", source="b.txt")
    result = compare(study, ["A", "B"])
    (row,) = result.codes
    assert [(s.source, s.length, s.figures.kappa) for s in row.sources] == [
        ("a.txt", 100, pytest.approx(0.375)),
        ("b.txt", 300, pytest.approx(1.0)),
    ]
    assert row.kappa == pytest.approx((0.375 * 100 + 1.0 * 300) / 400)
    assert row.percent == pytest.approx((0.8 * 100 + 1.0 * 300) / 400)
    # Alpha pools the 400 characters: 30 + 10 both, 20 mixed.
    assert row.alpha == pytest.approx(1 - 799 * 20 / ((800 - 100) * 100))


def test_turns_count_as_coded_when_any_of_them_is(study):
    code(study, 38, 42, "A")  # turn 2
    code(study, 44, 50, "B")  # turn 2, and the blank line and label after it
    code(study, 88, 90, "B")  # turn 4
    result = compare(study, ["A", "B"], unit="turn")
    (row,) = result.codes
    # 4 turns: turn 2 both, turn 4 only B, turns 1 and 3 neither.
    assert (row.units, row.percent) == (4, 0.75)
    # p_A = 1/4, p_B = 2/4: p_e = 1/8 + 3/8 = 1/2; kappa = (3/4 - 1/2) / (1/2)
    assert row.kappa == pytest.approx(0.5)
    assert compare(study, ["A", "B"], unit="paragraph").codes[0].units == 4


def test_a_source_without_turns_falls_back_to_paragraphs_with_a_note(study):
    study.sources.add("notes.txt", "First thought.\n\nSecond thought.\n\nThird.\n")
    code(study, 0, 5, "A", source="notes.txt")
    code(study, 0, 5, "B", source="notes.txt")
    result = compare(study, ["A", "B"], sources=["notes.txt"], unit="turn")
    assert result.notes == ["notes.txt has no speaker turns: its paragraphs are the units"]
    assert result.codes[0].units == 3


def test_paragraphs_are_stretches_between_blank_lines():
    text = "One.\n\nTwo\nlines.\n \n\nThree.\n"
    assert [text[s:e] for s, e in paragraphs(text)] == ["One.", "Two\nlines.", "Three."]


def test_segments_match_when_they_overlap_enough():
    assert segment_matches([(0, 10), (50, 60)], [(1, 10), (70, 80)], 0.9) == 1
    assert segment_matches([(0, 10)], [(2, 10)], 0.9) == 0
    # One segment pairs with one segment only, the best first.
    assert segment_matches([(0, 10), (0, 10)], [(0, 10)], 0.5) == 1


def test_segment_comparison_by_hand(study):
    code(study, 0, 10, "A")
    code(study, 50, 60, "A")
    code(study, 1, 10, "B")
    code(study, 70, 80, "B")
    code(study, 30, 40, "A", name="Y")
    code(study, 30, 40, "B", name="Y")
    result = compare(study, ["A", "B"], unit="segment", threshold=0.9)
    assert [(r.code, r.units, r.percent) for r in result.codes] == [("X", 4, 0.5), ("Y", 2, 1.0)]
    # Overall: 4 of 6 segments matched; chance 1/2 with two codes.
    assert result.overall.percent == pytest.approx(4 / 6)
    assert result.overall.kappa == pytest.approx((4 / 6 - 0.5) / 0.5)
    with pytest.raises(InvalidInput, match="pairs two coders"):
        compare(study, ["A", "B", "C"], unit="segment")


def test_three_coders_use_fleiss_kappa(study):
    for coder in ("A", "B", "C"):
        code(study, 10, 30, coder)
    result = compare(study, ["A", "B", "C"])
    assert result.kappa_name == "Fleiss' kappa"
    assert result.codes[0].kappa == pytest.approx(1.0)


def test_identical_layers_agree_perfectly_and_unitized_alpha_is_one(study):
    code(study, 10, 30, "A")
    code(study, 10, 30, "B")
    code(study, 60, 70, "A", name="Y")
    code(study, 60, 70, "B", name="Y")
    result = compare(study, ["A", "B"])
    assert [(r.code, r.kappa, r.unitized_alpha) for r in result.codes] == [
        ("X", 1.0, 1.0),
        ("Y", 1.0, 1.0),
    ]
    assert result.unitized_alpha == 1.0
    assert result.as_dict()["codes"][0]["figures"]["kappa_low"] is None


def test_bootstrap_intervals_are_seeded(study):
    for start in (14, 38, 64, 88):
        code(study, start, start + 3, "A")
    for start in (14, 38, 88):
        code(study, start, start + 3, "B")
    first = compare(study, ["A", "B"], unit="turn", confidence=200, seed=4).codes[0]
    again = compare(study, ["A", "B"], unit="turn", confidence=200, seed=4).codes[0]
    assert (first.kappa_low, first.kappa_high) == (again.kappa_low, again.kappa_high)
    assert first.kappa_low <= first.kappa <= first.kappa_high


def test_disagreements_are_listed_largest_first_and_exported(study, tmp_path):
    code(study, 10, 30, "A")
    code(study, 20, 40, "B")
    code(study, 60, 62, "A", name="Y")
    code(study, 5, 8, "A", name="Y")
    code(study, 5, 8, "B", name="Y")
    found = disagreements(study, ["A", "B"])
    assert [(d.code, d.start, d.end, d.differing, d.spans) for d in found] == [
        ("X", 10, 40, 20, {"A": [(10, 30)], "B": [(20, 40)]}),
        ("Y", 60, 62, 2, {"A": [(60, 62)], "B": []}),
    ]
    assert found[0].text == TEXT[10:40]
    export_disagreements(found, ["A", "B"], tmp_path / "d.csv")
    rows = list(csv.reader((tmp_path / "d.csv").open()))
    assert rows[0] == ["source", "code", "start", "end", "differing", "A", "B", "text"]
    assert rows[2] == ["a.txt", "Y", "60", "62", "2", "[60, 62)", "(not coded)", TEXT[60:62]]
    export_disagreements(found, ["A", "B"], tmp_path / "d.html")
    page = (tmp_path / "d.html").read_text()
    assert "<mark>" in page and "Disagreements between A and B" in page
    with pytest.raises(InvalidInput, match=r"a \.csv or \.html file"):
        export_disagreements(found, ["A", "B"], tmp_path / "d.pdf")


@pytest.mark.parametrize(
    ("coders", "kwargs", "message"),
    [
        (["A"], {}, "compare at least two different coders"),
        (["A", "A"], {}, "compare at least two different coders"),
        (["A", "Nobody"], {}, "unknown coder 'Nobody'"),
        (["A", "B"], {"unit": "word"}, "unknown unit 'word'"),
        (["A", "B"], {"threshold": 1.5}, "share between 0 and 1"),
        (["A", "B"], {"sources": ["gone.txt"]}, "unknown source 'gone.txt'"),
    ],
)
def test_bad_requests_are_refused_clearly(study, coders, kwargs, message):
    code(study, 10, 30, "A")
    code(study, 20, 40, "B")
    with pytest.raises(ThematicaError, match=message):
        compare(study, coders, **kwargs)


def test_coders_without_a_common_source_are_told_what_to_do(study):
    study.sources.add("b.txt", "Participant: other words.\n")
    code(study, 10, 30, "A")
    code(study, 0, 5, "B", source="b.txt")
    with pytest.raises(InvalidInput, match="no source is coded by all these coders"):
        compare(study, ["A", "B"])


def test_nan_figures_become_null_in_json(study):
    code(study, 10, 30, "A")
    code(study, 20, 40, "B")
    data = compare(study, ["A", "B"], unit="segment").as_dict()
    assert data["codes"][0]["figures"]["alpha"] is None
    assert not any(isinstance(v, float) and math.isnan(v) for v in data["overall"].values())
