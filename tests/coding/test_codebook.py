import pytest

from thematica import InvalidInput, NotFound


def names(project):
    return [c.path for c in project.codes.list()]


def test_tree_order_paths_and_inherited_colours(coded):
    assert names(coded) == [
        "Therapist relationship",
        "Therapist relationship/Warmth",
        "Therapist relationship/Feeling mothered",
        "Getting referred",
    ]
    parent, warmth = coded.codes.list()[:2]
    assert warmth.colour == parent.colour == "#4e79a7"
    assert coded.codes.get("Getting referred").colour == "#f28e2b"


def test_rename_describe_recolour_move(coded):
    coded.codes.rename("Warmth", "Kindness")
    coded.codes.describe("Kindness", "Warmth and kindness from the therapist")
    coded.codes.recolour("Kindness", "#AA0000")
    coded.codes.move("Kindness", "Getting referred")
    code = coded.codes.get("Getting referred/Kindness")
    assert (code.description, code.colour, code.parent) == (
        "Warmth and kindness from the therapist",
        "#aa0000",
        "Getting referred",
    )
    coded.codes.move("Kindness", None)
    assert coded.codes.get("Kindness").depth == 0


def test_same_name_under_two_parents_needs_a_path(coded):
    coded.codes.add("Other", parent="Getting referred")
    coded.codes.add("Other", parent="Therapist relationship")
    with pytest.raises(InvalidInput, match="code name 'Other' is ambiguous: use its path"):
        coded.codes.get("Other")
    assert coded.codes.get("Getting referred/Other").parent == "Getting referred"
    with pytest.raises(InvalidInput, match="already exists under 'Getting referred'"):
        coded.codes.add("Other", parent="Getting referred")


def test_cannot_move_a_code_under_its_own_child(coded):
    with pytest.raises(InvalidInput, match="under itself or one of its children"):
        coded.codes.move("Therapist relationship", "Warmth")


def test_merge_moves_codings_and_drops_exact_duplicates(coded):
    c = coded.codings
    c.add("interview-01.txt", "Warmth", 10, 20, coder="Hannah")
    c.add("interview-01.txt", "Warmth", 30, 40, coder="Hannah")
    c.add("interview-01.txt", "Feeling mothered", 10, 20, coder="Hannah")
    c.add("interview-01.txt", "Feeling mothered", 10, 20, coder="Dev")
    coded.memos.add("Kindness or care?", code="Warmth")
    coded.codes.merge("Warmth", into="Feeling mothered")
    spans = sorted((x.start, x.coder) for x in c.list(code_name="Feeling mothered"))
    assert spans == [(10, "Dev"), (10, "Hannah"), (30, "Hannah")]
    assert coded.memos.list("code")[0].anchor == "code Therapist relationship/Feeling mothered"
    with pytest.raises(NotFound):
        coded.codes.get("Warmth")


def counts(code):
    return (code.codings, code.sources, code.participants), tuple(vars(code.with_children).values())


def test_counts_of_codings_sources_and_participants_alone_and_with_sub_codes(coded, interview):
    coded.sources.add("joint.txt", interview + "Both mothers nodded.\n")
    coded.sources.add("unlinked.txt", interview + "Nobody's yet.\n")
    for key in ("1", "2", "3"):
        coded.cases.add(key)
    coded.cases.link("1", "interview-01.txt")
    coded.cases.link("2", "joint.txt")  # two participants in one interview
    coded.cases.link("3", "joint.txt")
    c = coded.codings
    c.add("interview-01.txt", "Warmth", 10, 20)
    c.add("interview-01.txt", "Warmth", 30, 40, coder="Dev")
    c.add("joint.txt", "Feeling mothered", 10, 20)
    c.add("unlinked.txt", "Feeling mothered", 10, 20)
    c.add("interview-01.txt", "Therapist relationship", 10, 20)
    found = {code.path: counts(code) for code in coded.codes.list()}
    assert found == {
        # the parent's own coding shares its interview and participant with Warmth's
        "Therapist relationship": ((1, 1, 1), (5, 3, 3)),
        "Therapist relationship/Warmth": ((2, 1, 1), (2, 1, 1)),
        # a source with two linked cases counts its coding once, and both participants
        "Therapist relationship/Feeling mothered": ((2, 2, 2), (2, 2, 2)),
        "Getting referred": ((0, 0, 0), (0, 0, 0)),
    }
    assert counts(coded.codes.get("Therapist relationship")) == ((1, 1, 1), (5, 3, 3))
    merged = coded.codes.merge("Feeling mothered", into="Warmth")
    assert counts(merged) == ((4, 3, 3), (4, 3, 3))
    assert counts(coded.codes.rename("Warmth", "Kindness")) == ((4, 3, 3), (4, 3, 3))


