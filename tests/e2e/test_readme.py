"""The README's tour, pasted line by line: every command runs and prints what it shows."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

BIN = str(Path(sys.executable).parent)
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def tour() -> list[tuple[str, str]]:
    """(command, expected output) pairs from the README's ```console blocks."""
    steps: list[tuple[str, list[str]]] = []
    text = (REPO / "README.md").read_text(encoding="utf-8")
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            elif steps and block.lstrip().startswith("$ "):
                steps[-1][1].append(line)
    return [(command, "\n".join(lines)) for command, lines in steps]


def test_the_readme_has_a_tour():
    assert len(tour()) >= 15


def test_readme_tour(tmp_path):
    (tmp_path / "examples").symlink_to(REPO / "examples")
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}", "COLUMNS": ""}
    env.pop("THEMATICA_USER", None)
    for command, expected in tour():
        if command.startswith("export "):
            name, _, value = command.removeprefix("export ").partition("=")
            env[name] = value
            continue
        result = subprocess.run(
            ["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        printed = (result.stdout + result.stderr).rstrip("\n")
        if printed != DATE.sub("DATE", printed):
            printed, expected = DATE.sub("DATE", printed), DATE.sub("DATE", expected)
        assert printed == expected, f"$ {command}"
        if not printed.startswith("Error: "):
            assert result.returncode == 0, f"$ {command}"
        else:
            assert result.returncode == 2


@pytest.mark.parametrize("name", ["make demo", "make test"])
def test_the_two_commands_come_first(name):
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert text.index(name) < text.index("## ")
