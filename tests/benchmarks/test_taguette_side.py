"""The pure parts of Taguette's side of the queries benchmark (``benchmarks/taguette_side.py``).

Running Taguette itself needs pip and the network once, so it is left to the benchmark
(``python benchmarks/taguette_side.py``); these tests cover what the driver sends and how
it fails when Taguette is out of reach, with stand-in interpreters instead of Taguette.
"""

import importlib.util
import os
import time
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location(
    "taguette_side", REPO / "benchmarks" / "taguette_side.py"
)
assert spec and spec.loader
side = importlib.util.module_from_spec(spec)
spec.loader.exec_module(side)

TEXT = (
    "Interviewer: Tell me about <the team> & you.\n\n"
    'Participant: The "café" was 😀 naïve,\nreally.\n\n\n'
    "Interviewer: Thanks.\n"
)


def test_html_text_nodes_are_the_transcript_exactly():
    page = side.to_html(TEXT)
    assert page.startswith("<p>Interviewer: Tell me about &lt;the team&gt; &amp; you.</p>\n\n")
    assert side.snippet_text(page) == TEXT


def test_a_plain_paragraph_is_one_p_element():
    assert side.to_html("Participant: yes") == "<p>Participant: yes</p>"


def test_snippets_are_read_back_as_text():
    assert side.snippet_text("<p>mum &amp; baby</p>\n\n<p>&lt;um&gt; 😀</p>") == (
        "mum & baby\n\n<um> 😀"
    )


def test_offsets_are_utf8_bytes_of_the_text_before_them():
    start = TEXT.index("café")
    end = TEXT.index("really")
    assert side.byte_offset(TEXT, 0) == 0
    assert side.byte_offset("café au lait", 5) == 6
    assert side.byte_offset("😀 x", 2) == 5
    data = TEXT.encode("utf-8")
    assert (
        data[side.byte_offset(TEXT, start) : side.byte_offset(TEXT, end)].decode()
        == (TEXT[start:end])
    )


def test_tag_paths_give_the_parent_and_only_its_children_by_prefix():
    paths = [side.tag_path(name, parent) for name, parent in side.CODES]
    assert len(set(paths)) == len(side.CODES) == 30
    # Taguette lists a tag's highlights by path prefix (tag.path.startswith(path)).
    under_parent = [path for path in paths if path.startswith(side.PARENT)]
    assert under_parent == [side.PARENT] + [f"{side.PARENT}.{side.PARENT} {n}" for n in range(1, 6)]


def test_multipart_body_carries_the_fields_and_the_file():
    data = side.to_html(TEXT).encode("utf-8")
    body, content_type = side.multipart({"name": "P0001", "description": ""}, "P0001.html", data)
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    parts = {
        part.get_param("name", header="content-disposition"): part for part in message.iter_parts()
    }
    assert parts["name"].get_content() == "P0001"
    assert parts["description"].get_content() == ""
    assert parts["file"].get_filename() == "P0001.html"
    assert parts["file"].get_content_type() == "text/html"
    assert parts["file"].get_payload(decode=True) == data


def test_the_login_token_is_read_from_the_banner():
    banner = (
        "\n    Taguette 1.5.2 is now running. You can connect to it using this link:\n\n"
        "    http://localhost:7465/?token=8518f2e5166c2b1e\n"
    )
    assert side.join_token(banner) == "8518f2e5166c2b1e"
    assert side.join_token("2026-11-27 INFO: Setting umask to 077") is None


def fake_python(folder: Path, script: str) -> Path:
    """A stand-in for a virtualenv's ``bin/python`` that runs ``script`` in sh."""
    python = folder / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f"#!/bin/sh\n{script}\n")
    python.chmod(0o755)
    return python


def test_no_taguette_without_pip_gives_none_and_says_why(tmp_path, capsys):
    fake_python(tmp_path / "venv", "echo 'ERROR: No matching distribution found' >&2; exit 1")
    assert side.run_taguette(1, tmp_path / "work", venv=tmp_path / "venv") is None
    err = capsys.readouterr().err
    assert err.startswith("taguette_side: could not install taguette==1.5.2 into ")
    assert "No matching distribution found" in err


def test_a_server_that_dies_at_start_is_reported_with_its_log(tmp_path):
    python = fake_python(tmp_path, "echo 'ImportError: no module named cgi' >&2; exit 1")
    server = side.Server(python, tmp_path / "work")
    with pytest.raises(side.TaguetteUnavailable, match="exited at start: ImportError: no module"):
        server.__enter__()
    assert server.process.returncode == 1


def test_the_whole_server_process_group_is_stopped(tmp_path):
    # The stand-in leaves a child behind in its group, as a server's workers would.
    banner = "echo 'http://localhost:1/?token=ab12'; sleep 60 & wait"
    with side.Server(fake_python(tmp_path, banner), tmp_path / "work") as server:
        assert server.token == "ab12"
        group = server.process.pid
    assert server.process.poll() is not None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    pytest.fail("a process of the server's group outlived it")
