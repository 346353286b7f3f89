"""Log-in, log-out, sessions and the guard of a team server, over HTTP."""

import re

import pytest

from tests.team.conftest import BASE, PASSWORD, client_for, form_token, log_in, page_token
from thematica.team import sessions
from thematica.web.team import SECURE_SESSION_COOKIE, SESSION_COOKIE


@pytest.fixture
def client(team_app):
    with client_for(team_app) as made:
        yield made


def test_a_page_before_log_in_sends_to_the_log_in_page(client):
    answer = client.get("/codes?x=1")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fcodes%3Fx%3D1"
    assert client.post("/journal", data={"text": "x"}).status_code == 401
    fetched = client.get("/panel/interview-01.txt", headers={"X-Thematica": "fetch"})
    assert (fetched.status_code, fetched.text) == (401, "Your session has ended: log in again.")
    assert client.get("/static/app.css").status_code == 200  # the log-in page's style


def test_log_in_then_the_pages_are_the_accounts(client, team_project):
    answer = log_in(client, "Dev")
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert "Working as <strong>Dev</strong> (coder)" in page.text
    assert 'action="/logout"' in page.text
    assert 'href="/review"' not in page.text and 'id="undo-button"' not in page.text
    # What Dev does is recorded as Dev's, in Dev's layer.
    token = page_token(page.text)
    made = client.post(
        "/codings",
        data={"source": "interview-01.txt", "code": "Getting referred", "start": 0, "end": 11},
        headers={"X-CSRF-Token": token},
    )
    assert made.status_code == 303, made.text
    event = team_project.log(1)[0]
    assert (event.actor, event.action) == ("Dev", "code")
    assert team_project.codings.list(coder_name="Dev", code_name="Getting referred")


def test_the_session_cookie_is_httponly_lax_and_new_at_each_log_in(client):
    answer = log_in(client, "Dev")
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    first = client.cookies[SESSION_COOKIE]
    again = log_in(client, "Dev")
    assert again.status_code == 303 and client.cookies[SESSION_COOKIE] != first


def test_over_https_the_cookie_is_secure_and_host_only(team_app):
    with client_for(team_app, base_url="https://team.example.org") as client:
        answer = log_in(client, "Dev")
        assert answer.status_code == 303, answer.text
        cookie = answer.headers["set-cookie"]
        assert cookie.startswith(f"{SECURE_SESSION_COOKIE}=")
        assert "Secure" in cookie and "HttpOnly" in cookie and "Domain" not in cookie
        assert client.get("/").status_code == 200


def test_a_wrong_password_or_name_is_refused_alike(client):
    for name, password in (("Dev", "not the password"), ("Nobody", PASSWORD)):
        answer = log_in(client, name, password)
        assert answer.status_code == 401
        assert "Wrong name or password." in answer.text
        assert SESSION_COOKIE not in client.cookies


def test_a_disabled_account_cannot_log_in(client, team_project):
    from thematica.team import accounts

    accounts.set_disabled(team_project, "Dev")
    assert log_in(client, "Dev").status_code == 401


def test_the_sixth_wrong_password_in_a_minute_is_told_to_wait(client):
    for _ in range(5):
        assert log_in(client, "Dev", "not the password").status_code == 401
    answer = log_in(client, "Dev")  # even the right one, now
    assert answer.status_code == 429
    wait = re.search(r"Too many attempts: try again in (\d+) s\.", answer.text).group(1)
    assert 50 < int(wait) <= 60 and answer.headers["retry-after"] == wait


def test_logout_ends_the_session_on_the_server(client, team_project):
    log_in(client, "Dev")
    token = client.cookies[SESSION_COOKIE]
    csrf = page_token(client.get("/").text)
    answer = client.post("/logout", data={"csrf_token": csrf})
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert sessions.resolve(team_project, token) is None
    # The old cookie, sent again by a copy kept elsewhere, opens nothing.
    with client_for(client.app) as other:
        other.cookies.set(SESSION_COOKIE, token)
        assert other.get("/").status_code == 303
        assert other.post("/journal", data={"text": "x", "csrf_token": csrf}).status_code == 401
    assert "You have logged out." in client.get("/login").text


