"""PDF: the text layer, read with pypdf.

Pages are read in pypdf's layout mode, which places text where the page shows it. That
keeps what a transcript's layout means: printed line numbers stand in a margin, speaker
labels stand in their own column (``I``, ``P1``) with the words in the next one, and
running headers and footers sit at the top and bottom of the page. The reader uses it to
take line numbers and running headers out (when asked), to start a paragraph at each
speaker label and at each wider gap between lines, and then re-joins the hard-wrapped
lines with :func:`thematica.text.wrap.rejoin_wrapped`.

Only the text layer is read. A scanned PDF (page images) has none and is refused with a
pointer to OCR; pages without text in an otherwise textual PDF are named in a warning.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from pypdf import PdfReader
from pypdf.errors import DependencyError

from thematica.errors import InvalidInput
from thematica.ingest.readers import Document, ReadOptions, register
from thematica.text.wrap import rejoin_wrapped

# Lines at the top and bottom of a page searched for running headers and footers.
HEADER_ZONE = 3
# Column labels are short: "I", "P1", "Interviewer", "Dr Amara Shah".
MAX_LABEL_CHARS = 24
MAX_LABEL_WORDS = 3

_T = TypeVar("_T")


@dataclass(frozen=True)
class Line:
    """One line of a page as laid out: ``text`` keeps its columns (leading spaces).

    ``number`` is a printed line number taken out of ``text`` (blanked where it stood on
    the left, cut where it stood on the right), kept to put back when the user did not
    ask to strip line numbers.
    """

    text: str
    number: str | None = None
    number_left: bool = True


@register(".pdf")
def read_pdf(path: Path, options: ReadOptions) -> Document:
    """Read the text layer of a PDF as a transcript: one paragraph per turn or paragraph."""
    reader = _open(path)
    pages, warnings = _read_pages(reader, path)
    numbered = _take_line_numbers(pages)
    if numbered is not None:
        pages = numbered
        if not options.strip_line_numbers:
            warnings.append(
                "most lines carry printed line numbers; they are kept in the text "
                "(import with strip_line_numbers to remove them)"
            )
    running = _running_lines(pages)
    if running:
        if options.strip_headers:
            pages = [[line for line in lines if id(line) not in running] for lines in pages]
        else:
            warnings.append(
                "the pages carry running headers, footers or page numbers; they are kept "
                "in the text (import with strip_headers to remove them)"
            )
    labels: list[str] = []
    rendered = _render(pages, _label_columns(pages), options.strip_line_numbers, labels)
    label_pattern = None
    if labels:
        # Labels without a colon are not what detect_turns looks for by default.
        names = list(dict.fromkeys(labels))
        label_pattern = f"(?P<label>{'|'.join(re.escape(name) for name in names)})[ \\t]+"
        warnings.append(
            f"speaker labels stand in their own column without a colon ({', '.join(names)}); "
            f"turns are found with the label pattern {label_pattern}"
        )
    # NFC first: a hyphen join looks at the letters either side, composed.
    text = rejoin_wrapped(unicodedata.normalize("NFC", rendered))
    return Document(text=text, kind="pdf", warnings=tuple(warnings), label_pattern=label_pattern)


# --- opening ---------------------------------------------------------------------------


def _open(path: Path) -> PdfReader:
    # read_document has refused files over its size limit before this reads one.
    data = path.read_bytes()
    # Readers accept the header and end marker within 1 KB of either end of the file.
    if b"%PDF-" not in data[:1024]:
        raise InvalidInput(f"{path.name} is not a PDF file (it has no %PDF header)")
    if b"%%EOF" not in data[-1024:]:
        raise InvalidInput(
            f"{path.name} is truncated or corrupt (no %%EOF end marker); "
            "export or download it again"
        )
    reader = _pypdf(path, lambda: PdfReader(io.BytesIO(data)))
    if reader.is_encrypted:
        _decrypt(reader, path)
    return reader


def _decrypt(reader: PdfReader, path: Path) -> None:
    # Many PDFs are encrypted only to restrict printing or copying: their user password
    # is empty and any reader may open them. Others need a password we do not have.
    try:
        opened = reader.decrypt("")
    except DependencyError:
        raise InvalidInput(
            f"{path.name} is encrypted with AES, which needs the 'cryptography' package "
            "(pip install cryptography); or save an unprotected copy"
        ) from None
    except Exception as error:  # pypdf's many error types, see _pypdf
        raise InvalidInput(f"{path.name} is a corrupt PDF ({_first_line(error)})") from None
    if not opened:
        raise InvalidInput(
            f"{path.name} is password-protected; save an unprotected copy to import it"
        )


def _pypdf(path: Path, call: Callable[[], _T]) -> _T:
    """Run a pypdf call, turning any failure into one line about the file.

    pypdf reports malformed files with its own errors but also with KeyError, ValueError,
    TypeError and others raised deep in its parsers; for a reader they all mean the same.
    """
    try:
        return call()
    except InvalidInput:
        raise
    except Exception as error:
        raise InvalidInput(f"{path.name} is a corrupt PDF ({_first_line(error)})") from None


def _first_line(error: Exception) -> str:
    message = str(error).strip().splitlines()
    return message[0][:200] if message else type(error).__name__


# --- pages -----------------------------------------------------------------------------


def _read_pages(reader: PdfReader, path: Path) -> tuple[list[list[Line]], list[str]]:
    """Each page's lines, and warnings about pages without text or without a layout."""
    count = _pypdf(path, lambda: len(reader.pages))
    if count == 0:
        raise InvalidInput(f"{path.name} has no pages")
    pages: list[list[Line]] = []
    empty: list[int] = []
    flat: list[int] = []
    for index in range(count):
        page = _pypdf(path, lambda i=index: reader.pages[i])
        text, laid_out = _page_text(page, path)
        if not text.strip():
            empty.append(index + 1)
        if not laid_out and text.strip():
            flat.append(index + 1)
        pages.append([Line(line.rstrip()) for line in text.splitlines()])
    if len(empty) == count:
        raise InvalidInput(
            f"{path.name} has no text layer (a scanned document?); it needs OCR "
            "(e.g. ocrmypdf) before it can be imported"
        )
    warnings = []
    if empty:
        warnings.append(
            f"{_pages(empty, 'has', 'have')} no text layer (scanned?); "
            f"{_pages(empty, 'its', 'their', subject=False)} content is missing, run OCR "
            "(e.g. ocrmypdf) on the file to import it"
        )
    if flat:
        warnings.append(
            f"{_pages(flat, 'could', 'could')} not be laid out; "
            f"{_pages(flat, 'its', 'their', subject=False)} text was read without its "
            "columns, so line numbers and speaker columns there are not recognised"
        )
    return pages, warnings


