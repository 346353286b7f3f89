"""The report screen through the app's test client: the Results draft shown in the page
within its Content-Security-Policy, the CLI's options, and the downloads in each format
(the URL contract: GET /report/download?format=md|html|docx)."""

import io
import re

import pytest

from tests.conftest import DEMO
from thematica.report.render import write_report
from thematica.report.results import build_report
from thematica.report.table1 import store_spec
from thematica.web.reports import file_stem, preview_html

FETCH = {"X-Thematica": "fetch"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def themed(demo):
    """The demo with a theme, so that the coder layer changes what the report says."""
    demo.themes.add(
        "Being seen", definition="Feeling noticed as a mother.", codes=["Getting referred"]
    )
    return demo


def test_the_preview_is_the_report_made_fit_for_the_page(client, themed):
    response = client.get("/report")
    assert response.status_code == 200
    page = response.text
    preview = re.search(r'<article id="report-preview".*?</article>', page, re.S).group(0)
    # The report's own headings sit one level under the page's.
    assert "<h2>Parent-infant team study: results</h2>" in preview
    assert "<h3>Method</h3>" in preview and "<h3>Themes</h3>" in preview
    assert "<h4>Being seen</h4>" in preview
    assert "<p>Feeling noticed as a mother.</p>" in preview
    assert '<p class="prevalence">Drawn on by ' in preview
    assert '<table class="thematica-table1">' in preview
    # Figures are pictures from this server; nothing the CSP would refuse is left.
    figures = re.findall(r'<img src="(/report/figures/\d\.png)" alt="([^"]+)">', preview)
    assert figures == [
        ("/report/figures/1.png", "Thematic map"),
        ("/report/figures/2.png", "Codes by location"),
        ("/report/figures/3.png", "Code co-occurrence"),
    ]
    for refused in ("style=", "<style", "<svg", "onload", "xlink"):
        assert refused not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert 'aria-current="page">Report</a>' in page
    # Downloads in each format, named after the study.
    for format in ("docx", "html", "md"):
        assert (
            f'<a id="download-{format}" href="/report/download?format={format}" '
            f'download="parent-infant-team-study-report.{format}">'
        ) in page


def test_the_options_are_the_clis(client, themed):
    dev = client.get(
        "/report", params={"coder": "Dev", "attribute": "highest_education", "title": "Being seen"}
    ).text
    hannah = client.get("/report", params={"coder": "Hannah"}).text

    def prevalence(page):
        return re.search(r'<p class="prevalence">([^<]*)</p>', page).group(1)

    assert prevalence(dev) != prevalence(hannah)
    expected = build_report(themed, coder="Dev")
    assert prevalence(dev) == expected.themes[0].prevalence
    assert "<h2>Being seen: results</h2>" in dev
    assert 'alt="Codes by highest_education"' in dev
    assert (
        "/report/figures/1.png?coder=Dev&amp;attribute=highest_education&amp;title=Being+seen"
        in dev
    )
    assert "<option selected>Dev</option>" in dev
    assert (
        'href="/report/download?format=docx&amp;coder=Dev&amp;attribute=highest_education&amp;title=Being+seen"'
        in dev
    )


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        (
            {"coder": "Nobody"},
            404,
            "no codings by 'Nobody' to report on: choose one of Dev, Hannah, or all coders",
        ),
        (
            {"attribute": "height"},
            404,
            "unknown attribute 'height' to group the code chart by: choose one of age,",
        ),
    ],
)
def test_bad_options_are_refused(client, themed, params, status, message):
    for url, extra in (
        ("/report", {}),
        ("/report/download", {"format": "md"}),
        ("/report/figures/1.png", {}),
    ):
        response = client.get(url, params={**params, **extra}, headers=FETCH)
        assert response.status_code == status
        assert response.text.startswith(message)
        assert "\n" not in response.text


