"""`thematica batch embed` on a local Dask cluster: the same embedding cache as
assisted coding fills on one machine, source by source, resumed on a rerun."""

import pytest
from sqlalchemy import select

from tests.assist.conftest import models_dir  # noqa: F401 - the static model, built once
from tests.conftest import DEMO
from thematica import create_project

FILES = [DEMO / "raw" / f"interview-0{n}.txt" for n in (1, 2, 3)]


def study(path):
    project = create_project(path, actor="tester")
    project.sources.add_files(FILES)
    project.codes.import_file(DEMO / "codebook.yaml")
    project.codings.add("interview-01.txt", "Feeling mothered", 200, 320)
    return project


def cached(project) -> list:
    from thematica.store.schema import embedding

    with project.read() as conn:
        rows = conn.execute(
            select(embedding.c.model, embedding.c.model_hash, embedding.c.text_hash,
                   embedding.c.vector)
        ).all()  # fmt: skip
    return sorted((m, h, t, bytes(v)) for m, h, t, v in rows)


def test_batch_embed_fills_the_cache_as_one_machine(tmp_path, client, models_dir):  # noqa: F811
    from thematica.assist import cache
    from thematica.batch import embed_sources

    one = study(tmp_path / "one.thematica")
    model = one.assist.model("minilm-static")
    with one.read() as conn:
        by_source, descriptions = cache.live_texts(conn)
    cache.vectors(one, model, [t for texts in by_source.values() for t in texts] + descriptions)

    batch = study(tmp_path / "batch.thematica")
    # An earlier run that stopped after the first source.
    with batch.read() as conn:
        first = cache.live_texts(conn)[0][batch.sources.get("interview-01.txt").id]
    cache.vectors(batch, model, first)
    summary = embed_sources(batch, client, "minilm-static")
    assert summary.already == ["interview-01.txt"]
    assert summary.done == ["interview-02.txt", "interview-03.txt"]
    assert summary.failed == []
    assert cached(batch) == cached(one)
    again = embed_sources(batch, client, "minilm-static")
    assert again.done == [] and len(again.already) == 3
    assert batch.log(1)[0].action == "code"  # the cache is no change to the study


def test_an_unknown_model_fails_before_any_work(tmp_path, client):
    from thematica.batch import embed_sources
    from thematica.errors import NotFound

    with pytest.raises(NotFound, match="unknown model 'no-such-model'"):
        embed_sources(study(tmp_path / "s.thematica"), client, "no-such-model")