def _pages(numbers: Sequence[int], singular: str, plural: str, subject: bool = True) -> str:
    """``page 2 has`` or ``pages 2, 5 have``; only the word when not the ``subject``."""
    word = singular if len(numbers) == 1 else plural
    if not subject:
        return word
    label = "page" if len(numbers) == 1 else "pages"
    return f"{label} {', '.join(map(str, numbers))} {word}"


def _page_text(page, path: Path) -> tuple[str, bool]:
    """The page's text in layout mode, or plain mode where layout mode loses characters.

    Layout mode skips text in fonts it cannot measure; plain mode reads the same text
    layer without positions. Comparing the characters of both catches any loss.
    """
    plain = _pypdf(path, page.extract_text)
    try:
        laid_out = page.extract_text(extraction_mode="layout", layout_mode_strip_rotated=False)
    except Exception:  # layout mode is experimental in pypdf; plain mode is the fallback
        return plain, False
    if _glyphs(plain) - _glyphs(laid_out):
        return plain, False
    return laid_out, True


def _glyphs(text: str) -> Counter[str]:
    return Counter(c for c in text if not c.isspace())


# --- printed line numbers --------------------------------------------------------------

# A line number stands apart from the text: at least two spaces, or alone on its line.
_LEFT_NUMBER = re.compile(r"^ *(?P<number>\d{1,5})(?: {2,}(?=\S)|$)")
_RIGHT_NUMBER = re.compile(r"(?:(?<=\S) {2,}|^ *)(?P<number>\d{1,5})$")


