"""Team server load test (issue 12): simulated coders applying and removing codings
against `thematica serve --team` on a real PostgreSQL, over loopback only.

Prints one JSON object: requests, throughput, latency (p50, p95, p99) of applying and
of removing a coding as the clients timed them, and the check that no write was lost
or duplicated: every coder's codings in the database are compared with the ids that
coder's client saw created and removed.

    python benchmarks/team_load.py [--coders 20] [--seconds 60] [--sources 20] [--seed 0]

Each coder is its own account (role coder) with its own session, in its own thread
with its own HTTP connection, coding as fast as the server answers (no pause between
requests): 60% of its requests apply a coding to a random span of a random source with
one of 30 codes, the rest remove one of its own codings. The loop is bounded by
``--seconds``; the server, the database and the clients share this machine's cores.
Needs PostgreSQL's server binaries (Debian's postgresql) and the `web`, `postgresql`
and `team` extras.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
from workload import generate  # noqa: E402

import thematica  # noqa: E402
from tests.pg_server import PostgresServer, find_bindir  # noqa: E402
from thematica.team import accounts  # noqa: E402

PASSWORD = "load test password, not a real one"
CODES = [f"Code {n:02}" for n in range(30)]
APPLY_SHARE = 0.6
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Coder:
    """One simulated coder: what its client did and how long each request took."""

    name: str
    created: set[int] = field(default_factory=set)
    removed: set[int] = field(default_factory=set)
    apply_ms: list[float] = field(default_factory=list)
    remove_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def study(url: str, n_sources: int, n_coders: int, seed: int) -> list[tuple[str, int]]:
    """The project: transcripts, 30 codes, a lead and the coders' accounts."""
    docs = generate(n_sources, seed=seed)
    with thematica.create_project(url, actor="lead") as project:
        project.sources.add_many([(f"{d.name}.txt", d.text) for d in docs])
        for name in CODES:
            project.codes.add(name)
        accounts.add_user(project, "lead", PASSWORD, role="lead")
        for n in range(n_coders):
            accounts.add_user(project, f"coder{n:02}", PASSWORD, role="coder")
        return [(s.name, s.length) for s in project.sources.list()]


def start_server(url: str) -> tuple[subprocess.Popen, str]:
    thematica_bin = str(Path(sys.executable).with_name("thematica"))
    command = [thematica_bin, "serve", "--team", "--db", url, "--port", "0", "--no-open"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert server.stdout is not None
    for line in server.stdout:
        found = re.search(r"http://127\.0\.0\.1:\d+/", line)
        if found:
            return server, found.group().rstrip("/")
    raise RuntimeError(f"the team server did not start (exit status {server.wait()})")


def log_in(client, name: str) -> str:
    """Log in as ``name`` through the form, as a browser does; return the session's
    CSRF token."""
    form = client.get("/login").text
    token = CSRF_FIELD.search(form).group(1)
    answer = client.post(
        "/login", data={"name": name, "password": PASSWORD, "csrf_token": token, "next": "/"}
    )
    if answer.status_code != 303:
        raise RuntimeError(f"{name} could not log in: {answer.status_code}")
    return CSRF_META.search(client.get("/").text).group(1)


def work(base: str, coder: Coder, sources: list[tuple[str, int]], until: float, seed: int):
    import httpx

    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=30) as client:
        headers = {"x-csrf-token": log_in(client, coder.name)}
        mine: list[int] = []
        while time.monotonic() < until:
            started = time.perf_counter()
            if mine and rng.random() > APPLY_SHARE:
                coding_id = mine.pop(rng.randrange(len(mine)))
                answer = client.delete(f"/api/codings/{coding_id}", headers=headers)
                took = (time.perf_counter() - started) * 1000
                if answer.status_code == 204:
                    coder.removed.add(coding_id)
                    coder.remove_ms.append(took)
                else:
                    coder.errors.append(f"DELETE {answer.status_code} {answer.text[:200]}")
                continue
            name, length = rng.choice(sources)
            start = rng.randrange(0, length - 200)
            body = {
                "source": name,
                "code": rng.choice(CODES),
                "start": start,
                "end": start + rng.randrange(20, 200),
            }
            answer = client.post("/api/codings", json=body, headers=headers)
            took = (time.perf_counter() - started) * 1000
            if answer.status_code == 201:
                made = answer.json()["id"]
                if made not in coder.created:  # the same span again returns the same coding
                    mine.append(made)
                coder.created.add(made)
                coder.apply_ms.append(took)
            else:
                coder.errors.append(f"POST {answer.status_code} {answer.text[:200]}")


def check(url: str, coders: list[Coder]) -> dict:
    """Compare each coder's codings in the database with what its client saw."""
    lost = duplicated = unexpected = 0
    with thematica.open_project(url, actor="lead") as project, project.read() as conn:
        rows = conn.exec_driver_sql(
            'SELECT c.id, r.name, c.source_id, c.code_id, c.start, c."end" '
            "FROM coding c JOIN coder r ON r.id = c.coder_id"
        ).all()
    by_coder: dict[str, set[int]] = {}
    seen: set[tuple] = set()
    for coding_id, coder_name, *key in rows:
        by_coder.setdefault(coder_name, set()).add(coding_id)
        if (coder_name, *key) in seen:
            duplicated += 1
        seen.add((coder_name, *key))
    for coder in coders:
        expected = coder.created - coder.removed
        stored = by_coder.get(coder.name, set())
        lost += len(expected - stored)
        unexpected += len(stored - expected)
    return {
        "codings_in_database": len(rows),
        "lost": lost,
        "duplicated": duplicated,
        "unexpected": unexpected,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coders", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--sources", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    bindir = find_bindir()
    if bindir is None:
        sys.exit("PostgreSQL server binaries not found: install Debian's postgresql package")
    postgres = PostgresServer(bindir).start()
    server = None
    try:
        url = postgres.create_database("team_load")
        sources = study(url, args.sources, args.coders, args.seed)
        server, base = start_server(url)
        coders = [Coder(f"coder{n:02}") for n in range(args.coders)]
        until = time.monotonic() + args.seconds
        started = time.perf_counter()
        threads = [
            threading.Thread(target=work, args=(base, c, sources, until, args.seed + n))
            for n, c in enumerate(coders)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        applied = [ms for c in coders for ms in c.apply_ms]
        removed = [ms for c in coders for ms in c.remove_ms]
        errors = [e for c in coders for e in c.errors]
        result = {
            "benchmark": "team_load",
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "parameters": vars(args),
            "seconds": round(elapsed, 1),
            "requests": len(applied) + len(removed),
            "requests_per_second": round((len(applied) + len(removed)) / elapsed, 1),
            "apply_ms": {
                "count": len(applied),
                "p50": percentile(applied, 0.5),
                "p95": percentile(applied, 0.95),
                "p99": percentile(applied, 0.99),
                "mean": round(statistics.fmean(applied), 2) if applied else None,
            },
            "remove_ms": {
                "count": len(removed),
                "p50": percentile(removed, 0.5),
                "p95": percentile(removed, 0.95),
                "p99": percentile(removed, 0.99),
            },
            "errors": len(errors),
            "first_errors": errors[:5],
            "check": check(url, coders),
        }
        result["no_lost_or_duplicated_write"] = (
            result["check"]["lost"] == 0
            and result["check"]["duplicated"] == 0
            and result["check"]["unexpected"] == 0
        )
        print(json.dumps(result, indent=1))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        postgres.stop()


if __name__ == "__main__":
    main()
