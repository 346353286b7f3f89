"""The anonymisation review screen through the test client: the proposals in the text,
one decision per request saved at once to the decisions file, bad input refused with
nothing saved, and "anonymise" doing what `thematica anonymise apply` does."""

import html
import re
import shutil
from urllib.parse import quote, unquote

import pytest

from tests.cli import run
from tests.conftest import DEMO
from tests.web.conftest import EMOJI_NAME, EMOJI_TEXT
from thematica.anonymise import findings
from thematica.anonymise.findings import registered
from thematica.anonymise.review import Review, review_files
from thematica.anonymise.vault import KeyVault, ScryptParams

TOKEN = {"X-CSRF-Token": "test-token"}
HTMX = {**TOKEN, "HX-Request": "true"}
NAMES = DEMO / "names.txt"
PASS = "correct horse battery"
MARK = re.compile(r'<a class="proposal ([a-z]+)[^"]*" id="p-(\d+)"[^>]*data-end="(\d+)"')


@pytest.fixture(autouse=True)
def rules_only(monkeypatch):
    """The review without the names model, which takes seconds to load: the rules, the
    names file and propagation find plenty in the demo transcripts. The browser test
    (test_review_browser.py) runs the whole detection."""
    monkeypatch.setattr("thematica.anonymise.ner.available", lambda: False)
    # Only Thematica's own recognisers: a test elsewhere may have registered one.
    own = {n: f for n, f in registered().items() if f.__module__.startswith("thematica.")}
    monkeypatch.setattr(findings, "_REGISTRY", own)


@pytest.fixture
def names(client, tmp_path):
    """The review uses the demo study's names file; decisions go to tmp_path/d.csv."""
    answer = client.post(
        "/review/files", data={"decisions": "d.csv", "names": str(NAMES)}, headers=HTMX
    )
    assert answer.status_code == 204
    return tmp_path / "d.csv"


def review_of(demo):
    """The same review, made apart from the server: what the screen must show."""
    files = review_files(demo)
    texts = {s.name: demo.sources.text(s.name) for s in demo.sources.list()}
    return Review(texts, files.decisions, files.read_names())


def decide(client, source, item, key, placeholder="", headers=HTMX):
    p = item.proposal
    data = {"source": source, "start": p.start, "end": p.end, "key": key}
    return client.post("/review/decide", data={**data, "placeholder": placeholder}, headers=headers)


def marks(page):
    return [(status, int(start), int(end)) for status, start, end in MARK.findall(page)]


def shown_text(page):
    """The text on the screen, less the labels."""
    article = re.search(r'<article id="review-text"[^>]*>(.*?)</article>', page, re.S).group(1)
    return html.unescape(re.sub(r'<span class="proposal-tag"[^>]*>.*?</span>|<[^>]+>', "", article))


def saved(path):
    return path.read_text().splitlines()[1:] if path.exists() else []


# -- what the screens show ------------------------------------------------------------------


def test_the_list_of_sources_counts_proposals(client, demo, names):
    page = client.get("/review").text
    expected = review_of(demo)
    for source in demo.sources.list():
        p = expected.progress(source.name)
        assert re.search(
            rf'<a href="/review/{re.escape(quote(source.name, safe=""))}">[^<]+</a></th>\s*'
            rf'<td class="num">{p.total}</td>\s*<td class="num">{p.pending}</td>\s*'
            r'<td class="num">0</td>\s*<td class="num">0</td>',
            page,
        )
    total = expected.progress().total
    assert f"<strong>0 of {total} proposed identifiers decided</strong>" in page
    assert total > 100
    assert f'<code id="decisions-path">{names}</code>' in page
    assert f"thematica anonymise review --decisions {names} --names {NAMES}" in page
    assert 'aria-current="page">Anonymise</a>' in page


def test_the_text_shows_every_proposal_in_place_with_its_label(client, demo, names):
    source = "interview-01.txt"
    page = client.get(f"/review/{source}").text
    items = review_of(demo).items(source)
    assert marks(page) == [("pending", i.proposal.start, i.proposal.end) for i in items]
    text = demo.sources.text(source)
    for item in items[:20]:
        p = item.proposal
        tag = f"? {item.label} → {html.escape(item.placeholder)}"
        assert (
            f'>{html.escape(text[p.start : p.end])}<span class="proposal-tag" aria-hidden="true">{tag}</span>'
            in page
        )
    # The text on the screen, less the labels, is the source's text, offsets and all.
    assert shown_text(page) == text
    first = items[0]
    assert f'data-current="{first.proposal.start}"' in page
    assert '<span class="study">Parent-infant team study</span>' in page
    everywhere = review_of(demo).progress()
    assert f" · 0 of {everywhere.total} in the study</p>" in page
    assert f'<dd id="current-words">{html.escape(first.text)}</dd>' in page


