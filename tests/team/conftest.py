"""A team server over a real project (on PostgreSQL unless a test asks for SQLite), its
accounts, and HTTP clients logged in as each of them through the ASGI test client."""

import os
import re
import warnings
from itertools import count

import pytest

from tests.conftest import INTERVIEW

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[web]'")
pytest.importorskip("argon2", reason="the team extra is not installed: pip install -e '.[team]'")

PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
PASSWORD = "a long team passphrase"
# name -> (role in the project, admin)
ACCOUNTS = {
    "Lena": ("lead", False),
    "Dev": ("coder", False),
    "Vera": ("viewer", False),
    "Ada": (None, True),  # manages accounts, has no role in the project
    "Otto": (None, False),  # an account with no grant: the project is not there for him
}
DOUBLE = "interview-02.txt"  # double-coded: Dev may code it blind
MARKER = "ZEBRA-LENA-ONLY"  # in Lena's memos on DOUBLE only
_databases = count()


def fill(project):
    """Two interviews, a small codebook, codings by Lena and Dev of both, Lena's memos on
    her coding of the double-coded one, a theme with a quote from it."""
    from thematica.team import accounts

    for name, (role, admin) in ACCOUNTS.items():
        accounts.add_user(project, name, PASSWORD, role=role, admin=admin)
    project.sources.add("interview-01.txt", INTERVIEW)
    project.sources.add(DOUBLE, INTERVIEW.replace("Grace", "Maya"))
    project.codes.add("Warmth")
    project.codes.add("Getting referred")
    made = {}
    for coder in ("Lena", "Dev"):
        for source in ("interview-01.txt", DOUBLE):
            made[coder, source] = project.codings.add(source, "Warmth", 271, 300, coder=coder)
    lena = made["Lena", DOUBLE]
    project.memos.add(
        f"{MARKER} on her coding", title=f"{MARKER} title", coding=lena.id, author="Lena"
    )
    project.memos.add(f"{MARKER} on the source", source=DOUBLE, start=0, end=11, author="Lena")
    project.themes.add("Being cared for")
    project.themes.link("Being cared for", ["Warmth"])
    project.themes.add_quote("Being cared for", lena.id)
    return made


@pytest.fixture
def team_location(request, tmp_path):
    if getattr(request, "param", "postgresql") == "sqlite":
        return str(tmp_path / "team.thematica")
    server = request.getfixturevalue("postgres")
    return server.create_database(f"team{os.getpid()}_{next(_databases)}")


@pytest.fixture
def team_project(team_location):
    from thematica import create_project

    with create_project(team_location, name="Team study", actor="Lena") as project:
        project.codings_made = fill(project)
        yield project


@pytest.fixture
def team_app(team_project, monkeypatch):
    from thematica.assist import extra
    from thematica.web import create_app

    # No model is loaded in these tests: assisted coding answers that it is not installed.
    monkeypatch.setattr(extra, "installed", lambda: False)
    return create_app(team_project, port=PORT, team=True, allowed_hosts=["team.example.org"])


def client_for(app, base_url=BASE):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    return TestClient(app, base_url=base_url, follow_redirects=False)


def form_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def page_token(html: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)">', html).group(1)


def log_in(client, name, password=PASSWORD):
    """Log in through the form, as a browser does; returns the answer to the POST."""
    page = client.get("/login")
    assert page.status_code == 200, page.text
    return client.post(
        "/login",
        data={"name": name, "password": password, "next": "/", "csrf_token": form_token(page.text)},
    )


class Team:
    """A logged-in client per account, with the CSRF token of its session."""

    def __init__(self, app) -> None:
        self.app = app
        self.clients = {}
        self.tokens = {}

    def __call__(self, name):
        if name not in self.clients:
            client = client_for(self.app)
            client.__enter__()
            answer = log_in(client, name)
            assert answer.status_code == 303, answer.text
            self.clients[name] = client
            self.tokens[name] = page_token(client.get("/admin" if name == "Ada" else "/").text)
        return self.clients[name]

    def post(self, name, path, data=None, **kwargs):
        """A change as ``name``, with the session's CSRF token."""
        client = self(name)
        headers = {"X-CSRF-Token": self.tokens[name]}
        return client.post(path, data=data or {}, headers=headers, **kwargs)

    def close(self):
        for client in self.clients.values():
            client.__exit__(None, None, None)


@pytest.fixture
def team(team_app):
    made = Team(team_app)
    yield made
    made.close()
