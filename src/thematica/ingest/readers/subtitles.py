"""WebVTT and SubRip subtitles (Zoom and Teams transcripts) as a transcript with times.

A recording's transcript from Zoom or Teams is a list of cues, each a few seconds of
speech with its start time and, as a ``Name:`` prefix (Zoom) or a ``<v Name>`` voice tag
(Teams), its speaker. The reader turns the cues into the transcript shape every reader
produces, one paragraph per speaker turn (``Speaker: words``), and keeps the times as
:class:`TimeAnchor` s: one at the start of each paragraph and one where each further cue
starts inside it, so that a quote can cite its time.

Cues are parsed with webvtt-py. It reads a file block by block and skips, without a
word, every block it cannot read; and transcripts that went through Word or a text
editor on the way here have blank lines inside cues and text between them. So the text
is first scanned here, line by line: a malformed cue timing is an error naming its line,
and text outside any cue is kept where it stands, without a time of its own. The cues
are then handed to webvtt-py in standard form.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import webvtt

from thematica.errors import InvalidInput
from thematica.ingest.files import read_text
from thematica.ingest.readers import Document, ReadOptions, TimeAnchor, register
from thematica.text.normalise import canonical
from thematica.text.turns import DEFAULT_LABEL

_TIME = {"vtt": r"(?:\d+:)?\d{2}:\d{2}\.\d{3}", "srt": r"\d+:\d{2}:\d{2},\d{3}"}
# Start --> end, then optional cue settings (WebVTT: "align:start position:10%").
_TIMING = {
    kind: re.compile(rf"^\s*(?P<start>{t})[ \t]+-->[ \t]+(?P<end>{t})(?:[ \t]+\S.*)?\s*$")
    for kind, t in _TIME.items()
}
_EXAMPLE = {"vtt": "00:01:02.500 --> 00:01:04.000", "srt": "00:01:02,500 --> 00:01:04,000"}
_HEADER = re.compile(r"^WEBVTT(?:[ \t].*)?$")
# Header settings that may follow the WEBVTT line (not transcript text).
_HEADER_SETTING = re.compile(r"^(?:Kind|Language|X-TIMESTAMP-MAP|Region|Style)\s*[:=]", re.I)
_SETTINGS_BLOCK = re.compile(r"^(?:NOTE|STYLE|REGION)(?:[ \t].*)?$")
# Cue identifiers of Zoom (a number) and Teams (a GUID, maybe "/18-0"): only these are
# recognised when a blank line separates an identifier from its timing line.
_ID_SHAPE = re.compile(
    r"^(?:\d+|[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}(?:/\d+-\d+)?)$"
)
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?[ \t]+(?P<name>[^>]*?)[ \t]*>")
# Styling and karaoke tags of WebVTT, and the few tags and {\an8} overrides SubRip uses.
_TAGS = re.compile(
    r"</?(?:c|i|b|u|v|ruby|rt|lang|font|span)(?:[.\s][^>]*)?>"
    r"|<(?:\d+:)?\d{2}:\d{2}\.\d{3}>"
    r"|\{\\[^}]*\}",
    re.I,
)
_LABEL = re.compile(DEFAULT_LABEL)


@dataclass
class _Cue:
    timing: str  # "start --> end", without cue settings
    lines: list[str] = field(default_factory=list)  # its text
    after: list[str] = field(default_factory=list)  # text between it and the next cue


@dataclass
class _Scan:
    preamble: list[str] = field(default_factory=list)
    cues: list[_Cue] = field(default_factory=list)
    stray: list[int] = field(default_factory=list)  # lines of text found outside cues


@dataclass(frozen=True)
class _Segment:
    speaker: str | None  # None: no label; continues the speaker before it
    text: str
    cue: int | None  # index of its cue; None for text outside cues
    seconds: float | None


@register(".vtt")
def read_vtt(path: Path, options: ReadOptions) -> Document:
    """A WebVTT file (Zoom, Teams) as a transcript with time anchors."""
    return parse_webvtt_text(read_text(path, options.encoding), "vtt", name=path.name)


@register(".srt")
def read_srt(path: Path, options: ReadOptions) -> Document:
    """A SubRip file as a transcript with time anchors."""
    return parse_webvtt_text(read_text(path, options.encoding), "srt", name=path.name)


def looks_like_webvtt(text: str) -> bool:
    """Whether ``text`` is WebVTT: it starts with the WEBVTT header, or with a cue.

    Transcripts pasted from Zoom or Teams into Word keep the header; some lost it in
    editing but still start with their first cue (``1`` then ``00:00:03.060 --> ...``).
    """
    head = [line.strip() for line in text.lstrip("\ufeff").splitlines() if line.strip()][:2]
    if not head:
        return False
    if _HEADER.match(head[0]):
        return True
    timing = _TIMING["vtt"]
    return bool(timing.match(head[0])) or (
        len(head) == 2 and _ID_SHAPE.match(head[0]) is not None and bool(timing.match(head[1]))
    )


def parse_webvtt_text(text: str, kind: str = "vtt", *, name: str = "the text") -> Document:
    """Parse WebVTT (``kind="vtt"``) or SubRip (``"srt"``) text into a transcript.

    One paragraph per speaker turn, ``Speaker: words``. The speaker of a cue is its
    ``<v Name>`` voice tag, else a ``Name:`` label at the start of one of its lines (a
    label as :func:`thematica.text.detect_turns` sees one). Consecutive cues of one
    speaker make one paragraph; a cue without a speaker continues the paragraph before
    it, or at the start stands without a label. Styling tags, cue settings and
    identifiers, NOTE, STYLE and REGION blocks go; HTML entities are decoded. A label
    with no words after it (``Timothy Price:`` alone) names the speaker of what follows
    and is not kept on its own. Text outside any cue (invalid, but common once a
    transcript went through Word) is kept where it stands, with a warning.

    Anchors: each paragraph's start is anchored at the time of its first cue, and each
    further cue in it at the start of its words; text outside cues gets none. ``name``
    names the text in errors.
    """
    if kind not in _TIMING:
        raise ValueError(f"kind must be 'vtt' or 'srt', not {kind!r}")
    text = canonical(text)
    if not text.strip():
        raise InvalidInput(f"{name} is empty")
    scan = _scan(text.split("\n"), kind, name)
    segments = _preamble_segments(scan.preamble) + _cue_segments(scan.cues, kind)
    body, anchors = _assemble(segments)
    if not body:
        raise InvalidInput(f"{name} has no words in it: no cue has any text")
    warnings = []
    if not scan.cues:
        warnings.append(f"{name} has no cue timings; its text was imported without times")
    if scan.stray:
        shown = ", ".join(map(str, scan.stray[:5])) + (", ..." if len(scan.stray) > 5 else "")
        warnings.append(
            f"text outside any cue (line {shown}) was kept after the cue before it, "
            "without a time of its own"
        )
    return Document(text=body, kind=kind, anchors=tuple(anchors), warnings=tuple(warnings))


# --- scanning --------------------------------------------------------------------------


def _scan(lines: list[str], kind: str, name: str) -> _Scan:
    """Sort the lines into text before the first cue and cues, checking every timing.

    A cue's text runs to the next blank line. Text after that and before the next cue
    is kept after it, but without its time: the words may have been spoken much later.
    Only a cue with no words of its own yet (a bare label, or its words pasted after a
    blank line) takes the next block as its text.
    """
    at = _check_start(lines, kind, name)
    scan = _Scan()
    target = scan.preamble
    # The last text line kept (where it went, its number, whether it began its block):
    # the timing line after it may show it to be the identifier of its cue.
    last: tuple[list[str], int, bool] | None = None
    block_start, skipping, blanks = True, False, False
    for number, line in enumerate(lines[at:], start=at + 1):
        stripped = line.strip()
        if not stripped:
            if scan.cues and target is scan.cues[-1].lines and _has_words(target):
                target = scan.cues[-1].after
            block_start, skipping, blanks = True, False, True
            continue
        if "-->" in line:
            timing = _check_timing(line, kind, name, number)
            if last is not None and _is_identifier(last[0][-1], last[2], blanks):
                last[0].pop()
                if scan.stray and scan.stray[-1] == last[1]:
                    scan.stray.pop()
            scan.cues.append(_Cue(timing))
            target, last = scan.cues[-1].lines, None
            block_start, skipping, blanks = False, False, False
            continue
        if kind == "vtt" and block_start and _SETTINGS_BLOCK.match(stripped):
            skipping = True
        if skipping:
            continue
        if block_start and scan.cues and target is scan.cues[-1].after:
            scan.stray.append(number)
        target.append(stripped)
        last = (target, number, block_start)
        block_start, blanks = False, False
    return scan


def _has_words(lines: list[str]) -> bool:
    """Whether ``lines`` say anything beyond a speaker label."""
    for line in lines:
        label = _LABEL.match(_clean(line) + " ")
        if label is None or _clean(line)[label.end() :].strip():
            return True
    return False


def _check_start(lines: list[str], kind: str, name: str) -> int:
    """Where the cues begin (after any WEBVTT header), or an error if ``lines`` are not
    of the ``kind`` at all."""
    filled = [(i, line.strip()) for i, line in enumerate(lines) if line.strip()]
    first = filled[0][1]
    if kind == "vtt" and _HEADER.match(first):
        at = filled[0][0] + 1
        while at < len(lines) and _HEADER_SETTING.match(lines[at].strip()):
            at += 1
        return at
    heads = [line for _, line in filled[:2]]
    starts_with_cue = bool(_TIMING[kind].match(heads[0])) or (
        len(heads) == 2
        and _TIMING[kind].match(heads[1]) is not None
        and (kind == "vtt" or heads[0].isdigit())
    )
    if starts_with_cue:
        return filled[0][0]
    if kind == "vtt":
        raise InvalidInput(
            f"{name} is not a WebVTT file (it does not start with WEBVTT or a cue timing)"
        )
    raise InvalidInput(f"{name} is not a SubRip file (it does not start with a numbered cue)")


def _check_timing(line: str, kind: str, name: str, number: int) -> str:
    """The timing of a cue, ``start --> end``; a malformed one is an error naming its line."""
    match = _TIMING[kind].match(line)
    fields = [] if match is None else match.group("start", "end")
    if match is None or any(_out_of_range(value) for value in fields):
        raise InvalidInput(
            f"{name}, line {number}: malformed cue timing {line.strip()[:80]!r} "
            f"(expected e.g. {_EXAMPLE[kind]})"
        )
    return f"{fields[0]} --> {fields[1]}"


def _out_of_range(value: str) -> bool:
    minutes, seconds = re.split(r"[:.,]", value)[-3:-1]
    return int(minutes) > 59 or int(seconds) > 59


def _is_identifier(line: str, began_block: bool, blanks: bool) -> bool:
    """Whether ``line``, the text line before a timing line, is the cue's identifier.

    In a well-formed file the identifier is the first line of the cue's block, right
    above the timing. Word pastes put blank lines between the two: there, only a line
    alone in its block and of the shape Zoom and Teams write (a number, a GUID) counts,
    so that no spoken word is taken for an identifier.
    """
    return began_block and (not blanks or _ID_SHAPE.match(line) is not None)


# --- segments --------------------------------------------------------------------------


def _preamble_segments(lines: list[str]) -> list[_Segment]:
    return [_Segment(speaker, words, None, None) for speaker, words in _labelled_lines(lines)]


def _cue_segments(cues: list[_Cue], kind: str) -> list[_Segment]:
    """Each cue's speaker segments, timed by webvtt-py, then the untimed text after it."""
    spoken = [cue for cue in cues if cue.lines]
    starts = {
        id(cue): _seconds(caption)
        for cue, caption in zip(spoken, _captions(spoken, kind), strict=True)
    }
    segments = []
    for index, cue in enumerate(cues):
        for speaker, words in _speakers(cue.lines):
            segments.append(_Segment(speaker, words, index, starts[id(cue)]))
        for speaker, words in _labelled_lines(cue.after):
            segments.append(_Segment(speaker, words, None, None))
    return segments


