"""Prevalence counted by hand (tests/themes/conftest.py), and the wording scale."""

import pytest

from thematica import InvalidInput, NotFound
from thematica.themes.wording import DEFAULT_SCALE, Rule, Wording, parse_scale


def rows(table):
    return [(r.kind, r.name, r.participants, r.sources, r.codings, r.words) for r in table.rows]


def test_prevalence_in_one_coder_layer(study):
    study.themes.set_wording(noun="woman/women")
    table = study.themes.prevalence(coder="Hannah")
    assert (table.coder, table.participants, table.sources) == ("Hannah", 4, 3)
    assert rows(table) == [
        # codings 1, 3 (Relationship, through Warmth), 4 and 6 (Hidden's Hiding)
        ("theme", "Trust", 2, 2, 4, "two women"),
        ("code", "Relationship", 2, 2, 2, "two women"),
        # coding 4 is the interviewer's, in a joint interview: no one's
        ("subtheme", "Hidden", 1, 2, 2, "one woman"),
        ("code", "Hiding", 1, 2, 2, "one woman"),
        # coding 5 spans Amy's and Beth's turns; coding 7 is in Mother 1's interview
        ("theme", "Place", 3, 2, 2, "most women"),
        ("code", "Home visits", 3, 2, 2, "most women"),
    ]
    assert table.rows[0].cases == ("Mother 1", "Mother 3")
    assert table.rows[4].cases == ("Mother 1", "Mother 3", "Mother 4")
    assert table.rows[1].theme == "Trust"
    assert table.rows[2].theme == "Trust/Hidden"


def test_prevalence_in_every_layer_and_in_another(study):
    together = study.themes.prevalence()
    assert together.coder is None
    assert rows(together)[0] == ("theme", "Trust", 3, 3, 5, "most participants")
    dev = study.themes.prevalence(coder="Dev")
    assert rows(dev) == [
        ("theme", "Trust", 1, 1, 1, "one participant"),
        ("code", "Relationship", 1, 1, 1, "one participant"),
        ("subtheme", "Hidden", 0, 0, 0, "no participants"),
        ("code", "Hiding", 0, 0, 0, "no participants"),
        ("theme", "Place", 0, 0, 0, "no participants"),
        ("code", "Home visits", 0, 0, 0, "no participants"),
    ]
    with pytest.raises(NotFound, match="unknown coder 'Deb' \\(did you mean 'Dev'\\?\\)"):
        study.themes.prevalence(coder="Deb")


def test_prevalence_as_json_ready_dict(sqlite_study):
    data = sqlite_study.themes.prevalence(coder="Hannah").as_dict()
    assert data["participants"] == 4 and data["noun"] == "participant/participants"
    assert data["rows"][0] == {
        "kind": "theme",
        "name": "Trust",
        "theme": "Trust",
        "depth": 0,
        "participants": 2,
        "sources": 2,
        "codings": 4,
        "words": "two participants",
        "cases": ["Mother 1", "Mother 3"],
    }


@pytest.mark.parametrize(
    ("n", "total", "words"),
    [
        (0, 12, "no women"),
        (1, 12, "one woman"),
        (2, 12, "two women"),
        (3, 12, "some women"),  # 0.25
        (5, 12, "some women"),  # 0.417
        (6, 12, "many women"),  # exactly half: no longer "some"
        (8, 12, "many women"),  # 0.667
        (9, 12, "most women"),  # exactly three quarters: no longer "many"
        (11, 12, "most women"),
        (12, 12, "all women"),
        (2, 2, "all women"),  # "all" is tried before the small counts
        (1, 1, "all women"),
        (3, 4, "most women"),
        (2, 4, "two women"),
        (0, 0, "no women"),
    ],
)
def test_default_scale_boundaries(n, total, words):
    assert Wording("woman", "women").words(n, total) == words


def test_counts_outside_the_study_are_refused():
    with pytest.raises(InvalidInput, match="a count of 5 participants out of 4 is impossible"):
        Wording().words(5, 4)


