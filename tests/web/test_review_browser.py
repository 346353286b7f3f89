"""The anonymisation review screen in a real Chromium against a real `thematica serve`
(with the names model: the whole detection), by keyboard only, at 1280x800 and at tablet
width, ending with the sources anonymised from the screen."""

import os
import re

import pytest

from tests.conftest import DEMO
from tests.web.test_browser import (
    CHROMIUM,
    browser,  # noqa: F401  (fixtures shared with the other browser tests)
    htmx_idle,
    page,  # noqa: F401
    read,
    screenshots,  # noqa: F401
    server,  # noqa: F401
    wait_error,
    wait_message,
)
from thematica.anonymise.decisions import Decisions

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="the browser tests drive /usr/bin/chromium: install Debian's chromium package "
    "(apt-get install chromium)",
)
# The first visit finds the identifiers: the names model loads and reads every source.
DETECTION_MS = 180_000
PASS = "correct horse battery"


def current(screen):
    return screen.evaluate(
        "() => { const m = document.querySelector('#review-text .proposal.current');"
        " return {start: Number(m.dataset.start), words: m.dataset.words, label: m.dataset.label,"
        " status: m.dataset.status, focused: document.activeElement === m}; }"
    )


def decided(screen):
    """The count the progress line gives for this source."""
    line = screen.inner_text("#review-progress")
    return int(line.split(" of ")[0])


def wait_decided(screen, n):
    screen.wait_for_function(
        "n => parseInt(document.getElementById('review-progress')?.textContent) === n", arg=n
    )
    htmx_idle(screen)


def move_to(screen, key, label):
    """Press ``key`` until the current proposal is a pending one with ``label``."""
    for _ in range(200):
        now = current(screen)
        if now["label"] == label and now["status"] == "pending":
            return now
        screen.keyboard.press(key)
    pytest.fail(f"no pending {label} proposal reached with {key}")


def test_review_by_keyboard_then_anonymise(page, server, screenshots, tmp_path):  # noqa: F811
    url, path = server
    decisions = tmp_path / "decisions.csv"
    page.goto(f"{url}review", timeout=DETECTION_MS)
    total = int(page.inner_text("#review-progress").split(" of ")[1].split()[0])
    assert total > 50
    # The files: the demo study's names, decisions kept in a new file.
    page.fill("#decisions-file", str(decisions))
    page.fill("#names-file", str(DEMO / "names.txt"))
    page.press("#names-file", "Enter")
    page.wait_for_function(
        "() => document.getElementById('flash')?.textContent.includes('Decisions are kept in')",
        timeout=DETECTION_MS,
    )
    screenshots(page, "review-sources")
    page.click("#review-sources a >> text=interview-01.txt")
    page.wait_for_selector("#review-text .proposal.current")
    htmx_idle(page)

    # Moving: the current proposal has the focus, and the panel describes it.
    first = current(page)
    assert first["focused"] and first["status"] == "pending"
    page.keyboard.press("j")
    second = current(page)
    assert second["start"] > first["start"] and second["focused"]
    assert page.inner_text("#current-words") == second["words"]
    page.keyboard.press("k")
    assert current(page)["start"] == first["start"]
    page.keyboard.press("ArrowDown")
    assert current(page)["start"] == second["start"]

    # a, r, Shift+A, p: one decision each, saved to the file as it is made.
    page.keyboard.press("a")
    wait_decided(page, 1)
    assert current(page)["focused"]  # on to the next pending proposal, focus and all
    assert len(Decisions.load(decisions)) == 1
    page.keyboard.press("r")
    wait_decided(page, 2)
    name = move_to(page, "j", "NAME")
    page.keyboard.press("Shift+A")
    wait_message(page, f"Accepted “{name['words']}” everywhere")
    htmx_idle(page)
    # Every place in this source with the same words is accepted with it.
    assert (
        page.evaluate(
            "w => [...document.querySelectorAll('#review-text .proposal')]"
            ".filter(m => m.dataset.words === w).map(m => m.dataset.status)",
            name["words"],
        )
        == ["accepted"]
        * page.locator(f"#review-text .proposal[data-words='{name['words']}']").count()
    )
    person = move_to(page, "n", "NAME")
    page.keyboard.press("p")
    assert page.evaluate("document.activeElement.id") == "placeholder-input"
    page.keyboard.type("her friend")
    page.keyboard.press("Enter")
    wait_message(page, "it becomes [her friend]")
    htmx_idle(page)
    assert current(page)["focused"]
    page.evaluate("() => window.scrollTo(0, 0)")
    screenshots(page, "review", docs=True)

    # A placeholder that keeps the words is refused; nothing changes.
    count, saved = decided(page), len(Decisions.load(decisions))
    page.keyboard.press("p")
    page.keyboard.type(current(page)["words"])
    page.keyboard.press("Enter")
    wait_error(page, "would keep the words it replaces")
    htmx_idle(page)
    assert (decided(page), len(Decisions.load(decisions))) == (count, saved)
    page.keyboard.press("Escape")
    assert current(page)["focused"]
    screenshots(page, "review-refused")

    rows = Decisions.load(decisions)
    alike = {d.text: d for d in rows if d.alike}
    assert (alike[name["words"]].verdict, alike[name["words"]].placeholder) == ("accept", "")
    assert alike[person["words"]].placeholder == "[her friend]"
    assert [d.verdict for d in rows if not d.alike] == ["accept", "reject"]

    # At tablet width nothing runs off the side, and the panel stays in view.
    page.set_viewport_size({"width": 768, "height": 1024})
    # (The top bar's navigation is the layout's, shared by every screen.)
    wide = page.evaluate(
        "() => [...document.querySelectorAll('main *')]"
        ".filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)"
        ".map(e => `${e.tagName}#${e.id}.${e.className}`)"
    )
    assert wide == []
    box = page.locator(".review-panel").bounding_box()
    assert box["y"] + 40 < 1024 and box["width"] > 600
    screenshots(page, "review-tablet")
    page.set_viewport_size({"width": 1280, "height": 800})

    # Anonymise from the list of sources, by keyboard.
    page.goto(f"{url}review")
    page.fill("#key-file", str(tmp_path / "study.key"))
    page.fill("#key-passphrase", PASS)
    page.press("#key-passphrase", "Enter")
    page.wait_for_function(
        "() => document.getElementById('flash')?.textContent.startsWith('Anonymised ')",
        timeout=DETECTION_MS,
    )
    with read(path) as project:
        text = project.sources.text("interview-01.txt")
    assert "[her friend]" in text
    assert not re.search(rf"(?<!\w){re.escape(name['words'])}(?!\w)", text)
    assert os.path.exists(tmp_path / "study.key")
