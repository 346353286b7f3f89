"""The Writer's inserts: what each row names is stored, and the rest takes its default."""

from sqlalchemy import select

from thematica.store.changes import Writer
from thematica.store.schema import code, turn


def test_rows_naming_fewer_columns_still_get_python_side_defaults(project):
    with project.writing() as conn:
        writer = Writer(conn)
        ids = writer.insert_many(
            code,
            [
                {"name": "A", "colour": "#000000", "position": 0},
                {"name": "B", "colour": "#111111", "position": 1},
            ],
        )
        rows = conn.execute(
            select(code.c.name, code.c.description, code.c.version).where(code.c.id.in_(ids))
        ).all()
    assert sorted(rows) == [("A", "", 1), ("B", "", 1)]


def test_rows_naming_different_columns_keep_each_value(project, interview):
    """Each row names as many columns as the others, but not the same ones."""
    source = project.sources.add("a.txt", interview)
    with project.read() as conn:
        before = conn.execute(select(turn.c.id)).scalars().all()
    with project.writing() as conn:
        Writer(conn).insert_many(
            turn,
            [
                {
                    "source_id": source.id,
                    "start": 0,
                    "end": 5,
                    "speaker": "I",
                    "role": "interviewer",
                    "case_id": None,
                },
                {
                    "source_id": source.id,
                    "start": 6,
                    "end": 9,
                    "speaker": "P",
                    "role": "participant",
                    "t_start": 4000,
                },
                {
                    "source_id": source.id,
                    "start": 10,
                    "end": 12,
                    "speaker": "P",
                    "role": "participant",
                    "t_end": 9000,
                },
            ],
        )
        rows = conn.execute(
            select(turn.c.start, turn.c.t_start, turn.c.t_end)
            .where(turn.c.id.not_in(before))
            .order_by(turn.c.start)
        ).all()
    assert rows == [(0, None, None), (6, 4000, None), (10, None, 9000)]
