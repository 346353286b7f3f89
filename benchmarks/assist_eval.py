"""Assisted coding measured against human coding, leave-one-source-out. Prints JSON.

Two corpora, each loaded into a fresh project through the public API:

* ``games``: ``../shared/corpora/llmcode-games-as-art/`` (Bopp et al.'s free-text answers
  on games as art, span-coded by the LLMCode authors: 90 texts, 325 coded spans, 31 codes
  with descriptions). The texts have no speaker turns, so passages are sentences.
* ``demo``: the demo study (``examples/parent-infant-study``): 12 transcripts, the lead
  coder's codings (Hannah's layer), the codebook's descriptions. Passages are participant
  turns, the default.

A passage counts as coded with a code when a coding of that code overlaps it.

* **find similar**, per code: the passages of each source are scored as ``thematica
  assist similar`` ranks them (:func:`thematica.assist.similar.rank`: best cosine with
  any segment, or that fused with keyword search), from the code's segments in the
  *other* sources only (the source is held out), the code's passages there not offered;
  all passages are then ranked together by those scores. precision@5 is the share of the
  top 5 that a human coded with the code; recall@20 the share of the code's passages
  found in the top 20. Averaged over the codes with passages in two sources or more.
* **suggest codes**: each coded segment is the selection; its own source is held out; the
  segments of the other sources and every code description vote as in
  ``thematica assist suggest``. top-3 accuracy: a code a human gave that span is among
  the three proposed.

Models: ``minilm`` (all-MiniLM-L6-v2), ``minilm-static`` (needs ``thematica assist
build-model``), and the keyword baseline ``keywords``: TF-IDF over the same texts
(scikit-learn, English stop words, sublinear term frequency) in place of embeddings,
scored the same way. ``NAME+keywords`` is hybrid ranking, what ``thematica assist
similar`` does by default: the model's ranking fused with keyword search's by reciprocal
rank fusion (k = 60), through the product's own :func:`thematica.assist.similar.rank`
and keyword index (fitted on the passages, as ``similar`` fits it); suggestions are the
model's alone, so these entries have none. ``versus_keywords``: each entry's mean
difference from keyword search per code, with a 95% paired-bootstrap interval over the
codes. ``prior`` is the three codes most often given in the other sources, whatever the
selection. Nothing here was tuned: the scoring rules and their settings (nearest
segment, 10 voters) were fixed before the first run; the fusion (reciprocal rank fusion
with its authors' k = 60) was chosen before the games corpus was run with it, and
compared on the demo study only with one alternative (an even mix of min-max-scaled
scores: about as good), so the games corpus's figures for it are held out.

    python benchmarks/assist_eval.py [--models minilm,keywords,minilm+keywords]
        [--corpus games,demo] [--per-code] [--cache FOLDER]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import platform
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import thematica
from thematica.assist.embedders import load_model, normalise
from thematica.assist.keywords import keyword_index
from thematica.assist.passages import Passage, Spans, passages
from thematica.assist.registry import find_model
from thematica.assist.similar import rank
from thematica.assist.similarity import best
from thematica.assist.suggest import NEIGHBOURS, vote

REPO = Path(__file__).resolve().parent.parent
GAMES = REPO.parent / "shared" / "corpora" / "llmcode-games-as-art" / "games_as_art"
DEMO = REPO / "examples" / "parent-infant-study"
SPAN = re.compile(r"\*\*(.+?)\*\*<sup>(.*?)</sup>", re.S)


@dataclass
class Corpus:
    name: str
    unit: str
    passages: list[Passage]
    segments: list[tuple[str, int, int, str, str]]  # source, start, end, text, code
    descriptions: dict[str, str]  # code -> "name: description"


def games_project(folder: Path) -> thematica.Project:
    """The 90 span-coded answers, their codings and codebook, in a new project."""
    project = thematica.create_project(folder / "games.thematica", actor="LLMCode")
    with (GAMES / "bopp_test_code_descriptions.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            project.codes.add(row["code"], description=row["description"])
    rows = []
    with (GAMES / "bopp_test_coded_texts.csv").open(encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=1):
            # The marked-up text is the one the spans were drawn on (the plain column
            # differs from it in a few characters in 24 of the 90 rows).
            text, at, spans = "", 0, []
            for match in SPAN.finditer(row["coded_text"]):
                text += row["coded_text"][at : match.start()]
                spans.append((len(text), len(text) + len(match.group(1)), match.group(2)))
                text += match.group(1)
                at = match.end()
            text += row["coded_text"][at:]
            name = f"answer-{number:02d}.txt"
            project.sources.add(name, text)
            for start, end, codes in spans:
                for code in codes.split(";"):
                    rows.append(
                        {"source": name, "code": code.strip(), "coder": "LLMCode",
                         "start": start, "end": end}
                    )  # fmt: skip
    project.codings.add_many(rows)
    return project


def demo_project(folder: Path) -> thematica.Project:
    project = thematica.create_project(
        folder / "demo.thematica", participant_label="Mother {id}", actor="Hannah"
    )
    project.cases.import_table(DEMO / "participants.csv", id_column="id")
    project.sources.add_files([DEMO / "raw"])
    project.cases.link_by_pattern(r"interview-(?P<id>\d+)")
    project.codes.import_file(DEMO / "codebook.yaml")
    project.codings.import_csv(DEMO / "coding" / "codings-hannah.csv")
    return project


def load_corpus(name: str, folder: Path) -> Corpus:
    project = games_project(folder) if name == "games" else demo_project(folder)
    unit = "sentence" if name == "games" else "turn"
    with project.read() as conn:
        found = passages(conn, unit)
    segments = [
        (c.source, c.start, c.end, c.text, c.code) for c in project.codings.list()
    ]  # fmt: skip
    descriptions = {c.path: f"{c.name}: {c.description}" for c in project.codes.list()
                    if c.description.strip()}  # fmt: skip
    project.close()
    return Corpus(name, unit, found, segments, descriptions)


class Keywords:
    """The keyword baseline as an encoder: TF-IDF rows over the corpus's own words."""

    name = "keywords"

    def __init__(self, corpus: Corpus) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True)
        self.vectorizer.fit(
            [p.text for p in corpus.passages]
            + [s[3] for s in corpus.segments]
            + list(corpus.descriptions.values())
        )

    def encode(self, texts: list[str]) -> np.ndarray:
        return normalise(self.vectorizer.transform(texts).toarray().astype(np.float32))


