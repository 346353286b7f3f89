"""The rule recognisers: one block of positives and tricky negatives per recogniser, and a
score against the demo study's answer key.

Every sentence here was written for these tests (no published text).
"""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thematica.anonymise.findings import LABELS, registered
from thematica.anonymise.rules import (
    find_ages,
    find_dates,
    find_emails,
    find_nhs_numbers,
    find_ni_numbers,
    find_organisations,
    find_phone_numbers,
    find_postcodes,
    find_references,
    find_streets,
    find_titled_names,
    nhs_check_digit_valid,
)
from thematica.anonymise.scoring import read_answer_key, score

RULES = (
    "nhs_number", "uk_postcode", "uk_phone", "email", "ni_number", "spoken_date", "age",
    "titled_name", "organisation", "uk_street", "reference",
)  # fmt: skip
DEMO = Path(__file__).resolve().parents[2] / "examples" / "parent-infant-study" / "raw"


def spans(found, text):
    return [text[f.start : f.end] for f in found]


def labelled(found, text):
    return [(text[f.start : f.end], f.label) for f in found]


# --- registry -------------------------------------------------------------------------


def test_every_rule_recogniser_is_registered():
    available = registered()
    for name in RULES:
        assert name in available


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(list("aZ09 -.,'/@()+\n") + ["May", "Dr ", " Hospital", "was ", "44"]),
        max_size=80,
    ).map("".join)
)
def test_findings_are_well_formed_on_any_text(text):
    for name in RULES:
        for f in registered()[name](text):
            assert 0 <= f.start < f.end <= len(text)
            assert f.label in LABELS
            assert 0 < f.score <= 1
            assert f.recogniser == name


# --- NHS numbers ----------------------------------------------------------------------


def test_nhs_check_digit():
    assert nhs_check_digit_valid("6281948211")
    assert nhs_check_digit_valid("1860913903")
    assert not nhs_check_digit_valid("6281948212")  # wrong check digit
    # 400000185 gives 11 - (sum mod 11) = 10: no check digit makes it valid
    assert not any(nhs_check_digit_valid(f"400000185{d}") for d in "0123456789")
    assert not nhs_check_digit_valid("628194821")  # nine digits
    assert not nhs_check_digit_valid("62819482ab")


def test_nhs_numbers_in_every_grouping():
    text = (
        "The letter had 628 194 8211 in the corner, the app shows 186-091-3903, "
        "and my son's card says 9960308243."
    )
    found = find_nhs_numbers(text)
    assert spans(found, text) == ["628 194 8211", "186-091-3903", "9960308243"]
    assert {f.label for f in found} == {"NHS_NUMBER"}


def test_nhs_number_scores_by_context_and_check_digit():
    said = "My NHS number is 628 194 8211, I know it off by heart."
    assert [f.score for f in find_nhs_numbers(said)] == [0.99]
    # A wrong check digit next to "NHS number" is probably a slip: proposed, weakly.
    slip = "My NHS number is 628 194 8212, I think."
    assert [(spans(find_nhs_numbers(slip), slip), f.score) for f in find_nhs_numbers(slip)] == [
        (["628 194 8212"], 0.3)
    ]
    # ...and anywhere else ten digits with a wrong check digit are not an NHS number.
    assert find_nhs_numbers("The order reference was 628 194 8212.") == []


@pytest.mark.parametrize(
    "text",
    [
        "Ring 0113 496 0472 if you need us.",  # a landline, eleven digits
        "From abroad it's +44 113 496 0472.",  # ten digits after +44 are a phone number
        "The batch was 62819482110 on the box.",  # eleven digits
        "Invoice 628-194-82110 attached.",
        "It costs 1,628,194,821 in total.",
        "Ward 6281948211b on the sign.",
    ],
)
def test_numbers_that_are_not_nhs_numbers(text):
    assert find_nhs_numbers(text) == []


# --- postcodes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    ["LS8 4QT", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "W1A 0AX", "EC1A 1BB", "GIR 0AA",
     "ls8 4qt", "LS84QT", "sw1a1aa"],
)  # fmt: skip
def test_postcodes_in_every_format(code):
    text = f"We moved to {code} last spring."
    found = find_postcodes(text)
    assert labelled(found, text) == [(code, "POSTCODE")]


def test_postcode_scores():
    text = "It was LS8 4QT, or ls84qt as I typed it."
    assert [f.score for f in find_postcodes(text)] == [0.95, 0.8]


