"""The WebVTT and SubRip readers, on hand-written Zoom- and Teams-style files, and on the
Zoom transcripts pasted into Word in the flu-vaccination corpus."""

import collections
import re

import pytest

import thematica.ingest.readers.subtitles as subtitles
from tests.conftest import SHARED
from thematica.errors import InvalidInput
from thematica.ingest.readers import ReadOptions, TimeAnchor, read_document, register
from thematica.ingest.readers.subtitles import looks_like_webvtt, parse_webvtt_text
from thematica.text import detect_turns
from thematica.text.turns import DEFAULT_LABEL

FLU = SHARED / "corpora" / "uk-open-interviews" / "flu-vaccination-parents"


@pytest.fixture(autouse=True)
def _registered():
    # builtin.py registers the readers once it lists them; tests do not rely on it.
    register(".vtt")(subtitles.read_vtt)
    register(".srt")(subtitles.read_srt)


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def anchored(document):
    """Each anchor as (seconds, the words it points at)."""
    return [(a.seconds, document.text[a.offset :].split("\n")[0][:30]) for a in document.anchors]


ZOOM = """WEBVTT - Zoom meeting transcript
Kind: captions
Language: en-GB

NOTE recorded with consent; names are pseudonyms

1
00:00:01.860 --> 00:00:05.340
Timothy Price: Thanks for joining me today. Before we start,

2
00:00:05.340 --> 00:00:09.120 align:start position:10%
Timothy Price: I&#39;ll read out the consent statements &amp; you say yes or no.

3
00:00:10.050 --> 00:00:11.200
Participant 01: Okay, that&apos;s fine.

4
00:00:11.900 --> 00:00:18.420
Timothy Price: So the first one. I confirm that I have read
the information sheet for this study.

5
00:00:19.000 --> 00:00:20.500
Participant 01: Yes.

6
00:00:21.000 --> 00:01:02.250
Participant 01: We went to the café on Tuesday –
it was <i>really</i> the first time I&nbsp;felt “normal”.

7
01:00:02.000 --> 01:00:04.500
Timothy Price:
"""


def test_zoom_transcript(tmp_path):
    document = read_document(write(tmp_path, "zoom.vtt", ZOOM))
    assert document.kind == "vtt"
    assert document.text == (
        "Timothy Price: Thanks for joining me today. Before we start, I'll read out the "
        "consent statements & you say yes or no.\n\n"
        "Participant 01: Okay, that's fine.\n\n"
        "Timothy Price: So the first one. I confirm that I have read the information sheet "
        "for this study.\n\n"
        "Participant 01: Yes. We went to the café on Tuesday – it was really the first "
        "time I felt “normal”."
    )
    assert anchored(document) == [
        (1.86, "Timothy Price: Thanks for join"),
        (5.34, "I'll read out the consent stat"),
        (10.05, "Participant 01: Okay, that's f"),
        (11.9, "Timothy Price: So the first on"),
        (19.0, "Participant 01: Yes. We went t"),
        (21.0, "We went to the café on Tuesday"),
    ]
    assert document.anchors[1] == TimeAnchor(document.text.index("I'll read"), 5.34)
    assert document.warnings == ()
    windows = read_document(write(tmp_path, "crlf.vtt", "\ufeff" + ZOOM.replace("\n", "\r\n")))
    assert (windows.text, windows.anchors) == (document.text, document.anchors)
    turns = detect_turns(document.text, interviewers=["Timothy Price"])
    assert [(t.speaker, t.role) for t in turns] == [
        ("Timothy Price", "interviewer"),
        ("Participant 01", "participant"),
    ] * 2


