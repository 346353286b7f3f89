"""Taguette's column of the queries benchmark (issue 10): the same workload through
Taguette 1.5.2's HTTP API.

Prints one JSON object with one entry per corpus size:

    python benchmarks/taguette_side.py --docs 10,50,200 [--seed 0] [--venv PATH]

The transcripts, the 30 codes and the 20 codings per transcript come from
``benchmarks/workload.py``, so Thematica's side (``benchmarks/queries.py``) and this one
work on the same documents. Taguette is installed with pip into its own virtualenv
(``benchmarks/.taguette-venv`` by default, git-ignored), never into Thematica's; that is
the only step that needs the network. The server then runs on loopback in single-user
mode with its start-up news check removed, so nothing leaves the machine.

What is timed, each as one HTTP request over a kept-alive loopback connection:
importing a transcript (an .html upload, which Taguette reads without Calibre),
applying a highlight with one tag, and listing every highlight of a parent tag with its
children (Taguette's paged listing of a dotted tag path, all pages). Coding queries,
matrices and phrase search have no Taguette equivalent and are reported as null.

``run_taguette(n_docs, workdir, seed)`` is the same run for one size, for
``benchmarks/queries.py`` to print beside Thematica's figures.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from html.parser import HTMLParser
from http.client import HTTPConnection, HTTPResponse
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).parent))
from web import summary  # noqa: E402
from workload import CODES, CODINGS_PER_DOC, PARENT, Doc, generate  # noqa: E402

VERSION = "1.5.2"
VENV = Path(__file__).parent / ".taguette-venv"
START_TIMEOUT_S = 60
PARENT_LISTING_RUNS = 3
# Taguette 1.5.2 has no setting for its news check: Application.__init__ always fetches
# https://msg.taguette.org/<version> and again every 24 hours (taguette/web/base.py).
# The launcher replaces that method before the app exists; setting the event it would
# have set lets /messages.js answer at once with no messages.
LAUNCHER = """\
import sys
from taguette.web import base

def no_news_check(self):
    self.messages_event.set()

base.Application.check_messages = no_news_check
from taguette.main import main
sys.exit(main())
"""
NO_EQUIVALENT = {
    "coding_query": "Taguette has no boolean or proximity query over tags",
    "matrix": "Taguette has no code-by-case or co-occurrence matrix",
    "phrase_search": "Taguette has no text search (its search box filters tag names)",
}


class TaguetteUnavailable(Exception):
    """Taguette could not be installed or started; the message says why."""


def to_html(text: str) -> str:
    """The transcript as HTML whose text nodes, joined, are exactly ``text``.

    Paragraphs are the blocks between blank lines; the blank lines stay between the
    ``<p>`` elements as whitespace text, so Taguette's offsets (UTF-8 bytes over text
    nodes) follow the text without a gap.

    >>> to_html("Interviewer: Hi & welcome.\\n\\nParticipant: <um>")
    '<p>Interviewer: Hi &amp; welcome.</p>\\n\\n<p>Participant: &lt;um&gt;</p>'
    """
    return "\n\n".join(f"<p>{html.escape(block, quote=False)}</p>" for block in text.split("\n\n"))


def byte_offset(text: str, index: int) -> int:
    """Taguette's offset for code point ``index`` of ``text``: its UTF-8 byte position.

    >>> byte_offset("café au lait", 5)
    6
    """
    return len(text[:index].encode("utf-8"))


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def snippet_text(snippet: str) -> str:
    """The text of a highlight's HTML snippet, as it stood in the document.

    >>> snippet_text("<p>mum &amp; baby</p>")
    'mum & baby'
    """
    parser = _TextOf()
    parser.feed(snippet)
    parser.close()
    return "".join(parser.parts)


def tag_path(name: str, parent: str | None) -> str:
    """Taguette's path for a code: children under their parent by its dotted convention.

    >>> tag_path("Support 1", "Support"), tag_path("Support", None)
    ('Support.Support 1', 'Support')
    """
    return name if parent is None else f"{parent}.{name}"


def multipart(fields: dict[str, str], filename: str, data: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body with ``fields`` and one file, and its content type.

    Written here because the standard library has no form-data encoder and the driver
    must not add a dependency to Thematica for one upload.
    """
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{quote(filename)}"\r\nContent-Type: text/html\r\n\r\n'.encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def join_token(banner: str) -> str | None:
    """The single-user login token from the link Taguette prints once it listens.

    >>> join_token("Taguette 1.5.2 is now running. ... http://localhost:8000/?token=ab12")
    'ab12'
    """
    found = re.search(r"[?&]token=([0-9a-f]+)", banner)
    return found.group(1) if found else None


def taguette_version(python: Path) -> str | None:
    """The Taguette version installed for ``python``, or None."""
    if not python.exists():
        return None
    found = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('taguette'))"],
        capture_output=True,
        text=True,
    )
    return found.stdout.strip() if found.returncode == 0 else None


