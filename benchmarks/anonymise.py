"""Anonymisation benchmark: recall and precision on the demo study's answer key, and speed.

Prints one JSON object. Runs the registered recognisers (and, with ``--names``, a
study gazetteer) over the demo transcripts and scores them against
``examples/parent-infant-study/raw/identifiers.csv`` with
:func:`thematica.anonymise.scoring.score`.

    python benchmarks/anonymise.py [--names FILE]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from thematica.anonymise.gazetteer import read_names
from thematica.anonymise.pipeline import detect
from thematica.anonymise.scoring import read_answer_key, score

DEMO = Path(__file__).resolve().parent.parent / "examples" / "parent-infant-study"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=Path, help="a study gazetteer to use as well")
    args = parser.parse_args()
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted((DEMO / "raw").glob("*.txt"))}
    key = read_answer_key(DEMO / "raw" / "identifiers.csv")
    names = read_names(args.names) if args.names else None
    started = time.perf_counter()
    proposals = detect(texts, names=names)
    seconds = time.perf_counter() - started
    words = sum(len(t.split()) for t in texts.values())
    scores = score(key, [(p.source, p.start, p.end, p.label) for p in proposals])
    total = sum(s.identifiers for s in scores.values())
    print(
        json.dumps(
            {
                "benchmark": "anonymise",
                "corpus": "demo study answer key",
                "gazetteer": str(args.names) if args.names else None,
                "words": words,
                "seconds": round(seconds, 3),
                "words_per_second": round(words / seconds),
                "recall": {k: round(s.recall, 3) for k, s in scores.items() if s.identifiers},
                "precision": {k: round(s.precision, 3) for k, s in scores.items() if s.proposed},
                "identifiers": {k: s.identifiers for k, s in scores.items() if s.identifiers},
                "overall_recall": round(sum(s.found for s in scores.values()) / total, 3),
                "overall_precision": round(
                    sum(s.correct for s in scores.values())
                    / max(1, sum(s.proposed for s in scores.values())),
                    3,
                ),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