def test_delete_is_refused_while_codings_exist_unless_forced(coded):
    coded.codings.add("interview-01.txt", "Warmth", 10, 20)
    with pytest.raises(InvalidInput) as error:
        coded.codes.delete("Therapist relationship")
    assert str(error.value) == (
        "code 'Therapist relationship' has 1 coding and 0 memos; use --force to delete them "
        "too, or merge it into another code"
    )
    assert coded.codes.delete("Therapist relationship", force=True) == 1
    assert names(coded) == ["Getting referred"]
    assert coded.log(1)[0].action == "delete code (forced)"


@pytest.mark.parametrize("suffix", [".csv", ".yaml"])
def test_export_import_round_trip(coded, tmp_path, suffix):
    from thematica import create_project

    path = tmp_path / f"codebook{suffix}"
    coded.codes.describe("Feeling mothered", 'Care for the mother, "as a daughter"')
    assert coded.codes.export(path) == 4
    with create_project(tmp_path / "other.thematica") as other:
        result = other.codes.import_file(path)
        assert (result.created, result.updated) == (4, 0)
        # The same codes; only their versions differ (the copy's have not been edited).
        assert [c.as_dict() | {"version": 1} for c in other.codes.list()] == [
            c.as_dict() | {"version": 1} for c in coded.codes.list()
        ]
        again = other.codes.import_file(path)
        assert (again.created, again.updated) == (0, 0)


def test_csv_import_with_parent_paths_and_updates(coded, tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text(
        "name,parent,description,colour\n"
        "Chasing,Getting referred,Phoning again and again,\n"
        "Waiting,Getting referred/Chasing,,#123456\n"
        "Warmth,Therapist relationship,Kindness felt,\n",
        encoding="utf-8",
    )
    result = coded.codes.import_file(path)
    assert (result.created, result.updated) == (2, 1)
    assert coded.codes.get("Waiting").path == "Getting referred/Chasing/Waiting"
    assert coded.codes.get("Warmth").description == "Kindness felt"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("label\nx\n", "has no column 'name'; its columns are: label"),
        ("name,parent\nA,B\n", "parent 'B' of 'A' is neither in the file nor in the codebook"),
        ("name,parent\nA,B\nB,A\n", "code 'A' is its own ancestor"),
        ("name,parent\nA,\nA,\n", "code 'A' appears twice"),
        ("name,colour\nA,red\n", "colour 'red' is not of the form #rrggbb"),
    ],
)
def test_bad_codebook_files_change_nothing(coded, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    before = names(coded)
    with pytest.raises(InvalidInput, match=message):
        coded.codes.import_file(path)
    assert names(coded) == before


def test_bad_yaml(coded, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("codes:\n  - name: [unclosed\n")
    with pytest.raises(InvalidInput, match="is not valid YAML at line 3"):
        coded.codes.import_file(path)
    path.write_text("codes:\n  - description: no name\n")
    with pytest.raises(InvalidInput, match="every code needs a 'name'"):
        coded.codes.import_file(path)
    path.write_text("!!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(InvalidInput, match="is not valid YAML"):
        coded.codes.import_file(path)
