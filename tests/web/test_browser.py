"""The workbench in a real Chromium (Debian's /usr/bin/chromium, driven by Playwright)
against a real `thematica serve` over a SQLite project built from the demo study.

Screenshots of each screen go to a temporary folder; the pictures in docs/ come from the
journey in test_journey.py (THEMATICA_WEB_SCREENSHOTS=docs/images writes them there).
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import REPO
from tests.web.conftest import EMOJI_NAME, EMOJI_TEXT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="the browser tests drive /usr/bin/chromium: install Debian's chromium package "
    "(apt-get install chromium)",
)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is in the dev extra")


# -- a server, a browser, a page ------------------------------------------------------------


@pytest.fixture(scope="module")
def server(demo_template, tmp_path_factory):
    """`thematica serve` on a free port over a copy of the demo project."""
    path = tmp_path_factory.mktemp("served") / "study.thematica"
    shutil.copy(demo_template, path)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "thematica.cli",
            "--user",
            "Hannah",
            "serve",
            str(path),
            "--port",
            "0",
            "--no-open",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    found = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
    if not found:
        process.kill()
        pytest.fail(f"thematica serve did not start: {line}{process.stderr.read()}")
    yield found.group(1), path
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("screenshots")
    extra = os.environ.get("THEMATICA_WEB_SCREENSHOTS")
    if extra:
        extra = REPO / extra  # relative to the repository: each test runs in its own folder

    def shoot(page, name, docs=False):
        """Save a screenshot; ``docs``: also to THEMATICA_WEB_SCREENSHOTS, for docs/."""
        page.screenshot(path=str(folder / f"browser-{name}.png"))
        if extra and docs:
            extra.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(extra / f"browser-{name}.png"))

    return shoot


@pytest.fixture
def page(browser):
    """A page at 1280x800 that fails the test on any console error (a CSP violation
    is one) or uncaught script error."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    opened = context.new_page()
    problems = []
    # A refused change (4xx) is logged by Chromium and htmx; the tests check what the
    # page shows for those.
    expected = re.compile(r"status of 4\d\d|Response Status Error Code 4\d\d|htmx:responseError")
    opened.on(
        "console",
        lambda m: m.type == "error" and not expected.search(m.text) and problems.append(m.text),
    )
    opened.on("pageerror", lambda e: problems.append(str(e)))
    opened.set_default_timeout(10_000)
    yield opened
    context.close()
    assert not problems, problems


def read(path):
    """The project as the server left it, read from this process (WAL lets both)."""
    from thematica import open_project

    return open_project(path, actor="Hannah")


def open_reader(page, url, source, coder=None):
    target = f"{url}sources/{quote(source, safe='')}"
    page.goto(target + (f"?coder={quote(coder, safe='')}" if coder else ""))
    page.wait_for_selector("#reader[data-ready='true']")


def tab_to_transcript(page):
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('turn')"):
            return
    pytest.fail("Tab never reached the transcript")


def go_to_turn(page, index):
    """Move with the arrow keys to turn ``index`` (its position among turns)."""
    for _ in range(200):
        at = page.evaluate("Number(document.activeElement.dataset.turn)")
        if at == index:
            return
        page.keyboard.press("ArrowDown" if at < index else "ArrowUp")
    pytest.fail(f"could not reach turn {index}")


def wait_message(page, words):
    # `?.`: a change made by a script reloads the page, and a poll can land while the
    # new document has no #flash yet.
    page.wait_for_function(
        "words => document.getElementById('flash')?.textContent.includes(words)", arg=words
    )


def wait_error(page, words):
    # Predicates are functions: Playwright would eval() a bare expression, which the
    # page's Content-Security-Policy rightly refuses.
    page.wait_for_function(
        "words => document.getElementById('error')?.textContent.includes(words)", arg=words
    )


def wait_stripes(page, count):
    page.wait_for_function(
        "n => Number(document.getElementById('reader')?.dataset.stripes) === n", arg=count
    )


def stripes(page):
    return int(page.evaluate("document.getElementById('reader')?.dataset.stripes"))