@pytest.mark.parametrize(
    "text",
    [
        "The serial is XLS8 4QT on the back.",  # inside a longer token
        "Try LS8 4QTX next.",
        "QQ1 1AA is not a real area.",  # Q never starts a postcode
        "LS8 4CT has a C in the inward code.",  # C I K M O V never end one
        "GIR 1AA is not Girobank.",
        "Take the b6 1st exit.",  # an ordinal, not an inward code
        "Year 4 did the play.",
    ],
)
def test_not_postcodes(text):
    assert find_postcodes(text) == []


# --- phone numbers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    ["07700 900461", "07700 900 461", "+44 7700 900461", "0113 496 0472", "(0113) 496 0472",
     "020 7946 0018", "+44 (0)113 496 0472", "0113-496-0472", "07700900461", "01632 96000"],
)  # fmt: skip
def test_phone_numbers_in_common_formats(number):
    text = f"You can get me on {number}, any time after six."
    assert labelled(find_phone_numbers(text), text) == [(number, "PHONE")]


@pytest.mark.parametrize(
    "text",
    [
        "She came on 12/03/2024 for the review.",
        "The code was 1234 567 890.",
        "Back in 2 minutes, she said.",
        "My NHS number is 628 194 8211.",
        "Call 0771 234 and ask.",  # too short
        "Ref 077009004612345 on the form.",  # too long
    ],
)
def test_not_phone_numbers(text):
    assert find_phone_numbers(text) == []


# --- e-mail addresses ------------------------------------------------------------------


def test_emails_written_and_spoken():
    text = (
        "Send it to jo.bloggs+clinic@example.co.uk, or to my other one, "
        "jo dot bloggs at example dot com, whichever."
    )
    found = find_emails(text)
    assert spans(found, text) == [
        "jo.bloggs+clinic@example.co.uk",
        "jo dot bloggs at example dot com",
    ]
    assert [f.score for f in found] == [0.99, 0.7]


def test_not_emails():
    text = "Follow @thematica, the price is 3@4 each, and meet me at noon dot on Friday."
    assert find_emails(text) == []


# --- National Insurance numbers --------------------------------------------------------


def test_ni_numbers():
    text = "Mine is AB 12 34 56 C, his is ce123456d and hers JT123456A."
    assert labelled(find_ni_numbers(text), text) == [
        ("AB 12 34 56 C", "NI_NUMBER"),
        ("ce123456d", "NI_NUMBER"),
        ("JT123456A", "NI_NUMBER"),
    ]


@pytest.mark.parametrize(
    "number",
    ["QQ123456C", "DA123456A", "AO123456B", "GB123456A", "NK123456B", "TN123456C",
     "ZZ123456D", "AB123456E", "AB12345C", "XAB123456C"],
)  # fmt: skip
def test_not_ni_numbers(number):
    assert find_ni_numbers(f"The number was {number} apparently.") == []


# --- dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("She was born on the 3rd of February, at night.", "the 3rd of February"),
        ("The letter was dated 3 February 2024.", "3 February 2024"),
        ("It was February the 3rd, a Sunday.", "February the 3rd"),
        ("My review is on March 5th.", "March 5th"),
        ("We stopped last March and never went back.", "last March"),
        ("Last October it all went wrong.", "Last October"),
        ("I was referred in March, I think.", "March"),
        ("They rang at the end of April.", "April"),
        ("I had my eldest in 2019.", "2019"),
        ("The form said 12/03/2024 at the top.", "12/03/2024"),
        ("The scan was 2024-03-12, I have it here.", "2024-03-12"),
        ("We fell out at Christmas 2022.", "Christmas 2022"),
        ("Last Christmas was the worst.", "Last Christmas"),
        ("He proposed on Valentine's Day.", "Valentine's Day"),
        ("We married in September 2023, in the rain.", "September 2023"),
        ("She was born on the twenty-first of June.", "the twenty-first of June"),
        ("She was born in May.", "May"),
        ("It all started in twenty twenty-two.", "twenty twenty-two"),
        ("It all started in two thousand and nine.", "two thousand and nine"),
        ("Today is June 4.", "June 4"),
    ],
)
def test_dates(text, expected):
    found = find_dates(text)
    assert labelled(found, text) == [(expected, "DATE")]


