import pytest
from hypothesis import given
from hypothesis import strategies as st

from thematica.errors import InvalidInput
from thematica.text.span import Span, covered, difference, intersection, union

spans = st.builds(lambda a, b: Span(min(a, b), max(a, b)), st.integers(0, 60), st.integers(0, 60))


def points(items):
    return {p for s in items for p in range(s.start, s.end)}


@given(st.lists(spans))
def test_union_covers_the_same_points_with_disjoint_sorted_spans(items):
    merged = union(items)
    assert points(merged) == points(items)
    assert all(a.end < b.start for a, b in zip(merged, merged[1:], strict=False))


@given(st.lists(spans), st.lists(spans))
def test_intersection_and_difference_match_set_algebra(a, b):
    assert points(intersection(a, b)) == points(a) & points(b)
    assert points(difference(a, b)) == points(a) - points(b)
    assert covered(a) == len(points(a))


def test_overlap_is_half_open():
    assert not Span(0, 5).overlaps(Span(5, 9))
    assert Span(0, 5).overlaps(Span(4, 9))
    assert (Span(0, 5) & Span(5, 9)) is None


def test_invalid_spans_are_refused():
    with pytest.raises(InvalidInput, match="need 0 <= start <= end"):
        Span(5, 2)
    with pytest.raises(InvalidInput, match="out of range: the text has 10 characters"):
        Span(2, 11).check_within(10)
    with pytest.raises(InvalidInput, match="empty span"):
        Span(3, 3).check_within(10)
