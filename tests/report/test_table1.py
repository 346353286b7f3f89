"""The demographics table through the Python API: hand-counted values, bins, order,
the table made without a spec, and every kind of bad spec."""

import csv
import io

import pytest

from tests.report.conftest import EXPECTED, EXPECTED_MD
from thematica import InvalidInput
from thematica.report.render_table import count_cell, fixed
from thematica.report.table1 import Bin, demographics, parse_spec, read_spec


def test_hand_counted_table(study, files):
    table = demographics(study, read_spec(files / "table1.toml"))
    assert table.n == 12
    assert table.as_dict() == EXPECTED
    assert table.to_markdown() == EXPECTED_MD
    age = table.variables[0]
    assert (age.column, age.type, age.present, age.missing) == ("age", "integer", 11, 1)
    assert age.shown == ("mean", "sd", "median", "range")
    assert round(age.summary.sd, 4) == 6.2012
    assert table.left_out == ()
    # A path is read as a spec too.
    assert demographics(study, files / "table1.toml") == table


def test_csv_and_html(sqlite_study, files):
    table = demographics(sqlite_study, files / "table1.toml")
    rows = list(csv.reader(io.StringIO(table.to_csv(), newline="")))
    assert rows[:4] == [
        ["Variable", "Characteristic", "n (%)"],
        ["Age (years)", "Mean (SD)", "28.6 (6.2)"],
        ["Age (years)", "Median", "28"],
        ["Age (years)", "Range", "19–40"],
    ]
    assert ["Ethnicity", "Missing", "1"] in rows
    assert rows[-1] == ["Number of children", "Missing", "1"]
    assert table.to_csv().startswith("Variable,Characteristic,n (%)\r\nAge (years),Mean (SD),")
    page = table.to_html()
    assert page.startswith('<table class="thematica-table1">\n<caption>Table 1. Mothers who')
    assert (
        '<tr><td style="padding-left: 1.5em">White Other</td>'
        '<td style="text-align: right">2 (18.2)</td></tr>'
    ) in page
    assert page.count("<tbody>") == 5 and page.endswith("</table>\n")


def test_html_and_markdown_escape_labels(sqlite_study):
    spec = parse_spec({"variable": [{"column": "partner", "label": "<b>Partner</b> & | kids"}]})
    table = demographics(sqlite_study, spec)
    assert "&lt;b&gt;Partner&lt;/b&gt; &amp; | kids</th>" in table.to_html()
    assert "<b>" not in table.to_html()
    assert "| **<b>Partner</b> & \\| kids** | |" in table.to_markdown()


def test_default_table_from_attribute_types(study):
    table = demographics(study)
    assert table.title == "Table 1. Participant characteristics"
    assert [(v.label, v.type) for v in table.variables] == [
        ("Age", "integer"),
        ("Education", "ordinal"),
        ("Partner", "boolean"),
        ("Children", "integer"),
        ("Ethnicity", "categorical"),
    ]
    md = table.to_markdown().splitlines()
    assert md[:9] == [
        "Table 1. Participant characteristics (N = 12)",
        "",
        "| Characteristic | n (%) |",
        "| :--- | ---: |",
        "| **Age** | |",
        "| \u00a0\u00a0Mean (SD) | 28.6 (6.2) |",
        "| \u00a0\u00a0Range | 19–40 |",
        "| \u00a0\u00a0Missing | 1 |",
        "| **Education** | |",
    ]
    # Numeric: a summary and no rows; categories unordered by a spec: most first, then A-Z.
    assert table.as_dict()["variables"][0]["rows"] == []
    assert [(r.category, r.n) for r in table.variables[4].rows] == [
        ("White British", 5),
        ("Asian", 2),
        ("Black Caribbean", 2),
        ("White Other", 2),
    ]
    assert "| \u00a0\u00a0Mean (SD) | 1.9 (1.0) |" in md


