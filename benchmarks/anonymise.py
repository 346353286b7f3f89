"""Anonymisation benchmark: recall and precision on the demo study's answer key, and speed.

Prints one JSON object. Runs the registered rule recognisers (and, with ``--names``, a
study gazetteer) over the demo transcripts and scores them against
``examples/parent-infant-study/raw/identifiers.csv``: a key span counts as found when a
proposal of the same label overlaps it; a proposal counts as correct when it overlaps a
key span of the same label.

    python benchmarks/anonymise.py [--names FILE]
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections import Counter
from pathlib import Path

from thematica.anonymise.gazetteer import read_names
from thematica.anonymise.pipeline import detect

DEMO = Path(__file__).resolve().parent.parent / "examples" / "parent-infant-study"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=Path, help="a study gazetteer to use as well")
    args = parser.parse_args()
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted((DEMO / "raw").glob("*.txt"))}
    with (DEMO / "raw" / "identifiers.csv").open(encoding="utf-8") as handle:
        key = [
            (r["source"], int(r["start"]), int(r["end"]), r["type"]) for r in csv.DictReader(handle)
        ]
    names = read_names(args.names) if args.names else None
    started = time.perf_counter()
    proposals = detect(texts, names=names)
    seconds = time.perf_counter() - started
    words = sum(len(t.split()) for t in texts.values())

    def overlaps(a, b):
        return a[0] == b[0] and a[1] < b[2] and b[1] < a[2] and a[3] == b[3]

    found = [(p.source, p.start, p.end, p.label) for p in proposals]
    hits, totals, correct, proposed = Counter(), Counter(), Counter(), Counter()
    for span in key:
        totals[span[3]] += 1
        hits[span[3]] += any(overlaps(span, f) for f in found)
    for f in found:
        proposed[f[3]] += 1
        correct[f[3]] += any(overlaps(f, span) for span in key)
    labels = sorted(set(totals) | set(proposed))
    print(
        json.dumps(
            {
                "benchmark": "anonymise",
                "corpus": "demo study answer key",
                "gazetteer": str(args.names) if args.names else None,
                "words": words,
                "seconds": round(seconds, 3),
                "words_per_second": round(words / seconds),
                "recall": {k: round(hits[k] / totals[k], 3) for k in labels if totals[k]},
                "precision": {k: round(correct[k] / proposed[k], 3) for k in labels if proposed[k]},
                "identifiers": dict(totals),
                "overall_recall": round(sum(hits.values()) / sum(totals.values()), 3),
                "overall_precision": round(
                    sum(correct.values()) / max(1, sum(proposed.values())), 3
                ),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