@pytest.mark.parametrize(
    "text",
    [
        "Can we do next Tuesday instead?",  # a weekday names no calendar day
        "It was last week, I think.",
        "My mum comes round after Christmas every year.",  # a yearly custom
        "May I have a glass of water?",  # the modal verb
        "May said she would come.",  # the name
        "I asked Mrs May about it.",
        "Her friend June Whitaker rang.",
        "I'll be back in 2 minutes.",
        "I did 2000 steps today.",
        "That was very much the 1990s.",
        "It cost £2019 in the end.",
        "Email me at ann.smith.1984@example.com.",
        "The date 31/13/2024 cannot exist.",
    ],
)
def test_not_dates(text):
    assert find_dates(text) == []


# --- ages ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("When I had him I was 23, just a kid myself.", ["23"]),
        ("She's eight weeks and she screams all night.", ["eight weeks"]),
        ("He was six weeks old when they came.", ["six weeks old"]),
        ("How old is she now?\n\nParticipant: Nine months. Nearly walking.", ["Nine months"]),
        ("A woman aged 34 was on the ward.", ["34"]),
        ("I've got a 19-year-old and a baby.", ["19-year-old"]),
        ("I've got a nine-year-old and a six-year-old.", ["nine-year-old", "six-year-old"]),
        ("I'm thirty-four, I should know better.", ["thirty-four"]),
        ("He was about seven weeks old. Maybe eight weeks.", ["seven weeks old", "eight weeks"]),
        ("My dad's 83 and still drives.", ["83"]),
        ("They are two and five.", ["two", "five"]),
        ("She had her at twenty.", ["twenty"]),
        ("I'm a man of forty-two with a mortgage.", ["forty-two"]),
        ("Since she was a week old he's done bath time.", ["a week old"]),
        ("Rosie's four now, she's at nursery.", ["four"]),
    ],
)
def test_ages(text, expected):
    found = find_ages(text)
    assert spans(found, text) == expected
    assert {f.label for f in found} <= {"AGE"}


@pytest.mark.parametrize(
    "text",
    [
        "I was 5 minutes late again.",
        "I'm 100% sure about that.",
        "It's two o'clock already.",
        "I was one of the lucky ones.",
        "We waited for two months.",
        "She was twenty weeks pregnant at the time.",
        "He was two days late, in the end.",
        "The clinic's forty minutes away.",
        "I was 3 pounds lighter.",
        "There's two of them now.",
    ],
)
def test_not_ages(text):
    assert find_ages(text) == []


# --- titled names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I saw Dr Patel on Monday.", ["Patel"]),
        ("Mrs Adeyemi from the team rang.", ["Adeyemi"]),
        ("It was addressed to Dr. Helen Marsh, oddly.", ["Helen Marsh"]),
        ("Miss O'Neill was my teacher.", ["O'Neill"]),
        ("Professor McAllister-Reid wrote back.", ["McAllister-Reid"]),
        ("Dr J. Okonjo prescribed it.", ["J. Okonjo"]),
        # any script, initials run together, up to five words, a possessive left out
        ("She was represented by Mr Z.M. Necatigil, the Agent.", ["Z.M. Necatigil"]),
        ("A letter from Ms Gülizar Tuncer Güneş came.", ["Gülizar Tuncer Güneş"]),
        ("Mr Şahap Doğan and his wife", ["Şahap Doğan"]),
        ("lodged by Mr Louis Osaze Darren Omoregie on", ["Louis Osaze Darren Omoregie"]),
        ("We sat in Dr Patel's waiting room.", ["Patel"]),
        ("Mrs Wiśniewska rang back.", ["Wiśniewska"]),
        ("It was Professor Ludwig van Beethoven, apparently.", ["Ludwig van Beethoven"]),
        ("I saw Dr Patel. Then she left.", ["Patel"]),
    ],
)
def test_titled_names(text, expected):
    found = find_titled_names(text)
    assert spans(found, text) == expected
    assert {f.label for f in found} == {"NAME"}


@pytest.mark.parametrize(
    "text",
    [
        "The doctor said it was normal.",
        "I looked it up on Dr Google, obviously.",
        "We wrote to Father Christmas.",
        "Dr I don't know who.",
        "Ask Dr A. Then we will see.",  # a dangling initial, then a sentence
        "Dear Sir or Madam, I write about my son.",
        "Mrs 2 rang.",
    ],
)
def test_not_titled_names(text):
    assert find_titled_names(text) == []


