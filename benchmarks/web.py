"""Browser workbench benchmark: server time to open a long transcript and to apply a
code, and what a user waits for in Chromium.

Prints one JSON object. A seeded generator writes a study of ``--sources`` transcripts
of ``--words`` words, each with ``--codings`` codings over 40 codes, by one coder.

    python benchmarks/web.py [--words 10000] [--codings 300] [--sources 12]

Server time is the app's own ``Server-Timing`` header (time from the request reaching
the app to its answer being ready), read through the test client and through a real
``thematica serve``. Targets: opening the transcript under 150 ms, applying a code
under 50 ms at the 95th percentile. The browser part runs only where Debian's
Chromium is installed (/usr/bin/chromium) and Playwright is importable.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from urllib.parse import quote

import thematica

sys.path.insert(0, str(Path(__file__).parent))
import workload  # noqa: E402

# The interview vocabulary of the other benchmarks, less its fillers, plus accents and
# emoji (two UTF-16 units, and a ZWJ sequence) that the reader must count right.
WORDS = [*workload.WORDS[: workload.WORDS.index("sleep")], "café", "naïve", "😀", "👩‍👧"]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TARGETS_MS = {"open": 150.0, "apply_p95": 50.0}


def transcript(rng: random.Random, words: int) -> str:
    turns, count, speaker = [], 0, 0
    while count < words:
        length = rng.randint(8, 40) if speaker == 0 else rng.randint(20, 220)
        body = " ".join(rng.choices(WORDS, k=length)).capitalize() + "."
        turns.append(f"{'Interviewer' if speaker == 0 else 'Participant'}: {body}")
        count += length + 1
        speaker = 1 - speaker
    return "\n\n".join(turns) + "\n"


def spans(rng: random.Random, text: str, n: int) -> list[tuple[int, int]]:
    found = []
    for _ in range(n):
        start = rng.randrange(0, len(text) - 600)
        found.append((start, start + rng.randint(30, 600)))
    return found


def build(path: Path, args: argparse.Namespace, rng: random.Random) -> tuple[str, str]:
    """The study; returns the name and text of the transcript to open."""
    project = thematica.create_project(path, name="Web benchmark", actor="Hannah")
    texts = {f"t{i:02}.txt": transcript(rng, args.words) for i in range(args.sources)}
    project.sources.add_many(list(texts.items()))
    codes = []
    for t in range(5):
        project.codes.add(f"Theme {t}")
        codes.append(f"Theme {t}")
        for c in range(7):
            project.codes.add(f"Code {t}.{c}", parent=f"Theme {t}")
            codes.append(f"Code {t}.{c}")
    rows = [
        {"source": name, "code": rng.choice(codes), "start": s, "end": e, "coder": "Hannah"}
        for name, text in texts.items()
        for s, e in spans(rng, text, args.codings)
    ]
    project.codings.add_many(rows)
    for n in range(10):
        project.memos.add(f"Journal entry {n}", title=f"Day {n}")
    project.close()
    name = "t00.txt"
    return name, texts[name]


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(p95, 2),
        "max_ms": round(ordered[-1], 2),
        "runs": len(ordered),
    }


def server_time(response) -> float:
    return float(response.headers["server-timing"].removeprefix("app;dur="))


def test_client_timings(path: Path, name: str, text: str, args, rng) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from thematica.web import create_app

    results: dict[str, dict] = {}
    project = thematica.open_project(path, actor="Hannah")
    client = TestClient(
        create_app(project, port=8765, token="bench"), base_url="http://127.0.0.1:8765"
    )
    headers = {"X-CSRF-Token": "bench", "X-Thematica": "fetch"}
    url = f"/sources/{quote(name, safe='')}"
    for _ in range(3):
        client.get(url)  # warm: imports, templates, SQLite page cache
    server, wall = [], []
    size = 0
    for _ in range(args.runs):
        started = time.perf_counter()
        response = client.get(url)
        wall.append((time.perf_counter() - started) * 1000)
        server.append(server_time(response))
        size = len(response.content)
    results["open transcript (server)"] = summary(server)
    results["open transcript (test client, wall)"] = summary(wall)
    results["open transcript (page bytes)"] = {"bytes": size}

    code_names = [c.path for c in project.codes.list()]
    server, wall = [], []
    for start, end in spans(rng, text, args.applies):
        data = {"source": name, "start": start, "end": end, "code": rng.choice(code_names)}
        started = time.perf_counter()
        response = client.post("/codings", data=data, headers=headers)
        wall.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
        server.append(server_time(response))
    results["apply a code (server)"] = summary(server)
    results["apply a code (test client, wall)"] = summary(wall)

    server = []
    for coding in project.codings.list(source_name=name)[: args.applies // 2]:
        response = client.request(
            "DELETE", f"/codings/{coding.id}?source={quote(name)}", headers=headers
        )
        server.append(server_time(response))
    results["remove a coding (server)"] = summary(server)
    for label, page in (("dashboard", "/"), ("codebook", "/codes")):
        timings = [server_time(client.get(page)) for _ in range(10)]
        results[f"{label} (server)"] = summary(timings)
    project.close()
    return results


def browser_timings(path: Path, name: str, args) -> dict:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "Playwright is not installed (pip install -e '.[dev]')"}
    if not CHROMIUM.exists():
        return {"skipped": "Debian's chromium package is not installed (/usr/bin/chromium)"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "thematica.cli",
            "--user",
            "Hannah",
            "serve",
            str(path),
            "--port",
            "0",
            "--no-open",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    results: dict[str, dict] = {}
    try:
        base = re.search(r"(http://127\.0\.0\.1:\d+/)", process.stdout.readline()).group(1)
        url = f"{base}sources/{quote(name, safe='')}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            ready, response_end, stripes, server = [], [], [], []
            for n in range(args.browser_runs + 1):
                response = page.goto(url)
                page.wait_for_selector("#reader[data-ready='true']")
                if n == 0:
                    continue  # warm
                server.append(server_time(response))
                timing = page.evaluate(
                    """() => ({
                        ready: performance.getEntriesByName("thematica:ready")[0].startTime,
                        responseEnd: performance.getEntriesByType("navigation")[0].responseEnd,
                        stripes: performance.getEntriesByName("thematica:stripes").at(-1).duration,
                    })"""
                )
                ready.append(timing["ready"])
                response_end.append(timing["responseEnd"])
                stripes.append(timing["stripes"])
            results["open transcript (server, real server)"] = summary(server)
            results["open transcript: page answered (browser)"] = summary(response_end)
            results["open transcript: ready with stripes (browser)"] = summary(ready)
            results["draw coding stripes (browser)"] = summary(stripes)

            # Apply a code as a user does: a turn, Enter, C, type, Enter; timed from the
            # last Enter to the panel and stripes being redrawn.
            page.evaluate(
                """() => {
                    window.benchTimes = [];
                    document.addEventListener("keydown", (e) => {
                        if (e.key === "Enter" && document.querySelector("#palette[open]")) {
                            window.benchStart = performance.now();
                        }
                    }, true);
                    document.getElementById("reader").addEventListener("thematica:changed",
                        () => window.benchTimes.push(performance.now() - window.benchStart));
                }"""
            )
            applied: list[float] = []
            page.on(
                "response",
                lambda r: (
                    r.request.method == "POST"
                    and r.url.endswith("/codings")
                    and applied.append(server_time(r))
                ),
            )
            page.focus(".turn[data-turn='1']")
            for n in range(args.browser_applies):
                page.keyboard.press("ArrowDown")
                page.keyboard.press("Enter")
                page.keyboard.press("c")
                page.keyboard.type(f"code {n % 5}.{n % 7}")
                page.keyboard.press("Enter")
                page.wait_for_function("n => window.benchTimes.length === n", arg=n + 1)
            results["apply a code: Enter to redrawn panel (browser)"] = summary(
                page.evaluate("window.benchTimes")
            )
            results["apply a code (server, real server)"] = summary(applied)
            results["browser"] = {"chromium": browser.version}
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=10_000)
    parser.add_argument("--codings", type=int, default=300, help="codings per transcript")
    parser.add_argument("--sources", type=int, default=12)
    parser.add_argument("--runs", type=int, default=30, help="page loads through the test client")
    parser.add_argument("--applies", type=int, default=100, help="codes applied (test client)")
    parser.add_argument("--browser-runs", type=int, default=10)
    parser.add_argument("--browser-applies", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20261127)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="thematica-web-bench-"))
    try:
        path = workdir / "bench.thematica"
        started = time.perf_counter()
        name, text = build(path, args, rng)
        built = time.perf_counter() - started
        copy = workdir / "served.thematica"
        shutil.copy(path, copy)
        results = test_client_timings(path, name, text, args, rng)
        results.update(browser_timings(copy, name, args))
        opened = results["open transcript (server)"]["median_ms"]
        applied = results["apply a code (server)"]["p95_ms"]
        print(
            json.dumps(
                {
                    "benchmark": "web",
                    "python": platform.python_version(),
                    "machine": platform.machine(),
                    "study": {
                        "transcript_words": len(text.split()),
                        "codings_in_transcript": args.codings,
                        "sources": args.sources,
                        "build_seconds": round(built, 2),
                    },
                    "targets_ms": TARGETS_MS,
                    "meets_targets": {
                        "open": opened < TARGETS_MS["open"],
                        "apply_p95": applied < TARGETS_MS["apply_p95"],
                    },
                    "results": results,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