def test_a_source_with_emoji_and_nothing_to_review(client, demo, names):
    page = client.get(f"/review/{quote(EMOJI_NAME, safe='')}").text
    assert review_of(demo).items(EMOJI_NAME) == []
    assert marks(page) == []
    assert shown_text(page) == EMOJI_TEXT
    assert '<h2 id="current-h">Nothing proposed</h2>' in page


# -- decisions ------------------------------------------------------------------------------


def test_accept_reject_all_alike_and_placeholder_each_saved_at_once(client, demo, names):
    source = "interview-01.txt"
    review = review_of(demo)
    items = review.items(source)
    named = [i for i in items if i.label == "NAME" and i.others >= 2]
    first, alike = items[0], named[0]
    answer = decide(client, source, first, "a")
    assert answer.status_code == 200
    p = first.proposal
    assert saved(names) == [f"{first.text},accept,{first.label},,{source},{p.start},{p.end}"]
    assert f'id="p-{p.start}"' in answer.text and 'class="proposal accepted' in answer.text
    flash = f'<p id="flash" hx-swap-oob="innerHTML">Accepted “{html.escape(first.text)}” at [{p.start}, {p.end}): it becomes {html.escape(first.placeholder)}.</p>'
    assert flash in answer.text
    assert f'data-current="{items[1].proposal.start}"' in answer.text  # on to the next

    answer = decide(client, source, alike, "A")
    assert answer.status_code == 200
    assert f"{alike.text},accept,NAME,,,," in saved(names)
    review.refresh()
    same = [i for i in review.items() if i.text == alike.text]
    assert len(same) == alike.others + 1 and {i.status for i in same} == {"accepted"}
    assert f"everywhere ({alike.others + 1} places)" in answer.text

    second = [i for i in items if i not in (first, alike) and i.text != alike.text][0]
    answer = decide(client, source, second, "r")
    assert answer.status_code == 200
    assert "the words stay." in answer.text
    answer = decide(client, source, named[-1], "p", "her friend")
    assert answer.status_code == 200
    assert f"{named[-1].text},accept,NAME,[her friend],,," in saved(names)
    review.refresh()
    assert {i.placeholder for i in review.items() if i.text == named[-1].text} == {"[her friend]"}
    page = client.get("/review").text
    progress = review.progress()
    assert f"<strong>{progress.decided} of {progress.total} proposed" in page


def test_decisions_outlive_the_server_and_changes_to_the_file_are_taken_up(demo, names, client):
    from fastapi.testclient import TestClient

    from thematica.web import create_app

    source = "interview-02.txt"
    items = review_of(demo).items(source)
    decide(client, source, items[0], "r")
    again = TestClient(create_app(demo, port=None, token="test-token"), base_url="http://127.0.0.1")
    assert marks(again.get(f"/review/{source}").text)[0][0] == "rejected"
    # A decision made in a spreadsheet (or the terminal) meanwhile shows on the next page.
    p = items[1].proposal
    with names.open("a") as file:
        file.write(f"{p.text},accept,{p.label},,{source},{p.start},{p.end}\n")
    assert marks(client.get(f"/review/{source}").text)[:2] == [
        ("rejected", items[0].proposal.start, items[0].proposal.end),
        ("accepted", p.start, p.end),
    ]


