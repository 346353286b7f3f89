"""docs/deploy.md's systemd unit starts a team server as written (its database swapped
for the test's, on any free port), and that server answers through a proxy's headers."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.team.conftest import PASSWORD

DOC = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"
THEMATICA = str(Path(sys.executable).with_name("thematica"))


def exec_start() -> list[str]:
    line = re.search(
        r"^ExecStart=(/var/lib/thematica/venv/bin/thematica .*)$", DOC.read_text(), re.M
    )
    return shlex.split(line.group(1))


def test_the_documented_unit_starts_a_team_server(postgres):
    from thematica import create_project
    from thematica.team import accounts

    url = postgres.create_database("deploy_doc")
    with create_project(url, name="Deploy", actor="lead") as project:
        accounts.add_user(project, "lead", PASSWORD, role="lead")
    command = exec_start()
    assert command[:3] == ["/var/lib/thematica/venv/bin/thematica", "serve", "--team"]
    command[0] = THEMATICA
    command[command.index("--db") + 1] = url
    command[command.index("--port") + 1] = "0"
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        first = server.stdout.readline()
        second = server.stdout.readline()
        assert first.startswith(f"Thematica is serving {url} at http://127.0.0.1:")
        port = re.search(r"at http://127\.0\.0\.1:(\d+)/", first).group(1)
        assert second.startswith(f"It answers to 127.0.0.1:{port}, qual.example.ac.uk;")
        import httpx

        proxied = httpx.get(
            f"http://127.0.0.1:{port}/login",
            headers={
                "host": "qual.example.ac.uk",
                "x-forwarded-for": "192.0.2.7",
                "x-forwarded-proto": "https",
            },
        )
        assert proxied.status_code == 200
        assert "Secure" in proxied.headers["set-cookie"]  # https, as the proxy said
        stranger = httpx.get(f"http://127.0.0.1:{port}/login", headers={"host": "evil.example"})
        assert stranger.status_code == 403
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(autouse=True)
def _needs_the_doc():
    if not DOC.exists():
        pytest.fail("docs/deploy.md is missing")
