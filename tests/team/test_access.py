"""Every route of the team server, as every role: allowed, 403, or 404 for an account
that has no role in the project; coders change only their own work; each change is
recorded as its user's. On PostgreSQL."""

import re

import pytest
from fastapi.routing import APIRoute

from tests.team.conftest import ACCOUNTS, DOUBLE, client_for
from thematica.errors import InvalidInput
from thematica.team.permissions import PROJECT, Permission, Role, permissions
from thematica.web.access import Requirement

GATE_404 = "No such page."
# Routes that change one existing coding or memo: the matrix points them at Lena's, so
# a coder (who may change only their own) is refused too.
OWNED = {
    ("DELETE", "/codings/{coding_id}"),
    ("DELETE", "/api/codings/{coding_id}"),
    ("POST", "/codings/{coding_id}/remove"),
    ("DELETE", "/memos/{memo_id}"),
    ("POST", "/memos/{memo_id}/edit"),
    ("POST", "/memos/{memo_id}/delete"),
}
# The log-in form carries its own token, not a session's: tests/team/test_login.py
# covers it (as anyone may use it, there is nothing to deny).
SEPARATE = {("POST", "/login")}


def declared(route: APIRoute) -> list[Permission]:
    return [
        d.dependency.permission for d in route.dependencies if isinstance(d.dependency, Requirement)
    ]


def api_routes(app) -> list[APIRoute]:
    """Every route of the app, inside the routers it includes (FastAPI keeps an included
    router whole, as ``original_router``; a router's own prefix is in its routes' paths,
    and the app includes them without another)."""
    found, pending = [], list(app.routes)
    while pending:
        route = pending.pop(0)
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            assert not route.include_context.prefix, "a prefix the paths here would miss"
            pending[:0] = route.original_router.routes
    return found


def test_every_route_declares_one_permission(team_app):
    routes = api_routes(team_app)
    assert len(routes) > 50
    missing = [f"{sorted(r.methods)} {r.path}" for r in routes if len(declared(r)) != 1]
    assert missing == []


def test_the_local_workbench_declares_every_route_too(team_project):
    from thematica.web import create_app

    app = create_app(team_project, port=8765)
    assert all(len(declared(r)) == 1 for r in api_routes(app))
    assert not any(r.path in ("/login", "/admin", "/activity") for r in api_routes(app))
    with pytest.raises(InvalidInput, match="allowed_hosts needs team=True"):
        create_app(team_project, port=8765, allowed_hosts=["team.example.org"])


def expected(name: str, permission: Permission, key: tuple[str, str]) -> str:
    role, admin = ACCOUNTS[name]
    granted = permissions(Role(role) if role else None, admin)
    if permission in PROJECT and role is None:
        return "404"
    if permission not in granted:
        return "403"
    if key in OWNED and name != "Lena" and Permission.EDIT_OTHERS not in granted:
        return "403"
    return "allowed"


def url(path: str, values: dict[str, object]) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(values[m.group(1)]), path)


def verdict(answer) -> str:
    if answer.status_code == 403 and "Refused: " in answer.text:
        return "403"
    if answer.status_code == 404 and GATE_404 in answer.text:
        return "404"
    if answer.status_code in (401, 403):
        return f"unexpected {answer.status_code}: {answer.text[:200]}"
    return "allowed"


def test_each_role_on_each_route(team, team_app, team_project):
    values = {
        "name": "interview-01.txt",
        "source": "interview-01.txt",
        "code_id": team_project.codes.get("Warmth").id,
        "coding_id": 1,
        "memo_id": 1,
        "item_id": 1,
        "quote_id": 1,
        "number": 1,
    }
    checks = []
    for route in api_routes(team_app):
        (permission,) = declared(route)
        for method in sorted(route.methods - {"HEAD"}):
            if (method, route.path) not in SEPARATE:
                checks.append((method, route.path, permission))
    # Pages first, then changes (which may change what later ones find), log-out last.
    checks.sort(key=lambda c: (c[0] != "GET", c[1] == "/logout"))
    wrong = []
    for method, path, permission in checks:
        if (method, path) in OWNED:  # a coding and a memo of Lena's for this route alone
            fresh = team_project.codings.add("interview-01.txt", "Warmth", 0, 11, coder="Lena")
            note = team_project.memos.add("Lena's note", coding=fresh.id, author="Lena")
            values.update(coding_id=fresh.id, memo_id=note.id)
        # The lead last: a change the lead may make (deleting Lena's coding, say) would
        # leave the others nothing to be refused.
        for name in sorted(ACCOUNTS, key=lambda n: n == "Lena"):
            want = expected(name, permission, (method, path))
            client = team(name)
            if method == "GET":
                answer = client.get(url(path, values))
            else:
                headers = {"X-CSRF-Token": team.tokens[name]}
                answer = client.request(method, url(path, values), headers=headers, data={})
            got = verdict(answer)
            if got != want:
                wrong.append(f"{name} {method} {path}: expected {want}, got {got}")
    assert wrong == []
    assert len(checks) * len(ACCOUNTS) > 250


