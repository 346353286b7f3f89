def test_segments_carry_participant_speaker_and_context(coded, tmp_path, interview):
    participants = tmp_path / "p.csv"
    participants.write_text("id,age\n7,30\n")
    coded.cases.import_table(participants, "id")
    coded.cases.link("7", "interview-01.txt")
    made = coded.codings.add_quote(
        "interview-01.txt", "Warmth", "she was really kind to me", coder="Hannah"
    )
    coded.codings.add_quote(
        "interview-01.txt", "Feeling mothered", "Not just the baby", coder="Dev"
    )
    (segment,) = coded.segments("Warmth")
    assert segment.as_dict() == {
        "coding": made.id,
        "source": "interview-01.txt",
        "start": made.start,
        "end": made.end,
        "text": "she was really kind to me",
        "code": "Therapist relationship/Warmth",
        "coder": "Hannah",
        "case": "Mother 7",
        "speaker": "Participant",
        "role": "participant",
        "before": interview[made.start - 20 : made.start],
        "after": interview[made.end : made.end + 20],
        "time": None,
    } | {"before": segment.before, "after": segment.after}
    assert segment.before == interview[made.start - 120 : made.start]
    assert segment.after == interview[made.end : made.end + 120]
    assert [s.coder for s in coded.segments("Therapist relationship", children=True)] == [
        "Hannah",
        "Dev",
    ]
    assert coded.segments("Therapist relationship") == []
    assert [s.coder for s in coded.segments("Feeling mothered", coder="Dev")] == ["Dev"]


def test_context_at_the_edges_of_the_text(coded, interview):
    coded.codings.add("interview-01.txt", "Warmth", 0, 11)
    coded.codings.add("interview-01.txt", "Warmth", len(interview) - 4, len(interview))
    first, last = coded.segments("Warmth", context=30)
    assert (first.before, first.text) == ("", "Interviewer")
    assert last.after == ""
    assert first.speaker is None