def test_default_table_leaves_out_free_text_dates_and_empty_columns(sqlite_project, tmp_path):
    rows = [f"{i},note number {i},2025-01-{i:02},,{'AB'[i % 2]},{'XY'[i % 2]}" for i in range(1, 7)]
    (tmp_path / "p.csv").write_text("id,notes,first_contact,empty,site,team\n" + "\n".join(rows))
    sqlite_project.cases.import_table(tmp_path / "p.csv", "id", types={"site": "text"})
    table = demographics(sqlite_project)
    # Repeated text is listed; text that differs for everyone is left out with a note.
    assert [v.label for v in table.variables] == ["Site", "Team"]
    assert [(r.category, r.n) for r in table.variables[0].rows] == [("A", 3), ("B", 3)]
    assert table.left_out == (
        "left out 'notes': free text, 6 different values among 6 participants "
        "(a spec can list them)",
        "left out 'first_contact': a date (a spec can list its values)",
        "left out 'empty': no participant has a value",
    )
    # A spec may still list free text and dates.
    spec = parse_spec({"variable": [{"column": "notes"}, {"column": "first_contact"}]})
    listed = demographics(sqlite_project, spec)
    assert [len(v.rows) for v in listed.variables] == [6, 6]
    assert listed.variables[1].rows[0].category == "2025-01-01"


def test_bins_are_inclusive_and_may_be_open(sqlite_project, tmp_path):
    (tmp_path / "p.csv").write_text("id,score\n1,25\n2,26\n3,30\n4,30.5\n5,99\n6,-4\n7,\n")
    sqlite_project.cases.import_table(tmp_path / "p.csv", "id")
    spec = {
        "variable": [
            {
                "column": "score",
                "bins": [
                    {"label": "up to 25", "max": 25},
                    {"label": "26 to 30", "min": 26, "max": 30},
                    {"label": "31 and over", "min": 31},
                ],
            }
        ]
    }
    with pytest.raises(InvalidInput) as error:
        demographics(sqlite_project, parse_spec(spec))
    assert str(error.value) == (
        "spec, variable 1 (score): Mother 4 has score 30.5, which falls in no bin; "
        'add a bin for it, or a row for such values with other = "Other"'
    )
    spec["variable"][0]["other"] = "Other"
    score = demographics(sqlite_project, parse_spec(spec)).variables[0]
    assert [(r.category, r.n) for r in score.rows] == [
        ("up to 25", 2),  # -4 and 25: no lower limit, max inclusive
        ("26 to 30", 2),  # 26 and 30: both limits inclusive
        ("31 and over", 1),  # 99: no upper limit
        ("Other", 1),  # 30.5
    ]
    assert (score.present, score.missing, score.shown) == (6, 1, ())
    assert score.summary.min == -4.0 and score.summary.max == 99.0
    # An Other row shows only when a value falls outside every bin.
    spec["variable"][0]["bins"][1]["max"] = 30.9
    score = demographics(sqlite_project, parse_spec(spec)).variables[0]
    assert [r.category for r in score.rows] == ["up to 25", "26 to 30", "31 and over"]
    assert Bin("x", min=1).holds(1) and not Bin("x", max=1).holds(1.01)


def test_order_rename_and_unlisted_categories(sqlite_project, tmp_path):
    values = ["none", "past", "current", "none", "unknown", "past", "none", "other", "other"]
    rows = "\n".join(f"{i},{v}" for i, v in enumerate(values, 1))
    (tmp_path / "p.csv").write_text("id,cp\n" + rows + "\n10,\n")
    sqlite_project.cases.import_table(tmp_path / "p.csv", "id")
    spec = parse_spec(
        {
            "variable": [
                {
                    "column": "cp",
                    "order": ["Current", "Never asked", "None"],
                    "rename": {"none": "None", "current": "Current", "unknown": "Not known"},
                }
            ]
        }
    )
    cp = demographics(sqlite_project, spec).variables[0]
    # Listed first, in order (even with no one in it); then the most frequent, then by name.
    assert [(r.category, r.n) for r in cp.rows] == [
        ("Current", 1),
        ("Never asked", 0),
        ("None", 3),
        ("other", 2),
        ("past", 2),
        ("Not known", 1),
    ]
    assert cp.missing == 1
    assert cp.rows[2].percent == 100 * 3 / 9


