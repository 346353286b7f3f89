from datetime import date

import pytest

from thematica.errors import InvalidInput, NotFound, ThematicaError
from thematica.ingest.cases import Attribute
from thematica.query.where import compile_where

ATTRS = {
    "age": Attribute("age", "integer", 0),
    "bmi": Attribute("bmi", "number", 1),
    "diagnosis": Attribute("diagnosis", "categorical", 2),
    "education": Attribute("education", "ordinal", 3, ("GCSEs", "A levels", "Degree")),
    "partner": Attribute("partner", "boolean", 4),
    "joined": Attribute("joined", "date", 5),
    "marital status": Attribute("marital status", "text", 6),
}
VALUES = {"diagnosis": {"Depression", "Anxiety"}}
CASES = [
    {"age": 22, "diagnosis": "Depression", "education": "GCSEs", "partner": True},
    {"age": 31, "bmi": 24.5, "diagnosis": "Anxiety", "education": "Degree", "partner": False},
    {"age": 25, "diagnosis": "Depression", "education": "A levels", "joined": date(2024, 5, 1)},
    {"marital status": "single"},
]


def matching(expression):
    test = compile_where(expression, ATTRS, VALUES)
    return [n for n, case in enumerate(CASES) if test(case)]


@pytest.mark.parametrize(
    "expression, expected",
    [
        ('diagnosis = "Depression" and age <= 25', [0, 2]),
        ("age > 22", [1, 2]),
        ("age >= 22 and age < 25", [0]),
        ("age = 25 or age = 31", [1, 2]),
        ("age != 22", [1, 2]),  # a case without an age matches no comparison on it
        ("not age <= 22", [1, 2, 3]),
        ("bmi > 24", [1]),
        ('education >= "A levels"', [1, 2]),  # in the ordinal's order, not the alphabet's
        ('education < "Degree"', [0, 2]),
        ("partner = yes", [0]),
        ("partner = false", [1]),
        ('joined >= "2024-01-01"', [2]),
        ("joined < 2025-01-01", [2]),
        ('diagnosis in ("Anxiety", "Depression") and age in (22, 31)', [0, 1]),
        ("age is missing", [3]),
        ("partner is not missing", [0, 1]),
        ('`marital status` = "single"', [3]),
        ('(age < 23 or age > 30) and not diagnosis = "Anxiety"', [0]),
        ("age <= 22 AND partner = yes", [0]),  # keywords in any case
    ],
)
def test_typed_comparisons(expression, expected):
    assert matching(expression) == expected


@pytest.mark.parametrize(
    "expression, message",
    [
        ("", "the filter is empty: write a comparison like age <= 25"),
        (
            "age <=",
            "filter 'age <=': expected a value for age, found end of query (at character 7)",
        ),
        (
            "age 25",
            "filter 'age 25': expected =, !=, <, <=, >, >=, 'in' or 'is missing' after 'age', "
            "found '25' (at character 5)",
        ),
        (
            "diagnosis = Depression",
            "filter 'diagnosis = Depression': put the value in quotes: "
            'diagnosis = "Depression" (at character 13)',
        ),
        (
            'diagnosis = "Depresion"',
            "filter 'diagnosis = \"Depresion\"': no case has diagnosis 'Depresion' (did you mean "
            "'Depression'?); its values are 'Anxiety', 'Depression' (at character 13)",
        ),
        (
            'age <= "young"',
            "filter 'age <= \"young\"': age is an attribute of type integer: compare it with a "
            "whole number, e.g. 25, not 'young' (at character 8)",
        ),
        (
            'diagnosis < "Depression"',
            "filter 'diagnosis < \"Depression\"': diagnosis is an attribute of type categorical: "
            "compare it with = or != (or 'in'), not < (at character 11)",
        ),
        (
            'education = "Masters"',
            "filter 'education = \"Masters\"': 'Masters' is not a level of education; its levels "
            "are 'GCSEs' < 'A levels' < 'Degree' (at character 13)",
        ),
        (
            "joined < 2024-13-01",
            "filter 'joined < 2024-13-01': joined is an attribute of type date: compare it with "
            "a date, e.g. \"2024-05-01\", not '2024-13-01' (at character 10)",
        ),
        (
            "age <= 25 and",
            "filter 'age <= 25 and': expected an attribute name, found end of query; "
            "write a comparison like age <= 25 (at character 14)",
        ),
        ("(age <= 25", "filter '(age <= 25': a bracket is not closed (at character 11)"),
        (
            'diagnosis = "Depression',
            "filter 'diagnosis = \"Depression': a quote is not closed (at character 13)",
        ),
        (
            "age <= 25; drop",
            "filter 'age <= 25; drop': age is an attribute of type integer: compare it with a "
            "whole number, e.g. 25, not '25;' (at character 8)",
        ),
        (
            "age is 3",
            "filter 'age is 3': after 'is' write 'missing' or 'not missing' (at character 8)",
        ),
        (
            "age = ''",
            "filter \"age = ''\": compare with a value, or write 'age is missing' (at character 7)",
        ),
    ],
)
def test_bad_filters_are_one_line_errors(expression, message):
    with pytest.raises(InvalidInput) as error:
        matching(expression)
    assert str(error.value) == message
    assert "\n" not in str(error.value)


def test_unknown_attribute_suggests_the_close_name():
    with pytest.raises(NotFound) as error:
        matching('diagnoses = "Depression"')
    assert str(error.value) == (
        "filter 'diagnoses = \"Depression\"': unknown attribute 'diagnoses' (did you mean "
        "'diagnosis'?); `thematica cases list` shows them all"
    )


def test_it_is_never_evaluated_as_code():
    with pytest.raises(ThematicaError):
        matching("__import__('os').system('true')")