TEAMS = """WEBVTT

STYLE
::cue(.loud) { color: red }

3f1c2a8e-7b6d-4e2a-9c1f-0a1b2c3d4e5f/12-0
00:00:03.419 --> 00:00:07.002
<v Dr Amara Shah>Hello, thanks for joining.</v>

3f1c2a8e-7b6d-4e2a-9c1f-0a1b2c3d4e5f/13-0
00:00:07.002 --> 00:00:09.880
<v Dr Amara Shah>Shall we start? <c.loud>It&#x27;s recording.</c></v>

3f1c2a8e-7b6d-4e2a-9c1f-0a1b2c3d4e5f/14-0
00:00:10.120 --> 00:00:15.500
<v Mother 10>Yes. Note: it was <b>really</b> hard at first,
my baby <00:00:13.000>wouldn't settle.</v>

3f1c2a8e-7b6d-4e2a-9c1f-0a1b2c3d4e5f/15-0
00:00:15.500 --> 00:00:17.000
<v.loud Dr Amara Shah>Mm.</v>
<v Mother 10>And <lang fr>voilà</lang>, we went &lt;3 times&gt; a week.</v>

3f1c2a8e-7b6d-4e2a-9c1f-0a1b2c3d4e5f/16-0
00:00:17.200 --> 00:00:19.000
<v Mother 10>That&#8217;s all.
"""


def test_teams_transcript(tmp_path):
    # Voice tags name the speaker; a colon in the words ("Note:") is not a label there.
    document = read_document(write(tmp_path, "teams.vtt", TEAMS))
    assert document.text == (
        "Dr Amara Shah: Hello, thanks for joining. Shall we start? It's recording.\n\n"
        "Mother 10: Yes. Note: it was really hard at first, my baby wouldn't settle.\n\n"
        "Dr Amara Shah: Mm.\n\n"
        "Mother 10: And voilà, we went <3 times> a week. That’s all."
    )
    assert anchored(document) == [
        (3.419, "Dr Amara Shah: Hello, thanks f"),
        (7.002, "Shall we start? It's recording"),
        (10.12, "Mother 10: Yes. Note: it was r"),
        # One cue, two voices: both paragraphs start at its time.
        (15.5, "Dr Amara Shah: Mm."),
        (15.5, "Mother 10: And voilà, we went "),
        (17.2, "That’s all."),
    ]
    assert [t.speaker for t in detect_turns(document.text)] == [
        "Dr Amara Shah",
        "Mother 10",
        "Dr Amara Shah",
        "Mother 10",
    ]


def test_cues_without_speakers():
    # Auto-captions name nobody: the first cues stand without a label; later cues
    # without one continue whoever spoke last.
    text = (
        "WEBVTT\n\n00:00.000 --> 00:02.000\nwelcome everyone\n\n"
        "00:02.000 --> 00:04.000\nto the group\n\n"
        "00:04.000 --> 00:05.500\nJane: hi\n\n00:05.500 --> 00:07.000\nyes indeed\n"
    )
    document = parse_webvtt_text(text)
    assert document.text == "welcome everyone to the group\n\nJane: hi yes indeed"
    assert anchored(document) == [
        (0.0, "welcome everyone to the group"),
        (2.0, "to the group"),
        (4.0, "Jane: hi yes indeed"),
        (5.5, "yes indeed"),
    ]


SRT = """1
00:00:01,000 --> 00:00:04,000
Interviewer: How did you hear
about the team?

2
00:00:04,500 --> 00:00:08,250
{\\an8}<i>P1:</i> The health visitor
told me <font color="#ffff00">about it</font>.

3
00:00:08,250 --> 00:00:09,000
It was the café by the school.

4
00:01:10,000 --> 00:01:12,000
Interviewer: Thank you.
"""


def test_subrip(tmp_path):
    document = read_document(write(tmp_path, "talk.srt", "\ufeff" + SRT))
    assert document.kind == "srt"
    assert document.text == (
        "Interviewer: How did you hear about the team?\n\n"
        "P1: The health visitor told me about it. It was the café by the school.\n\n"
        "Interviewer: Thank you."
    )
    assert anchored(document) == [
        (1.0, "Interviewer: How did you hear "),
        (4.5, "P1: The health visitor told me"),
        (8.25, "It was the café by the school."),
        (70.0, "Interviewer: Thank you."),
    ]


def test_encoding_option(tmp_path):
    path = write(tmp_path, "old.srt", SRT, encoding="cp1252")
    with pytest.raises(InvalidInput, match="is not UTF-8"):
        read_document(path)
    document = read_document(path, ReadOptions(encoding="cp1252"))
    assert "the café by the school" in document.text


