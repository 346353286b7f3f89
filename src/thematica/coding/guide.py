"""Structural coding by interview guide: code each answer with the question it follows.

A semi-structured interview follows a guide, but interviewers rephrase, add small talk
and probe. Each interviewer turn is matched to the guide's questions by fuzzy token
similarity (rapidfuzz's token set ratio, so a question wrapped in "okay, great, so..."
still matches); the participant turns after a matched question, up to the next matched
question, are coded with that question's code. Interviewer turns that match no question
(probes, small talk) are reported, not guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from thematica.coding.codebook import SEPARATOR, _Tree, insert_code
from thematica.coding.coders import ensure_coder
from thematica.errors import InvalidInput, NotFound
from thematica.ingest.files import read_text
from thematica.ingest.refs import find_source
from thematica.store.schema import coding, source, turn
from thematica.store.texts import span_texts

if TYPE_CHECKING:
    from thematica.project import Project

GUIDE_PARENT = "Interview guide"


@dataclass(frozen=True)
class Question:
    text: str
    code: str


@dataclass(frozen=True)
class GuideReport:
    """What structural coding did: codings made, and the interviewer turns left unmatched."""

    coded: int
    matched: int
    unmatched: tuple[tuple[str, int, str], ...]  # (source, offset, words)


def read_guide(path: str | Path) -> list[Question]:
    """Questions, one a line, optionally ``question | code name``; ``#`` starts a comment."""
    questions = []
    for line in read_text(Path(path)).splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        text, _, code = (part.strip() for part in line.partition("|"))
        if not text:
            raise InvalidInput(f"{path}: a line has a code name but no question")
        number = len(questions) + 1
        short = text if len(text) <= 60 else text[:57].rstrip() + "..."
        questions.append(Question(text, code or f"Q{number}: {short}".replace(SEPARATOR, "-")))
    if not questions:
        raise InvalidInput(f"{path} has no questions: write one question a line")
    return questions


def code_by_guide(
    project: Project,
    guide: str | Path,
    sources: list[str] | None = None,
    coder: str | None = None,
    threshold: float = 80.0,
) -> GuideReport:
    """Code participant answers by the guide question they follow (see module docstring).

    Codes for questions that have none are made under an "Interview guide" code.
    """
    from rapidfuzz import fuzz, process, utils

    if not 0 < threshold <= 100:
        raise InvalidInput("the threshold is a similarity from 1 to 100")
    questions = read_guide(guide)
    prompts = [utils.default_process(q.text) for q in questions]
    with project.transaction("code by guide", str(guide)) as tx:
        tree = _Tree(tx.conn)
        code_ids = []
        for question in questions:
            try:
                code_ids.append(tree.find(question.code))
            except NotFound:  # a new structural code, under the guide's parent code
                parent = tree.child_named(None, GUIDE_PARENT)
                if parent is None:
                    parent = insert_code(tx, tree, GUIDE_PARENT, None, "Structural codes", None)
                code_ids.append(insert_code(tx, tree, question.code, parent, question.text, None))
        coder_id = ensure_coder(tx, coder or project.actor)
        names = sources or list(
            tx.conn.execute(select(source.c.name).order_by(source.c.name)).scalars()
        )
        existing = {
            tuple(r)
            for r in tx.conn.execute(
                select(coding.c.source_id, coding.c.start, coding.c.end, coding.c.code_id).where(
                    coding.c.coder_id == coder_id
                )
            )
        }
        from thematica.project import now

        rows, unmatched, matched = [], [], 0
        for name in names:
            ref = find_source(tx.conn, name)
            turns = tx.conn.execute(
                select(turn.c.start, turn.c.end, turn.c.role)
                .where(turn.c.source_id == ref.id)
                .order_by(turn.c.start)
            ).all()
            words = span_texts(tx.conn, [(ref.id, t.start, t.end) for t in turns])
            current = None
            for t, (_, said, _) in zip(turns, words, strict=True):
                if t.role == "interviewer":
                    best = process.extractOne(
                        utils.default_process(said), prompts, scorer=fuzz.token_set_ratio,
                        processor=None, score_cutoff=threshold,
                    )  # fmt: skip
                    if best is None:
                        unmatched.append((ref.name, t.start, " ".join(said.split())[:80]))
                    else:
                        current = code_ids[best[2]]
                        matched += 1
                elif t.role == "participant" and current is not None:
                    key = (ref.id, t.start, t.end, current)
                    if key not in existing:
                        existing.add(key)
                        rows.append(
                            {
                                "source_id": ref.id, "start": t.start, "end": t.end,
                                "code_id": current, "coder_id": coder_id, "created": now(),
                                "provenance": "guide",
                            }
                        )  # fmt: skip
        tx.insert_many(coding, rows)
        tx.after = {"coded": len(rows), "matched": matched, "unmatched": len(unmatched)}
    return GuideReport(len(rows), matched, tuple(unmatched))
