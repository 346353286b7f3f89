"""Queries benchmark (issue 10): the workload of ``benchmarks/workload.py`` through
Thematica's API and its HTTP API, beside Taguette's figures from the same run.

Prints one JSON object. For each corpus size (transcripts of about 8,000 words, 30 codes
in a hierarchy, 20 codings per transcript, each transcript's participant with a
diagnosis and an age):

    python benchmarks/queries.py [--docs 10,50,200,1000] [--seed 0] [--runs 20]
                                 [--no-taguette]

Thematica's steps: importing a transcript (one transaction each, as a request would,
and in batches of 100, as ``thematica sources add FOLDER`` does); applying a coding
through the API and through the web app's ``POST /codings``; every segment of a parent
code with its children (``project.segments`` and the code's page ``GET /codes/ID``, and
the coding query with the default participants-only filter); a coding query with two
codes and an attribute filter; a 200-code x 100-participant matrix (170 more codes with
20 codings per transcript are added for it, after the other steps); and a phrase
search over the whole corpus. Query times are medians of ``--runs`` runs.

Taguette's column comes from ``benchmarks/taguette_side.py`` (Taguette in its own
virtualenv, driven over its HTTP API) when that file is present and Taguette can run;
otherwise the output says why it is missing. The web app's steps run through
FastAPI's test client (the app in this process, no sockets) and read the app's own
``Server-Timing``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from web import server_time, summary  # noqa: E402
from workload import CODER, CODES, PARENT, PARENTS, Doc, generate  # noqa: E402

import thematica  # noqa: E402
from thematica.query.filters import Filter  # noqa: E402

TARGETS = {
    "import_ratio": 10.0,  # at least this many times faster per document than Taguette
    "parent_segments_ms": 100.0,
    "coding_query_ms": 100.0,
    "matrix_ms": 500.0,
    "phrase_search_ms": 50.0,
}
EXTRA_CODES = 170
MATRIX_CASES = 100
APPLIES = 200  # codings applied one by one (API and HTTP); the rest go in bulk
TWO_CODES = f'"{PARENTS[0]}" AND "{PARENTS[1]}"'
ATTRIBUTE_FILTER = 'diagnosis = "Depression" and age <= 30'
PHRASE = '"social worker"'
RARE_PHRASE = '"health visitor referral"'


def median_ms(call: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """The median wall time of ``runs`` calls (after one warm-up call) and the last result."""
    result = call()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        timings.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(timings), 2), result


def each_ms(calls: list[Callable[[], Any]]) -> list[float]:
    timings = []
    for call in calls:
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def participants_csv(docs: list[Doc], path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "diagnosis", "age"])
        for doc in docs:
            writer.writerow([doc.name, doc.attributes["diagnosis"], doc.attributes["age"]])
    return path


def new_project(path: Path, docs: list[Doc]) -> thematica.Project:
    project = thematica.create_project(path, actor=CODER)
    table = participants_csv(docs, path.with_suffix(".csv"))
    project.cases.import_table(table, "id", types={"diagnosis": "categorical", "age": "integer"})
    return project


def import_steps(docs: list[Doc], workdir: Path) -> tuple[thematica.Project, dict]:
    """Import every transcript one transaction each (the project the queries use), and
    again in batches of 100 into a second project."""
    figures: dict[str, Any] = {}
    batched = new_project(workdir / "batched.thematica", docs)
    started = time.perf_counter()
    for at in range(0, len(docs), 100):
        batched.sources.add_many([(f"{d.name}.txt", d.text, d.name) for d in docs[at : at + 100]])
    figures["import_batches_of_100"] = {
        "per_document_ms": round((time.perf_counter() - started) * 1000 / len(docs), 2)
    }
    batched.close()
    project = new_project(workdir / "queries.thematica", docs)
    timings = each_ms(
        [lambda d=d: project.sources.add(f"{d.name}.txt", d.text, case=d.name) for d in docs]
    )
    figures["import_one_per_transaction"] = summary(timings) | {
        "per_document_ms": round(sum(timings) / len(docs), 2)
    }
    return project, figures


def coding_steps(project: thematica.Project, docs: list[Doc], rng: random.Random) -> dict:
    for name, parent in CODES:
        project.codes.add(name, parent=parent)
    codings = [(d, c) for d in docs for c in d.codings]
    one_by_one = codings[:APPLIES]
    timings = each_ms(
        [
            lambda d=d, c=c: project.codings.add(f"{d.name}.txt", c.code, c.start, c.end, CODER)
            for d, c in one_by_one
        ]
    )
    started = time.perf_counter()
    project.codings.add_many(
        {"source": f"{d.name}.txt", "code": c.code, "start": c.start, "end": c.end, "coder": CODER}
        for d, c in codings[APPLIES:]
    )
    bulk_s = time.perf_counter() - started
    return {
        "apply_coding_api": summary(timings),
        "bulk_codings": {"codings": len(codings) - APPLIES, "seconds": round(bulk_s, 2)},
    }


def query_steps(project: thematica.Project, runs: int) -> dict:
    figures: dict[str, Any] = {}
    ms, found = median_ms(lambda: project.segments(PARENT, children=True), runs)
    figures["parent_segments_api"] = {"median_ms": ms, "segments": len(found)}
    ms, found = median_ms(lambda: project.query.coding(PARENT, children=True), runs)
    figures["parent_segments_coding_query"] = {
        "median_ms": ms,
        "passages": len(found.passages),
        "note": "participants' turns only (the default filter); overlapping codings merged",
    }
    only = Filter(where=ATTRIBUTE_FILTER)
    ms, found = median_ms(lambda: project.query.coding(TWO_CODES, only, children=True), runs)
    figures["coding_query_two_codes_attribute_filter"] = {
        "median_ms": ms,
        "query": TWO_CODES,
        "filter": ATTRIBUTE_FILTER,
        "passages": len(found.passages),
    }
    for label, phrase in (("phrase_search", PHRASE), ("rare_phrase_search", RARE_PHRASE)):
        ms, found = median_ms(lambda p=phrase: project.query.search(p), runs)
        figures[label] = {
            "median_ms": ms,
            "search": phrase,
            "hits": len(found.hits),
            "sources": found.sources,
        }
    return figures


def matrix_step(project: thematica.Project, docs: list[Doc], rng: random.Random, runs: int) -> dict:
    """200 codes by 100 participants: the workload's 30 codes and 170 more, each
    transcript with 20 more codings of them."""
    extra = [f"Extra {n:03}" for n in range(EXTRA_CODES)]
    for name in extra:
        project.codes.add(name)
    rows = []
    for doc in docs:
        for coding in doc.codings:
            rows.append(
                {
                    "source": f"{doc.name}.txt",
                    "code": rng.choice(extra),
                    "start": coding.start,
                    "end": coding.end,
                    "coder": CODER,
                }
            )
    project.codings.add_many(rows)
    members = [d.name for d in docs[:MATRIX_CASES]]
    project.sets.add("Matrix participants", "case", members)
    scope = Filter(case_sets=("Matrix participants",))
    ms, found = median_ms(lambda: project.query.matrix(where=scope), runs)
    return {
        "matrix_codes_by_cases": {
            "median_ms": ms,
            "rows": len(found.rows),
            "columns": len(found.columns),
            "codings_counted": sum(found.cells.values()),
        }
    }


def http_steps(path: Path, docs: list[Doc], rng: random.Random, runs: int) -> dict:
    """The web app's equivalents: applying a code, and a code's page of segments."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from fastapi.testclient import TestClient

        from thematica.web import create_app
    except ImportError as missing:
        return {"note": f"the web app is not installed ({missing}): pip install thematica[web]"}
    project = thematica.open_project(path, actor=CODER)
    client = TestClient(
        create_app(project, port=8765, token="bench"), base_url="http://127.0.0.1:8765"
    )
    headers = {"X-CSRF-Token": "bench", "X-Thematica": "fetch"}
    codes = [c.path for c in project.codes.list()]
    server = []
    for _ in range(APPLIES):
        doc = rng.choice(docs)
        coding = rng.choice(doc.codings)
        data = {
            "source": f"{doc.name}.txt",
            "start": coding.start,
            "end": coding.end,
            "code": rng.choice(codes),
        }
        response = client.post("/codings", data=data, headers=headers)
        if response.status_code != 200:
            raise SystemExit(
                f"POST /codings answered {response.status_code}: {response.text[:200]}"
            )
        server.append(server_time(response))
    parent = next(c for c in project.codes.list() if c.path == PARENT)
    url = f"/codes/{parent.id}?scope=all"
    client.get(url)
    pages, sizes = [], 0
    for _ in range(max(3, runs // 4)):
        response = client.get(url)
        pages.append(server_time(response))
        sizes = len(response.content)
    project.close()
    return {
        "apply_coding_http": summary(server),
        "parent_segments_http_page": summary(pages) | {"page_bytes": sizes},
        "import_http": None,
        "queries_http": None,
        "notes": {
            "import_http": "the web app has no upload of transcripts",
            "queries_http": "the web app has no coding query, matrix or search route",
        },
    }


def taguette(n_docs: int, workdir: Path, seed: int, wanted: bool) -> tuple[dict | None, str | None]:
    if not wanted:
        return None, "skipped (--no-taguette)"
    if not (Path(__file__).parent / "taguette_side.py").exists():
        return None, "benchmarks/taguette_side.py is not here"
    from taguette_side import run_taguette

    figures = run_taguette(n_docs, workdir, seed)
    return (
        figures,
        None if figures is not None else "Taguette could not be installed or run (see stderr)",
    )


def one_size(n_docs: int, args: argparse.Namespace, root: Path) -> dict:
    rng = random.Random(args.seed)
    docs = generate(n_docs, args.seed)
    workdir = root / f"docs-{n_docs}"
    workdir.mkdir()
    load = os.getloadavg()[0]
    project, figures = import_steps(docs, workdir)
    figures |= coding_steps(project, docs, rng)
    figures |= query_steps(project, args.runs)
    figures |= matrix_step(project, docs, rng, args.runs)
    project.close()
    figures |= http_steps(workdir / "queries.thematica", docs, rng, args.runs)
    theirs, note = taguette(n_docs, workdir / "taguette", args.seed, not args.no_taguette)
    entry: dict[str, Any] = {
        "docs": n_docs,
        "words": sum(len(d.text.split()) for d in docs),
        "load_average_1m": {"before": load, "after": os.getloadavg()[0]},
        "thematica": figures,
        "taguette": theirs,
    }
    if note:
        entry["taguette_note"] = note
    if theirs:
        entry["side_by_side"] = side_by_side(figures, theirs)
    return entry


def side_by_side(ours: dict, theirs: dict) -> dict:
    taguette_import = theirs["import_document"]["median_ms"]
    return {
        "import_per_document_ms": {
            "taguette": taguette_import,
            "thematica_one_per_transaction": ours["import_one_per_transaction"]["median_ms"],
            "thematica_batches_of_100": ours["import_batches_of_100"]["per_document_ms"],
            "times_faster_one_per_transaction": round(
                taguette_import / ours["import_one_per_transaction"]["median_ms"], 1
            ),
            "times_faster_batches": round(
                taguette_import / ours["import_batches_of_100"]["per_document_ms"], 1
            ),
        },
        "apply_coding_ms": {
            "taguette_p50": theirs["apply_highlight"]["median_ms"],
            "taguette_p95": theirs["apply_highlight"]["p95_ms"],
            "thematica_api_p50": ours["apply_coding_api"]["median_ms"],
            "thematica_http_p50": ours.get("apply_coding_http", {}).get("median_ms"),
            "thematica_http_p95": ours.get("apply_coding_http", {}).get("p95_ms"),
        },
        "parent_code_segments_ms": {
            "taguette_all_pages": theirs["parent_tag_highlights"]["all_pages"]["median_ms"],
            "thematica_api": ours["parent_segments_api"]["median_ms"],
            "thematica_http_page": ours.get("parent_segments_http_page", {}).get("median_ms"),
        },
    }


def targets(entry: dict) -> dict:
    ours = entry["thematica"]
    met = {
        f"parent code with children under {TARGETS['parent_segments_ms']:g} ms": ours[
            "parent_segments_api"
        ]["median_ms"]
        < TARGETS["parent_segments_ms"],
        f"two-code query with attribute filter under {TARGETS['coding_query_ms']:g} ms": ours[
            "coding_query_two_codes_attribute_filter"
        ]["median_ms"]
        < TARGETS["coding_query_ms"],
        f"200 x 100 matrix under {TARGETS['matrix_ms']:g} ms": ours["matrix_codes_by_cases"][
            "median_ms"
        ]
        < TARGETS["matrix_ms"],
        f"phrase search under {TARGETS['phrase_search_ms']:g} ms": ours["phrase_search"][
            "median_ms"
        ]
        < TARGETS["phrase_search_ms"],
    }
    if "side_by_side" in entry:
        ratio = entry["side_by_side"]["import_per_document_ms"]["times_faster_batches"]
        met[f"import {TARGETS['import_ratio']:g}x faster than Taguette (batches)"] = (
            ratio >= TARGETS["import_ratio"]
        )
    return {"docs": entry["docs"], "met": met}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", default="10,50,200", help="comma-separated corpus sizes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=20, help="runs per query (median)")
    parser.add_argument("--no-taguette", action="store_true", help="leave Taguette's column out")
    args = parser.parse_args()
    sizes = [int(size) for size in args.docs.split(",")]
    root = Path(tempfile.mkdtemp(prefix="thematica-queries-"))
    try:
        runs = [one_size(n, args, root) for n in sizes]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    output = {
        "benchmark": "queries",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "platform": platform.platform(),
        },
        "workload": {"seed": args.seed, "codes": len(CODES), "codings_per_doc": 20},
        "runs": runs,
        # The targets are for the largest corpus, whatever order the sizes came in.
        "targets": targets(max(runs, key=lambda run: run["docs"])),
    }
    print(json.dumps(output, indent=2))


if __name__ == "__main__":
    main()