def test_without_script_a_decision_is_a_form_and_a_redirect(client, demo, names):
    source = "interview-05.txt"
    items = review_of(demo).items(source)
    answer = decide(client, source, items[0], "a", headers={})
    assert answer.status_code == 403  # no token
    form = {"csrf_token": "test-token", "source": source, "key": "r"}
    p = items[0].proposal
    answer = client.post("/review/decide", data={**form, "start": p.start, "end": p.end})
    assert answer.status_code == 303
    following = items[1].proposal.start
    assert answer.headers["location"] == f"/review/{source}?at={following}#p-{following}"
    assert unquote(answer.cookies["thematica_flash"]).startswith(f"Rejected “{p.text}” at")
    page = client.get(answer.headers["location"]).text
    assert f'class="proposal rejected" id="p-{p.start}"' in page
    assert f'class="proposal pending current" id="p-{following}"' in page


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"source": "nothing.txt"}, 404, "no source 'nothing.txt' to review"),
        ({"start": 0, "end": 5}, 404, "nothing is proposed at [0, 5) of interview-01.txt"),
        ({"start": 10**9, "end": 10**9 + 5}, 404, "nothing is proposed at"),
        ({"start": -5, "end": -1}, 404, "nothing is proposed at [-5, -1)"),
        ({"start": "x"}, 400, "start: Input should be a valid integer"),
        ({"end": None}, 400, "end: Field required"),
        ({"key": "z"}, 400, "answer a (accept), r (reject), A or R (all alike) or p"),
        ({"key": ""}, 400, "not ''"),
        ({"key": "p", "placeholder": ""}, 400, "a placeholder needs words between its brackets"),
        ({"key": "p", "placeholder": "[a [b]]"}, 400, "one line in one pair of brackets"),
        ({"key": "p", "placeholder": "x" * 80}, 400, "at most 60 characters"),
        ({"key": "p", "placeholder": "WORDS"}, 400, "would keep the words it replaces"),
    ],
)
def test_bad_decisions_are_refused_and_nothing_is_saved(client, demo, names, change, status, says):
    source = "interview-01.txt"
    first = review_of(demo).items(source)[0]
    p = first.proposal
    data = {"source": source, "start": p.start, "end": p.end, "key": "a", "placeholder": ""}
    if change.get("placeholder") == "WORDS":
        change = {**change, "placeholder": f"[{p.text}]"}
    data = {k: v for k, v in {**data, **change}.items() if v is not None}
    answer = client.post("/review/decide", data=data, headers=HTMX)
    assert answer.status_code == status
    assert says in answer.text
    assert not names.exists()


CHANGES = {
    "/review/decide": {"source": "interview-01.txt", "start": 0, "end": 5, "key": "a"},
    "/review/files": {"decisions": "elsewhere.csv", "names": ""},
    "/review/apply": {"key": "web.key", "passphrase": PASS},
}


def test_every_change_of_the_screen_is_listed():
    from thematica.web.review import router

    posts = {r.path for r in router.routes if "POST" in getattr(r, "methods", set())}
    assert posts == set(CHANGES)


@pytest.mark.parametrize("path", sorted(CHANGES))
@pytest.mark.parametrize("token", [None, "not-the-token"])
def test_a_change_without_the_token_is_refused(client, demo, names, path, token):
    first = review_of(demo).items("interview-01.txt")[0].proposal
    data = (
        {**CHANGES[path], "start": first.start, "end": first.end}
        if "decide" in path
        else (CHANGES[path])
    )
    texts = {s.name: demo.sources.text(s.name) for s in demo.sources.list()}
    events = len(demo.log(None))
    headers = {"HX-Request": "true"} | ({"X-CSRF-Token": token} if token else {})
    answer = client.post(path, data=data, headers=headers)
    assert answer.status_code == 403
    assert "security token is missing or out of date" in answer.text
    assert not names.exists()
    assert len(demo.log(None)) == events
    assert texts == {s.name: demo.sources.text(s.name) for s in demo.sources.list()}


def test_an_unknown_source_is_a_404_page(client, names):
    answer = client.get("/review/nothing.txt")
    assert answer.status_code == 404
    assert "no source &#39;nothing.txt&#39; to review" in answer.text


def test_choosing_files_that_will_not_do_changes_nothing(client, demo, tmp_path):
    before = review_files(demo)
    for data, says in [
        ({"decisions": "", "names": ""}, "name the CSV file"),
        ({"decisions": "nowhere/d.csv", "names": ""}, "there is no folder"),
        ({"decisions": "d.csv", "names": "nothing.txt"}, "there is no names file"),
    ]:
        answer = client.post("/review/files", data=data, headers=HTMX)
        assert (answer.status_code, says in answer.text) == (400, True)
    assert review_files(demo) == before


def test_a_spoilt_decisions_file_still_leaves_the_way_to_choose_another(client, names):
    names.write_text("words,verdict\nGrace,yes\n")
    page = client.get("/review")
    assert page.status_code == 200
    assert f"{names} has no &#39;text&#39; column" in page.text
    assert 'id="decisions-file"' in page.text
    assert client.get("/review/interview-01.txt").status_code == 400
    other = names.with_name("other.csv")
    answer = client.post("/review/files", data={"decisions": str(other)}, headers=HTMX)
    assert answer.status_code == 204
    assert 'id="review-problem"' not in client.get("/review").text


def test_a_changed_text_is_read_again(client, demo, names):
    from thematica.text import Edit

    source = "interview-02.txt"
    before = marks(client.get(f"/review/{source}").text)
    demo.sources.edit_text(source, [Edit(0, 0, "Ring 0113 496 0472. ")], reason="a note")
    after = marks(client.get(f"/review/{source}").text)
    assert after[0] == ("pending", 5, 18)
    assert [(s, a + 20, b + 20) for s, a, b in before] == after[1:]