def select_text(page, words, occurrence=0):
    """Select ``words`` in the transcript as a mouse would leave it: a DOM range over
    the text node, in UTF-16 units as the browser counts them."""
    page.evaluate(
        """([words, occurrence]) => {
            const walker = document.createTreeWalker(
                document.getElementById("transcript"), NodeFilter.SHOW_TEXT);
            let seen = 0;
            while (walker.nextNode()) {
                const node = walker.currentNode;
                let at = node.data.indexOf(words);
                while (at >= 0) {
                    if (seen++ === occurrence) {
                        const range = document.createRange();
                        range.setStart(node, at);
                        range.setEnd(node, at + words.length);
                        const selection = document.getSelection();
                        selection.removeAllRanges();
                        selection.addRange(range);
                        return;
                    }
                    at = node.data.indexOf(words, at + 1);
                }
            }
            throw new Error("not in the transcript: " + words);
        }""",
        [words, occurrence],
    )


def pending(page):
    return page.evaluate(
        "(() => { const p = window.thematica.reader.pending; return p && [p.start, p.end]; })()"
    )


def wait_pending(page, span):
    page.wait_for_function(
        """([s, e]) => { const p = window.thematica.reader.pending;
                         return p && p.start === s && p.end === e; }""",
        arg=list(span),
    )


# -- the tests ---------------------------------------------------------------------------


def test_dashboard(page, server, screenshots):
    url, path = server
    page.goto(url)
    assert page.locator("h1").inner_text() == "Parent-infant team study"
    assert page.locator("table tbody tr").count() == 4
    assert page.locator(".activity-list li").count() >= 10
    page.fill("#journal-title", "From the browser")
    page.fill("#journal-text", "Written in the dashboard.")
    page.click("text=Add entry")
    wait_message(page, "Added journal entry")
    assert page.locator(".journal-list h3").first.inner_text() == "From the browser"
    screenshots(page, "dashboard")
    with read(path) as project:
        assert project.memos.journal()[-1].text == "Written in the dashboard."


def test_keyboard_only_coding_with_the_palette(page, server, screenshots):
    """Tab into the transcript, arrow to a turn, S selects a sentence, C opens the
    palette, typing filters it, Enter applies; then S and 1 apply the recent code."""
    url, path = server
    with read(path) as project:
        turns = project.sources.turns("interview-05.txt")
        text = project.sources.text("interview-05.txt")
    index = next(
        i
        for i, t in enumerate(turns)
        if t.role == "participant" and text[t.start : t.end].count(". ") >= 3 and i > 4
    )
    turn = turns[index]
    open_reader(page, url, "interview-05.txt")
    before = stripes(page)
    tab_to_transcript(page)
    go_to_turn(page, index)
    page.keyboard.press("s")
    first = pending(page)
    assert first and first[0] == turn.start and first[1] < turn.end
    page.keyboard.press("c")
    page.wait_for_selector("#palette[open]")
    page.keyboard.type("warm")
    assert (
        page.locator("#palette-list [role=option]:not([hidden])")
        .first.inner_text()
        .endswith("The therapist relationship/Warmth")
    )
    screenshots(page, "palette")
    page.keyboard.press("Enter")
    wait_message(page, "as “The therapist relationship/Warmth”")
    assert page.evaluate("document.activeElement.dataset.turn") == str(index)
    page.keyboard.press("s")
    second = pending(page)
    assert second[0] > first[1]
    page.keyboard.press("1")  # the most recent code
    wait_message(page, f"Coded [{second[0]}, {second[1]})")
    wait_stripes(page, before + 2)
    with read(path) as project:
        mine = {
            (c.start, c.end): c
            for c in project.codings.list(source_name="interview-05.txt", coder_name="Hannah")
        }
    for span in (first, second):
        coding = mine[tuple(span)]
        assert coding.code == "The therapist relationship/Warmth"
        assert coding.text == text[span[0] : span[1]]
        assert coding.text.rstrip()[-1] in ".?!"


def test_reader_with_every_layer(page, server, screenshots):
    """Both coders' stripes with the legend; a sentence picked by keyboard."""
    url, path = server
    open_reader(page, url, "interview-02.txt", coder="*")
    with read(path) as project:
        every = project.codings.list(source_name="interview-02.txt")
    assert stripes(page) == len(every)
    assert page.locator("#codings .coding").count() == len(every)
    title = page.locator(".stripe").first.get_attribute("title")
    assert re.fullmatch(r".+ \((Hannah|Dev)\) \[\d+, \d+\)", title)
    page.hover(".stripe >> nth=0")
    assert page.locator("#legend li.active").count() == 1  # the stripe's code, by name
    tab_to_transcript(page)
    go_to_turn(page, 3)
    page.keyboard.press("s")
    page.keyboard.press("s")
    assert pending(page)
    page.mouse.move(0, 0)
    screenshots(page, "reader")