class Cached:
    """An encoder whose vectors are kept in ``folder`` between runs (``--cache``), by
    the model's name and weights hash and the texts: MiniLM takes minutes on two cores."""

    def __init__(self, encoder: Any, folder: Path) -> None:
        self.encoder, self.folder, self.name = encoder, folder, encoder.name

    def encode(self, texts: list[str]) -> np.ndarray:
        digest = hashlib.sha256(f"{self.name}\0{self.encoder.hash}".encode())
        for text in texts:
            digest.update(b"\0" + text.encode())
        path = self.folder / f"{self.name}-{digest.hexdigest()[:16]}.npy"
        if path.exists():
            return np.load(path)
        rows = self.encoder.encode(texts)
        self.folder.mkdir(parents=True, exist_ok=True)
        np.save(path, rows)
        return rows


def find_similar(
    corpus: Corpus, ranking: str, passage_vectors: np.ndarray, segment_vectors: np.ndarray
):
    texts = [p.text for p in corpus.passages]
    seed_texts = [s[3] for s in corpus.segments]
    keywords = keyword_index(tuple(texts))  # hybrid ranking's, as `similar` fits it
    held_out = {
        source: np.array([p.source == source for p in corpus.passages])
        for source in sorted({p.source for p in corpus.passages})
    }
    by_code: dict[str, list[int]] = {}
    for row, segment in enumerate(corpus.segments):
        by_code.setdefault(segment[4], []).append(row)
    results = {}
    for code, rows in sorted(by_code.items()):
        coded = Spans((corpus.segments[r][0], corpus.segments[r][1], corpus.segments[r][2])
                      for r in rows)  # fmt: skip
        positive = np.array([coded.overlaps(p.source, p.start, p.end) for p in corpus.passages])
        with_code = {corpus.passages[i].source for i in np.flatnonzero(positive)}
        if len(with_code) < 2:
            continue
        scores = np.full(len(corpus.passages), -np.inf, dtype=np.float32)
        for source, mine in held_out.items():
            seeds = [r for r in rows if corpus.segments[r][0] != source]
            # The study as `similar` would see it without this source's codings: the
            # code's passages in the other sources are not offered.
            words = None
            if ranking == "hybrid":
                words = keywords.best_cosine([seed_texts[r] for r in seeds])
            chosen, found = rank(
                passage_vectors, segment_vectors[seeds], positive & ~mine, len(texts), words
            )
            ranked = np.full(len(texts), -np.inf, dtype=np.float32)
            ranked[chosen] = found
            scores[mine] = ranked[mine]
        top = best(scores, 20)
        results[code] = {
            "passages": int(positive.sum()),
            "sources": len(with_code),
            "precision_at_5": float(positive[top[:5]].mean()),
            "recall_at_20": float(positive[top].sum() / positive.sum()),
        }
    return {
        "codes": len(results),
        "precision_at_5": round(float(np.mean([r["precision_at_5"] for r in results.values()])), 3),
        "recall_at_20": round(float(np.mean([r["recall_at_20"] for r in results.values()])), 3),
        "per_code": results,
    }


def versus(mine: dict[str, dict], theirs: dict[str, dict], resamples: int = 10_000):
    """How much better than ``theirs`` per code, on average, with a 95% interval from a
    paired bootstrap over the codes (a few codes decide a mean of thirty): for each
    measure, the mean difference and the 2.5th and 97.5th percentiles of its resamples."""
    rng = np.random.default_rng(0)
    codes = sorted(mine)
    found = {}
    for measure in ("precision_at_5", "recall_at_20"):
        differences = np.array([mine[c][measure] - theirs[c][measure] for c in codes])
        means = differences[rng.integers(0, len(codes), (resamples, len(codes)))].mean(axis=1)
        found[measure] = {
            "difference": round(float(differences.mean()), 3),
            "interval_95": [round(float(q), 3) for q in np.percentile(means, [2.5, 97.5])],
            "codes_better_worse": [int((differences > 0).sum()), int((differences < 0).sum())],
        }
    return found


