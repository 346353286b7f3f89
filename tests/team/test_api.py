"""The JSON API of a team server: coding and uncoding as oneself, codes changed against
their version (409 naming who changed it), blind coders' answers, JSON errors. On
PostgreSQL."""

from tests.team.conftest import DOUBLE, MARKER
from thematica.agreement.double_coding import pick, set_blind


def api(team, name, method, path, **kwargs):
    client = team(name)
    headers = {"X-CSRF-Token": team.tokens[name]} if method != "GET" else {}
    return client.request(method, path, headers=headers, **kwargs)


def test_a_coder_codes_and_uncodes_as_themself(team, team_project):
    made = api(
        team,
        "Dev",
        "POST",
        "/api/codings",
        json={"source": "interview-01.txt", "code": "Getting referred", "start": 0, "end": 11},
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["coder"], body["code"], body["text"]) == ("Dev", "Getting referred", "Interviewer")
    again = api(
        team,
        "Dev",
        "POST",
        "/api/codings",
        json={"source": "interview-01.txt", "code": "Getting referred", "start": 0, "end": 11},
    )
    assert again.json()["id"] == body["id"]  # the same span again is the same coding
    listed = api(team, "Dev", "GET", "/api/codings", params={"after": body["id"] - 1}).json()
    assert [c["id"] for c in listed] == [body["id"]]
    assert api(team, "Dev", "DELETE", f"/api/codings/{body['id']}").status_code == 204
    assert team_project.log(1)[0].actor == "Dev"
    assert api(team, "Dev", "DELETE", f"/api/codings/{body['id']}").json() == {
        "detail": f"no coding with id {body['id']}; `thematica codings list` shows them"
    }


def test_a_coder_may_not_remove_the_leads_coding_and_a_viewer_may_not_code(team, team_project):
    lenas = team_project.codings_made["Lena", "interview-01.txt"].id
    refused = api(team, "Dev", "DELETE", f"/api/codings/{lenas}")
    assert (refused.status_code, refused.json()) == (
        403,
        {"detail": "Refused: this coding is Lena’s; you may change only your own."},
    )
    viewer = api(
        team,
        "Vera",
        "POST",
        "/api/codings",
        json={"source": "interview-01.txt", "code": "Warmth", "start": 0, "end": 5},
    )
    assert viewer.status_code == 403
    assert len(team_project.codings.list()) == 4


def test_a_change_to_a_code_made_to_an_old_version_gets_409(team, team_project):
    warmth = team_project.codes.get("Warmth")
    first = api(
        team, "Lena", "PATCH", f"/api/codes/{warmth.id}", json={"version": 1, "name": "Kindness"}
    )
    assert (first.status_code, first.json()["version"]) == (200, 2)
    stale = api(
        team,
        "Lena",
        "PATCH",
        f"/api/codes/{warmth.id}",
        json={"version": 1, "description": "Written to the old version"},
    )
    assert stale.status_code == 409
    assert stale.json()["detail"].startswith("code 'Kindness' was changed by Lena at ")
    assert team_project.codes.get("Kindness").description == ""
    two = api(
        team,
        "Lena",
        "PATCH",
        f"/api/codes/{warmth.id}",
        json={"version": 2, "name": "A", "colour": "#000000"},
    )
    assert (two.status_code, two.json()) == (
        400,
        {"detail": "change one of name, description or colour at a time"},
    )


def test_bad_input_gets_one_line_of_json(team):
    bad = api(
        team,
        "Dev",
        "POST",
        "/api/codings",
        json={"source": "interview-01.txt", "code": "Warmth", "start": 10, "end": 10**6},
    )
    assert bad.status_code == 400
    assert "out of range" in bad.json()["detail"]
    negative = api(
        team,
        "Dev",
        "POST",
        "/api/codings",
        json={"source": "x", "code": "y", "start": -1, "end": 2},
    )
    assert negative.status_code == 400
    assert negative.json()["detail"].startswith("Bad request: ")
    assert api(team, "Dev", "GET", "/api/codes").headers["content-type"] == "application/json"


def test_a_blind_coder_gets_only_their_own_codings_of_a_blind_source(team, team_project):
    pick(team_project, sources=[DOUBLE])
    set_blind(team_project, "Dev")
    seen = api(team, "Dev", "GET", "/api/codings", params={"source": DOUBLE}).json()
    assert {c["coder"] for c in seen} == {"Dev"}
    everything = api(team, "Dev", "GET", "/api/codings").text
    assert MARKER not in everything
    lenas = team_project.codings_made["Lena", DOUBLE].id
    assert str(lenas) not in {str(c["id"]) for c in api(team, "Dev", "GET", "/api/codings").json()}
    assert api(team, "Lena", "GET", "/api/codings", params={"source": DOUBLE}).json() != seen


def test_the_schema_describes_the_api(team):
    schema = team("Vera").get("/api/openapi.json").json()
    assert {"/api/codings", "/api/codes", "/api/sources", "/api/codes/{code_id}"} <= set(
        schema["paths"]
    )
    assert team("Otto").get("/api/codes").status_code == 404  # no role: no project


def test_a_character_the_database_cannot_store_is_bad_input_not_a_crash(team):
    # Found by schemathesis: PostgreSQL stores no NUL character.
    answer = api(team, "Dev", "GET", "/api/codings", params={"source": "\x00"})
    assert (answer.status_code, answer.json()) == (
        400,
        {
            "detail": "Bad request: the database refused it (PostgreSQL text fields cannot "
            "contain NUL (0x00) bytes)."
        },
    )


def test_the_code_pages_forms_send_the_version_they_showed(team, team_project):
    warmth = team_project.codes.get("Warmth")
    page = team("Lena").get(f"/codes/{warmth.id}").text
    assert page.count('<input type="hidden" name="version" value="1">') == 6
    team_project.codes.describe("Warmth", "Changed meanwhile by a script")
    stale = team.post("Lena", f"/codes/{warmth.id}/rename", {"name": "Kind", "version": "1"})
    assert stale.status_code == 409
    assert "was changed by Lena at " in stale.text
    assert team_project.codes.get("Warmth").name == "Warmth"
    fresh = team.post("Lena", f"/codes/{warmth.id}/rename", {"name": "Kind", "version": "2"})
    assert fresh.status_code == 303
