"""Anonymisation benchmark on the Text Anonymization Benchmark (TAB, ECHR court judgments).

Prints one JSON object. Runs Thematica's detection (every default recogniser, the
``names`` model included, with propagation within each document) over the TAB subset in
``../shared/anon-bench/tab`` (see its ``SOURCES.md``), writes the masked spans in the
scorer's format (``{doc_id: [[start, end], ...]}``), scores them with the benchmark's
own ``score_tab.py`` and puts Presidio's figures (``baselines/presidio_sm_all_pred.json``,
Presidio 2.2.366 on ``en_core_web_sm``, scored by the same code) beside ours.

    python benchmarks/anonymise_tab.py [--split train --split dev ...] [--out DIR]
                                       [--bench PATH] [--limit N]

Tune on train and dev only; the test split is for reporting. Exits with a message (and
status 0) when the benchmark folder is absent.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from thematica.anonymise.pipeline import detect

REPO = Path(__file__).resolve().parent.parent
BENCH = Path(os.environ.get("THEMATICA_ANON_BENCH", REPO.parent / "shared" / "anon-bench"))
SPLITS = ("train", "dev", "test")
PRESIDIO = "baselines/presidio_sm_all_pred.json"


def scorer(bench: Path) -> ModuleType:
    """The benchmark's ``score_tab.py``, imported from its file."""
    spec = importlib.util.spec_from_file_location("score_tab", bench / "score_tab.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def gold_path(bench: Path, split: str) -> Path:
    return bench / "tab" / f"echr_{split}_subset.json"


def predict(gold: dict[str, Any]) -> dict[str, list[list[int]]]:
    """Our masked spans, one document at a time (so propagation stays in a document)."""
    return {
        doc_id: [[p.start, p.end] for p in detect({doc_id: doc["text"]})]
        for doc_id, doc in gold.items()
    }


def figures(result: dict[str, Any]) -> dict[str, Any]:
    """The figures we report, from a ``score_tab.score`` result."""
    return {
        "direct_token_recall": result["token_recall"]["DIRECT"],
        "quasi_token_recall": result["token_recall"]["QUASI"],
        "all_token_recall": result["token_recall"]["ALL"],
        "token_precision": result["token_precision"],
        "mention_precision": result["mention_precision"],
        "token_f1": result["token_f1"],
        "direct_token_recall_by_type": result["direct_token_recall_by_type"],
        "token_recall_by_type": result["token_recall_by_type"],
    }


def run_split(
    bench: Path, split: str, limit: int | None = None, out: Path | None = None
) -> dict[str, Any]:
    """Score our detection and Presidio's baseline on one split (the first ``limit``
    documents only, where given)."""
    score_tab = scorer(bench)
    gold = score_tab.load_gold(str(gold_path(bench, split)))
    if limit is not None:
        gold = {doc_id: gold[doc_id] for doc_id in sorted(gold)[:limit]}
    words = sum(len(doc["text"].split()) for doc in gold.values())
    started = time.perf_counter()
    ours = predict(gold)
    seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as scratch:
        path = (out or Path(scratch)) / f"thematica_{split}_pred.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(ours), encoding="utf-8")
        # Read back through the scorer's own loader, as its command line would.
        result, _ = score_tab.score(gold, score_tab.load_predictions(str(path)))
    report: dict[str, Any] = {
        "documents": result["documents_scored"],
        "words": words,
        "seconds": round(seconds, 2),
        "thematica": figures(result),
    }
    baseline = bench / PRESIDIO
    if baseline.exists():
        presidio = score_tab.load_predictions(str(baseline))
        presidio = {doc_id: presidio.get(doc_id, []) for doc_id in gold}
        report["presidio_sm"] = figures(score_tab.score(gold, presidio)[0])
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", action="append", choices=SPLITS, help="default: all three")
    parser.add_argument("--bench", type=Path, default=BENCH, help=f"default: {BENCH}")
    parser.add_argument("--out", type=Path, help="keep the prediction files in this folder")
    parser.add_argument("--limit", type=int, help="score only the first N documents")
    args = parser.parse_args()
    if not (args.bench / "score_tab.py").exists() or not (args.bench / "tab").is_dir():
        print(f"skipped: the TAB benchmark folder {args.bench} is absent", file=sys.stderr)
        return
    splits = args.split or list(SPLITS)
    print(
        json.dumps(
            {
                "benchmark": "anonymise_tab",
                "corpus": "TAB subset (ECHR judgments), shared/anon-bench/tab",
                "masked": "every proposal of every default recogniser",
                "splits": {s: run_split(args.bench, s, args.limit, args.out) for s in splits},
            },
            indent=2,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
