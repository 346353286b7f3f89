"""Safe by default: loopback only, Host check, CSRF on every change, strict CSP, nothing
loaded from anywhere but the server itself."""

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import BASE, EMOJI_NAME, PORT

WEB = Path(__file__).resolve().parents[2] / "src" / "thematica" / "web"

# Every change the app accepts, with fields that would succeed given the token.
CHANGES = [
    ("POST", "/journal", {"text": "A journal entry"}),
    ("POST", "/codings", {"source": "interview-01.txt", "code": "Warmth", "start": 0, "end": 9}),
    ("POST", "/memos", {"source": "interview-01.txt", "start": 0, "end": 9, "text": "A memo"}),
    ("POST", "/memos/1/edit", {"text": "Edited"}),
    ("POST", "/memos/1/delete", {}),
    ("DELETE", "/memos/1", None),
    ("POST", "/undo", {}),
    ("POST", "/codes", {"name": "Brand new"}),
    ("POST", "/codes/1/rename", {"name": "Renamed"}),
    ("POST", "/codes/1/recolour", {"colour": "#123456"}),
    ("POST", "/codes/1/describe", {"description": "Described"}),
    ("POST", "/codes/2/move", {"parent": ""}),
    ("POST", "/codes/2/merge", {"into": "Getting referred/Chasing the referral"}),
    ("POST", "/codes/3/delete", {"force": "true"}),
    ("POST", "/codings/1/remove", {}),
    ("DELETE", "/codings/1", None),
    ("POST", "/consensus/start", {"a": "Dev", "b": "Hannah"}),
    ("POST", "/consensus/1/resolve", {"key": "a"}),
    ("POST", "/double-coding/blind", {"coder": "Dev", "blind": "true"}),
    ("POST", "/double-coding/pick", {"count": "1", "seed": "3"}),
    ("POST", "/themes", {"name": "A theme"}),
    ("POST", "/themes/define", {"theme": "A theme", "definition": "Defined"}),
    ("POST", "/themes/status", {"theme": "A theme", "status": "reviewed"}),
    ("POST", "/themes/link", {"theme": "A theme", "code": "Warmth"}),
    ("POST", "/themes/unlink", {"theme": "A theme", "code": "Warmth"}),
    ("POST", "/themes/quotes", {"theme": "A theme", "coding": 1}),
    ("POST", "/themes/quotes/1/remove", {}),
]


def snapshot(project):
    """What a refused or failed request must leave exactly as it was."""
    return (
        [e.id for e in project.log(None)],
        [(c.id, c.code, c.start, c.end) for c in project.codings.list()],
        [(c.path, c.colour, c.description) for c in project.codes.list()],
        [m.id for m in project.memos.list()],
    )


def change(client, method, path, data, **kwargs):
    if method == "DELETE":
        return client.request("DELETE", path, **kwargs)
    return client.post(path, data=data, **kwargs)


def test_every_change_route_is_listed():
    from thematica.web.routes import router

    routes = {
        (method, route.path)
        for route in router.routes
        for method in getattr(route, "methods", set()) or set()
        if method in {"POST", "DELETE", "PUT", "PATCH"}
    }
    listed = {(m, re.sub(r"/\d+", "/{code_id}", p)) for m, p, _ in CHANGES}
    listed = {(m, p.replace("/codings/{code_id}", "/codings/{coding_id}")) for m, p in listed}
    listed = {(m, p.replace("/consensus/{code_id}", "/consensus/{item_id}")) for m, p in listed}
    listed = {(m, p.replace("/memos/{code_id}", "/memos/{memo_id}")) for m, p in listed}
    listed = {(m, p.replace("/quotes/{code_id}", "/quotes/{quote_id}")) for m, p in listed}
    assert routes == listed


@pytest.mark.parametrize(("method", "path", "data"), CHANGES)
def test_change_without_csrf_token_is_refused(client, demo, method, path, data):
    before = snapshot(demo)
    response = change(client, method, path, data)
    assert response.status_code == 403
    assert "security token" in response.text
    assert snapshot(demo) == before


@pytest.mark.parametrize(("method", "path", "data"), CHANGES)
def test_change_with_wrong_csrf_token_is_refused(client, demo, method, path, data):
    before = snapshot(demo)
    fields = {**(data or {}), "csrf_token": "not-the-token"}
    response = change(
        client,
        method,
        path,
        fields if data is not None else None,
        headers={"X-CSRF-Token": "not-the-token"} if data is None else {},
    )
    assert response.status_code == 403
    assert snapshot(demo) == before


