"""Core benchmark: import, coding, bulk coding, retrieval and CLI start-up at study scale.

Prints one JSON object. A seeded generator writes 1,000 synthetic transcripts of about
8,000 words (interviewer and participant turns), 200 codes and 100,000 codings.

    python benchmarks/core.py [--documents 1000] [--words 8000] [--codings 100000]

Peak memory per step is the process's resident high-water mark, reset before each step
(Linux ``/proc/self/clear_refs``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from workload import interview

import thematica

THEMATICA = str(Path(sys.executable).with_name("thematica"))


def transcript(rng: random.Random, words: int) -> str:
    """A synthetic interview of about ``words`` words: the queries workload's generator."""
    return interview(rng, words)[0]


def reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def measure(results: dict, name: str, fn, items: int | None = None) -> object:
    reset_peak()
    started = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - started
    entry = {"seconds": round(seconds, 3), "peak_rss_mib": peak_mib()}
    if items:
        entry["per_item_ms"] = round(seconds * 1000 / items, 3)
        entry["items"] = items
    results[name] = entry
    return value


# Linux carries a process's peak RSS across fork and exec, so a CLI started straight
# from this (large) benchmark process would report the benchmark's memory. A small
# launcher process starts it instead and reports its time and peak RSS.
LAUNCHER = """
import json, os, subprocess, sys, time
started = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(process.pid, 0)
print(json.dumps([time.perf_counter() - started, usage.ru_maxrss / 1024, status]))
"""


def run_process(args: list[str], env: dict) -> tuple[float, float]:
    """Wall time (s) and peak resident memory (MiB) of one CLI process."""
    result = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *args], env=env, capture_output=True, text=True
    )
    elapsed, rss, status = json.loads(result.stdout)
    if status != 0:
        raise SystemExit(f"{args} failed with status {status}")
    return elapsed, rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--words", type=int, default=8000)
    parser.add_argument("--codes", type=int, default=200)
    parser.add_argument("--codings", type=int, default=100_000)
    parser.add_argument("--single", type=int, default=1000, help="codings added one by one")
    parser.add_argument("--seed", type=int, default=20261127)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="thematica-bench-"))
    results: dict[str, dict] = {}
    try:
        texts = measure(
            results,
            "generate transcripts",
            lambda: [transcript(rng, args.words) for _ in range(args.documents)],
        )
        path = workdir / "bench.thematica"
        project = thematica.create_project(path, actor="bench")

        # One transaction per document, as `thematica sources add FILE` does per call.
        # A hundred one at a time, the rest in batches (all in batches below 200).
        single = 100 if args.documents >= 200 else 0
        measure(
            results,
            "import one document per transaction",
            lambda: [project.sources.add(f"t{i:04}.txt", texts[i]) for i in range(single)],
            single,
        )

        def import_rest() -> None:
            for at in range(single, args.documents, 100):
                batch = range(at, min(at + 100, args.documents))
                project.sources.add_many([(f"t{i:04}.txt", texts[i]) for i in batch])

        measure(
            results,
            "import documents in batches of 100",
            import_rest,
            args.documents - single,
        )
        lengths = [len(t) for t in texts]
        texts.clear()  # free the generated text before the coding steps are measured

        def make_codes() -> list[str]:
            names = []
            top = max(1, args.codes // 10)
            for t in range(top):
                project.codes.add(f"Theme {t}")
                names.append(f"Theme {t}")
            for c in range(args.codes - top):
                project.codes.add(f"Code {c}", parent=f"Theme {c % top}")
                names.append(f"Code {c}")
            return names

        codes = measure(results, "add codes", make_codes, args.codes)
        target = codes[-1]

        def span(i: int) -> tuple[int, int]:
            length = lengths[i]
            start = rng.randrange(0, length - 400)
            return start, start + rng.randint(40, 400)

        def code_one_by_one() -> None:
            for n in range(args.single):
                i = rng.randrange(args.documents)
                start, end = span(i)
                project.codings.add(f"t{i:04}.txt", codes[n % len(codes)], start, end, "Hannah")

        measure(results, "code one span (with commit and audit)", code_one_by_one, args.single)

        # The target code gets exactly 1,000 codings; the rest spread over the others.
        def rows():
            for n in range(args.codings):
                i = rng.randrange(args.documents)
                start, end = span(i)
                code = target if n < 1000 else codes[n % (len(codes) - 1)]
                yield {
                    "source": f"t{i:04}.txt",
                    "code": code,
                    "start": start,
                    "end": end,
                    "coder": "Dev",
                }

        measure(
            results,
            "bulk import codings",
            lambda: project.codings.add_many(rows()),
            args.codings,
        )

        def segments() -> int:
            timings = []
            for _ in range(20):
                started = time.perf_counter()
                found = project.segments(target, coder="Dev")
                timings.append(time.perf_counter() - started)
            results["segments of a code with 1,000 codings (API)"] = {
                "median_ms": round(statistics.median(timings) * 1000, 2),
                "segments": len(found),
            }
            return len(found)

        reset_peak()
        segments()
        results["segments of a code with 1,000 codings (API)"]["peak_rss_mib"] = peak_mib()
        project.close()

        env = {**os.environ, "THEMATICA_USER": "bench"}
        cli = [THEMATICA, "-p", str(path), "segments", target, "--coder", "Dev", "--json"]
        runs = [run_process(cli, env) for _ in range(7)]
        results["segments --json (whole process)"] = {
            "median_ms": round(statistics.median(r[0] for r in runs) * 1000, 1),
            "peak_rss_mib": round(max(r[1] for r in runs), 1),
        }
        helps = [run_process([THEMATICA, "--help"], env) for _ in range(7)]
        results["thematica --help (whole process)"] = {
            "median_ms": round(statistics.median(r[0] for r in helps) * 1000, 1),
            "peak_rss_mib": round(max(r[1] for r in helps), 1),
        }
        size = sum(p.stat().st_size for p in workdir.glob("bench.thematica*"))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    per_doc = results["import documents in batches of 100"]["per_item_ms"]
    targets = {
        "import per document <= 2 ms": per_doc <= 2,
        "one coding with commit and audit <= 1 ms": results[
            "code one span (with commit and audit)"
        ]["per_item_ms"]
        <= 1,
        "bulk import of 100,000 codings < 10 s": results["bulk import codings"]["seconds"] < 10,
        "segments of 1,000 codings via API < 20 ms": results[
            "segments of a code with 1,000 codings (API)"
        ]["median_ms"]
        < 20,
        "segments --json process < 300 ms": results["segments --json (whole process)"]["median_ms"]
        < 300,
        "thematica --help < 300 ms": results["thematica --help (whole process)"]["median_ms"] < 300,
        "core CLI < 80 MiB resident": results["segments --json (whole process)"]["peak_rss_mib"]
        < 80,
    }
    print(
        json.dumps(
            {
                "benchmark": "core",
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                },
                "parameters": vars(args),
                "database_mib": round(size / 1024 / 1024, 1),
                "steps": results,
                "targets_met": targets,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
