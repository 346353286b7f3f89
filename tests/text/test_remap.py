"""Property tests: remapping through a text change never loses or misplaces a span."""

from hypothesis import given
from hypothesis import strategies as st

from thematica.text.remap import Edit, apply_edits, check_edits, remap_span
from thematica.text.span import Span

ALPHABET = "abcdefgh "


@st.composite
def text_and_edits(draw):
    text = draw(st.text(ALPHABET, min_size=1, max_size=60))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    edits = []
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        if edits and start < edits[-1].end:
            continue
        edits.append(Edit(start, end, draw(st.text("XYZ[]", max_size=6))))
    return text, edits


@st.composite
def case(draw):
    text, edits = draw(text_and_edits())
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    return text, edits, Span(start, end)


def expected_text(text: str, edits: list[Edit], span: Span) -> str:
    """What the span must read after the change: its own untouched characters, plus the
    whole replacement of every edit that overlaps it or lies strictly inside it."""
    pieces, at = [], span.start
    for edit in edits:
        touches = (
            edit.start < span.end
            and span.start < edit.end  # overlaps
            or (edit.start == edit.end and span.start < edit.start < span.end)  # insertion
        )
        if not touches:
            continue
        if edit.start > at:
            pieces.append(text[at : edit.start])
        pieces.append(edit.text)
        at = max(at, edit.end)
    if at < span.end:
        pieces.append(text[at : span.end])
    return "".join(pieces)


@given(case())
def test_span_reads_the_same_words_after_a_change(data):
    text, edits, span = data
    new_text = apply_edits(text, check_edits(edits, len(text)))
    moved = remap_span(span, edits)
    want = expected_text(text, edits, span)
    if moved is None:
        assert want == ""
    else:
        assert new_text[moved.start : moved.end] == want


@given(case())
def test_untouched_spans_only_shift(data):
    text, edits, span = data
    if any(
        e.start < span.end and span.start < e.end or span.start < e.start < span.end for e in edits
    ):
        return
    moved = remap_span(span, edits)
    assert moved is not None
    assert len(moved) == len(span)
    assert apply_edits(text, edits)[moved.start : moved.end] == text[span.start : span.end]


@given(text_and_edits())
def test_order_of_spans_is_kept(data):
    text, edits = data
    starts = [remap_span(Span(i, i + 1), edits) for i in range(len(text))]
    kept = [s.start for s in starts if s is not None]
    assert kept == sorted(kept)


def test_redaction_inside_a_quote_becomes_part_of_it():
    text = "I told Sarah Jones everything"
    edit = Edit(7, 18, "[Therapist]")
    moved = remap_span(Span(0, len(text)), [edit])
    assert apply_edits(text, [edit])[moved.start : moved.end] == "I told [Therapist] everything"


def test_insertion_at_a_boundary_stays_outside():
    assert remap_span(Span(5, 10), [Edit(5, 5, "abc")]) == Span(8, 13)
    assert remap_span(Span(5, 10), [Edit(10, 10, "abc")]) == Span(5, 10)


def test_span_wholly_deleted_collapses():
    assert remap_span(Span(5, 10), [Edit(3, 12, "")]) is None
