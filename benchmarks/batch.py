"""Batch benchmark: throughput of `thematica batch` with 1 and 2 local workers, its fixed
costs, and a scaling model for large studies.

Measured here, on a LocalCluster of worker processes:

* ``start``: starting the cluster (scheduler and N worker processes);
* ``overhead_ms``: the round trip of an empty task (scheduling and transfer), from 500;
* ``import``: `batch import` of the 250 public AI-led interviews in
  ``../shared/corpora/anthropic-interviewer/`` (written to .txt files), per file;
* ``anonymise``: the recognisers (rules and the spaCy name model) on each of those
  texts, per text, the model loaded once per worker beforehand;
* ``write_ms``: the serial part, the client adding one read file in its transaction.

The model then predicts wall time on W workers as ``start + items * task / W + items *
write``: tasks run in parallel, the writes one at a time in the client. For 1,000 hours
of audio the task is a recording's transcription, costed from a real-time factor
(``--rtf``, default 0.063: the CPU seconds Whisper tiny.en int8 took per second of
audio on one core of this machine, see docs/transcription.md) and one-hour recordings.
What is measured and what is projected are kept apart in the JSON.

    python benchmarks/batch.py [--workers 1,2] [--rtf 0.063]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from thematica import create_project
from thematica.anonymise.pipeline import find_in
from thematica.batch import cluster, import_files
from thematica.batch.runner import run

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "anthropic-interviewer"


def write_transcripts(folder: Path) -> list[Path]:
    csv.field_size_limit(sys.maxsize)
    for table in ("creatives_transcripts.csv", "scientists_transcripts.csv"):
        with (CORPUS / table).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                (folder / f"{row['transcript_id']}.txt").write_text(row["text"], encoding="utf-8")
    return sorted(folder.glob("*.txt"))


def nothing(item: str) -> str:
    return item


def warm_up() -> None:
    find_in("Sarah Jones lives in Leeds.")


def measure(workers: int, files: list[Path], work: Path) -> dict:
    started = time.perf_counter()
    with cluster(f"local:{workers}") as client:
        start = time.perf_counter() - started
        client.run(warm_up)
        items = [str(i) for i in range(500)]
        began = time.perf_counter()
        run(client, items, nothing, lambda item, result: None)
        overhead = (time.perf_counter() - began) / len(items)

        project = create_project(work / f"batch-{workers}.thematica", actor="bench")
        began = time.perf_counter()
        summary = import_files(project, files, client)
        imported = time.perf_counter() - began
        assert len(summary.done) == len(files), summary.failed

        texts = {s.name: project.sources.text(s.name) for s in project.sources.list()}
        began = time.perf_counter()
        run(client, list(texts), find_in, lambda item, found: None, argument=texts.__getitem__)
        anonymised = time.perf_counter() - began
    return {
        "workers": workers,
        "start_s": round(start, 2),
        "overhead_ms": round(overhead * 1000, 2),
        "import_files_per_s": round(len(files) / imported, 1),
        "import_ms_per_file": round(imported * 1000 / len(files), 2),
        "anonymise_texts_per_s": round(len(texts) / anonymised, 2),
        "anonymise_ms_per_text": round(anonymised * 1000 / len(texts), 1),
    }


def write_cost(files: list[Path], work: Path) -> float:
    """Milliseconds for the client to add one file already read, in its transaction."""
    from thematica.ingest.readers import read_document

    project = create_project(work / "writes.thematica", actor="bench")
    read = [(f.name, read_document(f), str(f)) for f in files]
    began = time.perf_counter()
    for item in read:
        project.sources.add_documents([item])
    return (time.perf_counter() - began) * 1000 / len(read)


def project_audio(hours: float, rtf: float, workers: int, start: float, overhead_ms: float,
                  write_ms: float, recording_hours: float = 1.0) -> float:  # fmt: skip
    """Predicted wall seconds to transcribe ``hours`` of audio on ``workers`` workers."""
    recordings = hours / recording_hours
    task = recording_hours * 3600 * rtf + overhead_ms / 1000
    return start + recordings * task / workers + recordings * write_ms / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--rtf", type=float, default=0.063)
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"the shared corpus is absent: {CORPUS}")
    with tempfile.TemporaryDirectory(prefix="thematica-batch-") as folder:
        work = Path(folder)
        (work / "files").mkdir()
        files = write_transcripts(work / "files")
        runs = [measure(int(n), files, work) for n in args.workers.split(",")]
        write_ms = write_cost(files, work)
    one = runs[0]
    projected = {
        f"{w}_workers_hours": round(
            project_audio(1000, args.rtf, w, one["start_s"], one["overhead_ms"], write_ms) / 3600,
            1,
        )
        for w in (10, 50, 200)
    }
    print(
        json.dumps(
            {
                "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
                "files": len(files),
                "measured": {"runs": runs, "write_ms_per_file": round(write_ms, 2)},
                "projected_1000_hours_audio": {
                    "assumes": f"one-hour recordings, real-time factor {args.rtf} a worker",
                    **projected,
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
