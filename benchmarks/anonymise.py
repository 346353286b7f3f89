"""Anonymisation benchmark: recall and precision on the demo study's answer key, and speed.

Prints one JSON object. Scores against ``examples/parent-infant-study/raw/
identifiers.csv`` (with :mod:`thematica.anonymise.scoring`):

* ``rules``: the rule recognisers alone, no gazetteer;
* ``rules+names``: with the name recogniser (Presidio on spaCy), and propagation;
* ``rules+names+gazetteer``: with the study's names file too (``--names``, default
  ``examples/parent-infant-study/names.txt``: the people the research team knew);
* ``presidio_alone``: Presidio's analyzer out of the box (every predefined recogniser, the
  same small spaCy model), its entity types mapped to ours where they have one.

Per label, a key span is found when a proposal of its label overlaps it; ``any_label``
counts a key span found when any proposal overlaps it, whatever the labels (what matters
for removal, and the fair comparison with Presidio, whose labels are not ours).
Speed is words a second of detection over the twelve transcripts (30,142 words), the
model loaded beforehand (its load time is given apart): the best and the median of five
runs, since other work on a small machine slows some runs down.

    python benchmarks/anonymise.py [--names FILE] [--no-presidio]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from thematica.anonymise import ner
from thematica.anonymise.findings import default_recognisers
from thematica.anonymise.gazetteer import read_names
from thematica.anonymise.pipeline import detect
from thematica.anonymise.scoring import Span, read_answer_key, score, score_any, totals

DEMO = Path(__file__).resolve().parent.parent / "examples" / "parent-infant-study"
CONTACT_DETAILS = ("PHONE", "EMAIL", "POSTCODE", "NHS_NUMBER")
# Presidio's entity types to ours (the rest keep Presidio's name and count as wrong).
PRESIDIO_LABELS = {
    "PERSON": "NAME", "LOCATION": "TOWN", "ORGANIZATION": "ORGANISATION",
    "DATE_TIME": "DATE", "PHONE_NUMBER": "PHONE", "EMAIL_ADDRESS": "EMAIL",
    "UK_NHS": "NHS_NUMBER", "UK_NINO": "NI_NUMBER",
}  # fmt: skip


def figures(key: list[Span], proposed: list[Span]) -> dict[str, Any]:
    scores = score(key, proposed)
    everything, anything = totals(scores), score_any(key, proposed)
    return {
        "recall": {k: round(s.recall, 3) for k, s in scores.items() if s.identifiers},
        "precision": {k: round(s.precision, 3) for k, s in scores.items() if s.proposed},
        "overall_recall": round(everything.recall or 0, 3),
        "overall_precision": round(everything.precision or 0, 3),
        "any_label": {
            "recall": round(anything.recall or 0, 3),
            "precision": round(anything.precision or 0, 3),
        },
        "proposed": everything.proposed,
        "contact_details_missed": sum(
            s.identifiers - s.found for k, s in scores.items() if k in CONTACT_DETAILS
        ),
    }


def rates(words: int, run: Callable[[], object], times: int = 5) -> dict[str, int]:
    """Words a second over ``times`` runs: the best (the machine at its least busy) and
    the median."""
    measured = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        measured.append(words / (time.perf_counter() - started))
    return {"best": round(max(measured)), "median": round(statistics.median(measured))}


def presidio_alone(texts: dict[str, str]) -> list[Span]:
    """Presidio's analyzer with its default recognisers on the same small spaCy model."""
    import spacy
    import tldextract.tldextract
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    # Presidio's e-mail recogniser calls tldextract, which would fetch the public
    # suffix list from the internet: use the copy it ships instead.
    tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())
    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": ner.MODEL}])
    engine.nlp = {"en": spacy.load(ner.MODEL)}  # installed; never downloaded
    analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])
    return [
        (name, r.start, r.end, PRESIDIO_LABELS.get(r.entity_type, r.entity_type))
        for name, text in texts.items()
        for r in analyzer.analyze(text=text, language="en")
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--names", type=Path, default=DEMO / "names.txt", help="the study gazetteer"
    )
    parser.add_argument("--no-presidio", action="store_true", help="skip Presidio alone")
    args = parser.parse_args()
    texts = {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted((DEMO / "raw").glob("interview-*.txt"))
    }
    key = read_answer_key(DEMO / "raw" / "identifiers.csv")
    names = read_names(args.names)
    words = sum(len(t.split()) for t in texts.values())
    rules = [r for r in default_recognisers() if r != ner.NAME]

    def spans(**options: Any) -> list[Span]:
        return [(p.source, p.start, p.end, p.label) for p in detect(texts, **options)]

    results: dict[str, Any] = {"rules": figures(key, spans(recognisers=rules))}
    speed: dict[str, Any] = {"rules_words_per_second": rates(words, lambda: detect(texts, rules))}
    if ner.available():
        started = time.perf_counter()
        ner.analyzer()
        speed["model_load_seconds"] = round(time.perf_counter() - started, 2)
        results["rules+names"] = figures(key, spans())
        results["rules+names+gazetteer"] = figures(key, spans(names=names))
        speed["with_names_words_per_second"] = rates(words, lambda: detect(texts))
        if not args.no_presidio:
            results["presidio_alone"] = figures(key, presidio_alone(texts))
    else:
        results["rules+gazetteer"] = figures(key, spans(recognisers=rules, names=names))
    print(
        json.dumps(
            {
                "benchmark": "anonymise",
                "corpus": "demo study answer key",
                "machine": f"{platform.machine()}, {os.cpu_count()} cores",
                "gazetteer": str(args.names.relative_to(DEMO.parent.parent))
                if args.names.is_relative_to(DEMO.parent.parent)
                else str(args.names),
                "words": words,
                "identifiers": len(key),
                "speed": speed,
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
