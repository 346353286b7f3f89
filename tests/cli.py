"""Running the `thematica` command as a user does: a real process, its exact output."""

import os
import subprocess
import sys
from pathlib import Path

THEMATICA = str(Path(sys.executable).with_name("thematica"))


def run(*args, check=True, env=None):
    """Run ``thematica ARGS`` as Hannah, with no terminal width to wrap tables at."""
    result = subprocess.run(
        [THEMATICA, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "THEMATICA_USER": "Hannah", "COLUMNS": "", **(env or {})},
    )
    if check:
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
    return result


def out(*args):
    """What a command that must succeed prints."""
    return run(*args).stdout


def fails(*args):
    """The one-line error of a command that must fail with status 2, without 'Error: '."""
    result = run(*args, check=False)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("Error: ")
    return result.stderr.removeprefix("Error: ").rstrip("\n")