def _take_line_numbers(pages: list[list[Line]]) -> list[list[Line]] | None:
    """The pages with their printed line numbers taken out, or None if they have none.

    A number at the edge of a line, set apart from the text (two spaces or more), is a
    line number when it belongs to the longest run of such numbers on one side that
    rises no faster than the lines do, continuing over page ends or starting again on
    each page, and when that run covers most lines of the document or of its page. A
    number in the text (``in 2020``, ``3 people``) fails one of these tests: it is not
    set apart, or it does not fit the run of the numbers around it.
    """
    best: list[tuple[int, int, re.Match[str]]] = []
    left = True
    starts = [0]
    for lines in pages:
        starts.append(starts[-1] + len(lines))
    for side, pattern in ((True, _LEFT_NUMBER), (False, _RIGHT_NUMBER)):
        found = [
            (page, i, match)
            for page, lines in enumerate(pages)
            for i, line in enumerate(lines)
            if (match := pattern.search(line.text))
        ]
        run = _longest_run(found, starts)
        if len(run) > len(best):
            best, left = run, side
    filled = [sum(1 for line in lines if line.text.strip()) for lines in pages]
    members = Counter(page for page, _, _ in best)
    whole = len(best) >= 3 and 2 * len(best) > sum(filled)
    numbered = {p for p, n in members.items() if whole or (n >= 3 and 2 * n > filled[p])}
    if not numbered:
        return None
    taken = [list(lines) for lines in pages]
    for page, i, match in best:
        if page in numbered:
            text = pages[page][i].text
            start, end = match.span("number")
            # On the left the number is blanked, so the columns after it stay in place.
            body = text[:start] + " " * (end - start) + text[end:] if left else text[:start]
            taken[page][i] = Line(body.rstrip(), match.group("number"), left)
    return taken


# A run of line numbers is looked for among this many numbers before each one.
_RUN_WINDOW = 200


def _longest_run(
    found: list[tuple[int, int, re.Match[str]]], starts: list[int]
) -> list[tuple[int, int, re.Match[str]]]:
    """The longest chain of numbers, in page order, where each one follows the one before.

    Within a page, or continuing over a page end, a number rises by at least 1 and by no
    more than the lines between the two (lines can be unnumbered or blank, so numbers may
    rise slower than lines; they cannot rise faster). On a later page it may also start
    again, at no more than its line's place on the page. ``found`` holds (page, line,
    match); ``starts[page]`` is where the page's lines start among the document's.
    """
    values = [int(match.group("number")) for _, _, match in found]
    length = [1] * len(found)
    previous = [-1] * len(found)
    for j, (page_j, line_j, _) in enumerate(found):
        for i in range(max(0, j - _RUN_WINDOW), j):
            page_i, line_i, _ = found[i]
            rise = values[j] - values[i]
            follows = 1 <= rise <= starts[page_j] + line_j - starts[page_i] - line_i or (
                page_j > page_i and values[j] <= line_j + 1
            )
            if follows and length[i] + 1 > length[j]:
                length[j], previous[j] = length[i] + 1, i
    if not found:
        return []
    at = max(range(len(found)), key=length.__getitem__)
    chain = []
    while at >= 0:
        chain.append(found[at])
        at = previous[at]
    return chain[::-1]


# --- running headers and footers -------------------------------------------------------


def _running_lines(pages: list[list[Line]]) -> set[int]:
    """Ids of the lines that are running headers, footers or page numbers.

    The first and the last few lines of each page (up to the first or last line that
    carries a printed line number, which is body text) are compared with those of the
    other pages, with numbers ignored (page numbers, dates): the longest run of lines
    from the page's edge whose text stands at the edge of more than half of the pages
    is running. The text is compared with its lines joined, because layout can wrap a
    header differently on one page (a wider first page, say).
    """
    if len(pages) < 2:
        return set()
    # Each page's edge zones, innermost line last; the bottom one is read upwards.
    edges = [(_edge(lines), _edge(lines[::-1])) for lines in pages]
    seen: Counter[tuple[int, str]] = Counter()
    for zones in edges:
        seen.update(
            {_key(side, zone[: k + 1]) for side, zone in enumerate(zones) for k in range(len(zone))}
        )
    running: set[int] = set()
    for zones in edges:
        for side, zone in enumerate(zones):
            runs = [k for k in range(len(zone)) if 2 * seen[_key(side, zone[: k + 1])] > len(pages)]
            if runs:
                running |= {id(line) for line in zone[: max(runs) + 1]}
    return running


def _key(side: int, run: list[Line]) -> tuple[int, str]:
    """A run of edge lines as compared between pages: in reading order, numbers as ``#``."""
    lines = run[::-1] if side else run
    return side, re.sub(r"\d+", "#", " ".join(" ".join(line.text.split()) for line in lines))


