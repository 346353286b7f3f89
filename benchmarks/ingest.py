"""Ingest benchmark: import the public interview transcripts in ../shared/corpora.

Prints one JSON object: for each set, files, sources imported, words, seconds and words
per second. Reads ``uk-open-interviews`` (Word, text and PDF transcripts) and the 250
``anthropic-interviewer`` transcripts (two CSV tables).

    python benchmarks/ingest.py [--corpora ../shared/corpora]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

import thematica
from thematica.ingest.readers import ReadOptions

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=HERE.parent.parent / "shared" / "corpora")
    args = parser.parse_args()
    uk = args.corpora / "uk-open-interviews"
    ai = args.corpora / "anthropic-interviewer"
    if not uk.is_dir() or not ai.is_dir():
        raise SystemExit(f"corpora not found under {args.corpora}")
    sets = {
        "uk-open-interviews .docx": sorted(uk.glob("*/*.docx")),
        "uk-open-interviews .txt": sorted(uk.glob("*/*.txt")),
        "uk-open-interviews .pdf": sorted(uk.glob("*/*.pdf")),
    }
    workdir = Path(tempfile.mkdtemp(prefix="thematica-ingest-"))
    results = {}
    try:
        for name, files in sets.items():
            with thematica.create_project(workdir / f"{len(results)}.thematica") as project:
                started = time.perf_counter()
                # The PDFs are line-numbered transcripts with running headers.
                options = ReadOptions(strip_line_numbers=True, strip_headers=True)
                report = project.sources.add_files(files, options)
                seconds = time.perf_counter() - started
            results[name] = summary(len(files), report, seconds)
        with thematica.create_project(workdir / "ai.thematica") as project:
            started = time.perf_counter()
            reports = [
                project.sources.add_table(table, "text", "transcript_id")
                for table in sorted(ai.glob("*_transcripts.csv"))
            ]
            seconds = time.perf_counter() - started
        imported = [s for r in reports for s in r.imported]
        skipped = [s for r in reports for s in r.skipped]
        results["anthropic-interviewer (250 transcripts, 2 CSV tables)"] = {
            "files": 2,
            "sources": len(imported),
            "skipped": len(skipped),
            "words": sum(s.words for s in imported),
            "seconds": round(seconds, 2),
            "words_per_second": round(sum(s.words for s in imported) / seconds),
        }
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(
        json.dumps(
            {
                "benchmark": "ingest",
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "sets": results,
                "targets_met": {
                    "250 AI-led transcripts in under 10 s": results[
                        "anthropic-interviewer (250 transcripts, 2 CSV tables)"
                    ]["seconds"]
                    < 10
                },
            },
            indent=2,
        )
    )


def summary(files: int, report, seconds: float) -> dict:
    words = sum(s.words for s in report.imported)
    return {
        "files": files,
        "sources": len(report.imported),
        "skipped": [f"{Path(where).name}: {why}" for where, why in report.skipped],
        "words": words,
        "seconds": round(seconds, 2),
        "words_per_second": round(words / seconds) if seconds else None,
    }


if __name__ == "__main__":
    main()
