"""Word counts: the quick count of an ASCII text agrees with splitting it."""

from hypothesis import given
from hypothesis import strategies as st

from thematica.text.normalise import word_count

ASCII = st.characters(min_codepoint=0, max_codepoint=127)
# The white space str.split() knows, ASCII and not, weighted up.
SPACES = st.sampled_from(" \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f")
OTHER = st.sampled_from("\u00a0\u2003\u3000\u0085é’")


@given(st.text(st.one_of(ASCII, SPACES, SPACES), max_size=300))
def test_an_ascii_text_counts_as_split_counts(text):
    assert word_count(text) == len(text.split())


@given(st.text(st.one_of(ASCII, SPACES, OTHER), max_size=300))
def test_any_text_counts_as_split_counts(text):
    assert word_count(text) == len(text.split())


def test_runs_of_spaces_between_words_count_once():
    assert word_count("a" + " " * 1000 + "b\n\n\n\nc" + "\t" * 77) == 3
    assert word_count("") == word_count(" \n ") == 0