def _edge(lines: Sequence[Line]) -> list[Line]:
    """The first lines of text, up to the first with a printed line number."""
    zone: list[Line] = []
    for line in lines:
        if line.number is not None or len(zone) == HEADER_ZONE:
            break
        if line.text.strip():
            zone.append(line)
    return zone


# --- speaker label column --------------------------------------------------------------

# A short label, then a gap of two or more spaces, then the words.
_LABELLED = re.compile(r"^(?P<indent> *)(?P<label>\S+(?: \S+)*?) {2,}(?P<words>\S.*)$")


def _label_columns(pages: list[list[Line]]) -> list[int | None]:
    """Per page, the column where the words start if speaker labels have a column of
    their own, else None.

    That column is where most lines of the page start their words: a continuation line
    at its indentation, a labelled line after its label and a gap (layout mode measures
    each page on its own, so the column can differ between pages). Two labelled lines in
    the document are needed to believe it.
    """
    columns = [_words_column(lines) for lines in pages]
    labelled = sum(
        1
        for lines, column in zip(pages, columns, strict=True)
        for line in lines
        if column is not None and _column_label(line, column)
    )
    return columns if labelled >= 2 else [None] * len(pages)


def _words_column(lines: list[Line]) -> int | None:
    starts: Counter[int] = Counter()
    for line in lines:
        if line.text.strip():
            starts[len(line.text) - len(line.text.lstrip())] += 1
            match = _LABELLED.match(line.text)
            if match and _short(match.group("label")):
                starts[match.start("words")] += 1
    # On a page of short turns only, labels and words are equally common: words are right.
    return max(starts, key=lambda column: (starts[column], column)) if starts else None


def _column_label(line: Line, column: int) -> tuple[str, str] | None:
    match = _LABELLED.match(line.text)
    if (
        match is None
        or len(match.group("indent")) >= column
        or abs(match.start("words") - column) > 1
        or not _short(match.group("label"))
    ):
        return None
    return match.group("label"), match.group("words")


def _short(label: str) -> bool:
    return len(label) <= MAX_LABEL_CHARS and len(label.split()) <= MAX_LABEL_WORDS


# --- putting the text together ---------------------------------------------------------


def _render(
    pages: list[list[Line]],
    columns: list[int | None],
    strip_numbers: bool,
    labels: list[str],
) -> str:
    """The pages as lines for :func:`rejoin_wrapped`, with a blank line before each label
    in a label column and at each gap between lines wider than the usual line spacing.

    Pages follow each other without a break: a turn may run on over a page end.
    """
    pages = [_trim(lines) for lines in pages]
    usual = _usual_gap(pages)
    out: list[str] = []
    for lines, column in zip(pages, columns, strict=True):
        gap = 0
        for line in lines:
            if not line.text.strip() and (strip_numbers or line.number is None):
                gap += 1
                continue
            label = _column_label(line, column) if column is not None else None
            if (gap > usual or label) and out:
                out.append("")
            gap = 0
            if label:
                labels.append(label[0])
                line = replace(line, text=f"{label[0]} {label[1]}")
            out.append(_clean(line, strip_numbers))
    return "\n".join(out)


def _trim(lines: list[Line]) -> list[Line]:
    filled = [i for i, line in enumerate(lines) if line.text.strip() or line.number]
    return lines[filled[0] : filled[-1] + 1] if filled else []


def _usual_gap(pages: list[list[Line]]) -> int:
    """The most common number of blank lines between two lines of text.

    Layout mode renders vertical space as blank lines, so a double-spaced page has one
    between every two lines; only a wider gap is a paragraph break.
    """
    gaps: Counter[int] = Counter()
    for lines in pages:
        gap: int | None = None  # none before a page's first line
        for line in lines:
            if not line.text.strip():
                gap = None if gap is None else gap + 1
                continue
            if gap is not None:
                gaps[gap] += 1
            gap = 0
    return gaps.most_common(1)[0][0] if gaps else 0


def _clean(line: Line, strip_numbers: bool) -> str:
    # Layout mode pads with spaces to keep columns; between words one space is enough.
    # Control characters come from fonts with broken character maps; they are no text.
    text = " ".join("".join(" " if _is_control(c) else c for c in line.text).split())
    if line.number is None or strip_numbers:
        return text
    joined = f"{line.number} {text}" if line.number_left else f"{text} {line.number}"
    return joined.strip()


def _is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc"
