"""The report screen: a preview of the Results section and its downloads.

* ``GET /report?coder=&attribute=&title=``: the Results draft as `thematica report`
  writes it (with the same options), shown in the page; Table 1 follows the spec kept
  in the project (see the cases screen).
* ``GET /report/download?format=md|html|docx`` (and the same options): the file, as
  an attachment named ``<study>-report.<format>``; a bad format is a 400 with one line.
  The file is written to a temporary folder, never beside the project.
* ``GET /report/figures/N.png`` (and the same options): figure N of the preview.

The HTML report is one self-contained page with its own ``<style>``, inline styles and
inline SVG figures, none of which the workbench's Content-Security-Policy lets run;
:func:`preview_html` makes it fit the page.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import nh3
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from lxml import html as lxml_html
from markupsafe import Markup

from thematica.errors import InvalidInput, NotFound, ThematicaError
from thematica.report import charts
from thematica.report.render import FORMATS, write_report
from thematica.report.results import build_report
from thematica.report.table1 import stored_spec, stored_spec_text
from thematica.team.permissions import Permission
from thematica.web import views
from thematica.web.access import project_of, refuse_blind, requires
from thematica.web.app import local, page
from thematica.web.security import LOCAL_NAMES

if TYPE_CHECKING:
    from thematica.project import Project
    from thematica.report.results import Report

router = APIRouter()

OptionalQuery = Annotated[str | None, Query()]
MEDIA_TYPES = {
    "md": "text/markdown",
    "html": "text/html",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

# What a preview may hold once sanitised: the report's structure, and no attribute that
# could load, run or style anything but the figures' images from this server.
_TAGS = {
    "h2", "h3", "h4", "h5", "h6", "p", "blockquote", "em", "strong", "br", "a",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
    "figure", "figcaption", "img",
}  # fmt: skip
_ATTRIBUTES = {
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "img": {"src", "alt"},
    "a": {"href"},
}
_INDENTS = 6  # indent-1 .. indent-6 in app.css
_CLASSES = {
    "p": {"prevalence", "provenance"},
    "table": {"thematica-table1"},
    "th": {"num"},
    "td": {"num", *(f"indent-{n}" for n in range(1, _INDENTS + 1))},
}
_PADDING = re.compile(r"padding-left:\s*([\d.]+)em")


def preview_html(document: str, figure_src: list[tuple[str, str]] | None = None) -> Markup:
    """A report's HTML (a whole page, or the Table 1 fragment) made fit for a workbench
    page under its Content-Security-Policy.

    Headings go one level down (the page keeps its own ``<h1>``); inline styles become
    the classes app.css styles alike (right-aligned numbers, indents to the nearest
    em); links to a workbench become links to this one; each inline SVG figure becomes
    an ``<img>`` of ``figure_src`` (its URL and alt text, in order); then nh3 keeps
    only the tags, attributes and classes above. The
    rewriting is done here, on lxml's tree, because no sanitiser turns a style into a
    class or a drawing into a picture; the sanitising itself is nh3's.
    """
    root = lxml_html.document_fromstring(document)
    body = root.find("body")
    if body is None:
        return Markup("")
    for element in body.iter():
        if not isinstance(element.tag, str):
            continue
        if re.fullmatch(r"h[1-5]", element.tag):
            element.tag = f"h{int(element.tag[1]) + 1}"
        style = element.attrib.pop("style", "")
        classes = element.get("class", "").split()
        if "text-align: right" in style:
            classes.append("num")
        indent = _PADDING.search(style)
        if indent and round(float(indent.group(1))) > 0:
            classes.append(f"indent-{min(round(float(indent.group(1))), _INDENTS)}")
        if classes:
            element.set("class", " ".join(classes))
    for link in body.iter("a"):
        # A quote's link to its passage in the workbench: to this server, whatever
        # port the report was written for; a link elsewhere keeps only its words.
        href = link.attrib.pop("href", "")
        parts = urlsplit(href)
        if parts.hostname in LOCAL_NAMES:
            href = urlunsplit(("", "", parts.path, parts.query, parts.fragment))
        if local(href, ""):
            link.set("href", href)
    for figure, (src, alt) in zip(list(body.iter("figure")), figure_src or [], strict=False):
        for drawing in figure.findall("svg"):
            image = lxml_html.Element("img", src=src, alt=alt)
            drawing.addprevious(image)
            figure.remove(drawing)
    inner = (body.text or "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in body
    )
    cleaned = nh3.clean(
        inner,
        tags=_TAGS,
        clean_content_tags={"script", "style", "svg"},
        attributes=_ATTRIBUTES,
        allowed_classes=_CLASSES,
        url_schemes=set(),  # only this server's own paths
        link_rel=None,
    )
    return Markup(cleaned)


# -- the options, the report, and a cache of the last one built ---------------------------


@dataclass(frozen=True)
class Options:
    """What `thematica report` takes besides the file: the coder layer prevalence and
    quotes count, the attribute the code chart groups by, and the title."""

    coder: str | None = None
    attribute: str | None = None
    title: str | None = None

    @property
    def query(self) -> str:
        return urlencode({k: v for k, v in vars(self).items() if v})


def layers(project: Project) -> list[str]:
    """The coder layers that have codings (the consensus layer too)."""
    return sorted({c.coder for c in project.codings.list()})


def _options(
    project: Project, coder: str | None, attribute: str | None, title: str | None
) -> Options:
    coder, attribute, title = (v.strip() if v else None for v in (coder, attribute, title))
    if coder and coder not in layers(project):
        raise NotFound(
            f"no codings by {coder!r} to report on: choose one of "
            f"{', '.join(layers(project)) or '(no coder has coded yet)'}, or all coders"
        )
    names = [a.name for a in project.cases.attributes()]
    if attribute and attribute not in names:
        raise NotFound(
            f"unknown attribute {attribute!r} to group the code chart by: choose one of "
            f"{', '.join(names) or '(none: import the participants first)'}"
        )
    return Options(coder or None, attribute or None, title or None)


@dataclass
class _Built:
    """A report with what was drawn from it so far: the preview, the figures as PNG and
    the files downloaded, each kept for as long as the report is."""

    report: Report
    preview: Markup
    pictures: dict[int, bytes] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)


# Building a report draws its figures (seconds, for the demo study): the last one
# built is kept until the project changes (a new audit event) or other options are
# asked for. The lock also keeps two threads from drawing one figure at once, which
# matplotlib does not allow.
_LOCK = threading.Lock()


def _version(project: Project) -> int:
    events = project.log(1)
    return events[0].id if events else 0


def _built(request: Request, options: Options) -> _Built:
    project: Project = project_of(request)
    # Its exemplar quotes may come from other coders' codings of double-coded sources.
    refuse_blind(project, "the report and its quotes")
    key = (options, _version(project))
    with _LOCK:
        held = getattr(request.app.state, "report", None)
        if held is not None and held[0] == key:
            return held[1]
        report = build_report(
            project, options.coder, options.attribute, options.title, stored_spec(project)
        )
        figures = [
            (f"/report/figures/{n}.png?{options.query}".rstrip("?"), chart.title)
            for n, chart in enumerate(report.figures, start=1)
        ]
        with TemporaryDirectory(prefix="thematica-preview-") as folder:
            written = write_report(report, Path(folder) / "preview.html")
            preview = preview_html(written.read_text(encoding="utf-8"), figures)
        built = _Built(report, preview)
        request.app.state.report = (key, built)
        return built


def file_stem(study: str) -> str:
    """The downloads' name: ``Parent-infant team study`` -> ``parent-infant-team-study-report``."""
    flat = unicodedata.normalize("NFKD", study).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", flat.lower()).strip("-")
    return f"{slug or 'study'}-report"


