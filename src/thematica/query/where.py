"""Filters on case attributes: ``diagnosis = "Depression" and age <= 25``.

A comparison is ``attribute OP value`` with ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``;
``attribute in ("a", "b")`` is one of several values; ``attribute is missing`` (or ``is
not missing``) asks whether a value was recorded. ``and``, ``or``, ``not`` and brackets
combine them. Values are compared as their attribute's type: numbers as numbers, dates
(``"2024-05-01"``) as dates, ordinal values by their order (``education >= "A levels"``),
yes/no as ``yes``, ``no``, ``true`` or ``false``. A case with no value for an attribute
matches no comparison on it.

>>> attrs = {"age": Attribute("age", "integer", 0)}
>>> test = compile_where("age <= 25 or age is missing", attrs, {})
>>> test({"age": 22}), test({"age": 31}), test({})
(True, False, True)
"""

from __future__ import annotations

import difflib
import operator
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from thematica.errors import InvalidInput, not_found
from thematica.ingest.cases import Attribute, from_stored, to_stored
from thematica.query.parsing import Reader, Token, shown

Test = Callable[[Mapping[str, Any]], bool]

_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "==": operator.eq,
    "!=": operator.ne,
    "<>": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_ORDERED = {"integer", "number", "date", "ordinal"}
_KEYWORDS = ("AND", "OR", "NOT", "IN", "IS", "MISSING")
WHAT = "filter"


def compile_where(
    text: str, attributes: Mapping[str, Attribute], values: Mapping[str, set[str]]
) -> Test:
    """A test of one case's attribute values (``{name: typed value}``) for ``text``.

    ``attributes`` are the project's attributes by name; ``values`` the values of each
    categorical attribute that cases have, so that a misspelt category is an error
    rather than an empty result.
    """
    reader = Reader(text, WHAT)
    if reader.peek().kind == "end":
        raise InvalidInput("the filter is empty: write a comparison like age <= 25")
    test = _Parser(reader, attributes, values).either()
    reader.done()
    return test


class _Parser:
    def __init__(
        self, reader: Reader, attributes: Mapping[str, Attribute], values: Mapping[str, set[str]]
    ) -> None:
        self.reader = reader
        self.attributes = attributes
        self.values = values

    def either(self) -> Test:
        tests = [self.both()]
        while self.reader.take_word("OR"):
            tests.append(self.both())
        return tests[0] if len(tests) == 1 else lambda case: any(t(case) for t in tests)

    def both(self) -> Test:
        tests = [self.negation()]
        while self.reader.take_word("AND"):
            tests.append(self.negation())
        return tests[0] if len(tests) == 1 else lambda case: all(t(case) for t in tests)

    def negation(self) -> Test:
        if self.reader.take_word("NOT"):
            inner = self.negation()
            return lambda case: not inner(case)
        return self.atom()

    def atom(self) -> Test:
        reader = self.reader
        group = reader.bracketed(lambda _: self.either())
        if group is not None:
            return group
        token = reader.peek()
        if token.kind not in ("word", "name") or token.is_word(*_KEYWORDS):
            raise reader.error(
                f"expected an attribute name, found {shown(token)}; write a comparison "
                "like age <= 25",
                token.at,
            )
        reader.take()
        attr = self._attribute(token)
        if reader.take_word("IS"):
            negated = reader.take_word("NOT")
            if not reader.take_word("MISSING"):
                raise reader.error("after 'is' write 'missing' or 'not missing'", reader.peek().at)
            name = attr.name
            return (
                (lambda case: case.get(name) is not None)
                if negated
                else (lambda case: case.get(name) is None)
            )
        if reader.take_word("IN"):
            return self._one_of(attr)
        op = reader.peek()
        if op.kind != "op":
            raise reader.error(
                f"expected =, !=, <, <=, >, >=, 'in' or 'is missing' after {attr.name!r}, "
                f"found {shown(op)}",
                op.at,
            )
        reader.take()
        if op.text not in ("=", "==", "!=", "<>") and attr.type not in _ORDERED:
            raise reader.error(
                f"{attr.name} is an attribute of type {attr.type}: compare it with = or != "
                f"(or 'in'), not {op.text}",
                op.at,
            )
        wanted = self._value(attr, reader.take())
        compare, name = _OPERATORS[op.text], attr.name
        if attr.type == "ordinal":
            rank = {level: n for n, level in enumerate(attr.levels or ())}
            target = rank[wanted]
            return lambda case: case.get(name) is not None and compare(rank[case[name]], target)
        return lambda case: case.get(name) is not None and compare(case[name], wanted)

    def _one_of(self, attr: Attribute) -> Test:
        reader = self.reader
        reader.expect("punct", "(", f"after 'in' list the values in brackets: {attr.name} in (...)")
        wanted = [self._value(attr, reader.take())]
        while reader.peek().text == "," and reader.peek().kind == "punct":
            reader.take()
            wanted.append(self._value(attr, reader.take()))
        reader.expect("punct", ")", "a bracket is not closed")
        name = attr.name
        return lambda case: case.get(name) is not None and case[name] in wanted

    def _attribute(self, token: Token) -> Attribute:
        found = self.attributes.get(token.text)
        if found is None:
            names = list(self.attributes)
            error = not_found("attribute", token.text, names, "thematica cases list")
            raise type(error)(f"{WHAT} {self.reader.text!r}: {error}")
        return found

    def _value(self, attr: Attribute, token: Token) -> Any:
        """The typed value of ``token`` for comparing with ``attr``."""
        reader = self.reader
        if token.kind == "word" and attr.type in ("text", "categorical", "ordinal"):
            raise reader.error(f'put the value in quotes: {attr.name} = "{token.text}"', token.at)
        if token.kind not in ("word", "string"):
            raise reader.error(f"expected a value for {attr.name}, found {shown(token)}", token.at)
        try:
            stored = to_stored(token.text, attr.type, attr.levels)
        except ValueError:
            raise reader.error(_mismatch(attr, token.text), token.at) from None
        if stored is None:
            raise reader.error(f"compare with a value, or write '{attr.name} is missing'", token.at)
        if attr.type == "categorical" and stored not in self.values.get(attr.name, set()):
            known = sorted(self.values.get(attr.name, set()))
            close = difflib.get_close_matches(stored, known, n=2, cutoff=0.6)
            hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
            raise reader.error(
                f"no case has {attr.name} {stored!r}{hint}; its values are "
                + ", ".join(repr(v) for v in known),
                token.at,
            )
        return from_stored(stored, attr.type)


def _mismatch(attr: Attribute, value: str) -> str:
    """Why ``value`` cannot be compared with ``attr``, and what would do."""
    if attr.type == "ordinal":
        levels = list(attr.levels or ())
        close = difflib.get_close_matches(value, levels, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"{value!r} is not a level of {attr.name}{hint}; its levels are " + " < ".join(
            repr(v) for v in levels
        )
    example = {
        "integer": "a whole number, e.g. 25",
        "number": "a number, e.g. 2.5",
        "boolean": "yes or no",
        "date": f'a date, e.g. "{date(2024, 5, 1).isoformat()}"',
    }[attr.type]
    return (
        f"{attr.name} is an attribute of type {attr.type}: compare it with {example}, not {value!r}"
    )
