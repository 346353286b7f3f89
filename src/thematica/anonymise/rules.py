"""Rule-based recognisers for identifiers in UK health interview transcripts.

One recogniser per kind of identifier, registered by name (see ``findings``):

========================  ===================================================  =============
name                      finds                                                label
========================  ===================================================  =============
``nhs_number``            10 digits (3-3-4 or ungrouped), Modulus 11 checked   NHS_NUMBER
``uk_postcode``           full UK postcodes, GIR 0AA included                  POSTCODE
``uk_phone``              UK landlines and mobiles, national or +44            PHONE
``email``                 e-mail addresses, written or spoken ("at", "dot")    EMAIL
``ni_number``             National Insurance numbers                           NI_NUMBER
``spoken_date``           specific dates, months, years, named days            DATE
``age``                   ages as people say them ("I was 23", "ten months")   AGE
``titled_name``           the name after a title ("Dr Patel" -> "Patel")       NAME
``organisation``          "... NHS Trust", "... Hospital", "... Primary", ...  NHS_TRUST,
                                                                               HOSPITAL,
                                                                               ORGANISATION
``uk_street``             "14 Elm Road", "Cavendish Street", "flat 3, 2 ..."   STREET
``reference``             "case number AB/1234/21", "application no. 123/01"   REFERENCE
========================  ===================================================  =============

Spans follow the demo study's answer key (``examples/parent-infant-study/raw/
identifiers.csv``): the identifying words only, without a leading "the", a title or a
verb ("the 14th of March", "last November", "Patel", "six weeks old", "Linden Unit").

Decisions a careful anonymiser of health interviews has to make, and what these rules do:

* **NHS numbers** with a valid Modulus 11 check digit are reported (0.9, or 0.99 when
  the words "NHS number" come just before). A number with an invalid check digit is
  reported only when "NHS" is said just before it, with a low score (0.3): a misread
  or mistyped NHS number next to its label still identifies someone nearly enough to be
  reviewed, but ten random digits elsewhere are not worth a reviewer's time.
* **Dates**: specific days ("the 3rd of February", "12/03/2024", "Valentine's Day"),
  months alone or with last/next/this ("in March", "last November"), month-year
  references and years ("September 2023", "2017") are reported, because together with
  a birth or an admission they pin down a person. Weekdays ("next Tuesday"), relative
  times ("last week", "a month ago") and bare seasonal feasts ("after Christmas", a yearly
  custom) are not: they place nothing on a calendar a reader could use. A feast with a
  year or last/next/this ("Christmas 2022", "last Easter") is a date. "May" is a date
  only where a date is expected ("in May", "last May", "May 2021", "the 3rd of May"),
  since it is also a name and a verb. "the end of" / "the start of" before a month is not
  part of the span (the month is what identifies).
* **Ages** are reported where the grammar says an age: "<someone> was/is/'s/am <number>
  [unit]" ("I was 18", "he's fourteen months"), "<number> <unit> old", "a 19-year-old",
  "aged 34", "a woman of thirty-nine", "had him at twenty", and a bare answer to a
  "how old" question. Durations ("for two months"), times ("in 2 minutes"), money and
  weights are not ages; "weeks" near "pregnant" are a gestation, not an age.
* **Streets** are capitalised words before a street word. "Road", "Street", "Lane",
  "Avenue", "Close", "Crescent", "Row"... make a street of any name ("Hollins Road");
  "Mount", "Way", "Place", "Walk"... only after a house number or "on"/"off" ("I'm on
  Gledhow Mount"); "Court", "Park", "Hill", "Green"... only after a house number, since
  they name courts of law, parks and hills as often. A house number and a flat number
  before it are part of the span ("flat 3, 14 Elm Road"). A name that goes on ("Heath
  Lane Hospital") is the organisation's, and "the High Street" (every town has one) is
  a street only with a number.
* **Reference numbers** (REFERENCE): a code with a digit after "case / file / claim /
  account / application / hospital / reference ... number" or "no." ("my case number
  is AB/1234/21", "application (nos. 12345/01 and 23456/02)"), after "ref" or
  "reference" ("quote reference HX2231"), and a bare "no." before a code with a stroke
  ("(no. 18403/91)"); "Protocol No. 11" is not one. Each code of a list is proposed.
* **Organisations** are found from their last word (Hospital, Infirmary, Unit, NHS
  Foundation Trust, Children's Centre, Primary, Academy, Surgery, Medical Centre,
  Pharmacy, University, Court, Police, ...) and the capitalised words before it; a name
  made only of generic words ("the Mother and Baby Unit", "the Local Authority") is not
  reported, nor
  is "Unit 4" (no name before it). A hospital's name found with its suffix ("Witham Vale
  Hospital") is also found where the speaker drops the suffix later in the same text
  ("Witham Vale"); "St Chad's" after "at/in/to/from" is taken to be a hospital (0.5).
  A court, prison or police force is named by its place ("Leeds Family Court", "West
  Yorkshire Police"); "the Family Court" alone is generic.
* **Titled names** take up to five words after the title, in any script ("Mr Şahap
  Doğan", "Mr Z.M. Necatigil"), with lower-case particles inside ("van", "de", "bin").

These are the "own UK recognisers" of the design's library table, written by hand
because no maintained library covers British spoken dates and ages, postcodes, phone
groupings and NHS bodies together. Every pattern is compiled once at import, and only the
standard library is used (a spaCy-based NER recogniser is separate).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from thematica.anonymise.findings import Finding, recogniser


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# ---------------------------------------------------------------------------------------
# NHS numbers


_NHS_RE = re.compile(r"(?<![\w+\-/.])(\d{3})[ \-]?(\d{3})[ \-]?(\d{4})(?![\w\-/]|[.,]\d)")
_NHS_CONTEXT_RE = re.compile(r"\bNHS\b|\bCHI\b|health (?:and care )?number", re.IGNORECASE)
_PHONE_PREFIX_RE = re.compile(r"(?:\+\s?44|\(0\)|\b0044)\s?$")


def nhs_check_digit_valid(digits: str) -> bool:
    """Whether ten digits end in a valid NHS Modulus 11 check digit.

    Weights 10 down to 2 on the first nine digits; check = 11 - (sum mod 11), where 11
    means 0 and 10 means the number is invalid.
    """
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


@recogniser("nhs_number")
def find_nhs_numbers(text: str) -> list[Finding]:
    found = []
    for m in _NHS_RE.finditer(text):
        if _PHONE_PREFIX_RE.search(text, max(0, m.start() - 6), m.start()):
            continue  # "+44 113 496 0472" is a phone number
        digits = m.group(1) + m.group(2) + m.group(3)
        context = bool(_NHS_CONTEXT_RE.search(text, max(0, m.start() - 60), m.start()))
        if nhs_check_digit_valid(digits):
            score = 0.99 if context else 0.9
        elif context:
            score = 0.3
        else:
            continue
        found.append(Finding(m.start(), m.end(), "NHS_NUMBER", score, "nhs_number"))
    return found


# ---------------------------------------------------------------------------------------
# Postcodes

# Outward code: A9, A99, A9A, AA9, AA99, AA9A (letters by position as Royal Mail allows);
# inward code: a digit and two letters without C I K M O V.
_OUTWARD = (
    r"(?:[A-PR-UWYZ][0-9][0-9]?"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?"
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"
)
_POSTCODE_RE = re.compile(
    rf"(?<![A-Za-z0-9])(?:{_OUTWARD}|GIR)( ?)(?:[0-9][ABD-HJLNP-UW-Z]{{2}})(?![A-Za-z0-9])",
    re.IGNORECASE,
)


@recogniser("uk_postcode")
def find_postcodes(text: str) -> list[Finding]:
    found = []
    for m in _POSTCODE_RE.finditer(text):
        code = m.group(0)
        if code.upper().startswith("GIR") and code.upper().replace(" ", "") != "GIR0AA":
            continue
        spaced, upper = bool(m.group(1)), code.isupper()
        if not upper and re.search(r"\d(?:st|nd|rd|th)$", code, re.IGNORECASE):
            continue  # "the b6 1st" is an ordinal, not an inward code
        score = 0.95 if spaced and upper else 0.8
        found.append(Finding(m.start(), m.end(), "POSTCODE", score, "uk_postcode"))
    return found


# ---------------------------------------------------------------------------------------
# Phone numbers

# The trunk (0, (0, +44, +44 (0), 0044) and then the national significant number, one
# digit at a time, each digit optionally after a space, a hyphen or a closing bracket, so
# that every grouping people use ("07700 900461", "07700 900 461", "(0113) 496 0472")
# matches one pattern.
_PHONE_RE = re.compile(
    r"(?<![\w+])(?:(?:\+\s?44|\b0044)[ \-]?(?:\(0\)[ \-]?)?|\(0|\b0)"
    r"([1235789](?:(?:[ \-]|\)[ \-]?)?\d){8,9})(?![\d\w])"
)


@recogniser("uk_phone")
def find_phone_numbers(text: str) -> list[Finding]:
    found = []
    for m in _PHONE_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group(1))
        first = digits[0]
        if len(digits) == 9 and first not in "158":
            continue  # only some 01, 05 and 08 numbers have nine digits after the 0
        if m.group(0).count(")") > (1 if "(" in m.group(0) else 0):
            continue
        score = 0.95 if first == "7" or m.group(0).startswith(("+", "00")) else 0.9
        found.append(Finding(m.start(), m.end(), "PHONE", score, "uk_phone"))
    return found


# ---------------------------------------------------------------------------------------
# E-mail addresses

_EMAIL_RE = re.compile(
    r"(?<![\w.%+\-])[A-Za-z0-9](?:[A-Za-z0-9._%+\-]*[A-Za-z0-9_%+\-])?"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}(?![\w@])"
)
# As transcribed from speech: "helen dot marsh at btinternet dot com".
_SPOKEN_EMAIL_RE = re.compile(
    r"\b[A-Za-z0-9]+(?: (?:dot|underscore|dash|hyphen) [A-Za-z0-9]+)* at "
    r"[A-Za-z0-9\-]+(?: dot [A-Za-z0-9\-]+)* dot (?:com|co dot uk|org|org dot uk|net|uk|"
    r"ac dot uk|gov dot uk|nhs dot (?:uk|net)|ie)\b"
)


@recogniser("email")
def find_emails(text: str) -> list[Finding]:
    found = [Finding(m.start(), m.end(), "EMAIL", 0.99, "email") for m in _EMAIL_RE.finditer(text)]
    found += [
        Finding(m.start(), m.end(), "EMAIL", 0.7, "email") for m in _SPOKEN_EMAIL_RE.finditer(text)
    ]
    return found


# ---------------------------------------------------------------------------------------
# National Insurance numbers

# First letter not D F I Q U V; second not D F I O Q U V; BG GB KN NK NT TN ZZ never issued.
_NI_RE = re.compile(
    r"(?<![A-Za-z0-9])[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r" ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])",
    re.IGNORECASE,
)


@recogniser("ni_number")
def find_ni_numbers(text: str) -> list[Finding]:
    found = []
    for m in _NI_RE.finditer(text):
        if m.group(0)[:2].upper() in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}:
            continue
        score = 0.95 if m.group(0).isupper() else 0.8
        found.append(Finding(m.start(), m.end(), "NI_NUMBER", score, "ni_number"))
    return found


# ---------------------------------------------------------------------------------------
# Numbers as words (shared by dates and ages)

_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_TEENS = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
# "thirty-four", "thirty four", "eleven", "19"; any case for the first letter.
_NUMBER = (
    rf"(?:\b(?i:(?:{_TENS})(?:[- ](?:{_UNITS}))?|{_TEENS}|{_UNITS})(?![\w'’])"
    r"|(?<![\w.,£$])\d{1,3}(?![\d,.]\d))"
)
_ORD_UNITS = "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth"
_ORD_TEENS = (
    "tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|"
    "eighteenth|nineteenth"
)
_DAY = (
    r"(?:(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?"
    rf"|(?:twenty|thirty)[- ](?:{_ORD_UNITS})|twentieth|thirtieth|{_ORD_TEENS}|{_ORD_UNITS})"
)
_DAY_ORDINAL = (
    r"(?:(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)"
    rf"|(?:twenty|thirty)[- ](?:{_ORD_UNITS})|twentieth|thirtieth|{_ORD_TEENS}|{_ORD_UNITS})"
)

# ---------------------------------------------------------------------------------------
# Dates

_MONTH_FULL = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
)
_MONTH_ABBR = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
_MONTH = rf"(?:(?:{_MONTH_FULL})\b|{_MONTH_ABBR}(?![\w]))"
_YEAR_DIGITS = r"(?:19|20)\d\d"
_YEAR = rf"(?:{_YEAR_DIGITS}|['’]\d\d)(?![\w@%]|[.,]\d)"
_FEASTS = (
    r"Christmas(?: Day| Eve)?|Xmas|Easter(?: Sunday| Monday)?|Boxing Day|"
    r"New Year['’]?s(?: Day| Eve)?|Valentine['’]?s Day|Hallowe['’]?en|Bonfire Night|"
    r"Guy Fawkes(?: Night)?|Mother['’]?s Day|Mothering Sunday|Father['’]?s Day|"
    r"Eid(?: al-Fitr| al-Adha| ul-Fitr| ul-Adha)?|Diwali|Hanukkah|Chanukah|Vaisakhi|"
    r"Rosh Hashanah|Yom Kippur|Ramadan|Holi|Burns Night|St Patrick['’]?s Day|"
    r"St Andrew['’]?s Day|St David['’]?s Day|St George['’]?s Day|Remembrance Sunday|"
    r"Pancake Day|Shrove Tuesday|Good Friday"
)
# Feasts that are one day of the year: said alone they still date an event.
_ONE_DAY_FEASTS = re.compile(
    r"Christmas (?:Day|Eve)|Boxing Day|New Year|Valentine|Bonfire Night|Guy Fawkes|"
    r"Mother|Father|Hallowe|Burns Night|St |Pancake Day|Shrove Tuesday|Good Friday|"
    r"Remembrance Sunday|Easter (?:Sunday|Monday)"
)
_SPOKEN_YEAR = (
    rf"(?i:(?:nineteen|twenty)[- ](?:(?:oh|o)[- ](?:{_UNITS})|{_TEENS}|(?:{_TENS})"
    rf"(?:[- ](?:{_UNITS}))?)|two thousand(?: and)?(?: (?:{_TEENS}|{_UNITS}|twenty"
    rf"(?:[- ](?:{_UNITS}))?))?)(?![\w-])"
)
_DATE_CONTEXT = (
    r"(?:in|since|until|till|til|by|from|of|on|last|next|this|early|late|mid|end|start|"
    r"beginning|middle|before|after|during|around|through|throughout|to|into|back)"
)
_RELATIVE = r"(?:[Ll]ast|[Nn]ext|[Tt]his|[Tt]hat)"
_NOT_A_UNIT = (
    r"(?!\s*(?:%|per ?cent|pounds?|quid|p\b|pence|people|words|calories|kcal|steps|miles|"
    r"metres|meters|feet|grams|g\b|kg|mg|ml|hours|hrs|minutes|mins|times|of\b|x\b|am\b|pm\b))"
)

_DATE_RE = re.compile(
    "|".join(
        [
            # 12/03/2024, 12-03-24, 12.03.2024 (day first, as in the UK) and 2024-03-12
            r"(?P<numeric>(?<![\w/.\-])(?:(?:0?[1-9]|[12]\d|3[01])(?P<sep>[/.\-])"
            r"(?:0?[1-9]|1[0-2])(?P=sep)(?:(?:19|20)\d\d|\d\d)"
            r"|(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))(?![\w/]|[.\-]\d))",
            # the 3rd of February (2024), 3 February 2024, 3rd Feb
            rf"(?P<dm>\b(?:the )?{_DAY} (?:of )?{_MONTH}(?:,? {_YEAR})?)",
            # February the 3rd, February 3rd(, 2024), March 3 2024
            rf"(?P<md>\b{_MONTH},? (?:the {_DAY}|{_DAY_ORDINAL}|(?:[12]\d|3[01]|0?[1-9])"
            rf"(?=,? {_YEAR}|[ \t]*(?:[.,;:!?]|$)))(?![\w])(?:,? {_YEAR})?)",
            # last November, next March 2025, this May
            rf"(?P<rel>\b{_RELATIVE} (?:{_MONTH_FULL})\b(?: {_YEAR})?)",
            # September 2023, March '22
            rf"(?P<my>\b{_MONTH} {_YEAR})",
            # Christmas 2022, last Easter, Valentine's Day
            rf"(?P<feast>\b(?:{_RELATIVE} )?(?:{_FEASTS})\b(?: {_YEAR})?)",
            # 2017, 1998 (not 2000 steps, not inside an address or an e-mail)
            rf"(?P<year>(?<![\w£$€.,/@\-]){_YEAR_DIGITS}(?![\w@%\-/]|[.,]\d|['’]s\b))"
            rf"{_NOT_A_UNIT}",
            # March, September (alone); May only after a word that wants a date
            rf"(?P<month>\b(?:{_MONTH_FULL})\b)",
        ]
    )
)
# twenty twenty-two, two thousand and nine: spoken years, only after a word that wants one
_SPOKEN_YEAR_RE = re.compile(rf"\b(?i:{_DATE_CONTEXT}) (?P<year>{_SPOKEN_YEAR})")
_DATE_WORD_BEFORE_RE = re.compile(rf"(?i:\b{_DATE_CONTEXT}) $")
_NAME_AFTER_RE = re.compile(r" (?:[A-Z][a-z]+)")
_TITLE_BEFORE_RE = re.compile(r"\b(?:Mrs|Mr|Ms|Miss|Dr|Aunt|Auntie|Nan|Sister)\.? $")


@recogniser("spoken_date")
def find_dates(text: str) -> list[Finding]:
    found: list[Finding] = []
    for m in _DATE_RE.finditer(text):
        kind = m.lastgroup
        start, end = m.start(), m.end()
        if kind == "numeric":
            score = 0.9
        elif kind in ("dm", "md", "my"):
            score = 0.95
        elif kind == "rel":
            score = 0.85
        elif kind == "feast":
            span = m.group(0)
            dated = span[-1].isdigit() or re.match(_RELATIVE, span)
            if not dated and not _ONE_DAY_FEASTS.match(span):
                continue  # "after Christmas": a time of year, not a date
            score = 0.85 if dated else 0.5
        elif kind == "year":
            before = text[max(0, start - 12) : start]
            score = 0.9 if _DATE_WORD_BEFORE_RE.search(before) else 0.7
        else:  # a month alone
            word = m.group(0)
            before = text[max(0, start - 20) : start]
            if word == "May" and not _DATE_WORD_BEFORE_RE.search(before):
                continue
            if _TITLE_BEFORE_RE.search(before):
                continue  # "Mrs May"
            after = _NAME_AFTER_RE.match(text, end)
            if (
                word in ("April", "May", "June", "August")
                and after
                and not re.fullmatch(_MONTH_FULL, after.group(0).strip())
            ):
                continue  # "June Whitaker"
            score = 0.8 if _DATE_WORD_BEFORE_RE.search(before) else 0.7
        found.append(Finding(start, end, "DATE", score, "spoken_date"))
    taken = [(f.start, f.end) for f in found]
    for m in _SPOKEN_YEAR_RE.finditer(text):
        start, end = m.span("year")
        if not any(s < end and start < e for s, e in taken):
            found.append(Finding(start, end, "DATE", 0.7, "spoken_date"))
    return sorted(found)


# ---------------------------------------------------------------------------------------
# Ages

_AGE_UNIT = r"(?:days?|weeks?|months?|years?)"
_AGE_NUMBER = rf"(?:{_NUMBER}(?: (?:and a half|or {_NUMBER}))?)"
# "seven weeks old", "a week old", "nine-year-old", "a 19-year-old", "five year old"
_AGE_OLD = rf"(?:(?:{_AGE_NUMBER}|[Aa]n?|[Oo]ne)[ \-]{_AGE_UNIT}[ \-]olds?\b)"
_AGE_UNIT_EXPR = rf"(?:{_AGE_NUMBER} {_AGE_UNIT}\b)"
# After a bare number, what may follow an age: punctuation, the end, or a small word.
_AFTER_BARE = (
    r"(?=\s*(?:[.,;:!?)\]\"'’”\-–—]|$)|\s+(?:now|then|and|but|so|cos|'cause|because|when|"
    r"or|at the time|by then|already|yet|I|he|she|we|they|you|with|in|at)\b)"
)
# After a number and a unit: not a duration, a gestation or a lateness.
_NOT_DURATION = (
    r"(?!\s+(?:late|early|overdue|ago|later|before|after|behind|pregnant|gone|along|into|in|"
    r"postpartum|post-partum|postnatal|clean|sober|off|away|apart|on|of|out|since|"
    r"older|younger|long|more|less|at)\b)"
)
_RELATIVES = (
    r"son|daughter|baby|boy|girl|eldest|youngest|oldest|little one|husband|partner|wife|"
    r"mum|mom|mam|mother|dad|father|nan|nana|gran|granny|grandma|grandad|grandpa|sister|"
    r"brother|auntie|aunt|uncle|cousin|niece|nephew|stepson|stepdaughter|kids?|children"
)
_SUBJECT = (
    rf"(?:\b(?:[Ii]|[Hh]e|[Ss]he|[Yy]ou|[Ww]e|[Tt]hey|who|one|[Tt]he baby|"
    rf"(?:[Mm]y|[Hh]is|[Hh]er|[Oo]ur|[Tt]heir|[Tt]he) (?:(?:older|younger|elder|eldest|"
    rf"youngest|oldest|little|big|other|middle) )?(?:{_RELATIVES}|one))|\[[^\]\n]{{1,30}}\]|"
    r"(?<![\w'’])(?!(?:It|That|This|There|Here|What|Where|When|Which|How|"
    r"Let|Who|Everyone|Everything|Nobody|Nothing|One|Today|Tomorrow|Now|Then|Number|"
    r"Year|Page|Room|Ward|Bus)\b)[A-Z][a-z]+)"
)
_VERB = (
    r"(?:\s(?:was|is|am|were|are|turned|turns|turning|'ll be|will be|be)|['’](?:s|m|re)"
    r"|\sbeing)"
)
_HEDGE = (
    r"(?:,?\s(?:about|around|like|only|just|nearly|almost|barely|maybe|probably|roughly|"
    r"already|still|coming up to|approaching|not even|under|over|gone|literally),?)*"
)
# Each form is matched with the words that make it an age (``re`` has no variable-width
# look-behind), and the span is the ``age`` group.
_COPULA_RE = re.compile(
    rf"{_SUBJECT}{_VERB}{_HEDGE}\s(?P<age>{_AGE_UNIT_EXPR}{_NOT_DURATION}"
    rf"|{_AGE_NUMBER}{_AFTER_BARE})"
)
_OLD_RE = re.compile(rf"\b{_AGE_OLD}")
# After "aged" or "the age of" a number is an age unless a unit says otherwise.
_AGED_RE = re.compile(
    rf"\b(?:aged|the age of) (?P<age>{_AGE_UNIT_EXPR}{_NOT_DURATION}|{_AGE_NUMBER}"
    rf"(?![\w'’-]){_NOT_A_UNIT}(?!\s(?:days?|weeks?|months?|years?)\b))"
    rf"|\b(?:(?:woman|man|girl|boy|lady|lad|lass) of|had (?:him|her|them) at) "
    rf"(?P<age2>{_AGE_NUMBER}{_AFTER_BARE})"
)
_HOW_OLD_RE = re.compile(r"\bhow old\b[^\n]*\n+", re.IGNORECASE)
_ANSWER_RE = re.compile(
    rf"[A-Z][\w ]{{0,20}}:\s+(?:(?i:um|er|erm|oh|well|about|around|nearly|almost|just|only|"
    rf"he's|she's|he is|she is|they're|they are)[,.]?\s+)*"
    rf"(?P<age>{_AGE_UNIT_EXPR}{_NOT_DURATION}|{_AGE_NUMBER}{_AFTER_BARE})"
)
_PREGNANT_RE = re.compile(
    r"pregnan|gestation|expecting|due date|maternity leave|\bscan\b|\bbump\b", re.IGNORECASE
)
# "he was about seven weeks old. Maybe eight weeks.", "went in at three weeks old and came
# out at ten weeks": a number of weeks or months just after an age is an age too.
_FOLLOW_UP_RE = re.compile(
    rf"\b(?:[Mm]aybe|[Pp]erhaps|[Pp]robably|[Oo]r|at|by|till|until)\s(?:about\s|around\s)?"
    rf"(?P<age>{_AGE_UNIT_EXPR}{_NOT_DURATION})(?! old)"
)
_AND_AGE_RE = re.compile(
    rf",? (?:and|or|to) (?P<age>{_AGE_OLD}|{_AGE_UNIT_EXPR}{_NOT_DURATION}|{_AGE_NUMBER}"
    rf"{_AFTER_BARE})"
)
_PLAUSIBLE_AGE = 115
_WORD_VALUE = {word: value for value, word in enumerate(f"zero|{_UNITS}|{_TEENS}".split("|"))}
_WORD_VALUE.update({word: 20 + 10 * i for i, word in enumerate(_TENS.split("|"))})


def _number_value(expr: str) -> int | None:
    """The leading number of an age expression ("23", "thirty-four", "eleven months")."""
    if m := re.match(r"\d+", expr):
        return int(m.group(0))
    words = re.split(r"[\s-]+", expr.lower())
    if words[0] not in _WORD_VALUE:
        return None
    value = _WORD_VALUE[words[0]]
    if value >= 20 and len(words) > 1 and words[1] in _WORD_VALUE and _WORD_VALUE[words[1]] < 10:
        value += _WORD_VALUE[words[1]]
    return value


@recogniser("age")
def find_ages(text: str) -> list[Finding]:
    spans: dict[tuple[int, int], float] = {}

    def add(start: int, end: int, score: float) -> None:
        expr = text[start:end]
        value = _number_value(expr)
        if value is not None and (value == 0 or value > _PLAUSIBLE_AGE):
            return
        if (
            re.search(r"\bweeks?\b", expr)
            and not expr.endswith("old")
            and (value or 0) > 12
            and _PREGNANT_RE.search(text, max(0, start - 200), end + 200)
        ):
            return  # "she was about twenty weeks" (and went on maternity leave): a gestation
        if spans.get((start, end), 0) < score:
            spans[(start, end)] = score

    for m in _OLD_RE.finditer(text):
        add(m.start(), m.end(), 0.95)
    for m in _AGED_RE.finditer(text):
        group = "age" if m.group("age") else "age2"
        add(m.start(group), m.end(group), 0.85)
    for m in _COPULA_RE.finditer(text):
        age = m.group("age")
        score = 0.85 if re.search(_AGE_UNIT, age) else 0.75
        add(m.start("age"), m.end("age"), score)
    for q in _HOW_OLD_RE.finditer(text):
        a = _ANSWER_RE.match(text, q.end())
        if a:
            add(a.start("age"), a.end("age"), 0.8)
    for first in list(spans):
        if re.search(_AGE_UNIT, text[first[0] : first[1]]):
            for m in _FOLLOW_UP_RE.finditer(text, first[1], min(len(text), first[1] + 80)):
                add(m.start("age"), m.end("age"), 0.65)
        if m := _AND_AGE_RE.match(text, first[1]):  # "they are two and five"
            add(m.start("age"), m.end("age"), 0.7)
    # Where an "old" form and a shorter form of the same age overlap, keep the longer one.
    ordered = sorted(spans.items(), key=lambda item: (item[0][0], -item[0][1]))
    found: list[Finding] = []
    for (start, end), score in ordered:
        if found and start < found[-1].end:
            continue
        found.append(Finding(start, end, "AGE", score, "age"))
    return found


# ---------------------------------------------------------------------------------------
# Names after a title

_TITLE = (
    r"(?:Dr|Doctor|Mrs|Mr|Ms|Miss|Mx|Prof|Professor|Sister|Nurse|Rev|Reverend|Father|"
    r"Sir|Dame|Cllr|Councillor)"
)
_NOT_A_NAME = _words(
    """I The A An And But Or So You Him Her It Them Me Us Who What Said Says Was Is Are
    Were Be Been Practitioner Specialist Consultant Visitor Visitors Team Christmas
    Martens Foster Who Please Thank Thanks Sorry Yes No Okay Ok Um Er Oh Well Google Blah
    Whoever Whatsit Whatshisname Whatshername Somebody Someone Nobody Everyone Then When
    She He We They There That This If In On At My Our His Their Your"""
)
# Any script's letters ("Şahap Doğan", "Wiśniewska"); whether a word starts with a
# capital is checked in Python, since ``re`` has no class for upper-case letters.
_LETTER = r"[^\W\d_]"
# An initial or two ("J.", "Z.M."), or a word ("O'Neill", "McAllister-Reid", "Patel's").
_NAME_TOKEN = rf"(?:{_LETTER}\.(?:{_LETTER}\.)*|{_LETTER}[\w'’\-]*)"
_TITLED_RE = re.compile(rf"\b{_TITLE}\.? (?P<name>{_NAME_TOKEN}(?: {_NAME_TOKEN}){{0,4}})")
# Lower-case particles inside a name ("Ludwig van Beethoven", "Fatima al Hassan").
_PARTICLES = _words("van von der den de du da di le la al el bin ben ibn")
_POSSESSIVE_RE = re.compile(r"['’]s$")


def _name_words(words: list[str]) -> list[str]:
    """The leading words that make a name ("Patel Said" -> "Patel"; "Patel's" ->
    "Patel"), without a dangling initial at the end."""
    kept: list[str] = []
    for i, word in enumerate(words):
        initial = word.endswith(".")
        if word in _NOT_A_NAME or word[0].isdigit():
            break
        if not word[0].isupper():
            following = words[i + 1] if i + 1 < len(words) else ""
            if word in _PARTICLES and kept and following[:1].isupper():
                kept.append(word)
                continue
            break
        if not initial and _POSSESSIVE_RE.search(word):
            kept.append(_POSSESSIVE_RE.sub("", word))
            break
        kept.append(word)
    while kept and (len(kept[-1].rstrip(".")) == 1 or kept[-1] in _PARTICLES):
        kept.pop()  # a dangling initial
    return kept


@recogniser("titled_name")
def find_titled_names(text: str) -> list[Finding]:
    found = []
    for m in _TITLED_RE.finditer(text):
        kept = _name_words(m.group("name").split(" "))
        if not kept:
            continue
        start = m.start("name")
        end = start + len(" ".join(kept))
        found.append(Finding(start, end, "NAME", 0.9, "titled_name"))
    return found


# ---------------------------------------------------------------------------------------
# Street addresses

# A street is a run of capitalised words ending in a street word. "Road", "Lane",
# "Crescent" and the like make a street of any name before them ("Hollins Road");
# "Mount", "Way", "Place"... do so after a house number or after "on"/"off" ("I'm on
# Gledhow Mount"); "Court", "Park", "Hill", "Green"... name buildings, courts of law and
# open spaces too often, so only a house number makes them streets ("4 Elm Court").
_STREET_TIERS = (
    r"Road|Rd\.?|Street|Lane|Avenue|Ave\.?|Crescent|Close|Drive|Grove|Terrace|Gardens|"
    r"Row|Mews|Parade|Boulevard",
    r"Mount|Way|Place|Walk|Square|Rise|Fold|Croft|Chase|Wharf|Yard|Grange|Approach|Glade",
    r"Court|Park|Hill|Green|Gate|View|Vale|Heights|Meadows?|Bank|Side",
)
_STREET_SUFFIX_RE = re.compile(
    "|".join(
        rf"(?P<t{i}>(?<=[ \t])(?:{pattern})(?![\w\-]|['’](?!s\b)))"
        for i, pattern in enumerate(_STREET_TIERS)
    )
)
# "42 ", "42a, ", "flat 3, 14 ", "Flat 2b "; read backwards from the street's name.
_HOUSE_NUMBER_RE = re.compile(
    r"(?:(?<![\w\-])(?:[Ff]lat|[Aa]partment|[Aa]pt\.?) \d{1,4}[A-Za-z]?,? )?"
    r"(?<![\w.,£$/\-])\d{1,4}[A-Za-z]?,? \Z"
)
_ON_BEFORE_RE = re.compile(r"\b(?:on|off|along) \Z")
# Names a street shares with every town: a street only with a house number.
_GENERIC_STREETS = _words("High Main Ring Front Back Bypass Old New")
_STREET_WORD_RE = re.compile(r"\S+")


def _capitalised_run(text: str, at: int, most: int = 3) -> int | None:
    """Where the run of up to ``most`` capitalised words just before ``at`` starts (the
    words in one line, none ending in punctuation), or None when there is none."""
    line_start = text.rfind("\n", max(0, at - 80), at) + 1
    words = list(_STREET_WORD_RE.finditer(text, max(line_start, at - 80), at))
    start = None
    for word in reversed(words[-most:]):
        w = word.group(0)
        if (
            not (w[0].isupper() or w in ("St", "St."))
            or w[-1] in ',;:!?)"”'
            or (w[-1] == "." and w not in ("St.",))
        ):
            break
        start = word.start()
    # Drop a capitalised function word from the front ("On Elm Road" -> "Elm Road").
    while start is not None:
        first = _STREET_WORD_RE.match(text, start)
        if first is None or first.group(0) not in _LEADING:
            break
        after = re.compile(r"\S+[ \t]+").match(text, start)
        start = after.end() if after and after.end() < at else None
    return start


@recogniser("uk_street")
def find_streets(text: str) -> list[Finding]:
    found = []
    for m in _STREET_SUFFIX_RE.finditer(text):
        tier = int(m.lastgroup[1:])  # type: ignore[index]
        if re.match(r"[ \t]+[A-Z]", text[m.end() : m.end() + 2]):
            continue  # "Heath Lane Hospital", "Alder Street Children's Centre"
        start = _capitalised_run(text, m.start())
        if start is None:
            continue
        words = text[start : m.start()].split()
        number = _HOUSE_NUMBER_RE.search(text, max(0, start - 24), start)
        if number:
            begin, score = number.start(), 0.9
        elif all(w in _GENERIC_STREETS for w in words):
            continue  # "the High Street"
        elif tier == 0:
            begin, score = start, 0.8
        elif tier == 1 and _ON_BEFORE_RE.search(text, max(0, start - 8), start):
            begin, score = start, 0.7
        else:
            continue
        found.append(Finding(begin, m.end(), "STREET", score, "uk_street"))
    return found


# ---------------------------------------------------------------------------------------
# Reference numbers

# What a reference belongs to, said just before "number" / "no.": "case number",
# "application (no. 18403/91)", "my hospital number is RX12345", "account no 4471".
_REFERENCE_NOUN = (
    r"(?:application|case|file|reference|ref|registration|claim|account|patient|hospital|"
    r"record|policy|membership|member|customer|client|passport|licence|license|driving "
    r"licence|crime|incident|complaint|plot|invoice|order|booking|tracking|student|staff|"
    r"employee|payroll|tenancy|benefit|council tax|housing|pupil|unit|serial|ticket|"
    r"appointment|prescription|referral)s?"
)
# A code: letters, digits and inner / . - :, with at least one digit ("12345/01", "D-4411",
# "RX1234567"); several may be listed ("nos. 1234/01, 2345/02 and 3456/03").
_CODE = r"(?=[A-Za-z0-9/.\-:]*\d)[A-Za-z0-9]+(?:(?:[/.\-:]| (?=\d))[A-Za-z0-9]+)*(?![\w/\-])"
_CODE_LIST = rf"{_CODE}(?:(?:,\s*|,?\s+and\s+){_CODE})*"
_REFERENCE_RE = re.compile(
    rf"\b(?i:{_REFERENCE_NOUN})\s?\(?(?i:numbers|number|num|nos|no|#)\.?:?"
    rf"(?:\s(?:is|was|being))?\s?(?P<after_noun>{_CODE_LIST})"
    # "ref 1234/21", "reference: AB/2231", "quote reference HX2231"
    rf"|\b(?i:reference|ref)\.?:?(?:\s(?:is|was))?\s(?P<after_ref>{_CODE_LIST})"
    # "(no. 18403/91)": a bare "no." before a code with a stroke, the way references and
    # case numbers are written; "Protocol No. 11" is not one
    rf"|\b[Nn]os?\.\s?(?P<slashed>\d+/\d+(?:(?:,\s*|,?\s+and\s+)\d+/\d+)*)(?![\w/\-])"
)
_ONE_CODE_RE = re.compile(_CODE)
_REFERENCE_SCORES = {"after_noun": 0.8, "after_ref": 0.7, "slashed": 0.6}


@recogniser("reference")
def find_references(text: str) -> list[Finding]:
    found = []
    for m in _REFERENCE_RE.finditer(text):
        group = m.lastgroup or "slashed"
        score = _REFERENCE_SCORES[group]
        for code in _ONE_CODE_RE.finditer(text, m.start(group), m.end(group)):
            if len(code.group(0)) > 1:
                found.append(Finding(code.start(), code.end(), "REFERENCE", score, "reference"))
    return found


# ---------------------------------------------------------------------------------------
# Organisations: NHS trusts, hospitals, schools, children's centres, employers

# The suffixes, longest first within each group; each maps to a label and a score.
_SUFFIXES: list[tuple[str, str, float]] = [
    (r"NHS Foundation Trust|NHS Trust|Foundation Trust|University Health Board|"
     r"Health Board|Integrated Care Board|Clinical Commissioning Group|ICB|CCG",
     "NHS_TRUST", 0.95),
    (r"Hospitals?|Infirmary|Hospice|Birth(?:ing)? Centre|Maternity Unit", "HOSPITAL", 0.9),
    (r"Unit", "HOSPITAL", 0.7),
    (r"Children['’]s Centre|Family Centre|Family Hub|Community Centre|Health Centre|"
     r"Medical Centre|Medical Practice|Health Practice|Group Practice|Surgery|"
     r"Leisure Centre|Resource Centre|Wellbeing Centre|"
     r"Primary School|Infant School|Junior School|Secondary School|High School|"
     r"Grammar School|School|Academy|College|Sixth Form|Nursery|Pre-?[Ss]chool|University|"
     r"Pharmacy|Chemists?|Borough Council|City Council|County Council|Council|Authority|"
     r"Church|Mosque|Gurdwara|Synagogue|Mandir|Temple|"
     r"Ltd|Limited|PLC|plc|LLP|Logistics|Solicitors|Associates|Housing Association",
     "ORGANISATION", 0.85),
    # Courts, prisons and police forces, named by their place ("Leeds Family Court",
    # "Bradford Crown Court", "West Yorkshire Police"); "the Family Court" is generic.
    (r"Court|Prison|Young Offender Institution|Police|Constabulary", "ORGANISATION", 0.8),
    (r"Primary(?! (?:Care|Mental|Health|Team))", "ORGANISATION", 0.8),
]  # fmt: skip
_SUFFIX_RE = re.compile(
    "|".join(
        rf"(?P<s{i}>(?<=[ \t])(?:{pattern})(?![\w'’\-]))"
        for i, (pattern, _, _) in enumerate(_SUFFIXES)
    )
)
# The capitalised words before a suffix, read backwards from it: "Birchfield and Aston ",
# "Central Birmingham Mental Health ", "St Chad's ", "Royal Victoria ".
_NAME_RUN_RE = re.compile(
    r"(?:(?<![\w'’\-])(?:St\.?|[A-Z][\w'’\-]*)[ \t](?:(?:and|&|of|upon|on|in|under)[ \t])?)+\Z"
)
# A run may not start with these (a capitalised word at the start of a sentence).
_LEADING = _words(
    """The A An At In On To From Into By Of For With And But Or So Then Than My Our Your
    Their His Her Its This That These Those When While Where Which What Who Like Yeah Yes
    No Um Er Oh Well I It We They He She You Me Us Him Them If As After Before Since Until
    Till Was Is Are Were Be Been Being Went Go Going Called Dear Hi Hello Also Just Even
    Only Now Because Cos Anyway Actually Basically Apparently Every Each Some Any All
    Both Another Other Interviewer Participant Partner Mum Mam Dad Nan Gran Grandma"""
)
# Words that do not name a place or a body: a run made of these alone is generic.
_GENERIC = _words(
    """Mother Mothers Baby Babies Mum Mums Parent Parents Infant Family Families Child
    Children Children's Childrens Special Care Intensive Neonatal Maternity Perinatal
    Psychiatric Mental Health Adolescent Young People People's Adult Adults Community
    Local General District County City Town Day Assessment Acute Inpatient Outpatient
    Secondary Primary Junior Infant Infants High Grammar Sixth Form Nursery The A And
    Of Sure Start Medical Dental Leisure Resource Wellbeing Birth Birthing Unit Ward
    National Services Service Social Our My Your Their His Her This That New Private
    Catholic Church Free Open Teaching Hospital Hospitals Trust NHS Foundation Job Care
    Psychology Psychotherapy Therapy Services Early Help Eating Disorder Disorders Crisis
    Home Treatment Team Teams Centre Center Unit Units Main Big Little Old Same Other
    Sunday Forest Summer Business Boarding Nursing Law Graduate University Teaching Clinical
    Trials Trial Research Renal Cancer Stroke Cardiac Coronary Dialysis Burns Spinal Injuries
    Surgery Surgical Rehabilitation Respite Secure Forensic Liaison Cardiology Oncology
    Haematology Endoscopy Fertility Conception Women's Men's Pregnancy Fetal Foetal Labour
    Delivery Postnatal Antenatal Breast Dependency High Heart Failure Elderly Palliative
    Admissions Emergency Accident Minor Injuries Urgent Walk-in Specialist Regional
    Court Courts Crown Magistrates Magistrates' Magistrates’ Family Youth Supreme Appeal
    Appeals Constitutional Administrative Criminal Civil Labour Employment Military
    Federal State Security Police Prison Assize Juvenile Probate Coroner's Coroners"""
)
_CONNECTORS = frozenset({"and", "&", "of", "upon", "on", "in", "under"})
_SAINT_RE = re.compile(
    r"\b(?:at|in|to|from|into) (?P<name>St\.? [A-Z][a-z]+['’]s)(?![\w'’-])(?! [A-Z])"
)
_UNIVERSITY_OF_RE = re.compile(
    r"\bUniversity of (?:the )?[A-Z][\w'’\-]*(?:(?: and| of)? [A-Z][\w'’\-]*)*"
)
_WARD_RE = re.compile(r"\b(?:on|onto|to) (?P<name>[A-Z][a-z]+ Ward)\b")


