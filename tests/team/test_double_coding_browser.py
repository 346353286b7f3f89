"""Issue 12's "done when": two coders and a lead run the demo study's double-coding step
through the browser, against a real `thematica serve --team` on PostgreSQL, blind until
the lead unblinds, then reach consensus.

Three Chromium contexts are three people. Each logs in through the log-in page. Both
coders code the drawn transcript with the keyboard and the palette, blind: their pages
(and the database, read as each of them) never hold the other's codings, and their
pages' live updates bring nothing of the other's; the lead, not blind, sees each new
coding appear in the reader without reloading. The lead lifts both blinds on the
agreement screen (the coders' open readers then show each other's codings), starts
consensus and resolves the disagreements by keyboard; the consensus layer in the
database holds what was decided.
"""

import os
import re
import subprocess
import sys
from contextlib import contextmanager
from urllib.parse import quote

import pytest

from tests.conftest import DEMO
from tests.web import test_browser as chromium
from tests.web.test_browser import go_to_turn, htmx_idle, pending, tab_to_transcript, wait_message

pytestmark = chromium.pytestmark
browser = chromium.browser

PASSWORD = "a long team passphrase"
LEAD = "Hannah"
CODERS = ("Dev", "Priya")
SOURCES = ("interview-02.txt", "interview-05.txt")
SEED = 12  # the draw's seed, recorded with the source it picks
WARMTH = "The therapist relationship/Warmth"
CHASING = "Getting referred/Chasing the referral"
TRUST = "The therapist relationship/Trust built over time"
LIVE_MS = 3000  # how often the reader asks for live updates (reader.js)


def build(url: str) -> str:
    """The demo study's codebook and two of its transcripts, the lead and two coders,
    one transcript drawn for double coding and both coders blind; returns the drawn
    transcript."""
    from thematica import create_project
    from thematica.agreement.double_coding import pick, set_blind
    from thematica.team import accounts

    with create_project(url, name="Parent-infant team study", actor=LEAD) as project:
        project.sources.add_files([DEMO / "raw" / name for name in SOURCES])
        project.codes.import_file(DEMO / "codebook.yaml")
        accounts.add_user(project, LEAD, PASSWORD, role="lead")
        for coder in CODERS:
            accounts.add_user(project, coder, PASSWORD, role="coder")
        (drawn,) = pick(project, random=1, seed=SEED)
        for coder in CODERS:
            set_blind(project, coder)
    return drawn


@contextmanager
def read(url: str, actor: str = LEAD):
    """The project as ``actor`` sees it through the API (blind included)."""
    from thematica import open_project

    with open_project(url, actor=actor) as project:
        yield project


