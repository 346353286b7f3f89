"""Agreement benchmark: compare two coders over a study-sized double-coded corpus.

Prints one JSON object. A seeded generator writes 1,000 synthetic transcripts of about
8,000 words, 200 codes, and 100,000 codings for each of two coders (the second coder's
codings are the first's, shifted, trimmed, dropped or added at random, as a real second
coder's would be), then times each comparison unit through the API.

    python benchmarks/agreement.py [--documents 1000] [--codings 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from core import measure, transcript  # noqa: E402

import thematica  # noqa: E402
from thematica.agreement.compare import compare, disagreements  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--words", type=int, default=8000)
    parser.add_argument("--codes", type=int, default=200)
    parser.add_argument("--codings", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261127)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="thematica-agreement-"))
    results: dict[str, dict] = {}
    try:
        project = thematica.create_project(workdir / "bench.thematica", actor="bench")
        lengths = []
        for at in range(0, args.documents, 100):
            batch = [
                (f"t{i:04}.txt", transcript(rng, args.words))
                for i in range(at, min(at + 100, args.documents))
            ]
            lengths += [len(text) for _, text in batch]
            project.sources.add_many(batch)
        codes = [f"Code {c}" for c in range(args.codes)]
        for name in codes:
            project.codes.add(name)

        def layers():
            for _ in range(args.codings):
                i = rng.randrange(args.documents)
                start = rng.randrange(0, lengths[i] - 500)
                end = start + rng.randint(40, 400)
                row = {"source": f"t{i:04}.txt", "code": rng.choice(codes)}
                yield {**row, "start": start, "end": end, "coder": "A"}
                roll = rng.random()
                if roll < 0.1:  # the second coder missed it, and coded something else
                    start = rng.randrange(0, lengths[i] - 500)
                elif roll < 0.6:  # the same passage, with other edges
                    start = max(0, start + rng.randint(-30, 30))
                    end = end + rng.randint(-30, 30)
                yield {**row, "start": start, "end": max(end, start + 10), "coder": "B"}

        project.codings.add_many(layers())
        for unit in ("char", "turn", "paragraph", "segment"):
            result = measure(
                results, f"compare two coders, unit {unit}",
                lambda unit=unit: compare(project, ["A", "B"], unit=unit),
            )  # fmt: skip
            results[f"compare two coders, unit {unit}"]["overall_kappa"] = round(
                result.overall.kappa, 4
            )
        found = measure(results, "list disagreements", lambda: disagreements(project, ["A", "B"]))
        results["list disagreements"]["count"] = len(found)
        project.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    seconds = results["compare two coders, unit char"]["seconds"]
    print(
        json.dumps(
            {
                "benchmark": "agreement",
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                },
                "parameters": vars(args),
                "steps": results,
                "targets_met": {"compare 2 x 100,000 codings (characters) < 5 s": seconds < 5},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
