"""Double coding, blind coders, and the consensus queue."""

import pytest

from thematica import InvalidInput, ThematicaError
from thematica.agreement import consensus
from thematica.agreement.compare import compare
from thematica.agreement.double_coding import pick, picked, set_blind

TEXT = "Participant: " + " ".join(f"w{i:02}" for i in range(60)) + "\n"


@pytest.fixture
def study(project):
    project.sources.add("a.txt", TEXT)
    project.codes.add("X")
    project.codes.add("Y")
    add = project.codings.add
    add("a.txt", "X", 13, 20, coder="A")  # identical in both layers
    add("a.txt", "X", 13, 20, coder="B")
    add("a.txt", "X", 40, 60, coder="A")  # overlapping, different extents
    add("a.txt", "X", 50, 70, coder="B")
    add("a.txt", "Y", 100, 110, coder="A")  # only A
    return project


def spans(project, coder, code=None):
    return [
        (c.code, c.start, c.end) for c in project.codings.list(coder_name=coder, code_name=code)
    ]


def test_start_seeds_what_both_agree_on_and_queues_the_rest(study):
    started = consensus.start(study, ["A", "B"])
    assert (started.layer, started.seeded, started.queued) == ("consensus", 1, 2)
    assert spans(study, "consensus") == [("X", 13, 20)]
    queue = consensus.items(study)
    assert [(i.code, i.start, i.end, i.spans) for i in queue] == [
        ("X", 40, 70, {"A": [(40, 60)], "B": [(50, 70)]}),
        ("Y", 100, 110, {"A": [(100, 110)], "B": []}),
    ]
    assert queue[0].text == TEXT[40:70]
    assert consensus.progress(study).remaining == 2
    with pytest.raises(InvalidInput, match="already has codings or a queue"):
        consensus.start(study, ["A", "B"])


@pytest.mark.parametrize(
    ("how", "coder", "span", "expected"),
    [
        ("take", "A", None, [(40, 60)]),
        ("take", "B", None, [(50, 70)]),
        ("union", None, None, [(40, 70)]),
        ("intersection", None, None, [(50, 60)]),
        ("drop", None, None, []),
        ("edit", None, (45, 65), [(45, 65)]),
    ],
)
def test_each_way_of_resolving_writes_the_agreed_codings(study, how, coder, span, expected):
    consensus.start(study, ["A", "B"])
    item = consensus.next_item(study)
    done = consensus.resolve(study, item.id, how, coder, span, memo_text="We talked it over.")
    assert done.status == "resolved"
    assert done.resolution == (f"take {coder}" if how == "take" else how)
    agreed = [(s, e) for c, s, e in spans(study, "consensus", "X") if (s, e) != (13, 20)]
    assert agreed == expected
    # The originals are untouched.
    assert spans(study, "A") == [("X", 13, 20), ("X", 40, 60), ("Y", 100, 110)]
    assert spans(study, "B") == [("X", 13, 20), ("X", 50, 70)]
    (memo,) = study.memos.list("source")
    assert (memo.text, memo.title) == ("We talked it over.", "Consensus on X")
    assert consensus.progress(study).resolved == 1
    event = study.log(1)[0]
    assert (event.action, event.target) == ("resolve disagreement", f"item {item.id}")


def test_a_resolution_can_be_undone(study):
    consensus.start(study, ["A", "B"])
    item = consensus.next_item(study)
    consensus.resolve(study, item.id, "union")
    study.undo()
    assert consensus.next_item(study).id == item.id
    assert spans(study, "consensus") == [("X", 13, 20)]


@pytest.mark.parametrize(
    ("how", "coder", "span", "message"),
    [
        ("vote", None, None, "resolve with one of take, union"),
        ("take", None, None, r"take whose version\? one of A, B"),
        ("take", "C", None, "take whose version?"),
        ("edit", None, None, "edit needs the agreed span"),
        ("edit", None, (40, 5000), "out of range"),
    ],
)
def test_bad_resolutions_are_refused_and_change_nothing(study, how, coder, span, message):
    consensus.start(study, ["A", "B"])
    item = consensus.next_item(study)
    with pytest.raises(InvalidInput, match=message):
        consensus.resolve(study, item.id, how, coder, span)
    assert consensus.progress(study).resolved == 0


