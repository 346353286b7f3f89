"""`thematica admin` and `thematica serve --team`, run as a user runs them: their exact
output. The database is PostgreSQL (a project file works alike)."""

import itertools
import json
import os
import re
import subprocess

import httpx
import pytest

from tests.cli import THEMATICA, fails, out

PASSWORD = "a long team passphrase"


_numbers = itertools.count()


@pytest.fixture
def db(postgres):
    """A new, empty PostgreSQL database (the test server's URL holds no password)."""
    return postgres.create_database(f"cli{os.getpid()}_{next(_numbers)}")


def admin(url, *args, password=None):
    """`thematica admin --db URL ARGS`, the password on stdin when given."""
    result = subprocess.run(
        [THEMATICA, "admin", "--db", url, *args],
        input=password,
        capture_output=True,
        text=True,
        env={**os.environ, "THEMATICA_USER": "Hannah", "COLUMNS": ""},
    )
    return result


def ok(result):
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return result.stdout


def test_init_add_grant_list(db):
    assert ok(admin(db, "init-db", "--name", "Team study")) == (
        f"{db} now holds a new project, with the team tables.\n"
    )
    assert (
        ok(admin(db, "init-db"))
        == f"{db} holds a project whose schema is up to date, with the team tables.\n"
    )
    assert ok(
        admin(
            db, "add-user", "Lena", "--role", "lead", "--password-stdin", password=PASSWORD + "\n"
        )
    ) == ("Added the account Lena (lead).\n")
    assert ok(admin(db, "add-user", "Ada", "--admin", "--password-stdin", password=PASSWORD)) == (
        "Added the account Ada (admin).\n"
    )
    assert ok(admin(db, "add-user", "Dev", "--password-stdin", password=PASSWORD)) == (
        "Added the account Dev (no role).\n"
    )
    assert ok(admin(db, "grant", "Dev", "coder")) == "Dev now holds: coder.\n"
    assert ok(admin(db, "grant", "Dev", "admin")) == "Dev now holds: coder, admin.\n"
    assert ok(admin(db, "revoke", "Dev", "admin")) == "Dev now holds: coder.\n"
    assert ok(
        admin(db, "reset-password", "Dev", "--password-stdin", password="another passphrase")
    ) == ("Reset the password of Dev; 0 sessions ended.\n")
    assert ok(admin(db, "disable", "Dev")) == "Disabled the account Dev; 0 sessions ended.\n"
    assert ok(admin(db, "enable", "Dev")) == "Enabled the account Dev.\n"
    listed = ok(admin(db, "users"))
    lines = [line.split() for line in listed.splitlines()]
    assert lines[0] == ["name", "role", "admin", "status", "sessions", "created"]
    assert [line[:5] for line in lines[2:]] == [
        ["Ada", "-", "yes", "active", "0"],
        ["Dev", "coder", "no", "active", "0"],
        ["Lena", "lead", "no", "active", "0"],
    ]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", lines[2][5])
    data = json.loads(ok(admin(db, "users", "--json")))
    assert data[1] == {
        "name": "Dev",
        "role": "coder",
        "admin": False,
        "disabled": False,
        "created": data[1]["created"],
        "sessions": 0,
    }
    # Who did each, in the project's log.
    log = out("--db", db, "log", "--limit", "3")
    assert "Hannah" in log and "enable user" in log and "disable user" in log


def test_bad_input_is_one_line(db):
    ok(admin(db, "init-db"))
    result = admin(db, "add-user", "Dev", "--password-stdin", password="short\n")
    assert (result.returncode, result.stderr) == (
        2,
        "Error: the password is too short: use at least 10 characters\n",
    )
    result = admin(db, "add-user", "Dev", "--password-stdin", password="")
    assert result.stderr == "Error: no password on standard input: give it on the first line\n"
    result = admin(db, "add-user", "Dev", password=PASSWORD)  # stdin is no terminal
    assert result.stderr == (
        "Error: no terminal to ask for the password: give it on standard input with "
        "--password-stdin\n"
    )
    assert admin(db, "grant", "Nobody", "lead").stderr == (
        "Error: no account named 'Nobody'; `thematica admin users` lists them\n"
    )
    ok(admin(db, "add-user", "Dev", "--password-stdin", password=PASSWORD))
    assert admin(db, "grant", "Dev", "boss").stderr == (
        "Error: unknown role 'boss': choose one of lead, coder, viewer, admin\n"
    )
    assert admin(db, "revoke", "Dev", "lead").stderr == (
        "Error: Dev does not hold the role lead: nothing to revoke\n"
    )


def test_the_password_is_never_an_argument():
    help_text = out("admin", "add-user", "--help")
    assert "--password-stdin" in help_text and "--password " not in help_text


def test_serve_without_team_stays_on_this_machine(tmp_path):
    project = tmp_path / "study.thematica"
    out("init", str(project))
    assert fails("serve", str(project), "--host", "0.0.0.0", "--no-open") == (
        "--host needs --team: without log-in the workbench stays on this machine"
    )
    assert fails("serve", str(project), "--allowed-host", "team.example.org", "--no-open") == (
        "--allowed-host needs --team: without log-in the workbench stays on this machine"
    )
    assert (
        fails("serve", str(project), "--behind-proxy", "--no-open") == "--behind-proxy needs --team"
    )
    assert fails("serve", str(project), "--team", "--no-open") == (
        "no account can log in yet: add one with `thematica admin add-user NAME --role lead`"
    )


def test_serve_team_runs_a_team_server(db):
    ok(admin(db, "init-db", "--name", "Team study"))
    ok(admin(db, "add-user", "Lena", "--role", "lead", "--password-stdin", password=PASSWORD))
    process = subprocess.Popen(
        [THEMATICA, "serve", "--team", "--db", db, "--port", "0", "--no-open",
         "--allowed-host", "team.example.org"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "THEMATICA_USER": "Hannah"},
    )  # fmt: skip
    try:
        first = process.stdout.readline()
        found = re.fullmatch(
            r"Thematica is serving (.+) at (http://127\.0\.0\.1:(\d+)/) for the team\n", first
        )
        assert found, first + process.stderr.read()
        assert found.group(1) == db
        port = found.group(3)
        assert process.stdout.readline() == (
            f"It answers to 127.0.0.1:{port}, team.example.org; log in with the accounts of "
            "`thematica admin`.\n"
        )
        base = found.group(2)
        with httpx.Client(base_url=base, timeout=10) as client:
            assert client.get("/").status_code == 303
            form = client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
            answer = client.post(
                "/login", data={"name": "Lena", "password": PASSWORD, "csrf_token": token}
            )
            assert answer.status_code == 303
            assert "Team study" in client.get("/").text
            public = client.get("/login", headers={"Host": "team.example.org"})
            assert public.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_printed_database_url_hides_its_password():
    from thematica.cli.admin import shown

    assert shown("postgresql://lena:s3cret@db.example.org/team") == (
        "postgresql://lena:***@db.example.org/team"
    )
    assert shown("study.thematica") == "study.thematica"
