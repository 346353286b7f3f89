"""Real public interview transcripts from ../shared/corpora: they import with the right
speaker turns. Skipped, with a message, where the corpora are not present."""

import re
from collections import Counter

import pytest

from tests.conftest import SHARED

CORPORA = SHARED / "corpora"
TRIALS = CORPORA / "uk-open-interviews" / "trials-transparency"
AI_LED = CORPORA / "anthropic-interviewer"

needs_trials = pytest.mark.skipif(not TRIALS.is_dir(), reason=f"shared corpus not found: {TRIALS}")
needs_ai_led = pytest.mark.skipif(not AI_LED.is_dir(), reason=f"shared corpus not found: {AI_LED}")


def label_counts(text: str, labels: dict[str, str]) -> Counter:
    """Turns per role counted independently: lines that start with a label, with runs of
    the same label (which the importer merges into one turn) counted once."""
    counts: Counter = Counter()
    previous = None
    for found in re.finditer(rf"^({'|'.join(labels)}):", text, flags=re.M):
        if found.group(1) != previous:
            counts[labels[found.group(1)]] += 1
        previous = found.group(1)
    return counts


@needs_trials
def test_trials_transparency_text_transcripts(sqlite_project):
    files = sorted(TRIALS.glob("*.txt"))
    assert len(files) == 12
    report = sqlite_project.sources.add_files(files)
    assert len(report.imported) == 12 and not report.skipped
    for source in report.imported:
        text = sqlite_project.sources.text(source.name)
        turns = Counter(t.role for t in sqlite_project.sources.turns(source.name))
        labels = {"I": "interviewer", "R": "participant", "R1": "participant", "R2": "participant"}
        assert turns == label_counts(text, labels)
        assert turns["interviewer"] >= 4 and turns["participant"] >= 15
    nt001 = Counter(t.role for t in sqlite_project.sources.turns(files[0].name))
    assert nt001 == {"interviewer": 68, "participant": 68}
    # Two respondents in one interview stay apart.
    uni005 = Counter(t.speaker for t in sqlite_project.sources.turns(files[7].name))
    assert files[7].name.startswith("uni005") and set(uni005) == {"I", "R", "R1", "R2"}


@needs_ai_led
def test_ai_led_interviews_from_tables(sqlite_project):
    labels = {"Assistant": "interviewer", "AI": "interviewer", "User": "participant"}
    imported = []
    for table in sorted(AI_LED.glob("*_transcripts.csv")):
        report = sqlite_project.sources.add_table(table, "text", "transcript_id")
        assert not report.skipped
        imported += report.imported
    assert len(imported) == 250
    assert {s.name[:8] for s in imported} == {"creativi", "science_"}
    for source in imported[::25]:
        text = sqlite_project.sources.text(source.name)
        turns = Counter(t.role for t in sqlite_project.sources.turns(source.name))
        assert turns == label_counts(text, labels)
        assert turns["participant"] >= 5
    words = sum(s.words for s in imported)
    assert 350_000 < words < 400_000  # the corpus's SOURCES.md: about 193k + 180k words


FLU = CORPORA / "uk-open-interviews" / "flu-vaccination-parents"


@pytest.mark.skipif(not FLU.is_dir(), reason=f"shared corpus not found: {FLU}")
def test_zoom_transcripts_pasted_into_word_keep_their_times(sqlite_project):
    from thematica.ingest.sources import TurnOptions

    files = sorted(FLU.glob("*.docx"))
    report = sqlite_project.sources.add_files(
        files, turns=TurnOptions(interviewers=("Timothy Price",))
    )
    assert len(report.imported) == 12 and not report.skipped
    kinds = {s.name: s.kind for s in report.imported}
    assert kinds["Participant 06 Transcript.docx"] == "docx-vtt"
    assert kinds["Participant 07.docx"] == "docx-vtt"
    turns = sqlite_project.sources.turns("Participant 07.docx")
    roles = Counter(t.role for t in turns)
    assert roles == {"interviewer": 42, "participant": 41}
    with sqlite_project.read() as conn:
        timed = conn.exec_driver_sql(
            "SELECT count(*) FROM turn JOIN source ON source.id = turn.source_id "
            "WHERE source.name = 'Participant 07.docx' AND t_start IS NOT NULL"
        ).scalar()
    assert timed > 10
    # A quote from that interview reports when it was said.
    sqlite_project.codes.add("Any")
    answer = next(t for t in turns if t.role == "participant")
    sqlite_project.codings.add("Participant 07.docx", "Any", answer.start, answer.end)
    (segment,) = sqlite_project.segments("Any")
    assert segment.time is not None and segment.case is None
    # Participant 08's labels are bracketed: still two speakers, not one long turn.
    eight = Counter(t.role for t in sqlite_project.sources.turns("Participant 08 transcript.docx"))
    assert eight["interviewer"] > 50 and eight["participant"] > 50


DDM = CORPORA / "uk-open-interviews" / "sustainable-design-ddm2020"


@pytest.mark.skipif(not DDM.is_dir(), reason=f"shared corpus not found: {DDM}")
def test_line_numbered_pdfs_import_with_their_label_column(sqlite_project):
    from thematica.ingest.readers import ReadOptions

    files = [DDM / f"DDM2020_interview_{n}_words_only_transcript.pdf" for n in (1, 7, 16)]
    options = ReadOptions(strip_line_numbers=True, strip_headers=True)
    report = sqlite_project.sources.add_files(files, options)
    assert len(report.imported) == 3 and not report.skipped
    speakers = {
        s.name: Counter(t.speaker for t in sqlite_project.sources.turns(s.name))
        for s in report.imported
    }
    assert speakers[files[1].name] == {"I": 39, "P7": 38}
    assert speakers[files[0].name]["I"] == 91 and speakers[files[0].name]["P1"] == 90
    assert speakers[files[2].name]["I"] == 144 and speakers[files[2].name]["P16"] == 142
    text = sqlite_project.sources.text(files[1].name)
    assert not re.search(r"^\d+\s", text, flags=re.M)  # no line numbers left
