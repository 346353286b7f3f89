"""Speed of assisted coding with the static model. Prints JSON.

* ``embed``: 100,000 participant turns embedded by the static model (``minilm-static``;
  build it first with ``thematica assist build-model``). Target: under 30 s.
* ``keyword_index_s``: fitting keyword search's TF-IDF index on the same turns (once per
  study and process, for hybrid ranking).
* ``query``: one similarity query over the 100,000 passages' vectors, held in memory,
  as ``similar`` ranks them (:func:`thematica.assist.similar.rank`), for the 10 best
  passages: ranking ``model`` (the best cosine of each passage with a code's segments)
  and ranking ``hybrid`` (that, keyword search's scores, and their fusion), from one
  segment and from a code of 20. Target: under 50 ms.
* ``project``: the same turns as a study (``--transcripts`` transcripts of 100 participant
  and 100 interviewer turns): ``similar`` from a code the first time (every turn embedded
  and cached in the project, the keyword index fitted) and again (vectors read from the
  cache, the keyword index kept in the process), with each ranking.

Turns are made, seeded, from the demo study's participant sentences, three to five to a
turn (about 40 words, as in the demo's transcripts), so each is new to the model and to
the cache. Embedding and queries: the best and the median of a few runs, since other work
on a small machine slows some runs down.

    python benchmarks/assist_speed.py [--turns 100000] [--transcripts 1000] [--no-project]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import numpy as np

import thematica
from thematica.assist.embedders import load_model
from thematica.assist.keywords import keyword_index
from thematica.assist.passages import sentences
from thematica.assist.registry import find_model
from thematica.assist.similar import rank

DEMO = Path(__file__).resolve().parent.parent / "examples" / "parent-infant-study"


def sentence_pool() -> list[str]:
    """Every sentence of the demo's participant turns."""
    pool = []
    for path in sorted((DEMO / "raw").glob("interview-*.txt")):
        for turn in re.findall(r"^Participant: (.+)$", path.read_text(encoding="utf-8"), re.M):
            pool += [turn[s:e].strip() for s, e in sentences(turn) if len(turn[s:e].split()) > 2]
    return pool


def make_turns(count: int, seed: int = 7) -> list[str]:
    pool = sentence_pool()
    rng = random.Random(seed)
    return [" ".join(rng.sample(pool, rng.randint(3, 5))) for _ in range(count)]


def timed(run, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def project_timings(turns: list[str], transcripts: int, model_name: str) -> dict:
    per = len(turns) // transcripts
    with tempfile.TemporaryDirectory() as folder:
        project = thematica.create_project(Path(folder) / "big.thematica", actor="bench")
        started = time.perf_counter()
        project.sources.add_many(
            (
                f"t{n:04d}.txt",
                "\n\n".join(
                    f"Interviewer: And then what happened, number {i}?\n\nParticipant: {turn}"
                    for i, turn in enumerate(turns[n * per : (n + 1) * per])
                ),
            )
            for n in range(transcripts)
        )
        imported = time.perf_counter() - started
        project.codes.add("Feeling mothered")
        project.codings.add_many(
            {"source": f"t{n:04d}.txt", "code": "Feeling mothered", "coder": "bench",
             "quote": turns[n * per]}
            for n in range(20)
        )  # fmt: skip
        similar = project.assist.similar
        first, _ = timed(lambda: similar("Feeling mothered", model=model_name), 1)
        again = {
            ranking: timed(
                partial(similar, "Feeling mothered", model=model_name, ranking=ranking), 3
            )
            for ranking in ("hybrid", "model")
        }
        project.close()
    return {
        "transcripts": transcripts,
        "participant_turns": per * transcripts,
        "import_s": round(imported, 1),
        "similar_first_s": round(first, 2),
        "similar_cached_s": {
            ranking: {"best": round(low, 2), "median": round(median, 2)}
            for ranking, (low, median) in again.items()
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=100_000)
    parser.add_argument("--transcripts", type=int, default=1000)
    parser.add_argument("--model", default="minilm-static")
    parser.add_argument("--no-project", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    model = load_model(find_model(args.model))
    loaded = time.perf_counter() - started
    turns = make_turns(args.turns)
    words = sum(len(t.split()) for t in turns) / len(turns)
    vectors: list[np.ndarray] = []
    embed_best, embed_median = timed(lambda: vectors.append(model.encode(turns)), 3)
    matrix = vectors[-1]
    # Fitted once per study and process, as `similar` does.
    keyword_s, _ = timed(lambda: keyword_index(tuple(turns)), 1)
    keywords = keyword_index(tuple(turns))
    rng = np.random.default_rng(7)
    one = rng.choice(len(matrix), 1)
    twenty = rng.choice(len(matrix), 20, replace=False)
    nothing_coded = np.zeros(len(matrix), dtype=bool)

    def query(rows: np.ndarray, hybrid: bool) -> None:
        words = keywords.best_cosine([turns[r] for r in rows]) if hybrid else None
        rank(matrix, matrix[rows], nothing_coded, 10, words)

    queries: dict[str, dict] = {}
    for ranking in ("model", "hybrid"):
        for label, rows in (("one_segment_ms", one), ("code_of_20_segments_ms", twenty)):
            low, median = timed(partial(query, rows, ranking == "hybrid"), 21)
            queries.setdefault(ranking, {})[label] = {
                "best": round(low * 1000, 1), "median": round(median * 1000, 1),
            }  # fmt: skip
    report = {
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "model": {"name": model.name, "dim": model.dim, "load_s": round(loaded, 2)},
        "embed": {
            "turns": len(turns),
            "mean_words": round(words, 1),
            "best_s": round(embed_best, 2),
            "median_s": round(embed_median, 2),
            "turns_per_s": round(len(turns) / embed_median),
            "target_s": 30,
        },
        "keyword_index_s": round(keyword_s, 2),
        "query": {"passages": len(matrix), **queries, "target_ms": 50},
    }
    if not args.no_project:
        report["project"] = project_timings(turns, args.transcripts, args.model)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