def test_decisions_whose_words_left_their_place_are_listed_and_stop_only_anonymising(
    client, demo, names, tmp_path
):
    names.write_text(
        "text,decision,label,placeholder,source,start,end\n"
        "Nobody,accept,NAME,,interview-01.txt,0,6\n"
    )
    notice = "“Nobody” at [0, 6) of interview-01.txt"
    assert notice in client.get("/review").text
    page = client.get("/review/interview-01.txt")
    assert page.status_code == 200 and notice in page.text
    assert notice not in client.get("/review/interview-02.txt").text
    fast_key(tmp_path / "web.key")
    answer = client.post("/review/apply", data={"key": "web.key", "passphrase": PASS}, headers=HTMX)
    assert answer.status_code == 400
    assert "the decision to replace 'Nobody' at [0, 6) of interview-01.txt no longer fits" in (
        answer.text
    )


# -- anonymising ----------------------------------------------------------------------------


def fast_key(path):
    KeyVault.create(path, PASS, kdf=ScryptParams(n=2**10, r=8, p=1)).save()
    return path


def test_anonymise_in_the_browser_is_what_the_terminal_does(
    client, demo, demo_path, names, tmp_path
):
    """Decisions made on the screen, then "Anonymise" there; the same decisions file
    and names file given to `thematica anonymise apply` on a copy of the project."""
    copy = tmp_path / "copy.thematica"
    shutil.copy(demo_path, copy)
    review = review_of(demo)
    items = review.items("interview-01.txt")
    named = list({i.text: i for i in items if i.label == "NAME" and i.others >= 1}.values())
    decide(client, "interview-01.txt", named[0], "p", "my friend")
    decide(client, "interview-01.txt", named[1], "R")
    decide(client, "interview-01.txt", items[0], "r")
    decide(client, "interview-02.txt", review.items("interview-02.txt")[2], "a")
    assert len(saved(names)) == 4
    answer = client.post(
        "/review/apply",
        data={"key": str(fast_key(tmp_path / "web.key")), "passphrase": PASS},
        headers=HTMX,
    )
    assert answer.status_code == 204, answer.text
    said = unquote(answer.cookies["thematica_flash"])
    assert said.endswith(f"; originals are in {tmp_path}/web.key.")
    rules = [name for name in registered() if name != "names"]
    terminal = run(
        "-p", str(copy), "anonymise", "apply", "--decisions", str(names), "--names", str(NAMES),
        "--key", str(fast_key(tmp_path / "cli.key")),
        *[arg for name in rules for arg in ("--recogniser", name)],
        env={"THEMATICA_KEY_PASSPHRASE": PASS},
    ).stdout  # fmt: skip
    # "Anonymised 3 sources: 131 identifiers replaced (11 AGE, ...)": the emoji has none.
    counts = re.fullmatch(r"(Anonymised \d+ sources: \d+ identifiers replaced \(.*\);).*", said)
    assert terminal.startswith(counts.group(1))
    from thematica import open_project

    with open_project(copy) as other:
        for source in demo.sources.list():
            assert demo.sources.text(source.name) == other.sources.text(source.name)
    assert "[my friend]" in demo.sources.text("interview-01.txt")
    assert named[1].text in demo.sources.text("interview-01.txt")  # rejected everywhere
    # Anonymised once: a second time is refused, and the screen shows the new texts.
    again = client.post(
        "/review/apply", data={"key": str(tmp_path / "web.key"), "passphrase": PASS}, headers=HTMX
    )
    assert again.status_code == 400 and "is already anonymised" in again.text
    assert "[my friend]" in client.get("/review/interview-01.txt").text


@pytest.mark.parametrize(
    ("data", "status", "says"),
    [
        ({"key": "", "passphrase": PASS}, 400, "name the key file"),
        ({"key": "k.key", "passphrase": ""}, 400, "type the key's passphrase"),
        ({"key": "web.key", "passphrase": "not it"}, 400, "wrong passphrase"),
    ],
)
def test_anonymise_refused_changes_no_text(client, demo, names, tmp_path, data, status, says):
    fast_key(tmp_path / "web.key")
    texts = {s.name: demo.sources.text(s.name) for s in demo.sources.list()}
    answer = client.post("/review/apply", data=data, headers=HTMX)
    assert (answer.status_code, says in answer.text) == (status, True), answer.text
    assert texts == {s.name: demo.sources.text(s.name) for s in demo.sources.list()}


def test_decisions_file_default_is_the_terminals(client, tmp_path):
    page = client.get("/review").text
    assert f'<code id="decisions-path">{tmp_path}/anonymisation-decisions.csv</code>' in page
    assert "thematica anonymise review --decisions " in page