def test_custom_scale_from_toml_with_placeholders(sqlite_study, tmp_path):
    path = tmp_path / "scale.toml"
    path.write_text(
        'noun = "mother/mothers"\n\n'
        '[[scale]]\nall = true\nwords = "every {singular}"\n\n'
        '[[scale]]\nbelow = 0.5\nwords = "{number} of the {total} {plural}"\n\n'
        '[[scale]]\nwords = "{n} {noun}"\n'
    )
    wording = sqlite_study.themes.set_wording(scale=path)
    assert [wording.words(n, 4) for n in range(5)] == [
        "no of the 4 mothers",
        "one of the 4 mothers",
        "2 mothers",
        "3 mothers",
        "every mother",
    ]
    # Stored in the project: a new read gives the same words.
    assert sqlite_study.themes.wording() == wording
    assert sqlite_study.setting("participant_noun") == "mother/mothers"
    assert sqlite_study.themes.prevalence(coder="Hannah").rows[0].words == "2 mothers"
    sqlite_study.undo()
    assert sqlite_study.themes.wording() == Wording()


def test_custom_scale_from_yaml_and_back_to_default(sqlite_study, tmp_path):
    path = tmp_path / "scale.yaml"
    path.write_text("scale:\n  - count: 1\n    words: a single {singular}\n  - words: '{n}'\n")
    sqlite_study.themes.set_wording(noun="woman/women", scale=path)
    assert sqlite_study.themes.wording().words(1, 4) == "a single woman"
    restored = sqlite_study.themes.set_wording(default=True)
    assert restored == Wording("woman", "women", DEFAULT_SCALE)
    assert restored.is_default_scale


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ([], "the scale must be a non-empty list of rules"),
        ([{"count": 1, "words": "one"}], "the last rule must have no condition"),
        ([{"words": "{people}"}], "rule 1: words '{people}' use an unknown placeholder 'people'"),
        ([{"below": 1.5, "words": "x"}, {"words": "y"}], "below must be a share between 0 and 1"),
        ([{"count": 1, "all": True, "words": "x"}, {"words": "y"}], "give one of count, all"),
        ([{"count": "two", "words": "x"}, {"words": "y"}], "count must be a whole number"),
        ([{"all": False, "words": "x"}, {"words": "y"}], "write all = true"),
        ([{"most": 0.5, "words": "x"}], "unknown key 'most'"),
        ([{"count": 1}], "every rule needs its 'words'"),
    ],
)
def test_bad_scales_are_refused(rules, message):
    with pytest.raises(InvalidInput, match=message.replace("(", "\\(").replace("{", "\\{")):
        parse_scale(rules)


def test_parse_scale_reads_rules():
    assert parse_scale([{"count": 0, "words": "none"}, {"words": "{n}"}]) == (
        Rule("none", count=0),
        Rule("{n}"),
    )


def test_bad_nouns_and_files(sqlite_study, tmp_path):
    with pytest.raises(InvalidInput, match="should be singular/plural"):
        sqlite_study.themes.set_wording(noun="woman/")
    assert sqlite_study.themes.set_wording(noun="participant").plural == "participants"
    with pytest.raises(InvalidInput, match="give a participant noun, a scale file, or --default"):
        sqlite_study.themes.set_wording()
    bad = tmp_path / "scale.json"
    bad.write_text("{}")
    with pytest.raises(InvalidInput, match="use a .toml or .yaml scale file"):
        sqlite_study.themes.set_wording(scale=bad)
    broken = tmp_path / "scale.toml"
    broken.write_text("scale = [\n")
    with pytest.raises(InvalidInput, match="is not valid TOML"):
        sqlite_study.themes.set_wording(scale=broken)


def test_a_case_with_no_data_is_not_in_n_and_a_group_interviewer_is_no_one(sqlite_study):
    from thematica.themes.participants import Participants

    with sqlite_study.read() as conn:
        people = Participants(conn)
    assert [people.labels[c] for c in people.with_data()] == [
        "Mother 1",
        "Mother 2",
        "Mother 3",
        "Mother 4",
    ]
