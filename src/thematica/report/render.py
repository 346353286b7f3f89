"""Write a Results draft as Markdown, one self-contained HTML page, or a Word document.

>>> write_report(build_report(project), "results.html")

Markdown links its figures, written beside it as PNG files (``results-figure-1.png``);
HTML inlines them as SVG, so the page is one file to send; Word gets real headings (its
Heading styles), a real table and the figures as pictures.

Under each quote is where it comes from (source, span, coder, time in the recording),
and an appendix lists every quote so; in HTML the source links to the passage in the
browser workbench (``thematica serve``). Written twice from the same project, each
format gives the same bytes (see :mod:`thematica.report.results`).
"""

from __future__ import annotations

import html
import io
import zipfile
from datetime import datetime
from pathlib import Path
from urllib.parse import quote as url_quote

from thematica.errors import InvalidInput
from thematica.report import charts
from thematica.report.results import Report, ReportQuote, ThemeSection

FORMATS = ("md", "html", "docx")
# Where `thematica serve` listens unless told another port: quotes link to its reader.
READER = "http://127.0.0.1:8765"


def write_report(
    report: Report, path: str | Path, format: str | None = None, reader: str = READER
) -> Path:
    """Write ``report`` to ``path``, in ``format`` or the one its suffix names. In HTML,
    each quote links to its passage in the browser workbench at ``reader``."""
    path = Path(path)
    chosen = format or path.suffix.lower().lstrip(".")
    if chosen == "markdown":
        chosen = "md"
    if chosen not in FORMATS:
        raise InvalidInput(f"write the report as md, html or docx, not {chosen or path.name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if chosen == "html":
        _html(report, path, reader.rstrip("/"))
    else:
        {"md": _markdown, "docx": _docx}[chosen](report, path)
    return path


def reader_link(reader: str, quote: ReportQuote) -> str:
    """The quote's passage in the browser workbench, selected when the reader opens:
    ``/sources/NAME#span-START-END``."""
    return f"{reader}/sources/{url_quote(quote.source, safe='')}#span-{quote.start}-{quote.end}"


PROVENANCE_COLUMNS = ("quote", "participant", "source", "span", "coder", "time", "theme")


def _provenance_row(quote: ReportQuote) -> list[str]:
    return [
        quote.label, quote.attribution, quote.source, quote.span,
        quote.coder or "(coding removed)", quote.clock or "", quote.theme,
    ]  # fmt: skip


def _walk(themes: list[ThemeSection], depth: int = 0):
    for theme in themes:
        yield depth, theme
        yield from _walk(theme.subthemes, depth + 1)


def _heading(theme: ThemeSection) -> str:
    return theme.name + (" (contextual theme)" if theme.contextual else "")


def _markdown(report: Report, path: Path) -> None:
    out = [f"# {report.title}: results", "", "## Method", "", report.methods, ""]
    if report.table1 is not None:
        out += ["## Participants", "", report.table1.to_markdown(), ""]
    out += ["## Themes", ""]
    for depth, theme in _walk(report.themes):
        out += [f"{'#' * (3 + min(depth, 2))} {_heading(theme)}", ""]
        if theme.definition:
            out += [theme.definition, ""]
        out += [theme.prevalence, ""]
        for quote in theme.quotes:
            out += [f"> {quote.text}", "", f"*{quote.provenance()}*", ""]
    out += ["## Appendix: codebook", "", "| code | codings | description |", "| --- | --- | --- |"]
    for code in report.codebook:
        name = "\u00a0\u00a0" * code.depth + code.path.split("/")[-1]
        description = " ".join(code.description.split()).replace("|", "\\|")
        out.append(f"| {name} | {code.codings} | {description} |")
    out.append("")
    if report.quotes:
        out += ["## Appendix: where the quotes come from", "", report.as_of, ""]
        out += [
            "| " + " | ".join(PROVENANCE_COLUMNS) + " |",
            "|" + " --- |" * len(PROVENANCE_COLUMNS),
        ]
        for quote in report.quotes:
            cells = [c.replace("|", "\\|") for c in _provenance_row(quote)]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    for number, chart in enumerate(report.figures, start=1):
        image = path.with_name(f"{path.stem}-figure-{number}.png")
        charts.save(chart.figure, image, report.stamp)
        out += [f"## Figure {number}. {chart.title}", "", f"![{chart.title}]({image.name})", ""]
    path.write_text("\n".join(out), encoding="utf-8")


STYLE = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 46em; margin: 2em auto;
       padding: 0 1em; color: #222; line-height: 1.5; }
h1, h2, h3, h4 { font-family: 'Helvetica Neue', Arial, sans-serif; line-height: 1.25; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: .2em; }
blockquote { margin: 1em 0 1em 1.5em; padding-left: 1em; border-left: 3px solid #c9b79c;
             font-style: italic; }
table { border-collapse: collapse; margin: 1em 0; font-size: .92em; }
th, td { padding: .25em .6em; border-bottom: 1px solid #e5e5e5; vertical-align: top; }
caption { text-align: left; font-weight: bold; padding-bottom: .4em; }
.prevalence { color: #555; } figure { margin: 2em 0; } figure svg { max-width: 100%;
height: auto; } figcaption { font-weight: bold; }
.provenance { font-size: .85em; color: #555; margin: -.6em 0 1em 2.6em; }
"""


def _html(report: Report, path: Path, reader: str) -> None:
    e = html.escape
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(report.title)}: results</title><style>{STYLE}</style></head><body>",
        f"<h1>{e(report.title)}: results</h1>",
        "<h2>Method</h2>",
        f"<p>{e(report.methods)}</p>",
    ]
    if report.table1 is not None:
        out += ["<h2>Participants</h2>", report.table1.to_html()]
    out.append("<h2>Themes</h2>")
    for depth, theme in _walk(report.themes):
        level = 3 + min(depth, 2)
        out.append(f"<h{level}>{e(_heading(theme))}</h{level}>")
        if theme.definition:
            out.append(f"<p>{e(theme.definition)}</p>")
        out.append(f'<p class="prevalence">{e(theme.prevalence)}</p>')
        for quote in theme.quotes:
            link = e(reader_link(reader, quote))
            out += [
                f'<blockquote cite="{link}">{e(quote.text)}</blockquote>',
                f'<p class="provenance"><a href="{link}">{e(quote.provenance())}</a></p>',
            ]
    out += [
        "<h2>Appendix: codebook</h2>",
        "<table><thead><tr><th>code</th><th>codings</th><th>description</th></tr></thead>",
        "<tbody>",
    ]
    for code in report.codebook:
        indent = f' style="padding-left: {0.6 + 1.2 * code.depth:.1f}em"'
        out.append(
            f"<tr><td{indent}>{e(code.path.split('/')[-1])}</td>"
            f'<td style="text-align: right">{code.codings}</td>'
            f"<td>{e(' '.join(code.description.split()))}</td></tr>"
        )
    out.append("</tbody></table>")
    if report.quotes:
        out += [
            "<h2>Appendix: where the quotes come from</h2>",
            f"<p>{e(report.as_of)}</p>",
            "<table><thead><tr>"
            + "".join(f"<th>{c}</th>" for c in PROVENANCE_COLUMNS)
            + "</tr></thead><tbody>",
        ]
        for quote in report.quotes:
            cells = [e(c) for c in _provenance_row(quote)]
            cells[2] = f'<a href="{e(reader_link(reader, quote))}">{cells[2]}</a>'
            out.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        out.append("</tbody></table>")
    for number, chart in enumerate(report.figures, start=1):
        out.append(
            f"<figure>{charts.svg_markup(chart.figure, report.stamp)}"
            f"<figcaption>Figure {number}. {e(chart.title)}</figcaption></figure>"
        )
    out.append("</body></html>")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def _docx(report: Report, path: Path) -> None:
    from docx import Document
    from docx.shared import Cm, Pt

    from thematica import __version__
    from thematica.report.render_table import add_to_docx

    document = Document()
    properties = document.core_properties
    properties.title = f"{report.title}: results"
    properties.author = f"Thematica {__version__}"
    properties.comments = report.as_of
    properties.last_modified_by = ""
    properties.revision = 1
    # Naive UTC: python-docx writes these with a Z.
    properties.created = properties.modified = report.stamp.replace(tzinfo=None)
    document.add_heading(f"{report.title}: results", level=0)
    document.add_heading("Method", level=1)
    document.add_paragraph(report.methods)
    if report.table1 is not None:
        document.add_heading("Participants", level=1)
        add_to_docx(document, report.table1)
    document.add_heading("Themes", level=1)
    for depth, theme in _walk(report.themes):
        document.add_heading(_heading(theme), level=2 + min(depth, 2))
        if theme.definition:
            document.add_paragraph(theme.definition)
        document.add_paragraph(theme.prevalence).runs[0].italic = True
        for quote in theme.quotes:
            document.add_paragraph(quote.text, style="Quote")
            document.add_paragraph().add_run(quote.provenance()).font.size = Pt(8)
    document.add_heading("Appendix: codebook", level=1)
    grid = document.add_table(rows=1 + len(report.codebook), cols=3)
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, ("code", "codings", "description"), strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    for row, code in zip(grid.rows[1:], report.codebook, strict=True):
        name, count, description = (c.paragraphs[0] for c in row.cells)
        name.add_run(code.path.split("/")[-1])
        name.paragraph_format.left_indent = Cm(0.4 * code.depth)
        count.add_run(str(code.codings))
        description.add_run(" ".join(code.description.split())).font.size = Pt(9)
    if report.quotes:
        document.add_heading("Appendix: where the quotes come from", level=1)
        document.add_paragraph(report.as_of)
        sources = document.add_table(rows=1 + len(report.quotes), cols=len(PROVENANCE_COLUMNS))
        sources.style = "Table Grid"
        for cell, text in zip(sources.rows[0].cells, PROVENANCE_COLUMNS, strict=True):
            cell.paragraphs[0].add_run(text).bold = True
        for row, quote in zip(sources.rows[1:], report.quotes, strict=True):
            for cell, text in zip(row.cells, _provenance_row(quote), strict=True):
                cell.paragraphs[0].add_run(text).font.size = Pt(8)
    for number, chart in enumerate(report.figures, start=1):
        document.add_heading(f"Figure {number}. {chart.title}", level=2)
        picture = charts.png_bytes(chart.figure, report.stamp)
        document.add_picture(io.BytesIO(picture), width=Cm(16))
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(_fixed_dates(buffer.getvalue(), report.stamp))


def _fixed_dates(docx: bytes, stamp: datetime) -> bytes:
    """The package with every zip entry dated ``stamp`` (python-docx dates them now),
    so the same report is the same file."""
    when = max(stamp.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = entry.external_attr
            target.writestr(info, source.read(entry))
    return out.getvalue()
