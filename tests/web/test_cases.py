"""The cases screen through the app's test client: the attribute table sorted on the
server, one cell changed per request (one audit event, undone by Undo), refused values
that change nothing, and the Table 1 preview with the spec kept in the project."""

import re
from urllib.parse import unquote

import pytest

from tests.conftest import DEMO
from tests.web.test_security import snapshot
from thematica.report.table1 import demographics, read_spec, stored_spec_text
from thematica.web.reports import preview_html

TOKEN = {"X-CSRF-Token": "test-token"}
HTMX = {**TOKEN, "HX-Request": "true"}
ROW = re.compile(r'<th scope="row" id="case-\d+">(Mother \d+)')
BY_KEY = [f"Mother {n}" for n in (1, 2, 3, 5, 6, 8, 10, 11, 12, 14, 15, 17)]
NO_SOURCE = [f"Mother {n}" for n in (3, 6, 8, 10, 11, 12, 14, 15, 17)]
BY_AGE = [f"Mother {n}" for n in (3, 10, 1, 17, 12, 6, 15, 2, 8, 14, 5, 11)]


def order(page):
    return ROW.findall(page)


def change(client, case, attribute, value, headers=HTMX):
    return client.post(
        "/cases/values",
        data={"case": case, "attribute": attribute, "value": value, "next": "/cases?sort=-age"},
        headers=headers,
    )


def cell(page, number, column):
    """The value a cell's field shows: an input's value, or a select's chosen option."""
    form = re.search(rf'<form id="cell-{number}-{column}".*?</form>', page, re.S).group(0)
    chosen = re.search(r"<option selected>([^<]*)</option>", form)
    return (
        chosen.group(1) if chosen else re.search(r'name="value"[^>]*value="([^"]*)"', form).group(1)
    )


def test_every_case_with_typed_attributes_and_sources(client, demo):
    page = client.get("/cases").text
    assert order(page) == BY_KEY
    assert 'aria-current="page">Cases</a>' in page
    headings = [
        re.search(r'class="sort"[^>]*>([^<]*)<.*?class="attr-type">([^<]*)<', th, re.S).groups()
        for th in re.findall(r'<th scope="col"[^>]*>.*?</th>', page, re.S)
        if "attr-type" in th
    ]
    assert headings == [
        ("age", "integer"),
        ("ethnicity", "text"),
        ("location", "categorical"),
        ("primary_diagnosis", "categorical"),
        ("highest_education", "ordinal, 6 levels"),
        ("living_with_partner", "boolean"),
        ("number_of_children", "integer"),
        ("child_protection", "categorical"),
    ]
    # Mother 3 is the third case imported: her cells are cell-2-*.
    assert (cell(page, 2, 0), cell(page, 2, 4), cell(page, 2, 5)) == (
        "19",
        "No formal qualifications",
        "no",
    )
    assert 'href="/sources/interview-05.txt">interview-05.txt</a>' in page
    assert page.count("none linked") == 9  # three of the twelve have a transcript here
    # Ordinal and yes/no cells are menus of their values; categorical ones suggest theirs.
    assert "<option selected>Postgraduate</option>" in page
    assert (
        '<datalist id="choices-2"><option value="Rural"><option value="Town"><option value="Urban">'
        in page
    )
    # Nothing that the page's Content-Security-Policy would refuse.
    assert "style=" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("age", BY_AGE),
        ("-age", BY_AGE[::-1]),
        ("-case", BY_KEY[::-1]),
        # Ordinal values sort by their levels, not their names; ties keep the case order.
        (
            "highest_education",
            [f"Mother {n}" for n in (3, 1, 10, 17, 6, 12, 2, 8, 14, 15, 5, 11)],
        ),
        # Cases without a source come last either way round, as do those without a value.
        ("sources", [f"Mother {n}" for n in (1, 2, 5)] + NO_SOURCE),
        ("-sources", [f"Mother {n}" for n in (5, 2, 1)] + NO_SOURCE),
        (
            "living_with_partner",
            [f"Mother {n}" for n in (3, 10, 12, 1, 2, 5, 6, 8, 11, 14, 15, 17)],
        ),
    ],
)
def test_sorted_on_the_server(client, sort, expected):
    page = client.get(f"/cases?sort={sort}").text
    assert order(page) == expected
    column = sort.removeprefix("-")
    state = "descending" if sort.startswith("-") else "ascending"
    heading = re.search(r'<th scope="col" aria-sort="(\w+)">\s*<button[^>]*value="([^"]*)"', page)
    # The sorted column's button sorts the other way; it keeps the focus after the reload.
    assert heading.groups() == (state, column if sort.startswith("-") else f"-{column}")
    assert page.count("aria-sort=") == 1
    assert page.count(" autofocus") == 1


