"""Figures: the thematic map and the charts, as SVG and PNG, from a small study."""

import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from thematica import InvalidInput, ThematicaError
from thematica.report import charts
from thematica.report.results import map_of

from .test_results import study  # noqa: F401  (the fixture)

THEMATICA = str(Path(sys.executable).with_name("thematica"))


# Matplotlib draws words as paths and keeps each text in an SVG comment beside it, so
# the words can be found in the markup.


def test_the_thematic_map_draws_each_theme_and_code(study, tmp_path):  # noqa: F811
    figure = map_of(study, "A small study")
    svg = charts.svg_markup(figure)
    ElementTree.fromstring(svg)  # well-formed
    for words in ("A small study", "Feeling mothered", "Seeing herself", "Warmth", "Video"):
        assert words in svg, words
    png = charts.save(figure, tmp_path / "map.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    with pytest.raises(InvalidInput, match="a .svg or .png file, not map.gif"):
        charts.save(figure, tmp_path / "map.gif")


def test_a_map_needs_themes(sqlite_project):
    with pytest.raises(InvalidInput, match="no themes to draw"):
        map_of(sqlite_project)


def test_charts_name_their_groups_and_codes(study):  # noqa: F811
    svg = charts.svg_markup(charts.code_frequency(study, "location"))
    for words in ("Codes by location", "Rural (n = 1)", "Urban (n = 1)", "Warmth"):
        assert words in svg, words
    heat = charts.svg_markup(charts.cooccurrence(study))
    assert "Codes on the same passage" in heat and "Video" in heat
    with pytest.raises(ThematicaError, match="unknown attribute 'locaton'"):
        charts.code_frequency(study, "locaton")


def test_the_map_command_writes_svg(study, tmp_path):  # noqa: F811
    path = study.location
    result = subprocess.run(
        [THEMATICA, "-p", str(path), "themes", "map", "--out", str(tmp_path / "m.svg")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Wrote the thematic map to {tmp_path / 'm.svg'}\n"
    assert "Feeling mothered" in (tmp_path / "m.svg").read_text()
