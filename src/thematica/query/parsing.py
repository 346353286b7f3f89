"""The tokenizer and reader the three small query languages share: case-attribute filters
(``age <= 25 and diagnosis = "Depression"``), coding queries (``"Warmth" AND NOT
"Trust"``) and text searches (``"social worker" OR NEAR(health visitor, 5)``).

They are parsed here, by hand, and never evaluated as code: a query can only ever mean
what its grammar says. A mistake is one line that quotes the query and says where.

>>> reader = Reader('age <= 25', "filter")
>>> [t.text for t in reader.tokens]
['age', '<=', '25', '']
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from thematica.errors import InvalidInput

T = TypeVar("T")

# Strings in double or single quotes (a doubled quote stands for itself), `back-quoted`
# names, comparison operators, punctuation, and words: anything else up to a space,
# quote, bracket or comma ("Parent/Child", "soc*", "25", "2024-05-01").
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>"(?:[^"]|"")*"|'(?:[^']|'')*')
    | (?P<name>`[^`]*`)
    | (?P<op><=|>=|!=|<>|==|=|<|>)
    | (?P<punct>[(),])
    | (?P<word>[^\s"'`(),=<>!]+)
    | (?P<bad>\S)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str  # string | name | op | punct | word | end
    text: str  # strings and names without their quotes
    at: int  # offset of the token in the query

    def is_word(self, *words: str) -> bool:
        """A bare word equal to one of ``words``, ignoring case (a keyword)."""
        return self.kind == "word" and self.text.upper() in words

    def opens(self) -> bool:
        """An opening bracket."""
        return self.kind == "punct" and self.text == "("


class Reader:
    """Tokens of one query, read left to right by a recursive-descent parser."""

    def __init__(self, text: str, what: str) -> None:
        self.text = text
        self.what = what
        self.tokens: list[Token] = []
        at = 0
        while (found := _TOKEN.match(text, at)) is not None:
            at = found.end()
            kind = found.lastgroup or "bad"
            raw, start = found.group(kind), found.start(kind)
            if kind == "bad":
                problem = "a quote is not closed" if raw in "\"'`" else f"unexpected {raw!r}"
                raise self.error(problem, start)
            if kind == "string":
                raw = raw[1:-1].replace(raw[0] * 2, raw[0])
            elif kind == "name":
                raw = raw[1:-1]
            self.tokens.append(Token(kind, raw, start))
        self.tokens.append(Token("end", "", len(text)))
        self.position = 0

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.position + ahead, len(self.tokens) - 1)]

    def take(self) -> Token:
        token = self.peek()
        self.position += 1
        return token

    def take_word(self, *words: str) -> bool:
        """Consume the next token if it is one of the keywords ``words``."""
        if self.peek().is_word(*words):
            self.position += 1
            return True
        return False

    def bracketed(self, inner: Callable[[Reader], T]) -> T | None:
        """What ``inner`` reads between brackets, when the next token opens one (a
        missing closing bracket is an error); ``None``, having read nothing, when not."""
        if not self.peek().opens():
            return None
        self.take()
        found = inner(self)
        self.expect("punct", ")", "a bracket is not closed")
        return found

    def expect(self, kind: str, text: str, hint: str) -> Token:
        token = self.peek()
        if token.kind != kind or token.text != text:
            raise self.error(hint, token.at)
        return self.take()

    def done(self) -> None:
        token = self.peek()
        if token.kind != "end":
            raise self.error(f"unexpected {shown(token)}", token.at)

    def error(self, message: str, at: int) -> InvalidInput:
        """A one-line error that quotes the query and points at character ``at``."""
        return InvalidInput(f"{self.what} {self.text!r}: {message} (at character {at + 1})")


def shown(token: Token) -> str:
    """A token as an error message names it."""
    if token.kind == "end":
        return "end of query"
    if token.kind == "string":
        return repr(token.text)
    return f"'{token.text}'"
