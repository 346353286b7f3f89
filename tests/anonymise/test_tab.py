"""The TAB benchmark (``benchmarks/anonymise_tab.py``) end to end on two training documents.

Needs the shared benchmark folder (``../shared/anon-bench`` beside the repository, or
``THEMATICA_ANON_BENCH``); skips, naming it, where it is absent. Only training documents
are used here: the test split is for reporting.
"""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from thematica.anonymise import ner

REPO = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location(
    "anonymise_tab", REPO / "benchmarks" / "anonymise_tab.py"
)
assert spec and spec.loader
tab = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tab)

needs_bench = pytest.mark.skipif(
    not (tab.BENCH / "score_tab.py").exists() or not (tab.BENCH / "tab").is_dir(),
    reason=f"the TAB benchmark folder {tab.BENCH} is absent",
)


@pytest.fixture(scope="module")
def two_documents():
    return tab.run_split(tab.BENCH, "train", limit=2)


@needs_bench
def test_two_training_documents_are_scored(two_documents, tmp_path):
    report = two_documents
    assert report["documents"] == 2
    ours = report["thematica"]
    assert set(ours) >= {"direct_token_recall", "quasi_token_recall", "token_precision"}
    # Application numbers ("application (no. 18403/91)") are found by the rules alone.
    assert ours["direct_token_recall_by_type"]["CODE"] == 1.0
    assert "presidio_sm" in report


@needs_bench
@pytest.mark.skipif(not ner.available(), reason="the name recogniser is not installed")
def test_direct_identifiers_and_precision_beat_presidio(two_documents):
    ours, presidio = two_documents["thematica"], two_documents["presidio_sm"]
    # Measured: DIRECT 1.0 (Presidio 0.4), precision 0.99 (Presidio 0.57).
    assert ours["direct_token_recall"] >= 0.9
    assert ours["token_precision"] > presidio["token_precision"]


@needs_bench
def test_predictions_are_written_in_the_scorer_s_format(tmp_path):
    tab.run_split(tab.BENCH, "train", limit=1, out=tmp_path)
    predictions = json.loads((tmp_path / "thematica_train_pred.json").read_text())
    assert len(predictions) == 1
    for spans in predictions.values():
        assert all(len(s) == 2 and 0 <= s[0] < s[1] for s in spans)


def test_the_benchmark_skips_without_its_folder(tmp_path):
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "anonymise_tab.py"), "--bench",
         str(tmp_path / "missing")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert result.stdout == ""
    assert "missing is absent" in result.stderr
