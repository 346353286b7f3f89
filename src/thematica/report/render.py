"""Write a Results draft as Markdown, one self-contained HTML page, or a Word document.

>>> write_report(build_report(project), "results.html")

Markdown links its figures, written beside it as PNG files (``results-figure-1.png``);
HTML inlines them as SVG, so the page is one file to send; Word gets real headings (its
Heading styles), a real table and the figures as pictures.
"""

from __future__ import annotations

import html
from pathlib import Path

from thematica.errors import InvalidInput
from thematica.report import charts
from thematica.report.results import Report, ThemeSection

FORMATS = ("md", "html", "docx")


def write_report(report: Report, path: str | Path, format: str | None = None) -> Path:
    """Write ``report`` to ``path``, in ``format`` or the one its suffix names."""
    path = Path(path)
    chosen = format or path.suffix.lower().lstrip(".")
    if chosen == "markdown":
        chosen = "md"
    if chosen not in FORMATS:
        raise InvalidInput(f"write the report as md, html or docx, not {chosen or path.name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    {"md": _markdown, "html": _html, "docx": _docx}[chosen](report, path)
    return path


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
            out += [f"> {quote}", ""]
    out += ["## Appendix: codebook", "", "| code | codings | description |", "| --- | --- | --- |"]
    for code in report.codebook:
        name = "\u00a0\u00a0" * code.depth + code.path.split("/")[-1]
        description = " ".join(code.description.split()).replace("|", "\\|")
        out.append(f"| {name} | {code.codings} | {description} |")
    out.append("")
    for number, chart in enumerate(report.figures, start=1):
        image = path.with_name(f"{path.stem}-figure-{number}.png")
        charts.save(chart.figure, image)
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
"""


def _html(report: Report, path: Path) -> None:
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
        out += [f"<blockquote>{e(quote)}</blockquote>" for quote in theme.quotes]
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
    for number, chart in enumerate(report.figures, start=1):
        out.append(
            f"<figure>{charts.svg_markup(chart.figure)}"
            f"<figcaption>Figure {number}. {e(chart.title)}</figcaption></figure>"
        )
    out.append("</body></html>")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def _docx(report: Report, path: Path) -> None:
    import io

    from docx import Document
    from docx.shared import Cm, Pt

    from thematica.report.render_table import add_to_docx

    document = Document()
    document.core_properties.title = f"{report.title}: results"
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
            document.add_paragraph(quote, style="Quote")
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
    for number, chart in enumerate(report.figures, start=1):
        document.add_heading(f"Figure {number}. {chart.title}", level=2)
        document.add_picture(io.BytesIO(charts.png_bytes(chart.figure)), width=Cm(16))
    document.save(str(path))
