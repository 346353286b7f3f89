"""Export, import, export again: the same project.qde up to ordering and time stamps,
and no coding moves, on both database backends and for random projects."""

import itertools
import os
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.interop.conftest import canonical_xml, qde_of
from thematica import create_project, open_project
from thematica.interop import export_project, import_file, import_into


def _files(path):
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n != "project.qde"}


def _memos(project):
    return sorted((m.kind, m.anchor, m.title, m.text, m.author) for m in project.memos.list())


def _codings(project):
    return sorted(
        (c.source, c.start, c.end, c.code, c.coder, c.text) for c in project.codings.list()
    )


_copies = itertools.count()


@pytest.fixture
def second(location, request, tmp_path):
    """A place for a second project on the same backend as ``location``."""
    if location.startswith("postgresql"):
        name = f"copy{os.getpid()}_{next(_copies)}"
        return request.getfixturevalue("postgres").create_database(name)
    return str(tmp_path / "copy.thematica")


def test_round_trip_keeps_everything(rich, second, tmp_path):
    first = tmp_path / "first.qdpx"
    export_project(rich, first)
    with create_project(second, actor="tester") as target:
        report = import_into(target, first)
        assert report.unplaced == [] and report.skipped == []
        assert report.verified == report.selections  # every selection's name matched its text
        again = tmp_path / "again.qdpx"
        export_project(target, again)
        assert canonical_xml(qde_of(first)) == canonical_xml(qde_of(again))
        assert _files(first) == _files(again)
        assert _codings(target) == _codings(rich)
        assert [c.as_dict() for c in target.cases.list()] == [
            c.as_dict() for c in rich.cases.list()
        ]
        assert target.participant_label == rich.participant_label
        assert _memos(target) == _memos(rich)
        assert [t.as_dict() for t in target.themes.list()] == [
            t.as_dict() for t in rich.themes.list()
        ]


# -- random projects ----------------------------------------------------------------------

PIECES = st.sampled_from(
    ["a", "b", " ", "word ", "\r\n", "\n", "\r", "é", "e\u0301", "\U0001f600", "\u0915\u094d",
     "ß", "Interviewer: ", "Participant: ", "\t", "\u00a0", "\u1100\u1161"]
)  # fmt: skip
TEXTS = st.lists(PIECES, min_size=3, max_size=40).map("".join)
NAMES = (
    st.text("abcdefgh é😀", min_size=1, max_size=8).map(lambda s: " ".join(s.split())).filter(bool)
)


@st.composite
def projects(draw):
    texts = draw(st.lists(TEXTS, min_size=1, max_size=3))
    codes = draw(st.lists(NAMES, min_size=1, max_size=4, unique=True))
    coders = draw(
        st.lists(st.sampled_from(["Hannah", "Dev", "Zoë"]), min_size=1, max_size=3, unique=True)
    )
    codings = draw(
        st.lists(
            st.tuples(
                st.integers(0, len(texts) - 1),
                st.floats(0, 1),
                st.floats(0, 1),
                st.sampled_from(codes),
                st.sampled_from(coders),
            ),
            max_size=12,
        )
    )
    memos = draw(st.lists(st.tuples(st.integers(0, len(texts) - 1), NAMES), max_size=3))
    return texts, codes, codings, memos


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(projects())
def test_random_projects_round_trip_without_moving_a_coding(tmp_path_factory, drawn):
    texts, codes, codings, memos = drawn
    where = tmp_path_factory.mktemp("random")
    with create_project(where / "one.thematica", actor="tester") as one:
        # each text ends with its number, so no two are the same after canonicalisation
        one.sources.add_many((f"s{i}.txt", f"{text}#{i}") for i, text in enumerate(texts))
        for name in codes:
            one.codes.add(name)
        rows = []
        for index, a, b, name, coder in codings:
            length = len(one.sources.text(f"s{index}.txt"))
            start, end = sorted((int(a * length), int(b * length)))
            if start < end:
                rows.append(
                    {
                        "source": f"s{index}.txt",
                        "code": name,
                        "coder": coder,
                        "start": start,
                        "end": end,
                    }
                )
        one.codings.add_many(rows)
        for index, text in memos:
            one.memos.add(text, source=f"s{index}.txt", start=0, end=1)
        export_project(one, where / "one.qdpx")
        before = _codings(one)
    report = import_file(where / "one.qdpx", into=where / "two.thematica", actor="tester")
    assert report.unplaced == []
    with open_project(where / "two.thematica") as two:
        assert _codings(two) == before
        export_project(two, where / "two.qdpx")
    assert canonical_xml(qde_of(where / "one.qdpx")) == canonical_xml(qde_of(where / "two.qdpx"))