def test_rename_merges_categories_and_ordinal_levels_keep_their_order(study):
    spec = parse_spec(
        {
            "variable": [
                {
                    "column": "education",
                    "rename": {"None": "GCSEs or less", "GCSEs": "GCSEs or less"},
                },
                {"column": "education", "order": ["Degree"]},
                {"column": "partner", "order": ["No"]},
            ]
        }
    )
    merged, ordered, partner = demographics(study, spec).variables
    assert [(r.category, r.n) for r in merged.rows] == [
        ("GCSEs or less", 3),
        ("A levels", 2),
        ("Degree", 4),
        ("Postgraduate", 2),
    ]
    assert [r.category for r in ordered.rows] == [
        "Degree",
        "None",
        "GCSEs",
        "A levels",
        "Postgraduate",
    ]
    assert [(r.category, r.n) for r in partner.rows] == [("No", 4), ("Yes", 7)]


def test_summary_formats_and_rounding():
    assert count_cell(5, 11) == "5 (45.5)"
    assert count_cell(1, 16) == "1 (6.3)"  # 6.25 rounds half up, as papers do
    assert count_cell(0, 0) == "0"
    assert fixed(28.65) == "28.7" and fixed(0.25) == "0.3" and fixed(None) == "–"


def test_summary_statistics_shown(sqlite_project, tmp_path):
    (tmp_path / "p.csv").write_text("id,age\n1,20\n2,23\n3,24\n4,31\n")
    sqlite_project.cases.import_table(tmp_path / "p.csv", "id")
    spec = parse_spec({"variable": [{"column": "age", "summary": ["median", "sd"]}]})
    md = demographics(sqlite_project, spec).to_markdown()
    assert "| \u00a0\u00a0Median | 23.5 |\n| \u00a0\u00a0SD | 4.7 |\n" in md
    assert "Missing" not in md and "Percentages" not in md
    one = parse_spec({"variable": [{"column": "age", "summary": ["mean", "sd"]}]})
    (tmp_path / "q.csv").write_text("id,age\n1,20\n")
    sqlite_project.cases.import_table(tmp_path / "q.csv", "id")
    table = demographics(sqlite_project, one)
    assert "Mean (SD) | 24.5 (4.7)" in table.to_markdown()


def test_no_participants(sqlite_project):
    with pytest.raises(InvalidInput, match="^the project has no participants yet; import"):
        demographics(sqlite_project)