def test_selection_offsets_count_code_points(page, server):
    """Emoji are two UTF-16 units in the browser and one code point in the project."""
    url, _ = server
    open_reader(page, url, EMOJI_NAME)
    for words in [
        "Zoë came round 😀 and I cried.",
        "👩‍👧",
        "it felt like",
        "Café, naïve, résumé",
        "🌧️ stopped",
        "believed her",
    ]:
        select_text(page, words)
        start = EMOJI_TEXT.index(words)
        wait_pending(page, (start, start + len(words)))
    # A selection running over the end of a turn stops at its last word.
    select_text(page, "all of it.")
    page.evaluate(
        """() => { const s = document.getSelection(); const r = s.getRangeAt(0);
                   r.setEndBefore(document.querySelectorAll('.turn')[2]); }"""
    )
    start = EMOJI_TEXT.index("all of it.")
    wait_pending(page, (start, start + len("all of it.")))


def test_double_click_selects_a_word(page, server):
    url, _ = server
    open_reader(page, url, EMOJI_NAME)
    box = page.evaluate(
        """() => { const speech = document.querySelectorAll('.speech')[1];
                   const text = speech.firstChild; const at = text.data.indexOf('naïve');
                   const r = document.createRange(); r.setStart(text, at + 1); r.setEnd(text, at + 2);
                   const b = r.getBoundingClientRect(); return [b.x + b.width / 2, b.y + b.height / 2]; }"""
    )
    page.mouse.dblclick(*box)
    start = EMOJI_TEXT.index("naïve")
    wait_pending(page, (start, start + len("naïve")))


def test_in_vivo_code_from_a_selection_with_emoji(page, server):
    url, path = server
    open_reader(page, url, EMOJI_NAME)
    select_text(page, "Honestly 👩‍👧 it felt")
    start = EMOJI_TEXT.index("Honestly 👩‍👧 it felt")
    wait_pending(page, (start, start + len("Honestly 👩‍👧 it felt")))
    page.keyboard.press("v")
    wait_message(page, "Created code “Honestly 👩‍👧 it felt”")
    assert page.locator("#legend").inner_text().count("Honestly 👩‍👧 it felt") == 1
    with read(path) as project:
        code = project.codes.get("Honestly 👩‍👧 it felt")
        (coding,) = project.codings.list(source_name=EMOJI_NAME, code_name=code.path)
    assert coding.text == "Honestly 👩‍👧 it felt"
    assert (coding.start, coding.end) == (start, start + len("Honestly 👩‍👧 it felt"))