def test_pasted_into_word():
    # Zoom transcripts pasted into Word come back as paragraphs: blank lines between
    # identifier, timing and words, text between cues, labels on their own.
    text = (
        "WEBVTT\n\n\n1\n\n00:00:02.790 --> 00:00:10.650\n\n"
        "Timothy Price: Shall we start with the consent sheet?\n\n"
        "4\n00:00:37.770 --> 00:00:49.830\nTimothy Price:\n\n"
        "Participant 06: Yes\n\n"
        "Timothy Price: I understand that my participation is voluntary.\n\n"
        "Participant 06: Yes.\n\n12\n\n00:01:20.000 --> 00:01:21.000\n\nAnd 12 more.\n"
    )
    assert looks_like_webvtt(text)
    document = parse_webvtt_text(text, name="Participant 06.docx")
    assert document.text == (
        "Timothy Price: Shall we start with the consent sheet?\n\n"
        "Participant 06: Yes\n\n"
        "Timothy Price: I understand that my participation is voluntary.\n\n"
        "Participant 06: Yes. And 12 more."
    )
    # The cue at 37.77 s has only a bare label, so the words pasted after it are its
    # own; the text after those is not, and gets no time.
    assert anchored(document) == [
        (2.79, "Timothy Price: Shall we start "),
        (37.77, "Participant 06: Yes"),
        (80.0, "And 12 more."),
    ]
    assert document.warnings == (
        "text outside any cue (line 16, 18) was kept after the cue before it, without a "
        "time of its own",
    )


def test_header_but_no_cues():
    # Some pasted transcripts kept the WEBVTT line and lost every timing.
    text = "WEBVTT\n\n\n\nTimothy Price: Hello.\n\nParticipant 01: Hi.\nStill me.\n"
    document = parse_webvtt_text(text, name="Participant 01.docx")
    assert document.text == "Timothy Price: Hello.\n\nParticipant 01: Hi. Still me."
    assert document.anchors == ()
    assert document.warnings == (
        "Participant 01.docx has no cue timings; its text was imported without times",
    )


def test_headerless_text_that_starts_with_a_cue():
    text = "\n1\n00:00:03.060 --> 00:00:09.780\nTimothy Price: Alright.\n"
    assert looks_like_webvtt(text)
    assert parse_webvtt_text(text).text == "Timothy Price: Alright."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nHi", True),
        ("\ufeff\n\nWEBVTT - from Zoom\n", True),
        ("00:00:01.000 --> 00:00:02.000\nHi", True),
        ("3f1c2a8e-7b6d-4e2a-9c1f-0a1b2c3d4e5f/12-0\n00:00:01.000 --> 00:00:02.000\nHi", True),
        ("WEBVTTX\n", False),
        ("Interviewer: Hello.\nP1: Hi.\n", False),
        ("1\n00:00:01,000 --> 00:00:02,000\nHi", False),
        ("The meeting 00:00:01.000 --> 00:00:02.000", False),
        ("", False),
    ],
)
def test_looks_like_webvtt(text, expected):
    assert looks_like_webvtt(text) is expected


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.vtt", "Interviewer: Hello.\nP1: Hi.\n", r"^notes.vtt is not a WebVTT file"),
        ("notes.srt", "Interviewer: Hello.\nP1: Hi.\n", r"^notes.srt is not a SubRip file"),
        ("zoom.srt", ZOOM, r"^zoom.srt is not a SubRip file"),
        (
            "bad.vtt",
            "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nHi\n\n2\n00:00:2.000 --> 00:00:03.000\nYo\n",
            r"^bad.vtt, line 8: malformed cue timing '00:00:2.000 --> 00:00:03.000' "
            r"\(expected e.g. 00:01:02.500 --> 00:01:04.000\)$",
        ),
        (
            "bad.vtt",
            "WEBVTT\n\n00:61:00.000 --> 00:62:00.000\nHi\n",
            r"^bad.vtt, line 3: malformed cue timing '00:61:00.000 --> 00:62:00.000'",
        ),
        (
            "bad.vtt",
            "WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nHi\n",
            r"^bad.vtt, line 3: malformed cue timing",
        ),
        (
            "bad.srt",
            "1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\n00:00:02.000 --> 00:00:03.000\nYo\n",
            r"^bad.srt, line 6: malformed cue timing .*\(expected e.g. 00:01:02,500 --> ",
        ),
        ("blank.vtt", "\n  \n\n", r"^blank.vtt is empty$"),
        ("header.vtt", "WEBVTT\nKind: captions\n\n", r"^header.vtt has no words in it"),
        ("silent.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\n\n", r"^silent.vtt has no words in it"),
    ],
)
def test_bad_files_get_one_line(tmp_path, name, content, message):
    with pytest.raises(InvalidInput, match=message) as error:
        read_document(write(tmp_path, name, content))
    assert "\n" not in str(error.value)