def test_without_a_session_every_page_sends_to_log_in_and_the_rest_is_401(team_app):
    """A page sends a browser to the log-in form; a change, and any request of the JSON
    API (a program, which cannot follow a form), is answered 401."""
    with client_for(team_app) as client:
        for route in api_routes(team_app):
            (permission,) = declared(route)
            path = url(
                route.path,
                {
                    k: 1
                    for k in (
                        "name",
                        "source",
                        "code_id",
                        "coding_id",
                        "memo_id",
                        "item_id",
                        "quote_id",
                        "number",
                    )
                },
            )
            for method in route.methods - {"HEAD"}:
                answer = client.request(method, path)
                if permission is Permission.PUBLIC:  # the log-in form; a POST lacks its token
                    assert answer.status_code == (200 if method == "GET" else 403), path
                elif method == "GET" and not path.startswith("/api/"):
                    assert answer.status_code == 303, path
                    assert answer.headers["location"].startswith("/login?next=")
                else:
                    assert answer.status_code == 401, (method, path)
                    if path.startswith("/api/"):
                        assert answer.json() == {"detail": "Your session has ended: log in again."}


def test_a_coder_changes_only_their_own_codings_and_memos(team, team_project):
    made = team_project.codings_made
    lenas, devs = made["Lena", "interview-01.txt"], made["Dev", "interview-01.txt"]
    count = len(team_project.codings.list())
    refused = team.post("Dev", f"/codings/{lenas.id}/remove")
    assert refused.status_code == 403
    assert "Refused: this coding is Lena’s; you may change only your own." in refused.text
    assert len(team_project.codings.list()) == count
    assert team.post("Dev", f"/codings/{devs.id}/remove").status_code == 303
    mine = team_project.memos.add("Dev's memo", source="interview-01.txt", author="Dev")
    theirs = team_project.memos.add("Lena's memo", source="interview-01.txt", author="Lena")
    assert team.post("Dev", f"/memos/{theirs.id}/edit", {"text": "changed"}).status_code == 403
    assert team_project.memos.get(theirs.id).text == "Lena's memo"
    assert team.post("Dev", f"/memos/{mine.id}/edit", {"text": "changed"}).status_code == 303
    # The lead may change anyone's.
    assert team.post("Lena", f"/memos/{mine.id}/delete").status_code == 303
    assert team.post("Lena", f"/codings/{made['Dev', DOUBLE].id}/remove").status_code == 303


def test_a_viewer_reads_everything_and_changes_nothing(team, team_project):
    before = team_project.log(1)[0].id
    viewer = team("Vera")
    for path in ("/", "/codes", "/themes", "/cases", f"/sources/{DOUBLE}?coder=*"):
        assert viewer.get(path).status_code == 200, path
    answer = team.post("Vera", "/journal", {"text": "a note"})
    assert answer.status_code == 403
    assert "Refused: a viewer may not code or write memos." in answer.text
    assert team_project.log(1)[0].id == before


def test_the_lead_sees_who_did_what_and_when(team, team_project):
    assert team.post("Dev", "/journal", {"text": "Dev's entry"}).status_code == 303
    assert team.post("Lena", "/themes", {"name": "A theme of Lena's"}).status_code == 303
    events = team_project.log(2)
    assert [(e.actor, e.action) for e in events] == [("Lena", "add theme"), ("Dev", "add memo")]
    page = team("Lena").get("/activity").text
    assert re.search(r"<td>Lena</td>\s*<td>add theme</td>\s*<td>A theme of Lena&#39;s</td>", page)
    assert re.search(r"<td>Dev</td>\s*<td>add memo</td>\s*<td>journal</td>", page)
    assert "<td>add user</td>" in page  # the accounts made, by whoever made them
    only_dev = team("Lena").get("/activity?user=Dev").text
    assert "<td>Dev</td>" in only_dev and "<td>Lena</td>" not in only_dev
    assert team("Dev").get("/activity").status_code == 403


def test_an_admin_manages_accounts_and_sees_no_project_data(team, team_project):
    from thematica.team import accounts

    assert team("Ada").get("/").status_code == 404
    page = team("Ada").get("/admin")
    assert page.status_code == 200 and '<th scope="row">Otto</th>' in page.text
    added = team.post(
        "Ada", "/admin/users", {"name": "Nia", "password": "nias passphrase", "role": "coder"}
    )
    assert added.status_code == 303
    assert accounts.get_user(team_project, "Nia").role is Role.CODER
    assert team.post("Ada", "/admin/grant", {"user": "Otto", "role": "viewer"}).status_code == 303
    assert team("Otto").get("/").status_code == 200  # the project is there for him now
    assert team.post("Ada", "/admin/revoke", {"user": "Otto", "role": "viewer"}).status_code == 303
    assert team("Otto").get("/").status_code == 404
    refused = team.post("Ada", "/admin/disable", {"user": "Ada"})
    assert refused.status_code == 400 and "ask another admin" in refused.text
    assert team_project.log(1)[0].actor == "Ada"
    assert team("Lena").get("/admin").status_code == 403


@pytest.mark.parametrize("team_location", ["sqlite"], indirect=True)
def test_a_team_server_runs_on_a_sqlite_file_too(team, team_project):
    assert team("Dev").get("/").status_code == 200
    assert team.post("Dev", "/journal", {"text": "on SQLite"}).status_code == 303
    assert team_project.log(1)[0].actor == "Dev"
