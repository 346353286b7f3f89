"""The cases and report screens in a real Chromium (Debian's /usr/bin/chromium, driven by
Playwright) against a real `thematica serve`: sort and edit the attribute table with the
keyboard, keep a Table 1 spec read from a file, preview the report and download it.

The server, browser and page come from test_browser.py; with THEMATICA_WEB_SCREENSHOTS
set (docs/images, say), browser-cases.png and browser-report.png are written there.
"""

import pytest

from tests.conftest import DEMO
from tests.web import test_browser as harness
from tests.web.test_browser import htmx_idle, read, wait_error, wait_message

# The server, the browser, a page that fails on any console error, and screenshots.
server = harness.server
browser = harness.browser
page = harness.page
screenshots = harness.screenshots

BY_AGE = [f"Mother {n}" for n in (3, 10, 1, 17, 12, 6, 15, 2, 8, 14, 5, 11)]
ELEVEN = 7  # Mother 11 is the eighth case imported: her cells are cell-7-*


def rows(page):
    return page.locator("#cases-table tbody th[scope=row]").evaluate_all(
        "cells => cells.map(c => c.firstChild.textContent.trim())"
    )


def focused(page):
    return page.evaluate("document.activeElement.id")


def tab_to(page, element_id, presses=200):
    for _ in range(presses):
        if focused(page) == element_id:
            return
        page.keyboard.press("Tab")
    pytest.fail(f"Tab never reached #{element_id}")


def test_sort_and_edit_the_attribute_table_by_keyboard(page, server, screenshots):
    url, path = server
    page.goto(url + "cases")
    # The age column's heading button, from the top of the page, with Tab and Enter.
    tab_to(page, "sort-1")
    page.keyboard.press("Enter")
    page.wait_for_url("**/cases?sort=age")
    assert rows(page) == BY_AGE
    assert page.get_attribute("th:has(#sort-1)", "aria-sort") == "ascending"
    assert focused(page) == "sort-1"  # the focus stays on the heading after the reload
    page.keyboard.press("Enter")
    page.wait_for_url("**/cases?sort=-age")
    assert rows(page) == BY_AGE[::-1]
    assert page.get_attribute("th:has(#sort-1)", "aria-sort") == "descending"

    # Mother 11 is first now; change her age, then type a word where a number goes.
    cell = f"value-{ELEVEN}-0"
    tab_to(page, cell)
    # Its name for a screen reader: the row's case and the column's attribute.
    assert page.get_by_role("textbox", name="Mother 11 age", exact=True).get_attribute("id") == cell
    page.keyboard.press("Control+A")
    page.keyboard.type("41")
    page.keyboard.press("Enter")
    wait_message(page, "Mother 11’s age is now 41.")
    htmx_idle(page)
    assert focused(page) == cell  # htmx gave the focus back to the swapped cell
    assert "19–41" in page.inner_text("#table1")
    assert "set attribute Mother 11: age" in page.inner_text("#undo-button")
    with read(path) as project:
        assert project.cases.get("11").attributes["age"] == 41
        assert project.log(1)[0].action == "set attribute"
    screenshots(page, "cases", docs=True)

    page.keyboard.press("Control+A")
    page.keyboard.type("forty")
    page.keyboard.press("Tab")  # leaving the cell sends it
    wait_error(page, "Mother 11's age: 'forty' is not an integer")
    page.wait_for_function(f"() => document.getElementById('{cell}')?.value === '41'")
    with read(path) as project:
        assert project.cases.get("11").attributes["age"] == 41

    # Escape drops what was typed; Undo (from the keyboard too) reverts the change.
    page.focus(f"#{cell}")
    page.keyboard.type("9")
    page.keyboard.press("Escape")
    assert page.input_value(f"#{cell}") == "41"
    tab_to(page, "undo-button", presses=400)
    page.keyboard.press("Enter")
    wait_message(page, "Undid: set attribute Mother 11: age")
    assert page.input_value(f"#{cell}") == "40"
    with read(path) as project:
        assert project.cases.get("11").attributes["age"] == 40


def test_a_spec_file_lays_out_table1(page, server):
    url, path = server
    page.goto(url + "cases")
    page.click(".spec-editor summary")
    page.set_input_files("#spec-file", str(DEMO / "table1.toml"))
    page.wait_for_function(
        "() => document.getElementById('spec-text')?.value.includes('Age (years)')"
    )
    page.click("#spec-form button[type=submit]")
    wait_message(page, "Table 1 now follows the project’s spec: 8 variables.")
    assert "35 and over" in page.inner_text("#table1")
    with read(path) as project:
        from thematica.report.table1 import stored_spec_text

        assert stored_spec_text(project) == (DEMO / "table1.toml").read_text(encoding="utf-8")
    page.click("#spec-default-form button")
    wait_message(page, "Table 1 is now laid out by attribute type.")


def test_report_preview_and_docx_download(page, server, screenshots, tmp_path):
    from docx import Document

    url, path = server
    with read(path) as project:
        project.themes.add(
            "Being seen",
            definition="Feeling noticed as a mother, not only as a patient.",
            codes=["Getting referred"],
        )
    page.goto(url + "report")
    preview = page.locator("#report-preview")
    assert preview.locator("h2").first.inner_text() == "Parent-infant team study: results"
    page.select_option("#report-coder", "Hannah")
    page.click("#report-options button[type=submit]")
    page.wait_for_url("**/report?coder=Hannah*")
    assert preview.locator("h4").first.inner_text() == "Being seen"
    assert preview.locator("img").count() == 3  # the thematic map and two charts
    page.wait_for_function(
        "() => [...document.querySelectorAll('#report-preview img')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    screenshots(page, "report", docs=True)
    with page.expect_download() as info:
        page.click("#download-docx")
    download = info.value
    assert download.suggested_filename == "parent-infant-team-study-report.docx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    document = Document(str(saved))
    assert document.core_properties.title == "Parent-infant team study: results"
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:3] == ["Method", "Participants", "Themes"]
    assert not list(path.parent.glob("*.docx"))  # nothing written beside the project


@pytest.mark.parametrize("screen", ["cases", "report"])
def test_usable_at_tablet_width(page, server, screen):
    url, _ = server
    page.set_viewport_size({"width": 820, "height": 1180})
    page.goto(url + screen)
    # Nothing on the screen runs off its side; the attribute table scrolls in its region.
    assert not page.evaluate(
        "() => [...document.querySelectorAll('main *')].filter(e => !e.closest('.table-wrap'))"
        ".filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)"
        ".map(e => e.outerHTML.slice(0, 80))"
    )
    if screen == "cases":
        region = page.locator(".table-wrap[role=region]")
        assert region.get_attribute("tabindex") == "0"  # scrolled with the arrow keys
        assert region.get_attribute("aria-labelledby") == "cases-heading"
        assert page.evaluate(
            "() => { const r = document.querySelector('.table-wrap');"
            " return r.scrollWidth > r.clientWidth; }"
        )
