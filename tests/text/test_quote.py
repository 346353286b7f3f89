import pytest

from thematica.errors import InvalidInput
from thematica.text.quote import find_quote
from thematica.text.span import Span

TEXT = "She was kind. She was kind to me.\nShe was\nkind, really — kind."


def test_exact_quote_with_prefix_and_suffix():
    assert find_quote(TEXT, "She was kind", suffix=" to me") == Span(14, 26)
    span = find_quote(TEXT, "She was kind", prefix="kind. ")
    assert TEXT[span.start : span.end] == "She was kind"
    assert span.start == 14


def test_ambiguous_quote_says_how_many_and_what_to_do():
    with pytest.raises(InvalidInput) as error:
        find_quote(TEXT, "She was", where="interview-01.txt")
    assert str(error.value) == (
        "quote 'She was' matches 3 places in interview-01.txt: add a prefix or suffix to choose one"
    )


def test_missing_quote():
    with pytest.raises(InvalidInput, match="quote 'not here' not found in x.txt"):
        find_quote(TEXT, "not here", where="x.txt")


def test_loose_match_across_line_breaks_and_typographic_dashes():
    span = find_quote(TEXT, "She was kind, really - kind.")
    assert TEXT[span.start : span.end] == "She was\nkind, really — kind."


def test_empty_quote_is_refused():
    with pytest.raises(InvalidInput, match="empty"):
        find_quote(TEXT, "   ")