def test_memo_on_a_selected_turn(page, server):
    url, path = server
    with read(path) as project:
        turn = project.sources.turns("interview-01.txt")[5]
    open_reader(page, url, "interview-01.txt")
    tab_to_transcript(page)
    go_to_turn(page, 5)
    page.keyboard.press("Enter")
    page.keyboard.press("m")
    page.wait_for_selector("#memo-dialog[open]")
    page.keyboard.type("She names the questionnaire, not the person.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    wait_message(page, "Added memo")
    assert "She names the questionnaire" in page.locator("#memos").inner_text()
    with read(path) as project:
        memo = project.memos.list("source")[-1]
    assert (memo.source, memo.start, memo.end) == ("interview-01.txt", turn.start, turn.end)
    assert memo.text == "She names the questionnaire, not the person."


def test_undo_a_coding_with_ctrl_z(page, server):
    url, path = server
    open_reader(page, url, "interview-01.txt")
    before = stripes(page)
    with read(path) as project:
        count = len(project.codings.list())
    tab_to_transcript(page)
    go_to_turn(page, 9)
    page.keyboard.press("Enter")
    page.keyboard.press("c")
    page.keyboard.type("first contact")
    page.keyboard.press("Enter")
    wait_message(page, "Coded")
    wait_stripes(page, before + 1)
    assert "code interview-01.txt" in page.locator("#undo-button").inner_text()
    page.keyboard.press("Control+z")
    wait_message(page, "Undid: code interview-01.txt")
    wait_stripes(page, before)
    with read(path) as project:
        assert len(project.codings.list()) == count
        assert project.log(1)[0].action == "undo"


def test_failed_change_shows_the_error_and_the_database(page, server):
    """A coding removed behind the page's back: Remove says so, and the panel then
    shows what the database holds."""
    url, path = server
    # The reader's live updates would soon show the removal by themselves: here the
    # click comes first, as it may for a person, so they are answered "nothing new".
    page.route("**/live/**", lambda route: route.fulfill(status=204))
    open_reader(page, url, "interview-02.txt", coder="Dev")
    with read(path) as project:
        gone = project.codings.list(source_name="interview-02.txt", coder_name="Dev")[0]
        project.codings.remove(gone.id)
    before = stripes(page)
    page.click(f"#coding-{gone.id} .remove-coding")
    wait_error(page, "no coding with id")
    page.wait_for_selector(f"#coding-{gone.id}", state="detached")
    assert stripes(page) == before - 1
    with read(path) as project:
        assert project.log(1)[0].action == "uncode"  # only the change made behind its back


def test_codebook_merge_and_undo(page, server, screenshots):
    url, path = server
    with read(path) as project:
        clinic = project.codes.get("Clinic rooms")
        home = project.codes.get("Home visits")
    page.goto(url + "codes")
    screenshots(page, "codebook")
    page.click(f"#code-{clinic.id} > .code-line a")
    page.wait_for_url(f"**/codes/{clinic.id}")
    assert page.locator(".segment").count() == clinic.codings
    screenshots(page, "code")
    page.select_option("#merge-into", "Shape of the sessions/Home visits")
    page.click("#merge-form button")
    page.wait_for_url(f"**/codes/{home.id}")
    wait_message(page, "Merged “Shape of the sessions/Clinic rooms” into")
    assert page.locator(".segment").count() == home.codings + clinic.codings
    with read(path) as project:
        assert not [c for c in project.codes.list() if c.name == "Clinic rooms"]
    page.click("#undo-button")
    wait_message(page, "Undid: merge code")
    with read(path) as project:
        assert project.codes.get("Clinic rooms").codings == clinic.codings


def test_codebook_rename_refused_shows_the_error(page, server):
    url, path = server
    with read(path) as project:
        route = project.codes.get("Referral route")
    page.goto(f"{url}codes/{route.id}")
    page.fill("#rename-name", "Chasing the referral")
    page.click("#rename-form button")
    wait_error(page, "already named")
    assert page.url.endswith(f"/codes/{route.id}")
    with read(path) as project:
        assert project.codes.get("Referral route").id == route.id


def htmx_idle(page):
    """Wait until the page's deferred scripts have run and htmx has swapped and settled
    what it last fetched: a key pressed before that lands on buttons nothing has wired
    yet (no one types that fast; a busy test machine is that slow)."""
    page.wait_for_load_state("load")
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, "
        ".htmx-added')"
    )


def test_agreement_and_consensus_by_keyboard(page, server, screenshots):
    url, path = server
    page.goto(f"{url}agreement?a=Dev&b=Hannah&unit=turn")
    assert "Cohen" in page.inner_text("#agreement-table")
    assert "per turn" in page.inner_text("caption.method")
    page.click("#start-consensus")
    page.wait_for_selector("#consensus-progress")
    wait_message(page, "disagreements to resolve")
    first = page.get_attribute("#item", "data-item")
    total = int(page.inner_text("#consensus-progress").split(" of ")[1].split()[0])
    htmx_idle(page)
    page.keyboard.press("u")
    page.wait_for_function("id => document.getElementById('item')?.dataset.item !== id", arg=first)
    second = page.get_attribute("#item", "data-item")
    page.fill("#consensus-memo", "She means the counselling service only.")
    page.click("h1")  # leave the memo field: keys there are typing
    htmx_idle(page)
    page.keyboard.press("b")
    page.wait_for_function("id => document.getElementById('item')?.dataset.item !== id", arg=second)
    assert f"{total - 2} of {total} left" in page.inner_text("#consensus-progress")
    screenshots(page, "agreement")
    from thematica.agreement import consensus

    with read(path) as project:
        done = {i.id: i for i in consensus.items(project, status="resolved")}
        assert done[int(first)].resolution == "union"
        assert done[int(second)].resolution == "take Hannah"
        memos = [m for m in project.memos.list() if "counselling service only" in m.text]
        assert len(memos) == 1