def test_a_case_without_a_value_comes_last_both_ways(client, demo):
    demo.cases.set_value("Mother 11", "age", "")
    assert order(client.get("/cases?sort=age").text)[-1] == "Mother 11"
    assert order(client.get("/cases?sort=-age").text)[-1] == "Mother 11"


@pytest.mark.parametrize("sort", ["height", "-", "--age", "Age"])
def test_an_unknown_sort_column_is_refused(client, sort):
    response = client.get("/cases", params={"sort": sort}, headers={"X-Thematica": "fetch"})
    assert response.status_code == 400
    assert response.text.startswith(
        f"cannot sort by {sort.removeprefix('-')!r}: choose one of case, age, ethnicity"
    )
    assert "\n" not in response.text


def test_a_changed_cell_is_one_event_and_undo_reverts_it(client, demo):
    before = len(demo.log(None))
    response = change(client, "3", "age", " 21 ")
    assert response.status_code == 200
    assert demo.cases.get("Mother 3").attributes["age"] == 21
    event = demo.log(1)[0]
    assert (event.action, event.target, event.before, event.after) == (
        "set attribute",
        "Mother 3: age",
        {"age": "19"},
        {"age": "21"},
    )
    assert len(demo.log(None)) == before + 1
    # What the page's script swaps in: the cell, Table 1, the undo button, the message.
    page = response.text
    assert cell(page, 2, 0) == "21"
    assert (
        '<p id="flash" class="flash" role="status" aria-live="polite">Mother 3’s age is now 21.</p>'
        in page
    )
    assert 'Undo <span class="undo-what">set attribute Mother 3: age</span>' in page
    assert 'id="table1"' in page
    # Drawn as the page it goes into: Undo and the cells go back to the sorted table.
    assert '<input type="hidden" name="next" value="/cases?sort=-age">' in page
    assert 'value="/cases/values"' not in page
    assert client.post("/undo", data={"next": "/cases"}, headers=TOKEN).status_code == 303
    assert demo.cases.get("Mother 3").attributes["age"] == 19


def test_a_cell_changed_without_script_goes_back_to_the_table(client, demo):
    response = change(client, "Mother 3", "highest_education", "A levels", headers=TOKEN)
    assert response.status_code == 303
    assert response.headers["location"] == "/cases?sort=-age"
    assert (
        unquote(response.cookies["thematica_flash"])
        == "Mother 3’s highest_education is now A levels."
    )
    assert demo.cases.get("Mother 3").attributes["highest_education"] == "A levels"


@pytest.mark.parametrize(
    ("attribute", "value", "stored"),
    [
        ("living_with_partner", "Yes", True),
        ("number_of_children", "", None),
        ("ethnicity", "White Scottish", "White Scottish"),
        ("location", "Village", "Village"),  # categorical: any value
    ],
)
def test_each_type_takes_its_values(client, demo, attribute, value, stored):
    assert change(client, "3", attribute, value).status_code == 200
    assert demo.cases.get("3").attributes[attribute] == stored


def test_the_same_value_again_changes_nothing(client, demo):
    before = snapshot(demo)
    response = change(client, "3", "age", "19")
    assert response.status_code == 200
    assert "Mother 3’s age was already 19: nothing changed." in response.text
    assert snapshot(demo) == before


@pytest.mark.parametrize(
    ("case", "attribute", "value", "status", "message"),
    [
        (
            "3", "age", "nineteen", 400,
            "Mother 3's age: 'nineteen' is not an integer; type one, or leave the cell empty for no value",
        ),
        ("3", "age", "19.5", 400, "Mother 3's age: '19.5' is not an integer"),
        (
            "3", "highest_education", "PhD", 400,
            "Mother 3's highest_education: 'PhD' is not one of 'No formal qualifications', 'GCSEs',",
        ),
        ("3", "living_with_partner", "maybe", 400, "Mother 3's living_with_partner: 'maybe' is not yes or no"),
        ("Mother 4", "age", "30", 404, "unknown case 'Mother 4' (did you mean"),
        ("3", "height", "160", 404, "unknown attribute 'height'"),
    ],
)  # fmt: skip
def test_a_refused_value_changes_nothing(client, demo, case, attribute, value, status, message):
    before = snapshot(demo)
    response = change(client, case, attribute, value, headers={**HTMX, "X-Thematica": "fetch"})
    assert response.status_code == status
    assert response.text.startswith(message)
    assert "\n" not in response.text
    assert snapshot(demo) == before


