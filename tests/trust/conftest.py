"""What the trust tests share: a socket guard for every process they start, and the demo
study built once under it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DEMO

NETGUARD = Path(__file__).parent / "netguard"
BIN = Path(sys.executable).parent
DEMO_PASSPHRASE = "demo only: parent-infant study key"


class Guard:
    """The environment that loads the socket guard into every Python process started
    with it, and the attempts those processes made to reach another machine."""

    def __init__(self, log: Path) -> None:
        self.log = log
        log.touch()
        self.env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                [str(NETGUARD), *filter(None, [os.environ.get("PYTHONPATH")])]
            ),
            "THEMATICA_NET_GUARD_LOG": str(log),
            "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
            "COLUMNS": "",
        }
        self.env.pop("THEMATICA_PROJECT", None)

    def attempts(self) -> list[str]:
        return self.log.read_text(encoding="utf-8").splitlines()


def network_namespace() -> list[str]:
    """A command prefix that runs a command in a network namespace of its own, where
    only loopback is up (Dask's local cluster talks to itself over it), where this
    machine allows one (``unshare -rn``: a user namespace, and ``ip``); else nothing."""
    unshare, ip = shutil.which("unshare"), shutil.which("ip")
    if unshare is None or ip is None:
        return []
    jail = [unshare, "-rn", "sh", "-c", f'{ip} link set lo up && exec "$@"', "sh"]
    works = subprocess.run([*jail, "true"], capture_output=True).returncode == 0
    return jail if works else []


@pytest.fixture
def guard(tmp_path) -> Guard:
    return Guard(tmp_path / "connections.log")


@pytest.fixture(scope="session")
def offline_demo(tmp_path_factory):
    """`make demo`'s pipeline run with the socket guard, inside a network namespace
    where one can be made: (output folder, attempts, whether it had no network at all)."""
    root = tmp_path_factory.mktemp("offline-demo")
    guarded = Guard(root / "connections.log")
    jail = network_namespace()
    result = subprocess.run(
        [*jail, sys.executable, str(DEMO / "run_demo.py"), "--out", str(root / "out"), "--quiet"],
        capture_output=True,
        text=True,
        env={**guarded.env, "THEMATICA_USER": "Hannah"},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return root / "out", guarded.attempts(), bool(jail)


@pytest.fixture
def study(offline_demo, tmp_path):
    """A copy of the demo study's project and key, to change."""
    out, _, _ = offline_demo
    for name in ("parent-infant-study.thematica", "parent-infant-study.key"):
        shutil.copy(out / name, tmp_path / name)
    return tmp_path / "parent-infant-study.thematica"