def test_themes_board_link_a_code(page, server, screenshots):
    url, path = server
    page.goto(f"{url}themes")
    page.fill("#theme-name", "Being seen")
    page.click("text=Add theme")
    page.wait_for_selector("h2:has-text('Being seen')")
    card = page.locator("article.theme-card", has=page.locator("h2:has-text('Being seen')"))
    card.locator("select[name=code]").select_option("Getting referred")
    card.locator("button:has-text('Link')").first.click()
    wait_message(page, "Linked “Getting referred”")
    assert "Getting referred" in card.locator(".linked-codes").inner_text()
    screenshots(page, "themes")
    with read(path) as project:
        assert "Getting referred" in project.themes.get("Being seen").codes


# -- drag and drop, deleting codes, editing memos, the recording ------------------------


def test_codebook_drop_asks_move_or_merge_and_moves(page, server):
    """A drop names both codes and how many codings a merge would move; Move is one
    change; the top-level zone moves a code back."""
    url, path = server
    with read(path) as project:
        regular = project.codes.get("Regularity and routine")
        trust = project.codes.get("Trust built over time")
    page.goto(url + "codes")
    page.drag_and_drop(f"#code-{regular.id} > .code-line", f"#code-{trust.id} > .code-line")
    page.wait_for_selector("#drop-dialog[open]")
    assert page.inner_text("#drop-move") == (
        "Move “Shape of the sessions/Regularity and routine” under "
        "“The therapist relationship/Trust built over time”"
    )
    assert page.inner_text("#drop-merge-says").startswith(
        f"{regular.codings} codings move to “The therapist relationship/Trust built over time”"
    )
    page.keyboard.press("Escape")  # nothing changes
    page.drag_and_drop(f"#code-{regular.id} > .code-line", f"#code-{trust.id} > .code-line")
    page.click("#drop-move")
    wait_message(page, "Moved “Regularity and routine” under")
    with read(path) as project:
        assert project.codes.get("Regularity and routine").parent == (
            "The therapist relationship/Trust built over time"
        )
    # Onto its own sub-code: not a place to drop; onto the top-level zone: moved back.
    page.drag_and_drop(f"#code-{trust.id} > .code-line", f"#code-{regular.id} > .code-line")
    assert not page.locator("#drop-dialog[open]").count()
    page.drag_and_drop(f"#code-{regular.id} > .code-line", "#drop-top")
    wait_message(page, "Moved “Regularity and routine” to the top level")
    with read(path) as project:
        assert project.codes.get("Regularity and routine").parent is None
        project.codes.move("Regularity and routine", "Shape of the sessions")


def test_delete_a_code_shows_the_refusal_then_deletes_when_asked(page, server):
    url, path = server
    with read(path) as project:
        change = project.codes.get("Change of therapist")
    page.goto(f"{url}codes/{change.id}")
    page.click("#delete-form button")
    wait_error(page, f"has {change.codings} codings and 0 memos")
    with read(path) as project:
        assert project.codes.get("Change of therapist").codings == change.codings
    page.check("#delete-force")
    page.click("#delete-form button")
    page.wait_for_url("**/codes")
    wait_message(page, "Deleted code “The therapist relationship/Change of therapist”")
    with read(path) as project:
        assert "Change of therapist" not in [c.name for c in project.codes.list()]
    page.click("#undo-button")
    wait_message(page, "Undid: delete code (forced)")
    with read(path) as project:
        assert project.codes.get("Change of therapist").codings == change.codings


def test_edit_and_delete_a_memo_in_the_reader(page, server):
    url, path = server
    with read(path) as project:
        made = project.memos.add(
            "Draft note", title="Draft", source="interview-05.txt", start=100, end=140
        )
    open_reader(page, url, "interview-05.txt")
    page.click(f"#edit-memo-{made.id}")
    page.wait_for_selector("#memo-dialog[open]")
    assert page.inner_text("#memo-title") == f"Edit memo {made.id}"
    assert page.input_value("#memo-text") == "Draft note"
    page.fill("#memo-text", "A better note.")
    page.click("#memo-save")
    wait_message(page, f"Saved memo {made.id}.")
    assert "A better note." in page.inner_text(f"#memo-{made.id}")
    assert page.evaluate("document.activeElement.id") == f"edit-memo-{made.id}"
    with read(path) as project:
        assert project.memos.get(made.id).text == "A better note."
    page.click(f"#delete-memo-{made.id}")
    wait_message(page, f"Deleted memo {made.id}")
    page.wait_for_selector(f"#memo-{made.id}", state="detached")
    with read(path) as project:
        assert made.id not in [m.id for m in project.memos.list()]
    page.keyboard.press("Control+z")
    wait_message(page, "Undid: delete memo")
    page.wait_for_selector(f"#memo-{made.id}")
    # A new memo after an edit starts empty.
    page.keyboard.press("t")  # back to the transcript
    page.keyboard.press("Enter")
    page.keyboard.press("m")
    assert page.inner_text("#memo-title") == "Memo on the selection"
    assert page.input_value("#memo-text") == ""