def test_empty_file(tmp_path):
    with pytest.raises(InvalidInput, match="is empty"):
        read_document(write(tmp_path, "empty.vtt", ""))
    with pytest.raises(InvalidInput, match="empty.srt is empty"):
        subtitles.read_srt(write(tmp_path, "empty.srt", ""), ReadOptions())


def test_unknown_kind():
    with pytest.raises(ValueError, match="kind must be"):
        parse_webvtt_text("WEBVTT\n", kind="sbv")


# --- the flu-vaccination corpus: Zoom transcripts pasted into Word ------------------------

LABEL = re.compile(DEFAULT_LABEL)


def _word_paragraphs(name: str) -> list[str]:
    if not FLU.is_dir():
        pytest.skip(f"corpus not found at {FLU}")
    import docx

    return [paragraph.text for paragraph in docx.Document(str(FLU / name)).paragraphs]


def _spoken_words(lines: list[str]) -> list[str]:
    """The words of the paragraphs less what is not speech: the WEBVTT line, timings,
    the numbers right above them, and the speaker label that starts a line."""
    words: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        after = next((later for later in lines[index + 1 :] if later.strip()), "")
        if stripped == "WEBVTT" or "-->" in stripped or (stripped.isdigit() and "-->" in after):
            continue
        label = LABEL.match(stripped + " ")
        words += stripped[label.end() :].split() if label else stripped.split()
    return words


def _spoken_words_of(document) -> list[str]:
    words: list[str] = []
    for paragraph in document.text.split("\n\n"):
        label = LABEL.match(paragraph + " ")
        words += paragraph[label.end() :].split() if label else paragraph.split()
    return words


# Turns per speaker, counted off the documents as runs of paragraphs that start with the
# same label (the interviewer is named, participants are "Participant NN"; file 01 has
# the typo "Participant O1" once), and the number of cue timings each has kept (file 01
# lost all of them; 06 and 07 kept a few, with untimed text pasted between them).
FLU_FILES = {
    "Participant 01 Transcript.docx": (
        {"Timothy Price": 51, "Participant 01": 50, "Participant O1": 1},
        0,
    ),
    "Participant 06 Transcript.docx": ({"Timothy Price": 44, "Participant 06": 43}, 11),
    "Participant 07.docx": ({"Timothy Price": 42, "Participant 07": 41}, 14),
}


@pytest.mark.parametrize("name", sorted(FLU_FILES))
def test_flu_transcripts_pasted_into_word(name):
    paragraphs = _word_paragraphs(name)
    text = "\n".join(paragraphs)
    assert looks_like_webvtt(text)
    document = parse_webvtt_text(text, name=name)
    # Every spoken word comes through, whatever the layout of cues and text around it.
    assert collections.Counter(_spoken_words_of(document)) == collections.Counter(
        _spoken_words(paragraphs)
    )
    roles, timings = FLU_FILES[name]
    turns = detect_turns(document.text, interviewers=["Timothy Price"])
    assert dict(collections.Counter(t.speaker for t in turns)) == roles
    assert {t.role for t in turns if t.speaker == "Timothy Price"} == {"interviewer"}
    assert sum("-->" in p for p in paragraphs) == timings
    # One anchor per cue: text pasted between cues gets no time of its own.
    assert len(document.anchors) == timings
    # However a Word reader joins paragraphs, the result is the same.
    spaced = parse_webvtt_text("\n\n".join(paragraphs), name=name)
    assert (spaced.text, spaced.anchors) == (document.text, document.anchors)


def test_other_flu_transcripts_are_not_webvtt():
    for name in ["Participant 02 Transcript.docx", "Participant 10.docx"]:
        assert not looks_like_webvtt("\n".join(_word_paragraphs(name)))