@pytest.fixture
def served(postgres):
    """`thematica serve --team` on a free port over the study in a new database."""
    url = postgres.create_database(f"browser{os.getpid()}")
    drawn = build(url)
    process = subprocess.Popen(
        [sys.executable, "-m", "thematica.cli", "serve", "--team", "--db", url, "--port", "0",
         "--no-open"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    line = process.stdout.readline()
    found = re.search(r" at (http://127\.0\.0\.1:\d+/) for the team", line)
    if not found:
        process.kill()
        pytest.fail(f"thematica serve --team did not start: {line}{process.stderr.read()}")
    yield found.group(1), url, drawn
    process.terminate()
    process.wait(timeout=10)


class Person:
    """One person's browser: a context of its own (its own cookies), one page, and the
    answers its reader's live updates got."""

    def __init__(self, browser, base: str, name: str) -> None:
        self.name = name
        self.base = base
        self.context = browser.new_context(viewport={"width": 1280, "height": 800})
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.problems: list[str] = []
        self.live: list[int] = []  # statuses of GET /live
        # Refusals (a blind coder's 403) are logged by Chromium; the test checks them.
        expected = re.compile(r"status of 4\d\d")
        self.page.on(
            "console",
            lambda m: (
                m.type == "error" and not expected.search(m.text) and self.problems.append(m.text)
            ),
        )
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))
        self.page.on("response", lambda r: "/live/" in r.url and self.live.append(r.status))

    def log_in(self, role: str) -> None:
        self.page.goto(self.base)
        assert "/login?next=" in self.page.url  # no session: the log-in page
        self.page.fill("#login-name", self.name)
        self.page.fill("#login-password", PASSWORD)
        self.page.click(".login-form button[type=submit]")
        self.page.wait_for_selector("header .who")
        assert self.page.inner_text("header .who") == f"Working as {self.name} ({role})"

    def open_reader(self, source: str) -> None:
        """The reader with every coder's layer shown (as much as this person may see)."""
        self.page.goto(f"{self.base}sources/{quote(source, safe='')}?coder=*")
        self.page.wait_for_selector("#reader[data-ready='true']")
        self.page.evaluate("window.notReloaded = true")

    def code(self, turn: int, key: str, words: str, path: str) -> tuple[int, int]:
        """Select with the keyboard (``key``: S a sentence, Enter the turn) and apply the
        code the palette offers first for ``words``; returns the span coded."""
        page = self.page
        if not page.evaluate("document.activeElement.classList.contains('turn')"):
            tab_to_transcript(page)
        go_to_turn(page, turn)
        page.keyboard.press(key)
        span = pending(page)
        page.keyboard.press("c")
        page.wait_for_selector("#palette[open]")
        page.keyboard.type(words)
        page.keyboard.press("Enter")
        wait_message(page, f"Coded [{span[0]}, {span[1]}) as “{path}”")
        return tuple(span)

    def shown(self) -> list[tuple[str, int, int, str]]:
        """The codings in the reader's panel: coder, start, end, code."""
        return [
            (li["coder"], int(li["start"]), int(li["end"]), li["path"])
            for li in self.page.eval_on_selector_all(
                "#codings .coding", "items => items.map(li => ({...li.dataset}))"
            )
        ]

    def wait_shown(self, count: int) -> None:
        self.page.wait_for_function(
            "n => document.querySelectorAll('#codings .coding').length === n && "
            "Number(document.getElementById('reader')?.dataset.stripes) === n",
            arg=count,
        )

    def wait_polls(self, n: int) -> None:
        """Wait until the reader has asked for live updates ``n`` more times."""
        until = len(self.live) + n
        for _ in range(200):
            if len(self.live) >= until:
                return
            self.page.wait_for_timeout(100)
        pytest.fail(f"{self.name}'s reader stopped asking for live updates")

    def not_reloaded(self) -> bool:
        return self.page.evaluate("window.notReloaded === true")


def participant_turns(url: str, source: str) -> list[int]:
    """Positions of participant turns with more than one sentence, past the opening."""
    with read(url) as project:
        turns = project.sources.turns(source)
        text = project.sources.text(source)
    return [
        i
        for i, t in enumerate(turns)
        if t.role == "participant" and ". " in text[t.start : t.end].strip() and i > 2
    ]