def test_resolving_twice_or_a_missing_item_is_refused(study):
    consensus.start(study, ["A", "B"])
    item = consensus.next_item(study)
    consensus.resolve(study, item.id, "drop")
    with pytest.raises(InvalidInput, match=f"item {item.id} is already resolved"):
        consensus.resolve(study, item.id, "union")
    with pytest.raises(ThematicaError, match="no consensus item 999"):
        consensus.resolve(study, 999, "union")
    with pytest.raises(ThematicaError, match="no consensus layer 'other'"):
        consensus.items(study, "other")


def test_picks_by_hand_and_reproducible_random_draws(project):
    for n in range(1, 9):
        project.sources.add(f"i{n}.txt", f"Participant: interview {n}\n")
    assert pick(project, ["i3.txt", "i1.txt"]) == ["i1.txt", "i3.txt"]
    drawn = pick(project, random=3, seed=11)
    assert len(drawn) == 3 and not {"i1.txt", "i3.txt"} & set(drawn)
    methods = {p.source: p.method for p in picked(project)}
    assert methods["i1.txt"] == "by hand"
    assert methods[drawn[0]] == "random: 3 of 6, seed 11"
    assert project.log(1)[0].after == {"sources": drawn, "method": "random: 3 of 6, seed 11"}
    with pytest.raises(InvalidInput, match="cannot draw 4 of the 3 sources not yet picked"):
        pick(project, random=4, seed=1)
    with pytest.raises(InvalidInput, match="name the sources, or ask for a random draw"):
        pick(project)


def test_the_same_seed_draws_the_same_sources(tmp_path):
    from thematica import create_project

    draws = []
    for name in ("one", "two"):
        with create_project(tmp_path / f"{name}.thematica") as project:
            for n in range(1, 13):
                project.sources.add(f"i{n:02}.txt", f"Participant: interview {n}\n")
            draws.append(pick(project, random=4, seed=2026))
    assert draws[0] == draws[1]


def test_a_stratified_draw_spreads_over_the_attribute(project, tmp_path):
    rows = ["id,location"] + [f"{n},{'north' if n <= 6 else 'south'}" for n in range(1, 10)]
    (tmp_path / "p.csv").write_text("\n".join(rows) + "\n")
    project.cases.import_table(tmp_path / "p.csv", id_column="id")
    for n in range(1, 10):
        project.sources.add(f"interview-{n}.txt", f"Participant: interview {n}\n")
    project.cases.link_by_pattern(r"interview-(?P<id>\d+)")
    drawn = pick(project, random=3, seed=5, stratify="location")
    numbers = sorted(int(name.split("-")[1].split(".")[0]) for name in drawn)
    # 6 north and 3 south: two places go north, one south.
    assert sum(n <= 6 for n in numbers) == 2 and sum(n > 6 for n in numbers) == 1
    with pytest.raises(
        ThematicaError, match="unknown attribute 'locaton'.*did you mean 'location'"
    ):
        pick(project, random=1, seed=5, stratify="locaton")


def test_a_blind_coder_sees_only_their_own_codings_of_double_coded_sources(location, study):
    from thematica import open_project

    study.sources.add("b.txt", "Participant: not double coded.\n")
    study.codings.add("b.txt", "X", 13, 16, coder="A")
    pick(study, ["a.txt"])
    set_blind(study, "B")
    with open_project(location, actor="B") as as_b:
        assert sorted({c.coder for c in as_b.codings.list(source_name="a.txt")}) == ["B"]
        assert [c.coder for c in as_b.codings.list(source_name="b.txt")] == ["A"]
        assert {s.coder for s in as_b.segments("X")} == {"A", "B"}  # A only on b.txt
        assert [s.source for s in as_b.segments("X") if s.coder == "A"] == ["b.txt"]
        with pytest.raises(InvalidInput, match="B is coding blind"):
            compare(as_b, ["A", "B"])
    # Everyone else sees every layer; lifting the blind shows B the others again.
    assert {c.coder for c in study.codings.list(source_name="a.txt")} == {"A", "B"}
    set_blind(study, "B", blind=False)
    with open_project(location, actor="B") as as_b:
        assert {c.coder for c in as_b.codings.list(source_name="a.txt")} == {"A", "B"}


def test_an_edit_can_keep_several_spans(study):
    consensus.start(study, ["A", "B"])
    item = consensus.next_item(study)
    consensus.resolve(study, item.id, "edit", span=[(40, 45), (55, 70), (44, 50)])
    agreed = [(s, e) for c, s, e in spans(study, "consensus", "X") if (s, e) != (13, 20)]
    assert agreed == [(40, 50), (55, 70)]
