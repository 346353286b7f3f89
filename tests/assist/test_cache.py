"""The embedding cache: each text embedded once per model, again only when it changes,
pruned of texts the project no longer has, and never an audit event."""

from dataclasses import replace

import numpy as np
from sqlalchemy import func, select

from tests.assist.conftest import fill_demo
from thematica.assist.cache import live_hashes, vectors
from thematica.assist.passages import passages
from thematica.assist.similar import build_index
from thematica.store.schema import embedding
from thematica.text import Edit, checksum


class Counting:
    """A model that counts the texts it is asked to embed."""

    def __init__(self, model):
        self.model = model
        self.texts: list[str] = []

    def encode(self, texts, **options):
        self.texts += list(texts)
        return self.model.encode(texts, **options)


def counting(static):
    counter = Counting(static.model)
    return replace(static, model=counter), counter


def rows(project, model=None):
    query = select(func.count()).select_from(embedding)
    if model is not None:
        query = query.where(embedding.c.model_hash == model.hash)
    with project.read() as conn:
        return conn.execute(query).scalar_one()


def test_each_text_is_embedded_once(demo, static):
    model, counter = counting(static)
    index = build_index(demo, model)
    assert len(counter.texts) == len({p.text for p in index.passages}) > 50
    again = build_index(demo, model)
    assert len(counter.texts) == len({p.text for p in index.passages})  # nothing new
    np.testing.assert_allclose(again.vectors, index.vectors)
    fresh = static.encode([p.text for p in index.passages])
    # float16 in the cache: the fourth decimal place of a cosine, no more
    assert np.abs((again.vectors * fresh).sum(axis=1) - 1).max() < 1e-3
    assert rows(demo) == len(counter.texts)


def test_only_changed_text_is_embedded_again(demo, static):
    model, counter = counting(static)
    index = build_index(demo, model)
    changed = [p for p in index.passages if p.source == "interview-05.txt"][1]
    at = changed.start + changed.text.index(" ")
    counter.texts.clear()
    demo.sources.edit_text("interview-05.txt", [Edit(at, at, " really")])
    index = build_index(demo, model)
    cut = at - changed.start
    assert counter.texts == [changed.text[:cut] + " really" + changed.text[cut:]]
    with demo.read() as conn:
        cached = set(conn.execute(select(embedding.c.text_hash)).scalars())
        live = live_hashes(conn)
    # The old words' vector went with them; every passage's vector is there.
    assert checksum(changed.text) not in live | cached
    assert {checksum(p.text) for p in index.passages} <= cached


def test_a_rebuilt_model_drops_the_old_vectors(demo, static):
    build_index(demo, static)
    before = rows(demo)
    rebuilt = replace(static, hash="f" * 64)
    build_index(demo, rebuilt)
    assert rows(demo, rebuilt) == before
    assert rows(demo, static) == 0


def test_the_cache_is_no_change_to_the_study(demo, static):
    demo.codings.add("interview-01.txt", "Warmth", 300, 340, coder="Hannah")
    log = [e.id for e in demo.log(limit=None)]
    build_index(demo, static, unit="sentence")
    assert [e.id for e in demo.log(limit=None)] == log
    assert demo.undo().action == "code"
    assert all(c.start != 300 for c in demo.codings.list("interview-01.txt", "Warmth"))


def test_the_cache_on_each_backend(demo_any, static):
    index = build_index(demo_any, static)
    assert rows(demo_any) == len({p.text for p in index.passages})
    again = vectors(demo_any, static, [p.text for p in index.passages[:5]])
    np.testing.assert_allclose(again, index.vectors[:5])


def test_sources_without_turns_and_sentences(sqlite_project, models_dir):
    project = sqlite_project
    project.sources.add("answer.txt", "I liked the music. Then the sea came in slowly. Wow.")
    with project.read() as conn:
        (whole,) = passages(conn)
        found = passages(conn, unit="sentence")
        assert passages(conn, roles=("interviewer",)) == []
    assert (whole.start, whole.end, whole.role, whole.speaker) == (0, 52, None, None)
    # "Wow." has fewer than three words: too little to be like anything.
    assert [(p.start, p.end, p.text) for p in found] == [
        (0, 18, "I liked the music."),
        (19, 47, "Then the sea came in slowly."),
    ]


def test_demo_passages_are_participant_turns_with_their_mother(sqlite_project, models_dir):
    fill_demo(sqlite_project, ("interview-01.txt",))
    with sqlite_project.read() as conn:
        found = passages(conn)
        everyone = passages(conn, roles=("participant", "interviewer"))
    text = sqlite_project.sources.text("interview-01.txt")
    assert {(p.role, p.speaker, p.case) for p in found} == {
        ("participant", "Participant", "Mother 1")
    }
    assert all(text[p.start : p.end] == p.text == p.text.strip() for p in found)
    assert len(everyone) > len(found)
    assert all(len(p.text.split()) >= 3 for p in everyone)


def test_suggest_embeds_only_the_selection_the_second_time(demo, static):
    from thematica.assist.suggest import suggest

    model, counter = counting(static)
    segment = demo.segments("Warmth", context=0)[0]
    first = suggest(demo, model, segment.source, segment.start, segment.end)
    assert len(counter.texts) > 100
    counter.texts.clear()
    again = suggest(demo, model, segment.source, segment.start, segment.end)
    assert counter.texts == [segment.text]
    assert [s.as_dict() for s in again] == [s.as_dict() for s in first]


def test_prune_on_demand(demo, static):
    from thematica.assist.cache import prune

    with demo.engine.begin() as conn:
        assert prune(conn) == 0  # an empty cache
    build_index(demo, static)
    stale = {"model": static.name, "model_hash": static.hash, "text_hash": "0" * 64,
             "vector": bytes(2 * static.dim)}  # fmt: skip
    with demo.engine.begin() as conn:
        conn.execute(embedding.insert(), stale)
        assert prune(conn) == 1
        assert prune(conn) == 0


def test_similar_embeds_only_changed_text_and_refits_keywords_for_it(demo, static):
    from thematica.assist.clusters import select_codings
    from thematica.assist.keywords import keyword_index
    from thematica.assist.passages import Spans
    from thematica.assist.similar import similar

    model, counter = counting(static)
    first = similar(demo, model, code="Warmth", ranking="hybrid")
    counter.texts.clear()
    fits = keyword_index.cache_info().misses
    assert similar(demo, model, code="Warmth", ranking="hybrid") == first
    assert counter.texts == [] and keyword_index.cache_info().misses == fits
    with demo.read() as conn:
        coded = Spans(conn.execute(select_codings(None)))
    changed = next(
        p for p in build_index(demo, model).passages
        if p.source == "interview-05.txt" and not coded.overlaps(p.source, p.start, p.end)
    )  # fmt: skip
    at = changed.start + changed.text.index(" ")
    demo.sources.edit_text("interview-05.txt", [Edit(at, at, " really")])
    similar(demo, model, code="Warmth", ranking="hybrid")
    cut = at - changed.start
    assert counter.texts == [changed.text[:cut] + " really" + changed.text[cut:]]
    assert keyword_index.cache_info().misses == fits + 1  # the new words are in the index
