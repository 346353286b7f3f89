"""Counting models and the position map: selections counted the way each tool counts,
over the file's own text, land on the same words in canonical text."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thematica.interop.offsets import (
    NVIVO,
    ONE_PER_LINE_END,
    STANDARD,
    UTF16_ONE_PER_LINE_END,
    PositionMap,
    counting_for,
    matches,
    name_text,
)
from thematica.text import canonical


@pytest.mark.parametrize(
    ("origin", "tool", "counting"),
    [
        ("NVivo for Windows 12.6", "NVivo", NVIVO),
        ("NVivo for Mac 15.0.0", "NVivo", NVIVO),
        ("ATLAS.ti 8.4.0 573 , macOS Version 10.14.3", "ATLAS.ti", ONE_PER_LINE_END),
        ("MAXQDA 24 (Release 24.7.0)", "MAXQDA", ONE_PER_LINE_END),
        ("QualCoder 3.5", "QualCoder", ONE_PER_LINE_END),
        ("qc 1.3.2", "qc", ONE_PER_LINE_END),
        ("Thematica 0.1.0", "Thematica", STANDARD),
        ("Quirkos 2.5", "Quirkos 2.5", STANDARD),
        (None, "unknown", STANDARD),
    ],
)
def test_the_counting_model_comes_from_the_origin(origin, tool, counting):
    assert counting_for(origin) == (tool, counting)


RAW = "\ufeffA cafe\u0301 \U0001f600 x\r\nnext\rline\r\n"
# canonical: "A café 😀 x\nnext\nline\n"


def test_nvivo_counts_utf16_units_and_crlf_as_two():
    mapping = PositionMap(RAW, NVIVO)
    assert mapping.canonical == "A café \U0001f600 x\nnext\nline\n"
    text = mapping.canonical
    emoji = mapping.place(8, 10)
    assert text[emoji.start : emoji.end] == "\U0001f600" and not emoji.adjusted
    nxt = mapping.place(14, 18)
    assert text[nxt.start : nxt.end] == "next"


def test_line_ends_counted_as_one():
    mapping = PositionMap(RAW, ONE_PER_LINE_END)
    placed = mapping.place(12, 16)
    assert mapping.canonical[placed.start : placed.end] == "next"
    assert mapping.length == len(RAW) - 1 - RAW.count("\r\n")  # no BOM, CRLF as one


def test_an_edge_inside_a_character_moves_out_and_says_so():
    mapping = PositionMap(RAW, NVIVO)
    half_emoji = mapping.place(9, 11)  # starts on the emoji's second UTF-16 unit
    assert mapping.canonical[half_emoji.start : half_emoji.end] == "\U0001f600 "
    assert half_emoji.adjusted
    bare_e = mapping.place(2, 6)  # "cafe" without its combining accent
    assert mapping.canonical[bare_e.start : bare_e.end] == "café" and bare_e.adjusted


def test_outside_or_empty_selections_are_not_placed():
    mapping = PositionMap("abc", STANDARD)
    assert mapping.place(1, 4) is None
    assert mapping.place(2, 2) is None
    assert mapping.place(-1, 2) is None


def test_names_that_quote_text_and_names_that_are_labels():
    assert (
        name_text("line:6") is None and name_text("Quotation 6:1") is None and name_text("") is None
    )
    cut = name_text("I'm a single mum with an 8 month old\u2026")
    assert cut == ("I'm a single mum with an 8 month old", True)
    assert matches(cut, "I'm a single mum\nwith an 8 month old and a toddler")
    assert matches(name_text("Cafe\u0301  talk"), "Café talk")
    assert not matches(name_text("damage done by fatty foods"), "I did try the gluten free bread")


# -- property: any clean selection, counted any tool's way, lands on the same text --------

PIECES = ["a", "b", " ", "\r\n", "\n", "\r", "é", "e\u0301", "o\u0308\u0323", "\U0001f600",
          "\U0001f44d\U0001f3fd", "\u0915\u094d\u0937", "\u1100\u1161\u11a8", "\u00a0", "\t", "ß"]  # fmt: skip


def _counted(raw: str, i: int, counting) -> int:
    before = raw[:i]
    units = len(before.encode("utf-16-le")) // 2 if counting.unit == "utf16" else len(before)
    if counting.crlf == 1:  # a \r that starts a CRLF counts nothing; its \n counts one
        units -= sum(1 for x in range(i) if raw[x] == "\r" and raw[x + 1 : x + 2] == "\n")
    return units


def _clean(raw: str, i: int) -> bool:
    """A boundary that canonicalisation keeps: the text on each side canonicalises alone."""
    return canonical(raw[:i]) + canonical(raw[i:]) == canonical(raw)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=30).map("".join),
    st.data(),
    st.sampled_from([STANDARD, NVIVO, ONE_PER_LINE_END, UTF16_ONE_PER_LINE_END]),
    st.booleans(),
)
def test_clean_selections_land_on_their_text(raw, data, counting, bom):
    mapping = PositionMap(("\ufeff" if bom else "") + raw, counting)
    assert mapping.canonical == canonical(raw)
    clean = [i for i in range(len(raw) + 1) if _clean(raw, i)]
    i = data.draw(st.sampled_from(clean))
    j = data.draw(st.sampled_from(clean))
    i, j = min(i, j), max(i, j)
    placed = mapping.place(_counted(raw, i, counting), _counted(raw, j, counting))
    if canonical(raw[:i]) == canonical(raw[:j]):
        assert placed is None  # nothing between them (a lone \r\n pair counted as one, say)
        return
    assert placed is not None and not placed.adjusted
    assert mapping.canonical[placed.start : placed.end] == canonical(raw[i:j])


def _raw_index(raw: str, counted: int, counting, up: bool) -> tuple[int, bool]:
    """The code point index a counted position names (leftmost), and whether it names
    one exactly (not half of a UTF-16 pair)."""
    for k in range(len(raw) + 1):
        here = _counted(raw, k, counting)
        if here == counted:
            return k, True
        if here > counted:
            return (k if up else k - 1), False
    raise AssertionError("past the end")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=20).map("".join),
    st.data(),
    st.sampled_from([STANDARD, NVIVO, ONE_PER_LINE_END, UTF16_ONE_PER_LINE_END]),
)
def test_any_selection_is_widened_to_the_nearest_clean_edges(raw, data, counting):
    mapping = PositionMap(raw, counting)
    a = data.draw(st.integers(0, mapping.length))
    b = data.draw(st.integers(0, mapping.length))
    start, end = min(a, b), max(a, b)
    placed = mapping.place(start, end)
    k_start, exact_start = _raw_index(raw, start, counting, up=False)
    k_end, exact_end = _raw_index(raw, end, counting, up=True)
    i = max(k for k in range(k_start + 1) if _clean(raw, k))
    j = min(k for k in range(k_end, len(raw) + 1) if _clean(raw, k))
    ci, cj = len(canonical(raw[:i])), len(canonical(raw[:j]))
    if start == end or ci == cj:
        assert placed is None
        return
    assert (placed.start, placed.end) == (ci, cj)
    clean = exact_start and exact_end and (i, j) == (k_start, k_end)
    assert placed.adjusted == (not clean)