def _issued(answer) -> str:
    """The session token a log-in answer sets."""
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}="), cookie
    return cookie.split(";", 1)[0].split("=", 1)[1]


def test_a_session_id_set_before_log_in_is_never_adopted(team_app, team_project):
    with client_for(team_app) as victim:
        # A made-up id opens nothing, before or after the victim logs in.
        victim.cookies.set(SESSION_COOKIE, "chosen-by-the-attacker")
        assert victim.get("/").status_code == 303
        issued = _issued(log_in(victim, "Dev"))
        assert issued != "chosen-by-the-attacker"
        assert sessions.resolve(team_project, "chosen-by-the-attacker") is None
    with client_for(team_app) as attacker, client_for(team_app) as victim:
        # The attacker's own live session, planted in the victim's browser, ends when the
        # victim logs in, and the victim's session is one the attacker never saw.
        planted = _issued(log_in(attacker, "Otto"))
        victim.cookies.set(SESSION_COOKIE, planted)
        issued = _issued(log_in(victim, "Dev"))
        assert issued != planted
        assert sessions.resolve(team_project, planted) is None
        assert attacker.get("/").status_code == 303
        assert sessions.resolve(team_project, issued).user.name == "Dev"


def test_a_password_reset_ends_the_sessions_at_once(client, team_project):
    from thematica.team import accounts

    log_in(client, "Dev")
    assert client.get("/").status_code == 200
    accounts.reset_password(team_project, "Dev", "a brand new passphrase")
    assert client.get("/").status_code == 303


# -- CSRF and the guard -------------------------------------------------------------------


def test_a_change_without_the_sessions_token_is_refused(team, team_project):
    before = len(team_project.memos.journal())
    dev = team("Dev")
    assert dev.post("/journal", data={"text": "no token"}).status_code == 403
    assert dev.post("/journal", data={"text": "x", "csrf_token": "made-up"}).status_code == 403
    team("Lena")
    lenas = team.tokens["Lena"]  # a live token, of another session
    assert dev.post("/journal", data={"text": "x", "csrf_token": lenas}).status_code == 403
    assert len(team_project.memos.journal()) == before
    assert team.post("Dev", "/journal", {"text": "with the token"}).status_code == 303
    assert len(team_project.memos.journal()) == before + 1


def test_a_log_in_form_from_elsewhere_is_refused(client):
    answer = client.post("/login", data={"name": "Dev", "password": PASSWORD})
    assert answer.status_code == 403
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={"name": "Dev", "password": PASSWORD, "csrf_token": form_token(page.text)},
        headers={"Origin": "https://evil.example"},
    )
    assert (
        answer.status_code == 403 and answer.text == "Refused: the request came from another site."
    )


def test_the_public_name_is_answered_and_others_are_not(team_app):
    with client_for(team_app, base_url="http://team.example.org") as client:
        assert client.get("/login").status_code == 200
    with client_for(team_app, base_url="http://evil.example") as client:
        assert client.get("/login").status_code == 403
    with client_for(team_app, base_url=BASE) as client:
        assert client.get("/login").status_code == 200


def test_a_too_large_request_is_refused_and_changes_nothing(team, team_project):
    before = [m.id for m in team_project.memos.list()], team_project.log(1)[0].id
    big = "x" * (1 << 20)
    answer = team.post("Dev", "/journal", {"text": big})
    assert answer.status_code == 413
    assert answer.text == "Refused: the request is too large. Nothing was changed."

    def chunks():  # no Content-Length: counted as it comes
        for _ in range(20):
            yield b"text=" + b"y" * 65536

    headers = {
        "X-CSRF-Token": team.tokens["Dev"],
        "Content-Type": "application/x-www-form-urlencoded",
    }
    answer = team("Dev").post("/journal", content=chunks(), headers=headers)
    assert answer.status_code == 413
    assert ([m.id for m in team_project.memos.list()], team_project.log(1)[0].id) == before