def selections(corpus: Corpus) -> list[tuple[str, int, int, str, set[str]]]:
    """Each coded span once, with every code a human gave it."""
    spans: dict[tuple[str, int, int], tuple[str, set[str]]] = {}
    for source, start, end, text, code in corpus.segments:
        spans.setdefault((source, start, end), (text, set()))[1].add(code)
    return [(s, a, b, text, codes) for (s, a, b), (text, codes) in spans.items()]


def suggest_codes(corpus: Corpus, segment_vectors: np.ndarray, description_vectors: np.ndarray):
    spans = selections(corpus)
    row_of = {(s[0], s[1], s[2], s[4]): i for i, s in enumerate(corpus.segments)}
    codes = list(corpus.descriptions)
    hits = prior_hits = 0
    for source, start, end, _, truth in spans:
        pool = [i for i, s in enumerate(corpus.segments) if s[0] != source]
        examples = np.vstack([segment_vectors[pool], description_vectors])
        labels = [corpus.segments[i][4] for i in pool] + codes
        query = segment_vectors[row_of[(source, start, end, next(iter(truth)))]]
        proposed = [label for label, _, _ in vote(query, examples, labels, NEIGHBOURS)[:3]]
        hits += bool(truth & set(proposed))
        frequent = Counter(corpus.segments[i][4] for i in pool).most_common(3)
        prior_hits += bool(truth & {code for code, _ in frequent})
    return {"selections": len(spans), "top3_accuracy": round(hits / len(spans), 3)}, round(
        prior_hits / len(spans), 3
    )


def evaluate(corpus: Corpus, encoder: Any, ranking: str) -> dict[str, Any]:
    started = time.perf_counter()
    passage_vectors = encoder.encode([p.text for p in corpus.passages])
    segment_vectors = encoder.encode([s[3] for s in corpus.segments])
    description_vectors = encoder.encode(list(corpus.descriptions.values()))
    embedded = time.perf_counter() - started
    result: dict[str, Any] = {
        "find_similar": find_similar(corpus, ranking, passage_vectors, segment_vectors)
    }
    if ranking == "model":  # suggestions are the model's alone, whatever the ranking
        result["suggest"], result["prior_top3_accuracy"] = suggest_codes(
            corpus, segment_vectors, description_vectors
        )
    result["embedding_seconds"] = round(embedded, 1)
    return result


def encoder_for(model: str, corpus: Corpus, cache: Path | None) -> tuple[Any, str]:
    """The encoder and the ranking of a ``--models`` entry: ``keywords``, a model's
    name, or ``NAME+keywords`` (that model's ranking fused with keyword search's)."""
    if model == "keywords":
        return Keywords(corpus), "model"
    name, hybrid, _ = model.partition("+keywords")
    encoder = load_model(find_model(name))
    return (Cached(encoder, cache) if cache else encoder), "hybrid" if hybrid else "model"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--models",
        default="minilm,minilm-static,keywords,minilm+keywords,minilm-static+keywords",
    )
    parser.add_argument("--corpus", default="games,demo")
    parser.add_argument("--per-code", action="store_true", help="Print each code's figures.")
    parser.add_argument(
        "--cache", type=Path, help="Keep the models' vectors in this folder between runs."
    )
    args = parser.parse_args(argv)
    if not GAMES.exists() and "games" in args.corpus:
        print(f"missing {GAMES}: run from a checkout beside shared/", file=sys.stderr)
        return 1
    report: dict[str, Any] = {
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "method": "leave-one-source-out; see the docstring",
    }
    with tempfile.TemporaryDirectory() as folder:
        for name in args.corpus.split(","):
            corpus = load_corpus(name, Path(folder))
            entry: dict[str, Any] = {
                "unit": corpus.unit,
                "passages": len(corpus.passages),
                "coded_segments": len(corpus.segments),
                "codes": len({s[4] for s in corpus.segments}),
            }
            for model in args.models.split(","):
                result = evaluate(corpus, *encoder_for(model, corpus, args.cache))
                if "prior_top3_accuracy" in result:
                    entry["prior_top3_accuracy"] = result.pop("prior_top3_accuracy")
                entry[model] = result
            for model in args.models.split(","):
                if model != "keywords" and "keywords" in entry:
                    entry[model]["find_similar"]["versus_keywords"] = versus(
                        entry[model]["find_similar"]["per_code"],
                        entry["keywords"]["find_similar"]["per_code"],
                    )
            if not args.per_code:
                for model in args.models.split(","):
                    entry[model]["find_similar"].pop("per_code")
            report[name] = entry
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