def test_two_coders_and_a_lead_double_code_blind_then_reach_consensus(browser, served):
    from thematica.agreement import consensus
    from thematica.agreement.double_coding import picked

    base, url, drawn = served
    with read(url) as project:
        (chosen,) = picked(project)
    assert (chosen.source, chosen.method) == (drawn, f"random: 1 of 2, seed {SEED}")
    first, second, third = participant_turns(url, drawn)[:3]
    lead = Person(browser, base, LEAD)
    dev = Person(browser, base, "Dev")
    priya = Person(browser, base, "Priya")
    people = (lead, dev, priya)
    lead.log_in("lead")
    dev.log_in("coder")
    priya.log_in("coder")
    for person in people:
        person.open_reader(drawn)
        person.wait_shown(0)

    # Dev codes two passages; the lead sees each appear without reloading.
    dev_warmth = dev.code(first, "s", "warm", WARMTH)
    lead.wait_shown(1)
    dev_chasing = dev.code(second, "s", "chasing", CHASING)
    lead.wait_shown(2)
    assert sorted(lead.shown()) == sorted(
        [("Dev", *dev_warmth, WARMTH), ("Dev", *dev_chasing, CHASING)]
    )

    # The lead is choosing a code for a selection of her own: while the palette is open
    # her panel waits; once it closes, Priya's coding shows, and the selection stays.
    tab_to_transcript(lead.page)
    go_to_turn(lead.page, third)
    lead.page.keyboard.press("s")
    selected = pending(lead.page)
    lead.page.keyboard.press("c")
    lead.page.wait_for_selector("#palette[open]")
    lead.page.keyboard.type("tr")

    # Priya codes blind: the same sentence as Dev with the same code, the whole turn
    # where Dev coded a sentence, and a passage Dev left alone.
    priya_warmth = priya.code(first, "s", "warm", WARMTH)
    assert priya_warmth == dev_warmth
    lead.page.wait_for_timeout(LIVE_MS + 500)
    assert len(lead.shown()) == 2
    assert lead.page.input_value("#palette-input") == "tr"
    lead.page.keyboard.press("Escape")
    lead.wait_shown(3)
    assert pending(lead.page) == selected
    priya_chasing = priya.code(second, "Enter", "chasing", CHASING)
    assert priya_chasing[0] <= dev_chasing[0] and dev_chasing[1] < priya_chasing[1]
    priya_trust = priya.code(third, "s", "trust", TRUST)
    lead.wait_shown(5)
    assert lead.not_reloaded()

    # Neither blind coder's page ever showed the other's codings, however many times
    # it asked: every live answer was "nothing new".
    for person in (dev, priya):
        person.wait_polls(2)
        assert {coder for coder, *_ in person.shown()} == {person.name}
        assert set(person.live) == {204}, (person.name, person.live)
    assert len(dev.shown()) == 2 and len(priya.shown()) == 3
    for coder in CODERS:
        with read(url, actor=coder) as project:
            seen = project.codings.list(source_name=drawn)
        assert {c.coder for c in seen} == {coder}
    # The screens of everyone's work are refused them.
    dev.page.goto(f"{base}agreement")
    assert "Dev is coding blind" in dev.page.inner_text("main")
    dev.open_reader(drawn)

    # The lead lifts both blinds on the agreement screen; the coders' open readers
    # then show each other's codings without reloading.
    lead.page.goto(f"{base}agreement")
    section = lead.page.locator("#double-coding")
    assert drawn in section.inner_text()
    assert f"seed {SEED}" in section.inner_text()
    for coder in CODERS:
        with lead.page.expect_navigation():  # a plain form: the page comes again
            lead.page.get_by_role("button", name=f"Lift the blind of {coder}").click()
        wait_message(lead.page, f"{coder} is no longer coding blind")
    with read(url) as project:
        assert [e.action for e in project.log(2)] == ["unblind coder", "unblind coder"]
    for person in (dev, priya):
        person.wait_shown(5)
        assert person.not_reloaded()
        assert {coder for coder, *_ in person.shown()} == set(CODERS)

    # Agreement of Dev and Priya, consensus started and resolved by keyboard: the
    # whole turn against a sentence is settled on the sentence both coded
    # (intersection), the passage only Priya coded is taken from her.
    lead.page.goto(f"{base}agreement?a=Dev&b=Priya&unit=char")
    assert "Agreement of Dev and Priya" in lead.page.inner_text("#table-h")
    lead.page.click("#start-consensus")
    wait_message(lead.page, "Started consensus of Dev and Priya: 1 agreed codings copied")
    with read(url) as project:
        queue = {item.id: item for item in consensus.items(project)}
    assert sorted(item.code for item in queue.values()) == [CHASING, TRUST]
    decide = {CHASING: "i", TRUST: "b"}
    for _ in queue:
        item = lead.page.get_attribute("#item", "data-item")
        htmx_idle(lead.page)
        lead.page.keyboard.press(decide[queue[int(item)].code])
        lead.page.wait_for_function(
            "id => { const item = document.getElementById('item');"
            " return !item || item.dataset.item !== id; }",
            arg=item,
        )
    assert "Every disagreement is resolved." in lead.page.inner_text("#queue")
    assert f"0 of {len(queue)} left" in lead.page.inner_text("#consensus-progress")

    with read(url) as project:
        state = consensus.progress(project)
        agreed = project.codings.list(source_name=drawn, coder_name="consensus")
        events = [e.action for e in project.log(len(queue) + 1)]
    assert (state.total, state.remaining) == (2, 0)
    assert sorted((c.code, c.start, c.end) for c in agreed) == sorted(
        [(WARMTH, *dev_warmth), (CHASING, *dev_chasing), (TRUST, *priya_trust)]
    )
    assert events == ["resolve disagreement"] * len(queue) + ["start consensus"]
    for person in people:
        person.context.close()
        assert not person.problems, (person.name, person.problems)
