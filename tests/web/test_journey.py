"""The issue's journey, end to end in a real Chromium against a real `thematica serve`:
a new user opens the demo study, codes a passage from the palette with the keyboard
only, creates an in-vivo code, merges two codes by dragging one onto the other, writes
a memo, resolves two disagreements, drags a code into a theme and downloads the report
as DOCX. After each step the project, read through its API, holds exactly that change
(one audit event per change). Each screen's screenshot is saved as test_browser.py
saves them: to a temporary folder, and to docs/images as browser-<screen>.png with
THEMATICA_WEB_SCREENSHOTS=docs/images.
"""

import io
import zipfile

from tests.web import test_browser as chromium
from tests.web.test_browser import (
    go_to_turn,
    htmx_idle,
    pending,
    read,
    tab_to_transcript,
    wait_message,
)
from thematica.web.views import in_vivo_name

# The same Chromium, launched the same way, against the same kind of server (a module's
# fixtures are its own: this journey gets a fresh copy of the demo project).
pytestmark = chromium.pytestmark
browser = chromium.browser
page = chromium.page
screenshots = chromium.screenshots
server = chromium.server


SOURCE = "interview-05.txt"


class Audit:
    """The audit log since the last look: each step must add exactly its own events."""

    def __init__(self, path):
        self.path = path
        with read(path) as project:
            self.seen = project.log(1)[0].id

    def new(self):
        with read(self.path) as project:
            events = [e for e in project.log(None) if e.id > self.seen]
        if events:
            self.seen = events[0].id
        return [e.action for e in reversed(events)]


def nav(page, name):
    page.click(f"nav[aria-label=Main] >> text={name}")
    page.wait_for_load_state()


