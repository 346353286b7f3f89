"""Live updates of the reader: ``GET /live/NAME?coder=LAYER&since=TOKEN`` answers 204 while
the panel would look the same, and the new token (with whether the panel changed) once it
would not; a blind coder's answers never depend on what others do on a double-coded
source. Also the lead's control of the blind on the agreement screen. On PostgreSQL."""

import re
from urllib.parse import quote

import pytest

from tests.team.conftest import DOUBLE, MARKER, client_for
from thematica.agreement.double_coding import pick, set_blind

OTHER = "interview-01.txt"  # not double-coded
FETCH = {"X-Thematica": "fetch"}
LIVE = re.compile(r'id="panel"[^>]* data-live="([^"]+)"')


def token_of(page: str) -> str:
    return LIVE.search(page).group(1)


def reader(team, name, source, layer="*"):
    """The reader's page as ``name`` sees it, and the live token it carries."""
    page = team(name).get(f"/sources/{quote(source)}?coder={quote(layer)}")
    assert page.status_code == 200, page.text
    return page.text, token_of(page.text)


def live(team, name, source, since, layer="*"):
    query = {"coder": layer, "since": since}
    return team(name).get(f"/live/{quote(source)}", params=query, headers=FETCH)


def code(team, name, source, start, end, code="Warmth"):
    data = {"source": source, "start": start, "end": end, "code": code}
    client = team(name)  # logged in on first use
    headers = {"X-CSRF-Token": team.tokens[name], **FETCH}
    answer = client.post("/codings", data=data, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer


def test_a_panel_changes_only_when_what_it_shows_changes(team, team_project):
    _, token = reader(team, "Lena", DOUBLE)
    assert live(team, "Lena", DOUBLE, token).status_code == 204
    # Dev codes the source Lena has open: her panel would change.
    code(team, "Dev", DOUBLE, 0, 11)
    answer = live(team, "Lena", DOUBLE, token)
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    changed = answer.json()
    assert changed["changed"] is True and changed["live"] != token
    # The panel read now carries the same token, and asking with it finds nothing new.
    panel = team("Lena").get(f"/panel/{DOUBLE}?coder=*", headers=FETCH).text
    (made,) = [c for c in team_project.codings.list(source_name=DOUBLE) if c.start == 0]
    assert f'id="coding-{made.id}"' in panel
    assert token_of(panel) == changed["live"]
    assert live(team, "Lena", DOUBLE, changed["live"]).status_code == 204
    # A change elsewhere gives a new token, but the panel stays as it is.
    assert team.post("Dev", "/journal", {"text": "elsewhere"}).status_code == 303
    quiet = live(team, "Lena", DOUBLE, changed["live"]).json()
    assert quiet["changed"] is False and quiet["live"] != changed["live"]
    assert live(team, "Lena", DOUBLE, quiet["live"]).status_code == 204
    # A removal shows too.
    assert team.post("Dev", f"/codings/{made.id}/remove").status_code == 303
    gone = live(team, "Lena", DOUBLE, quiet["live"]).json()
    assert gone["changed"] is True
    assert f'id="coding-{made.id}"' not in reader(team, "Lena", DOUBLE)[0]


def test_what_counts_is_what_the_panel_shows(team, team_project):
    # Lena looks at Dev's layer: her own coding changes nothing there; a renamed code
    # (a new name in the list of codings and the palette) or a memo on the source does.
    _, token = reader(team, "Lena", DOUBLE, layer="Dev")
    code(team, "Lena", DOUBLE, 0, 11)
    mine = live(team, "Lena", DOUBLE, token, layer="Dev").json()
    assert mine["changed"] is False
    warmth = team_project.codes.get("Warmth")
    renamed = team.post(
        "Lena", f"/codes/{warmth.id}/rename", {"name": "Kindness", "version": warmth.version}
    )
    assert renamed.status_code == 303, renamed.text
    after_rename = live(team, "Lena", DOUBLE, mine["live"], layer="Dev").json()
    assert after_rename["changed"] is True
    team_project.memos.add("a note", source=DOUBLE, start=0, end=11, author="Dev")
    assert live(team, "Lena", DOUBLE, after_rename["live"], layer="Dev").json()["changed"]


@pytest.fixture
def blind_dev(team_project):
    pick(team_project, [DOUBLE])
    set_blind(team_project, "Dev")
    return team_project


def test_a_blind_coder_learns_nothing_of_others_work_on_a_double_coded_source(team, blind_dev):
    page, token = reader(team, "Dev", DOUBLE)
    assert token.startswith("b.")  # not even the newest event's id
    lenas = blind_dev.codings_made["Lena", DOUBLE]
    assert f'id="coding-{lenas.id}"' not in page
    # Lena codes, writes a memo, removes a coding, on the double-coded source: nothing
    # of it reaches Dev, not even that something happened.
    code(team, "Lena", DOUBLE, 0, 11)
    blind_dev.memos.add(f"{MARKER} live", source=DOUBLE, start=0, end=11, author="Lena")
    assert team.post("Lena", f"/codings/{lenas.id}/remove").status_code == 303
    for layer in ("*", "Lena", "Dev"):
        _, seen = reader(team, "Dev", DOUBLE, layer=layer)
        code(team, "Lena", DOUBLE, 12, 20 + len(layer))
        answer = live(team, "Dev", DOUBLE, seen, layer=layer)
        assert answer.status_code == 204, (layer, answer.text)
    assert live(team, "Dev", DOUBLE, token).status_code == 204
    # Dev's own coding shows; so does Lena's on a source that is not double-coded.
    code(team, "Dev", DOUBLE, 0, 11)
    assert live(team, "Dev", DOUBLE, token).json()["changed"] is True
    _, elsewhere = reader(team, "Dev", OTHER)
    code(team, "Lena", OTHER, 0, 11)
    assert live(team, "Dev", OTHER, elsewhere).json()["changed"] is True
    # Once the blind is lifted, Lena's work on the double-coded source shows.
    _, token = reader(team, "Dev", DOUBLE)
    set_blind(blind_dev, "Dev", blind=False)
    lifted = live(team, "Dev", DOUBLE, token).json()
    assert lifted["changed"] is True and not lifted["live"].startswith("b.")
    assert MARKER in reader(team, "Dev", DOUBLE)[0]


def test_asking_needs_a_session_a_role_and_a_real_source(team, team_app):
    _, token = reader(team, "Lena", DOUBLE)
    assert live(team, "Vera", DOUBLE, token).status_code in (200, 204)  # a viewer reads
    assert live(team, "Otto", DOUBLE, token).status_code == 404  # no role: no project
    with client_for(team_app) as anonymous:
        answer = anonymous.get(f"/live/{DOUBLE}", params={"since": token}, headers=FETCH)
        assert answer.status_code == 401
        assert answer.text == "Your session has ended: log in again."
    missing = live(team, "Lena", "no-such-interview.txt", "0.x")
    assert missing.status_code == 404 and "no-such-interview.txt" in missing.text
    too_long = live(team, "Lena", DOUBLE, "9" * 101)
    assert too_long.status_code == 400
    assert too_long.text.startswith("Bad request: since:")


@pytest.mark.parametrize("team_location", ["sqlite"], indirect=True)
def test_the_local_workbench_shows_changes_made_from_the_terminal(team_project):
    from thematica import open_project
    from thematica.web import create_app

    app = create_app(team_project, port=8765, token="test-token")
    with client_for(app) as client:
        token = token_of(client.get(f"/sources/{OTHER}?coder=*").text)
        assert client.get(f"/live/{OTHER}?coder=*&since={token}").status_code == 204
        # Another process (the CLI, say) codes the same source.
        with open_project(team_project.location, actor="Dev") as terminal:
            terminal.codings.add(OTHER, "Getting referred", 0, 11)
        answer = client.get(f"/live/{OTHER}?coder=*&since={token}")
        assert answer.status_code == 200 and answer.json()["changed"] is True


# -- the lead's control of the blind -----------------------------------------------------


def test_the_lead_lifts_and_sets_a_blind_on_the_agreement_screen(team, blind_dev):
    page = team("Lena").get("/agreement").text
    section = page.split('id="double-coding"')[1].split("</section>")[0]
    assert f'<a href="/sources/{DOUBLE}">{DOUBLE}</a> (by hand)' in section
    assert re.search(r'<th scope="row">Dev</th>\s*<td>yes</td>', section)
    assert re.search(r'<th scope="row">Lena</th>\s*<td>no</td>', section)
    assert 'Lift the blind<span class="visually-hidden"> of Dev</span>' in section
    # Viewers see who is blind, without the buttons; a coder may not change it.
    viewer = team("Vera").get("/agreement").text
    assert re.search(r'<th scope="row">Dev</th>\s*<td>yes</td>', viewer)
    assert "Lift the blind" not in viewer
    before = blind_dev.log(1)[0].id
    refused = team.post("Dev", "/double-coding/blind", {"coder": "Dev", "blind": "false"})
    assert refused.status_code == 403
    assert "Refused: a coder may not run consensus." in refused.text
    assert blind_dev.log(1)[0].id == before
    lifted = team.post(
        "Lena", "/double-coding/blind", {"coder": "Dev", "blind": "false", "next": "/agreement"}
    )
    assert lifted.status_code == 303
    assert lifted.headers["location"] == "/agreement#double-coding"
    event = blind_dev.log(1)[0]
    assert (event.actor, event.action, event.target) == ("Lena", "unblind coder", "Dev")
    assert team("Dev").get("/agreement").status_code == 200
    assert "no longer coding blind" in team("Lena").get("/agreement").text
    again = team.post("Lena", "/double-coding/blind", {"coder": "Dev", "blind": "true"})
    assert again.status_code == 303
    assert team("Dev").get("/agreement").status_code == 403
    empty = team.post("Lena", "/double-coding/blind", {"coder": " ", "blind": "true"})
    assert empty.status_code == 400
    assert "choose the coder to blind, or whose blind to lift" in empty.text
