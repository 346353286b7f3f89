"""A Table 1 spec kept in the project: stored as its TOML text, refused whole when it is
not valid or does not fit the participants, one undoable event, and read back as the
same spec a file gives."""

import pytest

from tests.report.conftest import SPEC
from thematica import InvalidInput
from thematica.report.table1 import (
    demographics,
    read_spec,
    spec_from_toml,
    store_spec,
    stored_spec,
    stored_spec_text,
)


def test_kept_spec_lays_out_the_table_as_the_file_does(study, files):
    assert stored_spec(study) is None
    assert stored_spec_text(study) == ""
    made = store_spec(study, SPEC)
    assert stored_spec_text(study) == SPEC
    kept = stored_spec(study)
    from_file = read_spec(files / "table1.toml")
    assert kept == made
    assert kept.variables == from_file.variables and kept.title == from_file.title
    assert kept.source == "the project's Table 1 spec"
    assert demographics(study, kept) == demographics(study, from_file)
    event = study.log(1)[0]
    assert (event.action, event.target, event.before, event.after) == (
        "set table1 spec",
        "5 variables",
        {"spec": ""},
        {"spec": SPEC},
    )


def test_blank_goes_back_to_the_layout_by_type_and_undo_restores(study):
    store_spec(study, SPEC)
    assert store_spec(study, "  \n") is None
    assert stored_spec(study) is None
    assert study.log(1)[0].target == "the layout by attribute type"
    study.undo()
    assert stored_spec_text(study) == SPEC
    study.undo()
    assert stored_spec(study) is None


def test_a_spec_before_any_participant_is_checked_only_for_its_form(project):
    store_spec(project, '[[variable]]\ncolumn = "age"\n')
    assert [v.column for v in stored_spec(project).variables] == ["age"]
    with pytest.raises(InvalidInput, match="no variables"):
        store_spec(project, 'title = "T"\n')


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[variable]\n", "^the project's Table 1 spec is not valid TOML: "),
        ('[[variable]]\ncolumn = "agee"\n', "unknown column 'agee' \\(did you mean 'age'\\?\\)"),
        (
            '[[variable]]\ncolumn = "age"\nbins = [{label = "young", max = 25}]\n',
            "^the project's Table 1 spec, variable 1 \\(age\\): Mother 2 has age 31, which falls in no bin",
        ),
        (
            '[[variable]]\ncolumn = "education"\nbins = [{label = "x", max = 1}]\n',
            "bins need a numeric column",
        ),
    ],
)
def test_a_bad_spec_is_refused_and_the_kept_one_stays(study, text, message):
    store_spec(study, SPEC)
    events = study.log(None)
    with pytest.raises(InvalidInput, match=message):
        store_spec(study, text)
    assert stored_spec_text(study) == SPEC
    assert study.log(None) == events


def test_toml_text_and_file_give_the_same_messages(tmp_path):
    (tmp_path / "bad.toml").write_text("[[variable]\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as from_file:
        read_spec(tmp_path / "bad.toml")
    with pytest.raises(InvalidInput) as from_text:
        spec_from_toml("[[variable]\n", str(tmp_path / "bad.toml"))
    assert str(from_file.value) == str(from_text.value)