# --- organisations ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "It came from Larkmoor NHS Foundation Trust.",
            ("Larkmoor NHS Foundation Trust", "NHS_TRUST"),
        ),
        (
            "The Ashgrove and Fenby NHS Trust runs it.",
            ("Ashgrove and Fenby NHS Trust", "NHS_TRUST"),
        ),
        ("I had her at Brackenridge Hospital.", ("Brackenridge Hospital", "HOSPITAL")),
        ("She was born at the Royal Fenby Infirmary.", ("Royal Fenby Infirmary", "HOSPITAL")),
        ("I spent a month in the Rowan Unit.", ("Rowan Unit", "HOSPITAL")),
        (
            "Groups are at Elm Lane Children's Centre.",
            ("Elm Lane Children's Centre", "ORGANISATION"),
        ),
        ("He's in Year 2 at Oakhurst Primary now.", ("Oakhurst Primary", "ORGANISATION")),
        ("I'm registered at Millbrook Surgery.", ("Millbrook Surgery", "ORGANISATION")),
        ("Go to Riverside Medical Centre instead.", ("Riverside Medical Centre", "ORGANISATION")),
        ("She works at Tolland Pharmacy.", ("Tolland Pharmacy", "ORGANISATION")),
        ("He studied at the University of Fenby.", ("University of Fenby", "ORGANISATION")),
        ("It went to Fenby Family Court in May.", ("Fenby Family Court", "ORGANISATION")),
        ("He's at Larkmoor Crown Court tomorrow.", ("Larkmoor Crown Court", "ORGANISATION")),
        ("Then West Fenby Police came.", ("West Fenby Police", "ORGANISATION")),
    ],
)
def test_organisations(text, expected):
    assert labelled(find_organisations(text), text) == [expected]


def test_a_hospital_named_again_without_its_suffix():
    text = "I had him at Larch Vale Hospital. Later the scan was back at Larch Vale, again."
    assert labelled(find_organisations(text), text) == [
        ("Larch Vale Hospital", "HOSPITAL"),
        ("Larch Vale", "HOSPITAL"),
    ]


def test_saint_names_after_a_preposition_are_probably_hospitals():
    text = "She was born at St Aldric's, in the end."
    found = find_organisations(text)
    assert [(text[f.start : f.end], f.label, f.score) for f in found] == [
        ("St Aldric's", "HOSPITAL", 0.5)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "They moved us to Unit 4 of the business park.",  # a unit of a building
        "I was on the Mother and Baby Unit for weeks.",  # generic
        "The Hospital was cold.",  # sentence-initial "The" and nothing else
        "Primary Care did nothing.",
        "The Local Authority got involved.",
        "She said the Children's Centre was shut.",
        "Our Clinical Trials Unit handles that.",
        "The Family Court said no.",  # generic: which court is not said
        "It went up to the Court of Appeal.",
        "Police came round at midnight.",
        "The Supreme Court dismissed it.",
    ],
)
def test_not_organisations(text):
    assert find_organisations(text) == []


# --- street addresses ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm on Carlton Road, right the other end of town.", ["Carlton Road"]),
        ("Getting the bus on Hollins Road is a nightmare.", ["Hollins Road"]),
        ("Please update it to 42 Holloway Crescent, Handsworth.", ["42 Holloway Crescent"]),
        ("We live at flat 3, 14 Elm Road, near the park.", ["flat 3, 14 Elm Road"]),
        ("Cavendish Street was closed again.", ["Cavendish Street"]),
        ("It's at 9a Chapel Lane.", ["9a Chapel Lane"]),
        ("We're on Chapel Row, at the end.", ["Chapel Row"]),
        ("I'm on Gledhow Mount now.", ["Gledhow Mount"]),  # "Mount" after "on"
        ("She lives at 4 Elm Court.", ["4 Elm Court"]),  # "Court" with a house number
        ("The Oxford Road bus never comes.", ["Oxford Road"]),
        ("Oxford Road's bus stop is closed.", ["Oxford Road"]),
        ("We moved from St John's Road to Kings Avenue.", ["St John's Road", "Kings Avenue"]),
        ("My address is 12 High Street.", ["12 High Street"]),
    ],
)
def test_streets(text, expected):
    found = find_streets(text)
    assert spans(found, text) == expected
    assert {f.label for f in found} == {"STREET"}


