"""A small study whose Table 1 is counted by hand (see the comments) and its spec."""

from pathlib import Path

import pytest

EDUCATION = "ordinal:None|GCSEs|A levels|Degree|Postgraduate"

# Twelve participants; each column but the id has one empty cell.
PARTICIPANTS = """\
id,age,education,partner,children,ethnicity
1,24,GCSEs,yes,1,White British
2,31,Degree,yes,2,Black Caribbean
3,19,GCSEs,no,1,White British
4,36,Postgraduate,yes,3,White Other
5,,A levels,yes,1,White British
6,28,Degree,,2,Asian
7,22,,no,1,White Other
8,40,Postgraduate,yes,4,White British
9,27,A levels,no,2,Black Caribbean
10,33,Degree,yes,,White British
11,25,Degree,yes,1,
12,30,GCSEs,no,3,Asian
"""

SPEC = """\
title = "Table 1. Mothers who took part"

[[variable]]
column = "age"
label = "Age (years)"
bins = [{label = "≤ 25", max = 25}, {label = "26-30", min = 26, max = 30}, {label = "31+", min = 31}]
summary = ["mean", "sd", "median", "range"]

[[variable]]
column = "ethnicity"
label = "Ethnicity"
order = ["White British", "White Other", "Black Caribbean"]

[[variable]]
column = "education"
label = "Highest education"

[[variable]]
column = "partner"
label = "Living with a partner"

[[variable]]
column = "children"
label = "Number of children"
bins = [{label = "1", max = 1}, {label = "2", min = 2, max = 2}, {label = "3+", min = 3}]
summary = ["median"]
"""


def pct(n):
    """Percent of the 11 participants with a value (every variable misses one)."""
    return 100 * n / 11


# Counted by hand from PARTICIPANTS.
# Age, 11 values: 19 22 24 25 | 27 28 30 | 31 33 36 40; sum 315, sum of squares 9405.
# Children, 11 values: 1 x5, 2 x3, 3 x2, 4 x1; sum 21, sum of squares 51.
# Ethnicity: White British 1 3 5 8 10; White Other 4 7; Black Caribbean 2 9; Asian 6 12.
# Education: GCSEs 1 3 12; A levels 5 9; Degree 2 6 10 11; Postgraduate 4 8; None nobody.
# Partner: yes 1 2 4 5 8 10 11; no 3 7 9 12.
AGE_SD = ((9405 - 315**2 / 11) / 10) ** 0.5  # 6.2012
CHILDREN_SD = ((51 - 21**2 / 11) / 10) ** 0.5  # 1.0445

EXPECTED = {
    "n": 12,
    "variables": [
        {
            "label": "Age (years)",
            "rows": [
                {"category": "≤ 25", "n": 4, "percent": pct(4)},
                {"category": "26-30", "n": 3, "percent": pct(3)},
                {"category": "31+", "n": 4, "percent": pct(4)},
            ],
            "missing": 1,
            "summary": {
                "mean": 315 / 11,
                "sd": pytest.approx(AGE_SD, rel=1e-12),
                "median": 28,
                "min": 19,
                "max": 40,
            },
        },
        {
            "label": "Ethnicity",
            "rows": [
                {"category": "White British", "n": 5, "percent": pct(5)},
                {"category": "White Other", "n": 2, "percent": pct(2)},
                {"category": "Black Caribbean", "n": 2, "percent": pct(2)},
                {"category": "Asian", "n": 2, "percent": pct(2)},
            ],
            "missing": 1,
        },
        {
            "label": "Highest education",
            "rows": [
                {"category": "None", "n": 0, "percent": 0.0},
                {"category": "GCSEs", "n": 3, "percent": pct(3)},
                {"category": "A levels", "n": 2, "percent": pct(2)},
                {"category": "Degree", "n": 4, "percent": pct(4)},
                {"category": "Postgraduate", "n": 2, "percent": pct(2)},
            ],
            "missing": 1,
        },
        {
            "label": "Living with a partner",
            "rows": [
                {"category": "Yes", "n": 7, "percent": pct(7)},
                {"category": "No", "n": 4, "percent": pct(4)},
            ],
            "missing": 1,
        },
        {
            "label": "Number of children",
            "rows": [
                {"category": "1", "n": 5, "percent": pct(5)},
                {"category": "2", "n": 3, "percent": pct(3)},
                {"category": "3+", "n": 3, "percent": pct(3)},
            ],
            "missing": 1,
            "summary": {
                "mean": 21 / 11,
                "sd": pytest.approx(CHILDREN_SD, rel=1e-12),
                "median": 2,
                "min": 1,
                "max": 4,
            },
        },
    ],
}

# The same table as Markdown; category rows are indented with two no-break spaces.
EXPECTED_MD = """\
Table 1. Mothers who took part (N = 12)

| Characteristic | n (%) |
| :--- | ---: |
| **Age (years)** | |
| \u00a0\u00a0Mean (SD) | 28.6 (6.2) |
| \u00a0\u00a0Median | 28 |
| \u00a0\u00a0Range | 19–40 |
| \u00a0\u00a0≤ 25 | 4 (36.4) |
| \u00a0\u00a026-30 | 3 (27.3) |
| \u00a0\u00a031+ | 4 (36.4) |
| \u00a0\u00a0Missing | 1 |
| **Ethnicity** | |
| \u00a0\u00a0White British | 5 (45.5) |
| \u00a0\u00a0White Other | 2 (18.2) |
| \u00a0\u00a0Black Caribbean | 2 (18.2) |
| \u00a0\u00a0Asian | 2 (18.2) |
| \u00a0\u00a0Missing | 1 |
| **Highest education** | |
| \u00a0\u00a0None | 0 (0.0) |
| \u00a0\u00a0GCSEs | 3 (27.3) |
| \u00a0\u00a0A levels | 2 (18.2) |
| \u00a0\u00a0Degree | 4 (36.4) |
| \u00a0\u00a0Postgraduate | 2 (18.2) |
| \u00a0\u00a0Missing | 1 |
| **Living with a partner** | |
| \u00a0\u00a0Yes | 7 (63.6) |
| \u00a0\u00a0No | 4 (36.4) |
| \u00a0\u00a0Missing | 1 |
| **Number of children** | |
| \u00a0\u00a0Median | 2 |
| \u00a0\u00a01 | 5 (45.5) |
| \u00a0\u00a02 | 3 (27.3) |
| \u00a0\u00a03+ | 3 (27.3) |
| \u00a0\u00a0Missing | 1 |

Percentages are of participants with a value recorded; Missing counts the others.
"""


@pytest.fixture
def files(tmp_path):
    """participants.csv and table1.toml of the hand-counted study, in the test's folder."""
    (tmp_path / "participants.csv").write_text(PARTICIPANTS, encoding="utf-8")
    (tmp_path / "table1.toml").write_text(SPEC, encoding="utf-8")
    return tmp_path


def load(project, folder: Path):
    project.cases.import_table(
        folder / "participants.csv", id_column="id", types={"education": EDUCATION}
    )
    return project


@pytest.fixture
def study(project, files):
    """The hand-counted study on each backend."""
    return load(project, files)


@pytest.fixture
def sqlite_study(sqlite_project, files):
    return load(sqlite_project, files)