def _seconds(caption: webvtt.Caption) -> float:
    hours, minutes, seconds, millis = caption.start_time.to_tuple()
    # In whole milliseconds first, so that 1.86 s is 1.86 and not 1.8599999999999999.
    return (((hours * 60 + minutes) * 60 + seconds) * 1000 + millis) / 1000


def _captions(cues: list[_Cue], kind: str) -> list[webvtt.Caption]:
    """The cues parsed by webvtt-py from a standard rendering of them."""
    if not cues:
        return []
    out = ["WEBVTT", ""] if kind == "vtt" else []
    for number, cue in enumerate(cues, start=1):
        out += ([str(number)] if kind == "srt" else []) + [cue.timing, *cue.lines, ""]
    return webvtt.from_buffer(io.StringIO("\n".join(out)), format=kind).captions


def _speakers(lines: list[str]) -> list[tuple[str | None, str]]:
    """A cue's text split where a voice tag or a ``Name:`` label changes the speaker."""
    text = "\n".join(lines)
    parts = _VOICE.split(text)
    found: list[tuple[str | None, str]] = []
    if parts[0].strip():
        found += _labelled_lines(parts[0].split("\n"))
    # Voice-tagged words keep their colons: the tag already names the speaker.
    for voice, words in zip(parts[1::2], parts[2::2], strict=True):
        found.append((_clean(voice) or None, _clean(words)))
    return found


