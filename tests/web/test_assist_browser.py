"""Assisted coding in a real Chromium (Debian's /usr/bin/chromium, driven by Playwright)
against a real `thematica serve --assist-model minilm-static`: "More like this" on a
code's page and on a coding in the reader, and suggested codes for a selection, each
accepted with the keyboard only, then undone.

The browser and page come from test_browser.py; the static model is built once per test
session by tests/assist. With THEMATICA_WEB_SCREENSHOTS set (docs/images, say),
browser-assist.png is written there.
"""

import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.assist.conftest import models_dir  # noqa: F401 (a fixture)
from tests.web import test_browser as harness
from tests.web.test_browser import (
    go_to_turn,
    open_reader,
    pending,
    read,
    tab_to_transcript,
    wait_message,
)
from tests.web.test_cases_browser import focused, tab_to

# The browser, a page that fails on any console error, and screenshots.
browser = harness.browser
page = harness.page
screenshots = harness.screenshots

MODEL = "minilm-static"
LOADING = 120_000  # ms: the server loads the model and embeds every turn on first use


@pytest.fixture(scope="module")
def server(demo_template, tmp_path_factory, models_dir):  # noqa: F811 (a fixture)
    """`thematica serve --assist-model minilm-static` over a copy of the demo project, with
    no models file of the user's."""
    folder = tmp_path_factory.mktemp("assisted")
    path = folder / "study.thematica"
    shutil.copy(demo_template, path)
    env = {**os.environ, "THEMATICA_MODELS_DIR": str(models_dir), "THEMATICA_MODELS": "",
           "XDG_CONFIG_HOME": str(folder / "config")}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "thematica.cli", "--user", "Hannah", "serve", str(path),
         "--port", "0", "--no-open", "--assist-model", MODEL],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )  # fmt: skip
    line = process.stdout.readline()
    found = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
    if not found:
        process.kill()
        pytest.fail(f"thematica serve did not start: {line}{process.stderr.read()}")
    yield found.group(1), path
    process.terminate()
    process.wait(timeout=10)


def wait_focus(page, element_id, timeout=10_000):
    page.wait_for_function(
        "id => document.activeElement && document.activeElement.id === id",
        arg=element_id,
        timeout=timeout,
    )


def first_passage(page):
    """The source, start and end of the first passage listed."""
    form = page.locator(".assist-accept").first
    return tuple(
        form.locator(f"input[name={name}]").get_attribute("value")
        for name in ("source", "start", "end")
    )


def test_more_like_a_code_accepted_and_undone_by_keyboard(page, server, screenshots):
    url, path = server
    with read(path) as project:
        code = project.codes.get("Feeling mothered")
    page.goto(f"{url}codes/{code.id}")
    tab_to(page, "more-like-button")
    page.keyboard.press("Enter")
    # "The model is loading…" while it loads; then the list, the focus on its first
    # passage's button.
    wait_focus(page, "accept-1", timeout=LOADING)
    assert page.locator(".similar").count() == 10
    scores = page.locator(".similar .score").all_inner_texts()
    assert all(re.fullmatch(r"score 0\.\d{3}", s) for s in scores), scores
    assert focused(page) == "accept-1"
    assert page.inner_text("#accept-1") == "Add to “Feeling mothered”"
    screenshots(page, "assist-code")
    source, start, end = first_passage(page)

    page.keyboard.press("Enter")
    wait_message(page, f"Coded {source} [{start}, {end}) as “{code.path}”")
    page.wait_for_function(
        "s => document.querySelector('.assist-accept input[name=start]').value !== s", arg=start
    )
    wait_focus(page, "accept-1")  # the passage now first
    assert "accept suggestion" in page.inner_text("#undo-button")
    with read(path) as project:
        made = project.codings.list(source_name=source, code_name=code.path, coder_name="Hannah")
        made = [c for c in made if (c.start, c.end) == (int(start), int(end))]
        assert [c.provenance for c in made] == [f"assist:{MODEL}"]
        assert project.assist.accepted() == 1

    page.keyboard.press("Control+z")
    wait_message(page, "Undid: accept suggestion")
    with read(path) as project:
        assert project.assist.accepted() == 0


def test_suggested_codes_and_more_like_a_coding_in_the_reader(page, server, screenshots):
    url, path = server
    with read(path) as project:
        turns = project.sources.turns("interview-05.txt")
        text = project.sources.text("interview-05.txt")
        hannah = project.codings.list(source_name="interview-05.txt", coder_name="Hannah")
    exact = {(c.start, c.end) for c in hannah}

    def words(turn):  # the turn's span less the whitespace at either end, as Enter selects
        said = text[turn.start : turn.end]
        return [
            turn.start + len(said) - len(said.lstrip()),
            turn.end - len(said) + len(said.rstrip()),
        ]

    # A participant's turn that Hannah has not coded exactly as a whole.
    index = next(
        i
        for i, t in enumerate(turns)
        if i > 2 and t.role == "participant" and tuple(words(t)) not in exact
    )
    start, end = words(turns[index])
    open_reader(page, url, "interview-05.txt")
    tab_to_transcript(page)
    go_to_turn(page, index)
    page.keyboard.press("Enter")  # the whole turn
    assert pending(page) == [start, end]
    page.keyboard.press("g")
    page.wait_for_selector("#assist-dialog[open]")
    page.wait_for_selector("#assist-body .suggestion", timeout=LOADING)
    assert page.inner_text("#assist-title") == "Suggested codes"
    assert re.search(r"votes \d\.\d\d", page.inner_text("#assist-body"))
    apply = page.locator("#assist-body .accept").first
    chosen = page.locator("#assist-body .assist-accept input[name=code]").first.get_attribute(
        "value"
    )
    page.wait_for_function("() => document.activeElement.classList.contains('accept')")
    assert apply.inner_text() == f"Apply “{chosen.rpartition('/')[2]}”"
    page.keyboard.press("Enter")
    wait_message(page, f"Coded interview-05.txt [{start}, {end}) as “{chosen}”")
    page.wait_for_selector("#assist-dialog:not([open])", state="attached")
    with read(path) as project:
        event = project.log(1)[0]
        assert (event.action, event.after["basis"]) == ("accept suggestion", f"code {chosen}")

    # More like one of the codings listed in the panel.
    like = page.locator("#codings .coding").first.get_attribute("data-id")
    page.focus(f"#more-{like}")
    page.keyboard.press("Enter")
    page.wait_for_selector("#assist-dialog[open]")
    wait_focus(page, "accept-1")
    assert page.inner_text("#assist-title").startswith("More like “")
    assert f"most like coding {like}" in page.inner_text("#assist-body")
    screenshots(page, "assist", docs=True)
    source, start, end = first_passage(page)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "words => document.getElementById('assist-status')?.textContent.includes(words)",
        arg=f"Coded {source} [{start}, {end})",
    )
    page.wait_for_function(
        "s => document.querySelector('.assist-accept input[name=start]').value !== s", arg=start
    )
    wait_focus(page, "accept-1")
    with read(path) as project:
        event = project.log(1)[0]
        assert (event.action, event.actor, event.after["basis"]) == (
            "accept suggestion",
            "Hannah",
            f"coding {like}",
        )
    page.keyboard.press("Escape")
    page.wait_for_selector("#assist-dialog:not([open])", state="attached")
    wait_focus(page, f"more-{like}")  # back where it was opened from