def test_token_in_header_or_form_field_is_accepted(client, demo):
    response = client.post(
        "/journal", data={"text": "by header"}, headers={"X-CSRF-Token": "test-token"}
    )
    assert response.status_code == 303
    response = client.post("/journal", data={"text": "by field", "csrf_token": "test-token"})
    assert response.status_code == 303
    assert [m.text for m in demo.memos.journal()][-2:] == ["by header", "by field"]


def test_change_from_another_origin_is_refused(client, demo):
    before = snapshot(demo)
    for headers in (
        {"Origin": "http://evil.example"},
        {"Origin": "http://127.0.0.1:9999"},
        {"Sec-Fetch-Site": "cross-site"},
    ):
        response = client.post(
            "/journal",
            data={"text": "forged"},
            headers={"X-CSRF-Token": "test-token", **headers},
        )
        assert response.status_code == 403, headers
    assert snapshot(demo) == before
    same = client.post(
        "/journal",
        data={"text": "same origin"},
        headers={"X-CSRF-Token": "test-token", "Origin": BASE, "Sec-Fetch-Site": "same-origin"},
    )
    assert same.status_code == 303


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        f"evil.example:{PORT}",
        f"127.0.0.1.nip.io:{PORT}",
        "127.0.0.1:9999",
        "localhost",
        f"[::1]:{PORT}",
        "",
    ],
)
def test_other_host_header_is_refused(client, host):
    """A page elsewhere that points its own name at 127.0.0.1 (DNS rebinding) is
    answered with a refusal, never with the study's data."""
    response = client.get("/", headers={"Host": host})
    assert response.status_code == 403
    assert "Parent-infant" not in response.text
    assert "content-security-policy" in response.headers


@pytest.mark.parametrize("host", [f"127.0.0.1:{PORT}", f"localhost:{PORT}"])
def test_local_host_header_is_answered(client, host):
    assert client.get("/", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/", "/sources/interview-01.txt", "/codes", "/codes/1", "/static/app.css", "/nowhere"],
)
def test_strict_security_headers_on_every_answer(client, path):
    response = client.get(path)
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "style-src 'self'" in csp
    assert "media-src 'self'" in csp  # the source's recording, from this server only
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["server-timing"].startswith("app;dur=")


def test_pages_have_no_inline_script_style_or_handlers(client):
    for path in [
        "/",
        "/sources/interview-01.txt",
        f"/sources/{EMOJI_NAME}",
        "/codes",
        "/codes/5",
        "/themes",
        "/agreement",
    ]:
        html = client.get(path).text
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, tag
        assert not re.search(r"<script\b[^>]*>[^<]", html)
        assert "<style" not in html
        assert not re.search(r"\sstyle=", html)
        assert not re.search(r"\son[a-z]+=", html)


def test_nothing_is_loaded_from_another_host(client):
    """No CDN: every asset the pages name is on this server, and the vendored files
    name no other host (the SVG namespace is a name, not a fetch)."""
    pages = "".join(
        client.get(p).text for p in ["/", "/sources/interview-01.txt", "/codes", "/themes"]
    )
    for url in re.findall(r'(?:src|href)="([^"]+)"', pages):
        assert url.startswith(("/", "#")), url
    for path in (WEB / "static").iterdir():
        if path.suffix in {".js", ".css", ".svg"}:
            text = path.read_text(encoding="utf-8")
            urls = set(re.findall(r"https?://[^\s\"')]+", text))
            assert urls <= {"http://www.w3.org/2000/svg"}, (path.name, urls)
    for path in (WEB / "templates").iterdir():
        assert not re.search(r"https?://", path.read_text(encoding="utf-8")), path.name


def test_listens_on_loopback_only():
    from thematica.web.server import bind

    sock = bind(0)
    try:
        assert sock.getsockname()[0] == "127.0.0.1"
    finally:
        sock.close()


def test_serve_command_runs_a_local_server(demo_path):
    env = {**os.environ, "THEMATICA_USER": "Hannah"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "thematica.cli",
            "serve",
            str(demo_path),
            "--port",
            "0",
            "--no-open",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = process.stdout.readline()
        found = re.search(r"at (http://127\.0\.0\.1:(\d+)/) as Hannah", line)
        assert found, line + process.stderr.read()
        page = httpx.get(found.group(1), timeout=10)
        assert page.status_code == 200
        assert "Parent-infant team study" in page.text
        forged = httpx.post(found.group(1) + "journal", data={"text": "x"}, timeout=10)
        assert forged.status_code == 403
        rebound = httpx.get(
            found.group(1), headers={"Host": f"rebind.example:{found.group(2)}"}, timeout=10
        )
        assert rebound.status_code == 403
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_refuses_a_port_in_use(demo_path):
    from thematica.web.server import bind

    taken = bind(0)
    try:
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "thematica.cli",
                "serve",
                str(demo_path),
                "--port",
                str(port),
                "--no-open",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        taken.close()
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