def test_a_change_without_the_csrf_token_is_refused(client, demo):
    before = snapshot(demo)
    response = client.post("/cases/values", data={"case": "3", "attribute": "age", "value": "30"})
    assert response.status_code == 403
    assert "security token" in response.text
    assert snapshot(demo) == before


# -- Table 1 ---------------------------------------------------------------------------------


def test_table1_preview_is_the_cli_table_made_fit_for_the_page(client, demo):
    page = client.get("/cases").text
    table = demographics(demo)
    assert str(preview_html(table.to_html())) in page
    assert "Table 1. Participant characteristics (N = 12)" in page
    assert "by each attribute’s type: no spec is kept in the project" in page
    assert "Notes on Table 1" not in page
    # The default table leaves out free text that hardly repeats, and says so.
    for key, words in (("1", "Irish Traveller"), ("3", "Roma"), ("8", "Other")):
        demo.cases.set_value(key, "ethnicity", words)
    page = client.get("/cases").text
    assert "<li>left out &#39;ethnicity&#39;: free text, 11 different values among 12" in page


def test_a_kept_spec_lays_out_the_table_and_undo_drops_it(client, demo):
    spec = (DEMO / "table1.toml").read_text(encoding="utf-8")
    response = client.post("/cases/table1-spec", data={"spec": spec}, headers=HTMX)
    assert response.status_code == 204
    assert unquote(response.cookies["thematica_flash"]) == (
        "Table 1 now follows the project’s spec: 8 variables."
    )
    assert stored_spec_text(demo) == spec
    page = client.get("/cases").text
    assert str(preview_html(demographics(demo, read_spec(DEMO / "table1.toml")).to_html())) in page
    assert '<td class="indent-2">35 and over</td><td class="num">2 (16.7)</td>' in page
    assert demo.log(1)[0].action == "set table1 spec"
    client.post("/undo", data={"next": "/cases"}, headers=TOKEN)
    assert stored_spec_text(demo) == ""
    client.post("/cases/table1-spec", data={"spec": spec}, headers=HTMX)
    client.post("/cases/table1-spec", data={"spec": ""}, headers=HTMX)
    assert stored_spec_text(demo) == ""
    assert "Table 1 is now laid out by attribute type." in client.get("/cases").text


def test_a_change_of_value_shows_in_table1(client, demo):
    client.post(
        "/cases/table1-spec", data={"spec": (DEMO / "table1.toml").read_text()}, headers=HTMX
    )
    response = change(client, "Mother 3", "location", "Rural")
    table = re.search(r'<div id="table1".*?</div>', response.text, re.S).group(0)
    assert '<td class="indent-2">Rural</td><td class="num">3 (25.0)</td>' in table
    # A value the kept spec has no bin for: the table says why it cannot be built.
    response = change(client, "Mother 3", "age", "17")
    assert (
        "Table 1 cannot be built: the project&#39;s Table 1 spec, variable 1 (age): Mother 3 has age 17, which falls in no bin"
        in response.text
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("[[variable]\n", "the project's Table 1 spec is not valid TOML: "),
        (
            '[[variable]]\ncolumn = "height"\n',
            "the project's Table 1 spec, variable 1 (height): unknown column 'height'",
        ),
        (
            '[[variable]]\ncolumn = "age"\nbins = [{label = "young", max = 20}]\n',
            "Mother 1 has age 24, which falls in no bin",
        ),
        ('title = "T"\n', "the project's Table 1 spec: no variables"),
    ],
)
def test_a_bad_spec_is_refused_and_nothing_is_kept(client, demo, spec, message):
    before = snapshot(demo)
    response = client.post(
        "/cases/table1-spec", data={"spec": spec}, headers={**HTMX, "X-Thematica": "fetch"}
    )
    assert response.status_code == 400
    assert message in response.text
    assert "\n" not in response.text
    assert snapshot(demo) == before


def test_a_project_without_participants(tmp_path):
    import warnings

    from tests.web.conftest import BASE
    from thematica import create_project
    from thematica.web import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    project = create_project(tmp_path / "empty.thematica", actor="Hannah")
    with project, TestClient(create_app(project, port=None), base_url=BASE) as client:
        page = client.get("/cases").text
        assert "0 participants, 0 attributes" in page
        assert "No participants yet" in page
        assert "Table 1 cannot be built: the project has no participants yet" in page
        assert client.get("/cases?sort=-sources").status_code == 200
        report = client.get("/report").text
        assert "<li>no participants: the demographics table is left out</li>" in report
        assert "<h2>empty: results</h2>" in report