BAD_SPECS = [
    (
        '[[variable]]\ncolumn = "agee"\n',
        "bad.toml, variable 1 (agee): unknown column 'agee' (did you mean 'age'?); the "
        "participants' attributes are: age, education, partner, children, ethnicity",
    ),
    (
        '[[variable]]\ncolumn = "religion"\n',
        "bad.toml, variable 1 (religion): unknown column 'religion'; the participants' "
        "attributes are: age, education, partner, children, ethnicity",
    ),
    (
        '[[variable]]\ncolumn = "age"\nlabel = Age\n',
        "bad.toml is not valid TOML: Invalid value (at line 3, column 9)",
    ),
    (
        '[[variable]]\ncolumn = "age"\n'
        'bins = [{label = "young", max = 25}, {label = "mid", min = 20, max = 30}]\n',
        "bad.toml, variable 1 (age): bins 'young' and 'mid' overlap "
        "(20 to 25 falls in both; min and max are inclusive)",
    ),
    (
        '[[variable]]\ncolumn = "age"\nbins = [{label = "a", max = 25}, {label = "b", min = 25}]\n',
        "bad.toml, variable 1 (age): bins 'a' and 'b' overlap "
        "(25 falls in both; min and max are inclusive)",
    ),
    (
        '[[variable]]\ncolumn = "age"\nbins = [{label = "a", min = 1}, {label = "b", min = 5}]\n',
        "bad.toml, variable 1 (age): bins 'a' and 'b' overlap "
        "(everything from 5 falls in both; min and max are inclusive)",
    ),
    (
        '[[variable]]\ncolumn = "ethnicity"\nbins = [{label = "a", max = 1}]\n',
        "bad.toml, variable 1 (ethnicity): bins need a numeric column, and 'ethnicity' is "
        "categorical, not numeric",
    ),
    (
        '[[variable]]\ncolumn = "partner"\nsummary = ["mean"]\n',
        "bad.toml, variable 1 (partner): summary statistics need a numeric column, and "
        "'partner' is boolean, not numeric",
    ),
    (
        '[[variable]]\ncolumn = "age"\norder = ["20"]\n',
        "bad.toml, variable 1 (age): order is for categories, and 'age' is a number; give "
        "bins to count it in categories",
    ),
    (
        '[[variable]]\ncolumn = "age"\nbin = []\n',
        "bad.toml, variable 1 (age): unknown key 'bin' (did you mean 'bins'?); a variable "
        "takes column, label, bins, summary, order, rename, other",
    ),
    (
        'titel = "T"\n[[variable]]\ncolumn = "age"\n',
        "bad.toml: unknown key 'titel' (did you mean 'title'?); a spec takes title, variable",
    ),
    (
        '[[variable]]\ncolumn = "age"\nsummary = ["meen"]\n',
        "bad.toml, variable 1 (age): unknown summary statistic 'meen' (did you mean 'mean' or "
        "'median'?); "
        "choose from mean, sd, median, range",
    ),
    (
        '[[variable]]\nlabel = "Age"\n',
        'bad.toml, variable 1: needs a column, e.g. column = "age"',
    ),
    (
        'title = "Table 1"\n',
        'bad.toml: no variables; list them as [[variable]] tables, each with column = "..."',
    ),
    (
        '[[variable]]\ncolumn = "age"\nbins = [{label = "a", min = 30, max = 20}]\n',
        "bad.toml, variable 1 (age): bin 'a' has min 30 above max 20",
    ),
    (
        '[[variable]]\ncolumn = "age"\nbins = [{label = "a"}]\n',
        "bad.toml, variable 1 (age): bin 'a' needs a min, a max or both",
    ),
    (
        '[[variable]]\ncolumn = "age"\nbins = [{label = "a", max = "20"}]\n',
        "bad.toml, variable 1 (age): bin 'a' has a max that is not a number",
    ),
    (
        '[[variable]]\ncolumn = "age"\nbins = [{label = "a", max = 2}, {label = "a", min = 3}]\n',
        "bad.toml, variable 1 (age): two bins are labelled 'a'",
    ),
    (
        '[[variable]]\ncolumn = "age"\nbins = [{max = 2}]\n',
        'bad.toml, variable 1 (age): every bin needs a label, e.g. {label = "26-30", min = 26, '
        "max = 30}",
    ),
    (
        '[[variable]]\ncolumn = "age"\nother = "Other"\n',
        "bad.toml, variable 1 (age): other names the row for values outside every bin; give bins",
    ),
    (
        '[[variable]]\ncolumn = "age"\nbins = [{label = "a", max = 2}]\norder = ["a"]\n',
        "bad.toml, variable 1 (age): order is for categories; bins show in the order listed",
    ),
    (
        '[[variable]]\ncolumn = "ethnicity"\norder = ["A", "A"]\n',
        "bad.toml, variable 1 (ethnicity): order lists 'A' twice",
    ),
    (
        '[[variable]]\ncolumn = "ethnicity"\norder = "White British"\n',
        'bad.toml, variable 1 (ethnicity): order must be a list of strings, e.g. order = ["a", "b"]',
    ),
    (
        '[[variable]]\ncolumn = "age"\nrename = {"20" = "twenty"}\n',
        "bad.toml, variable 1 (age): rename is for categories, and 'age' is a number; bins "
        "take their own labels",
    ),
    (
        '[[variable]]\ncolumn = "age"\n[[variable]]\ncolumn = "age"\nlabel = 3\n',
        "bad.toml, variable 2 (age): label must be a non-empty string",
    ),
    (b'[[variable]]\ncolumn = "\xe9"\n', "bad.toml is not valid TOML: it is not UTF-8 text"),
]


@pytest.mark.parametrize(("text", "message"), BAD_SPECS)
def test_bad_specs_are_one_clear_error(sqlite_study, files, text, message):
    path = files / "bad.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as error:
        demographics(sqlite_study, read_spec("bad.toml"))
    assert str(error.value) == message
    assert "\n" not in message


def test_missing_spec_file(tmp_path):
    with pytest.raises(InvalidInput, match="^spec file 'nope.toml' not found$"):
        read_spec("nope.toml")