def _name_before(text: str, at: int) -> int | None:
    """Where the name before a suffix starting at ``at`` starts, or None for none."""
    window_start = max(0, at - 120)
    m = _NAME_RUN_RE.search(text, window_start, at)
    if not m:
        return None
    start = m.start()
    # Drop sentence-initial function words and dangling connectors from the front.
    while True:
        word_match = re.match(r"(\S+)[ \t]+", text[start:at])
        if not word_match:
            return None
        word = word_match.group(1)
        if word in _LEADING or word in _CONNECTORS:
            start += word_match.end()
            continue
        break
    words = [w for w in re.split(r"[ \t]+", text[start:at].strip()) if w not in _CONNECTORS]
    if not words or all(w in _GENERIC for w in words):
        return None
    return start


def _organisations(text: str) -> Iterator[Finding]:
    for m in _SUFFIX_RE.finditer(text):
        index = int(m.lastgroup[1:])  # type: ignore[index]
        _, label, score = _SUFFIXES[index]
        start = _name_before(text, m.start())
        if start is None:
            continue
        yield Finding(start, m.end(), label, score, "organisation")


@recogniser("organisation")
def find_organisations(text: str) -> list[Finding]:
    found = list(_organisations(text))
    found += [
        Finding(m.start("name"), m.end("name"), "HOSPITAL", 0.5, "organisation")
        for m in _SAINT_RE.finditer(text)
    ]
    found += [
        Finding(m.start("name"), m.end("name"), "HOSPITAL", 0.6, "organisation")
        for m in _WARD_RE.finditer(text)
    ]
    found += [
        Finding(m.start(), m.end(), "ORGANISATION", 0.85, "organisation")
        for m in _UNIVERSITY_OF_RE.finditer(text)
    ]
    # A hospital named once with its suffix is often named again without it
    # ("Witham Vale Hospital" ... "at Witham Vale"): find the short form in this text.
    short_forms = set()
    for f in found:
        if f.label != "HOSPITAL" or f.recogniser != "organisation":
            continue
        name = re.sub(r"[ \t]+(?:Hospitals?|Infirmary|Hospice)$", "", text[f.start : f.end])
        if name != text[f.start : f.end] and (" " in name):
            short_forms.add(name)
    taken = {(f.start, f.end) for f in found}
    for name in short_forms:
        for m in re.finditer(rf"(?<![\w'’-]){re.escape(name)}(?![\w'’-])(?! [A-Z])", text):
            if not any(s <= m.start() < e for s, e in taken):
                found.append(Finding(m.start(), m.end(), "HOSPITAL", 0.7, "organisation"))
    return sorted(found)