# -- the routes ---------------------------------------------------------------------------


@router.get("/report", response_class=HTMLResponse, dependencies=[requires(Permission.READ)])
def report_page(
    request: Request,
    coder: OptionalQuery = None,
    attribute: OptionalQuery = None,
    title: OptionalQuery = None,
) -> Response:
    project: Project = project_of(request)
    options = _options(project, coder, attribute, title)
    context: dict[str, Any] = {"built": None, "problem": None}
    try:
        context["built"] = _built(request, options)
    except ThematicaError as error:  # a kept Table 1 spec that no longer fits, say
        context["problem"] = str(error)
    undo = views.undo_of(project)
    return page(
        request,
        "report.html",
        nav="report",
        undo=undo,
        options=options,
        layers=layers(project),
        attributes=project.cases.attributes(),
        spec_kept=bool(stored_spec_text(project).strip()),
        stem=file_stem(request.app.state.study),
        formats=(("docx", "Word (.docx)"), ("html", "Web page (.html)"), ("md", "Markdown (.md)")),
        **context,
    )


@router.get("/report/download", dependencies=[requires(Permission.READ)])
def report_download(
    request: Request,
    format: Annotated[str, Query()],
    coder: OptionalQuery = None,
    attribute: OptionalQuery = None,
    title: OptionalQuery = None,
) -> Response:
    # A download answers a file, or one line of text saying why not.
    try:
        if format not in FORMATS:
            raise InvalidInput(
                f"cannot download the report as {format!r}: ask for format=md, html or docx"
            )
        options = _options(project_of(request), coder, attribute, title)
        built = _built(request, options)
    except ThematicaError as error:
        status = 404 if isinstance(error, NotFound) else 400
        return PlainTextResponse(str(error), status, headers={"cache-control": "no-store"})
    name = f"{file_stem(request.app.state.study)}.{format}"
    with _LOCK:
        if format not in built.files:
            with TemporaryDirectory(prefix="thematica-report-") as folder:
                written = write_report(built.report, Path(folder) / name, format)
                built.files[format] = written.read_bytes()
    return Response(
        built.files[format],
        media_type=MEDIA_TYPES[format],
        headers={
            "content-disposition": f'attachment; filename="{name}"',
            "cache-control": "no-store",
        },
    )


@router.get("/report/figures/{number:int}.png", dependencies=[requires(Permission.READ)])
def report_figure(
    request: Request,
    number: int,
    coder: OptionalQuery = None,
    attribute: OptionalQuery = None,
    title: OptionalQuery = None,
) -> Response:
    options = _options(project_of(request), coder, attribute, title)
    built = _built(request, options)
    if not 1 <= number <= len(built.report.figures):
        raise NotFound(f"no figure {number}: the report has {len(built.report.figures)}")
    with _LOCK:
        if number not in built.pictures:
            built.pictures[number] = charts.png_bytes(built.report.figures[number - 1].figure)
    return Response(
        built.pictures[number], media_type="image/png", headers={"cache-control": "no-store"}
    )
