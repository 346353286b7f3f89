"""Blind coding, enforced by the server: a blind coder's requests never show other
coders' codings (or memos on them) of the double-coded sources, on any page, fragment,
download or report. On PostgreSQL."""

import re

import pytest

from tests.team.conftest import DOUBLE, MARKER
from tests.team.test_access import api_routes, declared, url
from thematica.agreement.double_coding import pick, set_blind
from thematica.team.permissions import Permission


@pytest.fixture
def blind_dev(team_project):
    pick(team_project, [DOUBLE])
    set_blind(team_project, "Dev")
    return team_project


def hidden_ids(project):
    """What of Lena's work on the double-coded source must not reach Dev."""
    lenas = project.codings_made["Lena", DOUBLE]
    quote = project.themes.quotes()[0]
    return [
        f'id="coding-{lenas.id}"',
        f'class="coding" data-id="{lenas.id}"',
        f"coding {lenas.id}",
        f'id="quote-{quote.id}"',
    ]


def test_every_page_as_a_blind_coder_leaves_out_the_others_work(team, team_app, blind_dev):
    lenas = blind_dev.codings_made["Lena", DOUBLE]
    values = {
        "name": DOUBLE,
        "source": DOUBLE,
        "code_id": blind_dev.codes.get("Warmth").id,
        "coding_id": lenas.id,
        "memo_id": 1,
        "item_id": 1,
        "quote_id": 1,
        "number": 1,
    }
    queries = [
        "",
        "?coder=*",
        "?coder=Lena",
        f"?source={DOUBLE}&start=0&end=400&coder=Lena",  # suggestions for a selection
        f"?coding={lenas.id}",  # more like Lena's coding
        "?format=md&coder=Lena",  # the report's download
    ]
    # What Lena's work looks like on the pages, seen by Lena: the check can fail.
    lena_sees = team("Lena").get(f"/sources/{DOUBLE}?coder=*").text
    assert MARKER in lena_sees and all(h in lena_sees for h in hidden_ids(blind_dev)[:2])
    assert f'id="quote-{blind_dev.themes.quotes()[0].id}"' in team("Lena").get("/themes").text
    dev = team("Dev")
    fetched = 0
    for route in api_routes(team_app):
        if "GET" not in route.methods or declared(route) == [Permission.PUBLIC]:
            continue
        for query in queries:
            for headers in ({}, {"X-Thematica": "fetch"}):
                answer = dev.get(url(route.path, values) + query, headers=headers)
                body = answer.content.decode("utf-8", "replace")
                assert MARKER not in body, (route.path, query)
                for hidden in hidden_ids(blind_dev):
                    assert hidden not in body, (route.path, query, hidden)
                fetched += 1
    assert fetched > 150
    # Dev's own work on the source is there.
    own = dev.get(f"/sources/{DOUBLE}?coder=*").text
    assert f'id="coding-{blind_dev.codings_made["Dev", DOUBLE].id}"' in own


def test_screens_of_every_coders_work_are_refused_while_blind(team, blind_dev):
    for path in ("/agreement", "/report", "/report/download?format=md"):
        answer = team("Dev").get(path)
        assert answer.status_code == 403, path
        assert "Dev is coding blind" in answer.text
    assert team("Lena").get("/agreement").status_code == 200


def test_a_blind_coder_cannot_reach_the_others_work_by_id(team, blind_dev):
    lenas = blind_dev.codings_made["Lena", DOUBLE]
    memo = next(m for m in blind_dev.memos.list() if m.kind == "coding")
    assert team.post("Dev", f"/codings/{lenas.id}/remove").status_code == 404
    assert team.post("Dev", f"/memos/{memo.id}/edit", {"text": "x"}).status_code == 404
    assert blind_dev.memos.get(memo.id).text.startswith(MARKER)


def test_the_dashboards_activity_shows_a_blind_coder_only_their_own(team, blind_dev):
    page = team("Dev").get("/").text
    assert '<span class="actor">Lena</span>' not in page
    assert '<span class="actor">Lena</span>' in team("Vera").get("/").text


def test_once_the_blind_is_lifted_the_others_work_shows(team, blind_dev):
    set_blind(blind_dev, "Dev", blind=False)
    assert MARKER in team("Dev").get(f"/sources/{DOUBLE}?coder=*").text


def test_another_coders_work_does_not_change_a_blind_coders_screens(team, blind_dev):
    """Not even the stylesheet link: it changes with the codes' colours, not with every
    change to the project, so its stamp says nothing of others at work."""
    dev = team("Dev")
    before = dev.get(f"/sources/{DOUBLE}").text
    codebook = dev.get("/codes").text
    lead_sees = team("Lena").get("/codes").text
    blind_dev.codings.add(DOUBLE, "Warmth", 0, 12, "Lena")
    assert dev.get(f"/sources/{DOUBLE}").text == before
    # Nor the codebook's counts, which count only what a blind coder may see.
    assert dev.get("/codes").text == codebook
    assert team("Lena").get("/codes").text != lead_sees
    blind_dev.codes.recolour("Warmth", "#123456")
    after = dev.get(f"/sources/{DOUBLE}").text
    stamps = [re.search(r"/codes\.css\?v=(\w+)", html).group(1) for html in (before, after)]
    assert stamps[0] != stamps[1]
    assert "#123456" in dev.get(f"/codes.css?v={stamps[1]}").text