@pytest.mark.parametrize(
    "text",
    [
        "We went down the High Street for chips.",  # every town has one
        "The road was flooded again.",
        "It's at Heath Lane Hospital.",  # part of a longer name (the organisation's)
        "The Alder Street Children's Centre is shut.",
        "The Regional Court dismissed the appeal.",  # a court, not a street
        "He relied on Constitutional Court case-law.",
        "We walked up Primrose Hill.",  # a hill, not an address
        "It was a long way home.",
        "Anyway, Way to go.",
        "I was in a Ward.",
    ],
)
def test_not_streets(text):
    assert find_streets(text) == []


def test_street_scores():
    text = "From 3 Elm Road to Ash Grove, and on Larch Way."
    assert [(text[f.start : f.end], f.score) for f in find_streets(text)] == [
        ("3 Elm Road", 0.9),
        ("Ash Grove", 0.8),
        ("Larch Way", 0.7),
    ]


# --- reference numbers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The case originated in an application (no. 18403/91) against the State.",
            ["18403/91"],
        ),
        (
            "Three applications (nos. 12345/01, 23456/02 and 34567/03) were joined.",
            ["12345/01", "23456/02", "34567/03"],
        ),
        ("My case number is AB/1234/21, if that helps.", ["AB/1234/21"]),
        ("Quote reference HX2231 when you ring.", ["HX2231"]),
        ("It was under registration no. D-4411.", ["D-4411"]),
        ("My hospital number's on the letter: hospital number RX1234567.", ["RX1234567"]),
        ("Account no 4471 2233 was closed.", ["4471 2233"]),
        ("The plots nos. 260, 268 and 119/5 were his.", ["260", "268", "119/5"]),
        ("Ref: 2024/118 was on the envelope.", ["2024/118"]),
        ("See the decision (no. 3344/19) of the panel.", ["3344/19"]),
    ],
)
def test_references(text, expected):
    found = find_references(text)
    assert spans(found, text) == expected
    assert {f.label for f in found} == {"REFERENCE"}


@pytest.mark.parametrize(
    "text",
    [
        "Protocol No. 11 to the Convention came into force.",  # no stroke, no keyword
        "My phone number is 07700 900461.",  # a phone number (its own recogniser)
        "My NHS number is 628 194 8211.",
        "Case number? I never had one.",
        "The reference was glowing.",
        "Account number 7 is a joke.",  # one character is no code
        "We had a number of problems, no. 1 being money.",
    ],
)
def test_not_references(text):
    assert find_references(text) == []


# --- the demo study's answer key -------------------------------------------------------

# A key span is *found* when a finding of the same label overlaps it (shares at least one
# code point); a finding is *correct* when it overlaps a key span of the same label. Recall
# = found key spans / key spans, precision = correct findings / findings, per label. Overlap
# rather than exact match, because a reviewer sees the finding in place and the key is not
# always consistent about edges (it has "Dr Bhatti" but "Patel" after "Dr", "the end of
# March" but "the middle of [January]").
# Floors: the figures these rules achieve on the demo key (run
# ``python -m pytest tests/anonymise/test_rules.py -k demo -s`` to see them).
FLOORS = {
    # label: (recall, precision)
    "PHONE": (1.0, 1.0),
    "EMAIL": (1.0, 1.0),
    "POSTCODE": (1.0, 1.0),
    "NHS_NUMBER": (1.0, 1.0),
    "DATE": (1.0, 1.0),
    "AGE": (1.0, 1.0),
    "HOSPITAL": (1.0, 1.0),
    "NHS_TRUST": (1.0, 1.0),
    # "Brambles", "Kirton Fresh Produce" and "Whitfield Marsh" carry no suffix: NER's job.
    "ORGANISATION": (11 / 14, 1.0),
    # Every street in the key: "on Carlton Road", "42 Holloway Crescent", "on Gledhow Mount".
    "STREET": (1.0, 1.0),
    # Titled names only: most names need NER and the study's gazetteer.
    "NAME": (0.03, 1.0),
}


def test_demo_answer_key():
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(DEMO.glob("*.txt"))}
    key = read_answer_key(DEMO / "identifiers.csv")
    recognisers = registered()
    found = [
        (source, f.start, f.end, f.label)
        for source, text in texts.items()
        for name in RULES
        for f in recognisers[name](text)
    ]
    scores = score(key, found)
    for label, (recall_floor, precision_floor) in FLOORS.items():
        assert scores[label].recall >= recall_floor - 1e-9, label
        assert scores[label].precision >= precision_floor - 1e-9, label
    # Nothing the rules do not claim to find is proposed under another label (the demo
    # has no reference numbers, so no REFERENCE either).
    assert {label for label, s in scores.items() if s.proposed} <= set(FLOORS)