def test_a_new_user_codes_merges_memos_resolves_builds_a_theme_and_reports(
    page, server, screenshots, tmp_path
):
    url, path = server
    audit = Audit(path)
    with read(path) as project:
        turns = project.sources.turns(SOURCE)
        text = project.sources.text(SOURCE)
    index = next(
        i
        for i, t in enumerate(turns)
        if t.role == "participant" and text[t.start : t.end].count(". ") >= 3 and i > 4
    )
    turn = turns[index]

    # 1. A new user opens the demo study and, from the dashboard, a transcript.
    page.goto(url)
    assert page.locator("h1").inner_text() == "Parent-infant team study"
    screenshots(page, "dashboard", docs=True)
    page.click(f"a[href='/sources/{SOURCE}']")
    page.wait_for_selector("#reader[data-ready='true']")

    # 2. Codes a passage with the palette, keyboard only: Tab into the transcript, the
    # arrow keys to a turn, S selects its first sentence, C opens the palette, typing
    # filters it, Enter applies.
    tab_to_transcript(page)
    go_to_turn(page, index)
    page.keyboard.press("s")
    first = pending(page)
    assert first[0] == turn.start and first[1] < turn.end
    page.keyboard.press("c")
    page.wait_for_selector("#palette[open]")
    page.keyboard.type("warm")
    screenshots(page, "palette", docs=True)
    page.keyboard.press("Enter")
    wait_message(page, f"Coded [{first[0]}, {first[1]}) as “The therapist relationship/Warmth”")
    assert audit.new() == ["code"]
    with read(path) as project:
        (coded,) = [
            c
            for c in project.codings.list(source_name=SOURCE, coder_name="Hannah")
            if (c.start, c.end) == tuple(first)
        ]
    assert coded.code == "The therapist relationship/Warmth"
    assert coded.text == text[first[0] : first[1]]

    # 3. Creates an in-vivo code from the next sentence: V, one change.
    page.keyboard.press("s")
    second = pending(page)
    assert second[0] > first[1]
    page.keyboard.press("v")
    wait_message(page, "Created code “")
    assert audit.new() == ["code with new code"]
    with read(path) as project:
        in_vivo = project.codes.get(in_vivo_name(text[second[0] : second[1]]))
        (coding,) = project.codings.list(source_name=SOURCE, code_name=in_vivo.path)
    assert in_vivo.parent is None and in_vivo.path in page.inner_text("#legend")
    assert (coding.start, coding.end, coding.coder) == (*second, "Hannah")
    page.mouse.move(0, 0)
    page.evaluate("window.scrollTo(0, 0)")
    screenshots(page, "reader", docs=True)

    # 4. Merges two codes by dragging one onto the other: the dialog names both codes
    # and how many codings move.
    with read(path) as project:
        clinic = project.codes.get("Clinic rooms")
        home = project.codes.get("Home visits")
    nav(page, "Codebook")
    page.drag_and_drop(f"#code-{clinic.id} > .code-line", f"#code-{home.id} > .code-line")
    page.wait_for_selector("#drop-dialog[open]")
    assert page.inner_text("#drop-merge") == (
        "Merge “Shape of the sessions/Clinic rooms” into “Shape of the sessions/Home visits”"
    )
    assert page.inner_text("#drop-merge-says").startswith(
        f"{clinic.codings} codings move to “Shape of the sessions/Home visits”"
    )
    screenshots(page, "codebook", docs=True)
    page.click("#drop-merge")
    wait_message(page, "Merged “Shape of the sessions/Clinic rooms” into")
    assert audit.new() == ["merge code"]
    with read(path) as project:
        assert "Clinic rooms" not in [c.name for c in project.codes.list()]
        merged = project.codes.get("Home visits").codings
    dropped = clinic.codings + home.codings - merged
    assert f"{clinic.codings - dropped} codings moved" in page.inner_text("#flash")

    # 5. Writes a memo on a turn, keyboard only: Enter selects the turn, M opens the
    # memo, Tab reaches Save.
    page.goto(f"{url}sources/{SOURCE}")
    page.wait_for_selector("#reader[data-ready='true']")
    tab_to_transcript(page)
    go_to_turn(page, index)
    page.keyboard.press("Enter")
    page.keyboard.press("m")
    page.wait_for_selector("#memo-dialog[open]")
    page.keyboard.type("She tells it as the turning point.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    wait_message(page, "Added memo")
    assert audit.new() == ["add memo"]
    with read(path) as project:
        memo = project.memos.list("source")[-1]
    assert (memo.source, memo.start, memo.end, memo.text) == (
        SOURCE,
        turn.start,
        turn.end,
        "She tells it as the turning point.",
    )

    # 6. Resolves two disagreements of the consensus queue, one key each.
    nav(page, "Agreement")
    page.click("#start-consensus")
    page.wait_for_selector("#consensus-progress")
    wait_message(page, "disagreements to resolve")
    assert audit.new() == ["start consensus"]
    resolved = []
    for key in ("u", "b"):
        item = page.get_attribute("#item", "data-item")
        htmx_idle(page)
        page.keyboard.press(key)
        page.wait_for_function(
            "id => document.getElementById('item')?.dataset.item !== id", arg=item
        )
        resolved.append(int(item))
    assert audit.new() == ["resolve disagreement", "resolve disagreement"]
    screenshots(page, "agreement", docs=True)
    from thematica.agreement import consensus

    with read(path) as project:
        items = {i.id: i for i in consensus.items_by_id(project, resolved)}
    assert items[resolved[0]].resolution == "union"
    assert items[resolved[1]].resolution == "take Hannah"

    # 7. Drags a code into a new theme.
    nav(page, "Themes")
    page.fill("#theme-name", "Being seen")
    page.keyboard.press("Enter")
    page.wait_for_selector("h2:has-text('Being seen')")
    assert audit.new() == ["add theme"]
    with read(path) as project:
        theme = project.themes.get("Being seen")
    page.drag_and_drop("#code-tray [data-code='Getting referred']", f"#theme-{theme.id}")
    wait_message(page, "Linked “Getting referred” to “Being seen”")
    assert audit.new() == ["link codes to theme"]
    with read(path) as project:
        assert project.themes.get("Being seen").codes == ("Getting referred",)
    screenshots(page, "themes", docs=True)

    # 8. Downloads the report as DOCX from the report screen.
    nav(page, "Report")
    link = page.locator("a[href^='/report/download'][href*='format=docx']").first
    with page.expect_download() as started:
        link.click()
    download = started.value
    assert download.suggested_filename.endswith(".docx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(io.BytesIO(saved.read_bytes())) as docx:
        body = docx.read("word/document.xml").decode("utf-8")
    assert "Being seen" in body
    screenshots(page, "report", docs=True)
    assert audit.new() == []  # reading and downloading change nothing