def test_play_the_recording_from_a_turn(page, server, tmp_path, screenshots):
    from tests.web.test_routes import timed_source

    url, path = server
    with read(path) as project:
        name, recording = timed_source(project, tmp_path)
    open_reader(page, url, name)
    assert page.locator(".turn-time time").all_inner_texts() == ["0:01", "0:04", "1:05", "1:10"]
    assert not page.locator("#media").count()
    with read(path) as project:
        project.sources.attach_media(name, recording)
    open_reader(page, url, name)
    page.wait_for_function("() => document.getElementById('media').readyState >= 1")
    assert page.evaluate("document.getElementById('media').duration") == pytest.approx(80, abs=1)
    page.click(".turn >> nth=2 >> .play")
    wait_message(page, "Playing from 1:05.")
    page.wait_for_function("() => document.getElementById('media')?.currentTime >= 65")
    tab_to_transcript(page)
    go_to_turn(page, 3)
    page.keyboard.press("p")
    wait_message(page, "Playing from 1:10.")
    page.wait_for_function("() => document.getElementById('media')?.currentTime >= 70")
    screenshots(page, "reader-media")


def test_themes_board_drag_a_code_in_and_out_and_pick_a_quote(page, server):
    url, path = server
    with read(path) as project:
        project.themes.add("Held in mind")
        project.themes.add("Someone on my side", parent="Held in mind")
        project.themes.link("Held in mind", ["Warmth"])
        sub = project.themes.get("Someone on my side")
    page.goto(f"{url}themes")
    page.drag_and_drop(
        "#code-tray [data-code='The therapist relationship/Feeling mothered']",
        f"#theme-{sub.id} > h3",
    )
    wait_message(page, "Linked “The therapist relationship/Feeling mothered” to")
    with read(path) as project:
        assert project.themes.get("Someone on my side").codes == ("Feeling mothered",)
        events = len(project.log(None))
    # Again: refused, said in red, and the board stays as it was.
    page.drag_and_drop(
        "#code-tray [data-code='The therapist relationship/Feeling mothered']",
        f"#theme-{sub.id} > h3",
    )
    wait_error(page, "is already linked to 'Held in mind/Someone on my side'")
    assert page.locator(f"#theme-{sub.id} .linked").count() == 1
    with read(path) as project:
        assert len(project.log(None)) == events
    held = page.locator("article.theme-card", has=page.locator("h2:has-text('Held in mind')"))
    page.drag_and_drop(".linked[data-from='Held in mind'][data-code='Warmth']", "#tray-h")
    wait_message(page, "Unlinked “Warmth” from “Held in mind”")
    with read(path) as project:
        assert project.themes.get("Held in mind").codes == ()
    sub_card = page.locator(f"#theme-{sub.id}")
    choice = sub_card.locator("select[name=coding] option").first
    label = choice.inner_text()
    sub_card.locator("button:has-text('Add quote')").click()
    wait_message(page, "Chose a quote for “Held in mind/Someone on my side”")
    assert held.locator(".quote").count() == 1
    with read(path) as project:
        (quote,) = project.themes.quotes("Someone on my side")
    assert label.startswith(quote.attribution)


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (768, 1024)])
def test_no_screen_is_wider_than_the_window(browser, server, width, height):
    """At a laptop's and a tablet's width, nothing runs off the right edge (the top
    bar's links wrap instead). The review screen checks its own layout, as its first
    visit runs the name model."""
    url, _ = server
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        opened = context.new_page()
        for path in ("", "cases", "codes", "agreement", "themes", "report",
                     f"sources/{quote('interview-01.txt', safe='')}"):  # fmt: skip
            opened.goto(url + path)
            wide = opened.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, f"/{path} is {wide}px wide at {width}px"
    finally:
        context.close()
