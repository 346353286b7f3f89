"""The demo study's Table 1 (examples/parent-infant-study/table1.toml) against its CSV."""

import csv
import statistics
from collections import Counter

from tests.conftest import DEMO, REPO
from thematica.report.table1 import demographics

EDUCATION = "ordinal:No formal qualifications|GCSEs|Vocational (NVQ)|A levels|Degree|Postgraduate"


def test_demo_table1_counts_match_the_csv(project):
    with (DEMO / "participants.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    project.cases.import_table(
        DEMO / "participants.csv", id_column="id", types={"highest_education": EDUCATION}
    )
    table = demographics(project, DEMO / "table1.toml")
    shown = {v.label: {r.category: r.n for r in v.rows} for v in table.variables}
    assert table.n == len(rows) == 12
    assert all(v.missing == 0 for v in table.variables)

    ages = [int(r["age"]) for r in rows]
    assert shown["Age (years)"] == {
        "18–24": sum(18 <= a <= 24 for a in ages),
        "25–29": sum(25 <= a <= 29 for a in ages),
        "30–34": sum(30 <= a <= 34 for a in ages),
        "35 and over": sum(a >= 35 for a in ages),
    }
    age = table.variables[0].summary
    assert (age.mean, age.min, age.max) == (statistics.mean(ages), min(ages), max(ages))

    location = Counter(r["location"] for r in rows)
    assert shown["Area of residence"] == {k: location[k] for k in ("Urban", "Town", "Rural")}
    assert list(shown["Area of residence"]) == ["Urban", "Town", "Rural"]
    partner = Counter(r["living_with_partner"] for r in rows)
    assert shown["Living with a partner"] == {"Yes": partner["yes"], "No": partner["no"]}
    protection = Counter(r["child_protection"] for r in rows)
    assert shown["Child protection involvement"] == {
        "None": protection["none"],
        "Past": protection["past"],
        "Current": protection["current"],
    }
    children = Counter(min(int(r["number_of_children"]), 3) for r in rows)
    assert shown["Number of children"] == {
        "1": children[1],
        "2": children[2],
        "3 or more": children[3],
    }
    white_british = sum(r["ethnicity"] == "White British" for r in rows)
    assert shown["Ethnicity"]["White British"] == white_british
    assert sum(shown["Ethnicity"].values()) == len(rows)
    education = Counter(r["highest_education"] for r in rows)
    assert shown["Highest educational qualification"] == {
        level: education[level] for level in EDUCATION.removeprefix("ordinal:").split("|")
    }
    assert table.to_markdown().startswith("Table 1. Participant characteristics (N = 12)\n")


def test_docs_show_the_demo_table_as_printed(sqlite_project):
    sqlite_project.cases.import_table(
        DEMO / "participants.csv", id_column="id", types={"highest_education": EDUCATION}
    )
    table = demographics(sqlite_project, DEMO / "table1.toml")
    docs = (REPO / "docs" / "report.md").read_text(encoding="utf-8")
    command = "$ thematica table1 --spec examples/parent-infant-study/table1.toml\n"
    assert command + table.to_markdown() + "```\n" in docs
    spec = (DEMO / "table1.toml").read_text(encoding="utf-8")
    assert "```toml\n" + spec + "```\n" in docs
