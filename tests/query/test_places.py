"""The two ways of placing spans in turns (one lookup per span, or each source's turns read
whole when there are many spans) give the same answers, times included."""

from thematica.query.places import _MANY, places

VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Interviewer>How did it start?

00:00:05.000 --> 00:00:09.000
<v Participant>The health visitor told me. Then I waited.

00:01:10.000 --> 00:01:15.000
<v Participant>Weeks and weeks.
"""


def test_both_ways_agree(project, tmp_path):
    path = tmp_path / "talk.vtt"
    path.write_text(VTT)
    project.sources.add_file(path)
    project.sources.add("plain.txt", "No speakers here at all.\n")
    text = project.sources.text("talk.vtt")
    turns = project.sources.turns("talk.vtt")
    with project.read() as conn:
        source_id, plain_id = (
            conn.exec_driver_sql("SELECT id FROM source ORDER BY id").scalars().all()
        )
    spans = [
        (source_id, 0, 3),  # on the first label, before any turn
        (source_id, turns[0].start, turns[0].start + 3),
        (source_id, turns[0].start, turns[1].end),  # across two turns
        (source_id, turns[1].start + 4, turns[1].start + 10),
        (source_id, text.index("Weeks"), text.index("Weeks") + 5),  # a later cue
        (plain_id, 0, 5),
    ]
    with project.read() as conn:
        one_by_one = places(conn, spans, times=True)
        many = places(conn, spans * (_MANY + 1), times=True)[: len(spans)]
    described = [(p.turns, p.has_turns, p.ms) for p in one_by_one]
    assert described == [(p.turns, p.has_turns, p.ms) for p in many]
    assert [(p.speaker, p.roles, p.has_turns) for p in one_by_one] == [
        (None, frozenset(), True),
        ("Interviewer", {"interviewer"}, True),
        ("Interviewer", {"interviewer", "participant"}, True),
        ("Participant", {"participant"}, True),
        ("Participant", {"participant"}, True),
        (None, frozenset(), False),
    ]
    assert [p.ms for p in one_by_one][1:5] == [1000, 1000, 5000, 70000]