def _labelled_lines(lines: list[str]) -> list[tuple[str | None, str]]:
    """Lines split where one starts with a ``Name:`` label; other lines run on."""
    found: list[tuple[str | None, str]] = []
    for line in lines:
        plain = _clean(line)
        label = _LABEL.match(plain + " ")
        if label:
            found.append((label.group("label").strip(), plain[label.end() :].strip()))
        elif found:
            found[-1] = (found[-1][0], f"{found[-1][1]} {plain}".strip())
        elif plain:
            found.append((None, plain))
    return found


def _clean(text: str) -> str:
    """Cue text as plain words: no tags, entities decoded, whitespace runs as one space."""
    text = html.unescape(_TAGS.sub("", text))
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return unicodedata.normalize("NFC", " ".join(text.split()))


# --- assembling ------------------------------------------------------------------------


def _assemble(segments: list[_Segment]) -> tuple[str, list[TimeAnchor]]:
    """Paragraphs of consecutive segments of one speaker, with their anchors."""
    paragraphs: list[tuple[str | None, list[_Segment]]] = []
    speaker: str | None = None
    for segment in segments:
        if segment.speaker is not None:
            speaker = segment.speaker
        if not segment.text:
            continue  # a label with no words: it only says who speaks next
        if paragraphs and paragraphs[-1][0] == speaker:
            paragraphs[-1][1].append(segment)
        else:
            paragraphs.append((speaker, [segment]))
    text, anchors = "", []
    for speaker, members in paragraphs:
        if text:
            text += "\n\n"
        start = len(text)
        text += f"{speaker}: " if speaker is not None else ""
        previous: int | None = None
        for position, segment in enumerate(members):
            if position:
                text += " "
            if segment.seconds is not None and (position == 0 or segment.cue != previous):
                anchors.append(TimeAnchor(start if position == 0 else len(text), segment.seconds))
            previous = segment.cue
            text += segment.text
    return text, anchors