@pytest.mark.parametrize(
    ("format", "media_type"),
    [("md", "text/markdown; charset=utf-8"), ("html", "text/html; charset=utf-8"), ("docx", DOCX)],
)
def test_downloads_in_each_format(client, themed, demo_path, tmp_path, format, media_type):
    folder = sorted(demo_path.parent.iterdir())
    response = client.get("/report/download", params={"format": format, "coder": "Hannah"})
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.headers["content-disposition"] == (
        f'attachment; filename="parent-infant-team-study-report.{format}"'
    )
    # Written to a temporary folder, never beside the project.
    assert sorted(demo_path.parent.iterdir()) == folder
    expected = write_report(build_report(themed, coder="Hannah"), tmp_path / f"r.{format}")
    if format == "md":
        # The Markdown links its figures by the downloaded file's name.
        text = response.content.decode("utf-8")
        assert "![Thematic map](parent-infant-team-study-report-figure-1.png)" in text
        assert text == expected.read_text(encoding="utf-8").replace(
            "r-figure-", "parent-infant-team-study-report-figure-"
        )
    elif format == "html":
        assert response.text.startswith("<!doctype html>")
        assert "<h1>Parent-infant team study: results</h1>" in response.text
        assert response.text.count("<svg") == 3
    else:
        from docx import Document

        document = Document(io.BytesIO(response.content))
        headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
        assert headings[:3] == ["Method", "Participants", "Themes"]
        assert "Being seen" in headings


@pytest.mark.parametrize("query", ["format=pdf", "format=", "format=DOCX", "format=md&format=../x"])
def test_a_bad_format_is_a_400_with_one_line(client, query):
    response = client.get(f"/report/download?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert re.fullmatch(
        r"cannot download the report as '[^']*': ask for format=md, html or docx", response.text
    )
    assert "content-disposition" not in response.headers


def test_a_missing_format_is_a_400(client):
    response = client.get("/report/download", headers=FETCH)
    assert response.status_code == 400
    assert response.text == "Bad request: format: Field required"


def test_figures_are_pngs(client, themed):
    response = client.get("/report/figures/2.png", params={"coder": "Hannah"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    missing = client.get("/report/figures/4.png", headers=FETCH)
    assert (missing.status_code, missing.text) == (404, "no figure 4: the report has 3")


def test_table1_follows_the_kept_spec_and_a_change_shows_at_once(client, themed):
    assert '<th scope="rowgroup" colspan="2">Age</th>' in client.get("/report").text
    store_spec(themed, (DEMO / "table1.toml").read_text(encoding="utf-8"))
    page = client.get("/report").text
    assert '<th scope="rowgroup" colspan="2">Age (years)</th>' in page
    assert "Table 1 is laid out by the spec kept in the project" in page
    # A value the spec has no bin for: the page says why there is no report.
    themed.cases.set_value("3", "age", "16")
    page = client.get("/report").text
    assert (
        "The report cannot be built: the project&#39;s Table 1 spec, variable 1 (age): Mother 3 has age 16"
        in page
    )
    assert 'id="report-preview"' not in page
    download = client.get("/report/download?format=docx")
    assert download.status_code == 400
    assert download.text.startswith(
        "the project's Table 1 spec, variable 1 (age): Mother 3 has age 16"
    )


def test_preview_html_keeps_only_what_the_page_allows():
    dirty = (
        "<!doctype html><html><head><style>p{}</style><script>alert(1)</script></head><body>"
        '<h1 onclick="x()">T</h1><p style="color: red">a<script>alert(2)</script></p>'
        '<a href="javascript:alert(3)">link</a><img src="http://elsewhere.example/x.png">'
        '<td style="text-align: right; padding-left: 2.6em">1</td>'
        '<figure><svg><style>.a{}</style><path d="M0 0"/></svg><figcaption>F</figcaption></figure>'
        '<iframe src="/"></iframe>'
        '<p class="provenance"><a href="http://127.0.0.1:8765/sources/a%20b.txt#3-9">[3, 9)</a></p>'
        '<a href="https://elsewhere.example/">away</a><a href="//elsewhere.example/x">far</a>'
        '<a href="/\\elsewhere.example/x">slant</a>'
        "</body></html>"
    )
    assert str(preview_html(dirty, [("/report/figures/1.png", "F")])) == (
        "<h2>T</h2><p>a</p><a>link</a><img>1"
        '<figure><img src="/report/figures/1.png" alt="F"><figcaption>F</figcaption></figure>'
        # A quote's link to its passage goes to this server's reader, whatever the port.
        '<p class="provenance"><a href="/sources/a%20b.txt#3-9">[3, 9)</a></p>'
        "<a>away</a><a>far</a><a>slant</a>"
    )


@pytest.mark.parametrize(
    ("study", "stem"),
    [
        ("Parent-infant team study", "parent-infant-team-study-report"),
        ("Étude № 2", "etude-no-2-report"),
        ("???", "study-report"),
    ],
)
def test_file_stem(study, stem):
    assert file_stem(study) == stem