def ensure_taguette(venv: Path = VENV) -> Path:
    """The Python of a virtualenv holding Taguette 1.5.2, installing it there if needed."""
    python = venv / "bin" / "python"
    if taguette_version(python) == VERSION:
        return python
    steps = [[sys.executable, "-m", "venv", str(venv)]] if not python.exists() else []
    steps.append(
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        + [f"taguette=={VERSION}"]
    )
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            last = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise TaguetteUnavailable(
                f"could not install taguette=={VERSION} into {venv} (pip needs the network "
                f"and a Python Taguette supports): {' / '.join(last)}"
            )
    return python


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """Taguette in single-user mode on a free loopback port, in its own process group.

    Use as a context manager: leaving it stops the whole group, whatever happened.
    Its output goes to ``taguette.out`` and its log to ``taguette.log`` in ``workdir``.
    """

    def __init__(self, python: Path, workdir: Path) -> None:
        self.python, self.workdir = python, workdir
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.token = ""

    def __enter__(self) -> Server:
        self.workdir.mkdir(parents=True, exist_ok=True)
        out, log = self.workdir / "taguette.out", self.workdir / "taguette.log"
        command = [str(self.python), "-c", LAUNCHER, "--no-browser", "-b", "127.0.0.1"]
        command += ["-p", str(self.port), "--database", str(self.workdir / "taguette.sqlite3")]
        with out.open("wb") as stdout, log.open("wb") as stderr:
            self.process = subprocess.Popen(
                command,
                stdout=stdout,
                stderr=stderr,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                # TORNADO_SHUTDOWN_TIME: Taguette otherwise lingers a second after SIGTERM.
                env=dict(os.environ, TORNADO_SHUTDOWN_TIME="0", PYTHONUNBUFFERED="1"),
            )
        try:
            self._wait_ready(out, log)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, out: Path, log: Path) -> None:
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            token = join_token(out.read_text(errors="replace"))
            if token:
                self.token = token
                return
            if self.process.poll() is not None:
                tail = " / ".join(log.read_text(errors="replace").strip().splitlines()[-3:])
                raise TaguetteUnavailable(f"Taguette {VERSION} exited at start: {tail}")
            time.sleep(0.1)
        raise TaguetteUnavailable(f"Taguette did not listen within {START_TIMEOUT_S} s; see {log}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Client:
    """One kept-alive connection to Taguette carrying its login cookie and XSRF token."""

    def __init__(self, port: int) -> None:
        self.connection = HTTPConnection("127.0.0.1", port, timeout=600)
        self.cookies: SimpleCookie = SimpleCookie()

    def request(
        self, method: str, path: str, body: bytes = b"", content_type: str | None = None
    ) -> tuple[HTTPResponse, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={m.coded_value}" for k, m in self.cookies.items())}
        if "_xsrf" in self.cookies:
            headers["X-XSRFToken"] = self.cookies["_xsrf"].value
        if content_type:
            headers["Content-Type"] = content_type
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(cookie)
        return response, data

    def call(self, method: str, path: str, payload: Any = None) -> Any:
        """A JSON API call (no body when ``payload`` is None); its decoded answer."""
        if payload is None:
            return self._answer(method, path, b"", None)
        return self._answer(method, path, json.dumps(payload).encode(), "application/json")

    def upload(self, path: str, fields: dict[str, str], filename: str, data: bytes) -> Any:
        """A multipart upload of one file with ``fields``; the decoded JSON answer."""
        return self._answer("POST", path, *multipart(fields, filename, data))

    def _answer(self, method: str, path: str, body: bytes, content_type: str | None) -> Any:
        response, data = self.request(method, path, body, content_type)
        if response.status != 200:
            raise RuntimeError(f"Taguette {method} {path}: {response.status} {data[:300]!r}")
        return json.loads(data)

    def log_in(self, token: str) -> int:
        """Logs in with the single-user token and creates the project; returns its id."""
        response, _ = self.request("GET", f"/?token={token}")
        if "user" not in self.cookies:
            raise RuntimeError(f"Taguette refused the single-user token ({response.status})")
        self.request("GET", "/project/new")  # renders a form, which sets the _xsrf cookie
        form = {"name": "Benchmark", "description": "", "_xsrf": self.cookies["_xsrf"].value}
        body = urlencode(form).encode()
        response, _ = self.request(
            "POST", "/project/new", body, "application/x-www-form-urlencoded"
        )
        found = re.fullmatch(r".*/project/([0-9]+)", response.headers.get("Location", ""))
        if response.status // 100 != 3 or not found:
            raise RuntimeError(f"Taguette did not create the project: {response.status}")
        return int(found.group(1))

    def close(self) -> None:
        self.connection.close()


def timed(call: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    """``call(*args)``'s result and its wall time in milliseconds."""
    started = time.perf_counter()
    result = call(*args)
    return result, (time.perf_counter() - started) * 1000


def measure(python: Path, docs: list[Doc], workdir: Path) -> dict[str, Any]:
    """Runs the workload through a fresh Taguette server; its figures as a dict."""
    load_before = os.getloadavg()[0]
    with Server(python, workdir) as server:
        client = Client(server.port)
        try:
            figures = _workload(client, server.token, docs)
        finally:
            client.close()
    figures["load_average_1m"] = {"before": load_before, "after": os.getloadavg()[0]}
    return figures


def _workload(client: Client, token: str, docs: list[Doc]) -> dict[str, Any]:
    project = client.log_in(token)
    api = f"/api/project/{project}"

    tags: dict[str, int] = {}
    tag_ms = 0.0
    for name, parent in CODES:
        payload = {"path": tag_path(name, parent), "description": ""}
        answer, ms = timed(client.call, "POST", f"{api}/tag/new", payload)
        tags[name], tag_ms = answer["id"], tag_ms + ms

    imported, document_ids = [], []
    for doc in docs:
        fields = {"name": doc.name, "description": ""}
        page = to_html(doc.text).encode("utf-8")
        answer, ms = timed(client.upload, f"{api}/document/new", fields, f"{doc.name}.html", page)
        imported.append(ms)
        document_ids.append(answer["created"])

    applied: list[float] = []
    expected: dict[int, str] = {}  # highlight id -> its text, for the parent tag's listing
    subtree = {name for name, parent in CODES if PARENT in (name, parent)}
    for doc, document in zip(docs, document_ids, strict=True):
        for coding in doc.codings:
            body = {
                "start_offset": byte_offset(doc.text, coding.start),
                "end_offset": byte_offset(doc.text, coding.end),
                "tags": [tags[coding.code]],
            }
            answer, ms = timed(
                client.call, "POST", f"{api}/document/{document}/highlight/new", body
            )
            applied.append(ms)
            if coding.code in subtree:
                expected[answer["id"]] = doc.text[coding.start : coding.end]

    listing = _parent_listing(client, f"{api}/highlights/{quote(PARENT)}", expected)
    return (
        {
            "docs": len(docs),
            "words": sum(len(doc.text.split()) for doc in docs),
            "create_tags": {"tags": len(tags), "total_ms": round(tag_ms, 2)},
            "import_document": summary(imported) | {"total_s": round(sum(imported) / 1000, 2)},
            "apply_highlight": summary(applied) | {"total_s": round(sum(applied) / 1000, 2)},
            "parent_tag_highlights": listing,
        }
        | dict.fromkeys(NO_EQUIVALENT)
        | {"notes": NO_EQUIVALENT}
    )


def _parent_listing(client: Client, url: str, expected: dict[int, str]) -> dict[str, Any]:
    """Every page of the parent tag's highlights, ``PARENT_LISTING_RUNS`` times.

    The last run's snippets are checked against the transcripts, which shows that
    the byte offsets sent with each highlight landed on the coded words.
    """
    totals: list[float] = []
    for _ in range(PARENT_LISTING_RUNS):
        seen: dict[int, str] = {}
        page = pages = 1
        started = time.perf_counter()
        while page <= pages:
            answer = client.call("GET", f"{url}?page={page}")
            pages = answer["pages"]
            seen |= {hl["id"]: hl["content"] for hl in answer["highlights"]}
            page += 1
        totals.append((time.perf_counter() - started) * 1000)
    return {
        "tag": PARENT,
        "highlights": len(seen),
        "expected": len(expected),
        "matching_text": sum(
            id_ in seen and snippet_text(seen[id_]) == text for id_, text in expected.items()
        ),
        "pages": pages,
        "all_pages": summary(totals),
    }


def run_taguette(n_docs: int, workdir: Path, seed: int = 0, *, venv: Path = VENV) -> dict | None:
    """Taguette's figures for ``n_docs`` transcripts of the workload, or None.

    None means Taguette could not be installed (no network, a Python it does not
    support) or started; the reason is printed on stderr. The server's database and
    log stay in ``workdir``.
    """
    try:
        python = ensure_taguette(venv)
        return measure(python, generate(n_docs, seed), workdir)
    except TaguetteUnavailable as unavailable:
        print(f"taguette_side: {unavailable}", file=sys.stderr)
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", default="10,50,200", help="comma-separated corpus sizes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--venv", type=Path, default=VENV, help="Taguette's own virtualenv")
    parser.add_argument("--workdir", type=Path, help="keep databases and logs here")
    args = parser.parse_args()
    sizes = [int(size) for size in args.docs.split(",")]
    output: dict[str, Any] = {
        "benchmark": "taguette_side",
        "taguette": VERSION,
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "workload": {"seed": args.seed, "codes": len(CODES), "codings_per_doc": CODINGS_PER_DOC},
    }
    with tempfile.TemporaryDirectory(prefix="taguette-side-") as scratch:
        root = args.workdir or Path(scratch)
        try:
            python = ensure_taguette(args.venv)
            output["runs"] = [
                measure(python, generate(size, args.seed), root / f"docs-{size}") for size in sizes
            ]
        except TaguetteUnavailable as unavailable:
            output |= {"runs": None, "note": str(unavailable)}
    print(json.dumps(output, indent=2))


if __name__ == "__main__":
    main()
