"""A local Dask cluster of two worker processes, shared by the batch tests."""

import csv
import sys

import pytest

from tests.conftest import SHARED

pytest.importorskip(
    "distributed", reason="the batch extra is not installed: pip install -e '.[batch]'"
)

CORPUS = SHARED / "corpora" / "anthropic-interviewer"


@pytest.fixture(scope="module")
def client():
    from thematica.batch import cluster

    with cluster("local:2") as client:
        yield client


@pytest.fixture(scope="session")
def public_transcripts(tmp_path_factory):
    """The 250 public AI-led interviews, one .txt file each (written to a temporary
    folder from the shared CSVs, never into the repository)."""
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is absent: {CORPUS}")
    folder = tmp_path_factory.mktemp("anthropic-interviewer")
    csv.field_size_limit(sys.maxsize)
    for table in ("creatives_transcripts.csv", "scientists_transcripts.csv"):
        with (CORPUS / table).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                (folder / f"{row['transcript_id']}.txt").write_text(row["text"], encoding="utf-8")
    return folder
