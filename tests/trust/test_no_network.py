"""Nothing leaves the machine: the demo pipeline and every command run with all outbound
connections blocked, and none of them tries one.

The guard (tests/trust/netguard/sitecustomize.py) is loaded into every Python process
these tests start; it refuses, and writes down, any connection or name lookup for
anything but this machine. The demo and the commands also run inside a network
namespace of their own, with only loopback up, where ``unshare -rn`` works: that stops C
code the guard cannot see.
"""

import re
import subprocess
import sys
import time
import urllib.request
import wave
from pathlib import Path

import pytest

from tests.conftest import DEMO
from tests.trust.conftest import DEMO_PASSPHRASE, NETGUARD, network_namespace
from thematica.cli import COMMANDS

THEMATICA = str(Path(sys.executable).with_name("thematica"))
DRAFT = """WEBVTT

00:00:01.000 --> 00:00:03.000
<v Speaker 1>How did it go?

00:00:04.000 --> 00:00:06.000
<v Speaker 2>It went well, thank you.
"""


def _load_guard():
    import importlib.util

    spec = importlib.util.spec_from_file_location("netguard", NETGUARD / "sitecustomize.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def guarded_here(guard, monkeypatch):
    """The guard in this test process too (undone after the test)."""
    for owner, name, replacement in _load_guard().patches(str(guard.log)):
        monkeypatch.setattr(owner, name, replacement)
    return guard


def test_the_guard_refuses_and_records_a_connection(guarded_here, tmp_path):
    """The check can fail: a process that reaches out is stopped and written down."""
    fetch = "import urllib.request; urllib.request.urlopen('http://example.org/', timeout=5)"
    result = subprocess.run(
        [sys.executable, "-c", fetch], capture_output=True, text=True, env=guarded_here.env
    )
    assert result.returncode != 0 and "network is unreachable" in result.stderr
    import socket

    with pytest.raises(OSError, match="network is unreachable"):
        socket.create_connection(("192.0.2.1", 443), timeout=1)
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("pypi.org", 443)
    attempts = guarded_here.attempts()
    assert len(attempts) == 3
    assert "create_connection ('example.org', 80)" in attempts[0]
    assert attempts[1].endswith("create_connection ('192.0.2.1', 443)")
    assert attempts[2].endswith("getaddrinfo 'pypi.org'")
    # This machine stays reachable.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    socket.create_connection(server.getsockname(), timeout=1).close()
    server.close()
    assert len(guarded_here.attempts()) == 3


def test_the_demo_pipeline_makes_no_connection(offline_demo):
    out, attempts, jailed = offline_demo
    assert attempts == []
    # It ran to the end: the report is its last step.
    for name in ("parent-infant-study.thematica", "report.html", "report.docx", "report.md"):
        assert (out / name).is_file(), name
    if not jailed:
        pytest.skip("unshare -rn does not work here: the demo ran with the socket guard only")


class Session:
    """Runs `thematica` commands on one project, with the guard, and notes which
    top-level commands ran."""

    def __init__(self, env, project: Path, jail: list[str]) -> None:
        self.env = {**env, "THEMATICA_USER": "Hannah", "THEMATICA_KEY_PASSPHRASE": DEMO_PASSPHRASE}
        self.project = project
        self.jail = jail
        self.covered: set[str] = set()

    def __call__(self, *args: str, project: bool = True, refused: str = "") -> str:
        """Run a command; it must succeed, or with ``refused`` fail with that message."""
        self.covered.add(args[0])
        command = [*self.jail, THEMATICA, *(["-p", str(self.project)] if project else []), *args]
        result = subprocess.run(command, capture_output=True, text=True, env=self.env)
        if refused:
            assert (result.returncode, result.stderr) == (2, f"Error: {refused}\n"), args
        else:
            assert result.returncode == 0, f"{args}: {result.stderr}"
        return result.stdout


def test_every_command_runs_offline(study, guard, tmp_path):
    """Each command of each feature, on a copy of the demo study, with no network."""
    out = tmp_path / "out"
    out.mkdir()
    key = study.with_suffix(".key")
    run = Session(guard.env, study, network_namespace())
    extra = out / "extra.txt"
    extra.write_text("Interviewer: Anything else?\n\nParticipant: No, that was all.\n")
    (out / "extra.wav").write_bytes(b"RIFF")
    (out / "later.txt").write_text("Interviewer: And now?\n\nParticipant: Better, thanks.\n")
    (out / "draft.vtt").write_text(DRAFT)
    with wave.open(str(out / "silence.wav"), "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(2)
        recording.setframerate(16000)
        recording.writeframes(b"\0\0" * 16000)

    run("init", str(out / "new.thematica"), "--participant-label", "Mother {id}", project=False)
    run("sources", "list")
    run("sources", "show", "interview-01.txt")
    run("sources", "add", str(extra))
    run("sources", "media", "extra.txt", str(out / "extra.wav"))
    # The speech model loads and listens to the whole recording before finding no words.
    run(
        "transcribe",
        str(out / "silence.wav"),
        "--quiet",
        refused="no speech found in silence.wav",
    )
    run("transcript", "check", str(out / "draft.vtt"))
    run("transcript", "confirm", str(out / "draft.vtt"), "--media", str(out / "extra.wav"))
    run("batch", "import", str(out / "later.txt"), "--scheduler", "local:1", "--quiet")
    run("cases", "list")
    run("cases", "show", "Mother 1")
    run("cases", "import", str(DEMO / "participants.csv"), "--id", "id")
    run("codes", "list")
    run("codes", "tree")
    run("codes", "add", "Offline", "--parent", "Getting referred")
    run("codes", "rename", "Offline", "Checked offline")
    run("codes", "describe", "Checked offline", "Made by the no-network test")
    run("codes", "colour", "Checked offline", "#123456")
    run("codes", "move", "Checked offline", "--top")
    run("codes", "export", str(out / "codebook.csv"))
    run("codes", "import", str(out / "codebook.csv"))
    coded = run(
        "code", "interview-01.txt", "--code", "Checked offline", "--start", "0", "--end", "40"
    )
    run("uncode", re.search(r"\(coding (\d+)\)", coded)[1])
    run("codes", "add", "Spare")
    run("codes", "delete", "Spare")
    run("codes", "merge", "Checked offline", "Warmth")
    run("codings", "list")
    run("codings", "import", str(DEMO / "coding" / "codings-dev.csv"))
    run("codings", "guide", str(DEMO / "interview-guide.txt"), "--source", "extra.txt")
    run("segments", "Warmth", "--coder", "Hannah", "--json")
    run("memo", "add", "Checked with the network blocked.", "--title", "Offline")
    run("memo", "list")
    run("memo", "show", "1")
    run(
        "anonymise",
        "detect",
        str(DEMO / "raw" / "interview-01.txt"),
        "--names",
        str(DEMO / "names.txt"),
    )
    run("anonymise", "reidentify", "interview-01.txt", "--key", str(key))
    run("agreement", "--coders", "Hannah,Dev", "--unit", "turn")
    run("double-coding", "list")
    run("consensus", "status")
    run("consensus", "list")
    run("table1", "--spec", str(DEMO / "table1.toml"), "--format", "csv")
    run("report", "--out", str(out / "report.html"), "--coder", "Hannah")
    run("themes", "list")
    run("themes", "tree")
    run("themes", "prevalence", "--coder", "Hannah")
    run("themes", "history", "1")
    run("themes", "map", "--out", str(out / "map.svg"))
    run("themes", "export", str(out / "themes.yaml"))
    run("quotes", "list")
    run("query", "search", "toast")
    run("query", "words")
    run("matrix", "cases")
    run("matrix", "cooccurrence")
    run("sets", "add", "Offline", "1", "2")
    run("sets", "show", "Offline")
    run("assist", "models")
    run("assist", "similar", "--coding", "1", "--limit", "3")  # the embedding model runs
    run("framework", "--out", str(out / "framework.csv"))
    run("framework", "summary", "1", "Mother 1", "Felt looked after.")
    run("phase")
    run("status")
    run("export", "qdpx", str(out / "study.qdpx"))
    run("export", "qdc", str(out / "codebook.qdc"))
    run(
        "import",
        "qdpx",
        str(out / "study.qdpx"),
        "--into",
        str(out / "copy.thematica"),
        project=False,
    )
    run("admin", "--db", str(study), "users", project=False)
    run("log", "--limit", "3")
    run("log", "--format", "csv", "--out", str(out / "audit.csv"))
    run("undo")
    made = run("backup", "--keep", "2")
    run("cases", "withdraw", "3", "--key", str(key), "--yes")
    run("restore", re.search(r" to (\S+\.thematica) ", made)[1])
    assert guard.attempts() == []
    # Every command was run here, but `serve`, which has a test of its own below.
    assert run.covered | {"serve"} == set(COMMANDS)


def test_the_browser_workbench_serves_offline(study, guard):
    server = subprocess.Popen(
        [THEMATICA, "-p", str(study), "serve", "--port", "0", "--no-open"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**guard.env, "THEMATICA_USER": "Hannah"},
    )
    try:
        line = server.stdout.readline()
        url = re.search(r"at (http://127\.0\.0\.1:\d+)", line)
        assert url, line + server.stderr.read()
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url[1] + "/", timeout=5) as page:
                    assert page.status == 200
                    assert (
                        "interview-01.txt" in urllib.request.urlopen(url[1] + "/").read().decode()
                    )
                break
            except ConnectionError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert guard.attempts() == []
