"""Each screen and each change through the app's test client: what the page shows is
what the API says, every change is one API call, and a failed change leaves the
database exactly as it was."""

import html
import re
from urllib.parse import quote, unquote

import pytest
from markupsafe import escape

from tests.web.conftest import EMOJI_NAME, EMOJI_TEXT
from tests.web.test_security import snapshot

TOKEN = {"X-CSRF-Token": "test-token"}
FETCH = {**TOKEN, "X-Thematica": "fetch"}
HTMX = {**TOKEN, "HX-Request": "true"}
BLOCK = re.compile(
    r'class="blk[^"]*" data-start="(\d+)" data-end="(\d+)">(.*?)</(?:span|div)>', re.S
)


def blocks(page):
    return [(int(s), int(e), html.unescape(t)) for s, e, t in BLOCK.findall(page)]


def reader_url(name, coder=None):
    url = f"/sources/{quote(name, safe='')}"
    return f"{url}?coder={quote(coder, safe='')}" if coder else url


def code_id(project, path):
    return project.codes.get(path).id


def apply(client, source, start, end, **fields):
    return client.post(
        "/codings",
        data={"source": source, "start": start, "end": end, **fields},
        headers=FETCH,
    )


# -- the dashboard ----------------------------------------------------------------------


def test_dashboard_shows_sources_progress_activity_and_journal(client, demo):
    page = client.get("/").text
    assert "<h1>Parent-infant team study</h1>" in page
    for source in demo.sources.list():
        assert f'href="{reader_url(source.name)}"' in page
    # Progress per coder: Dev coded only interview-02.
    assert 'aria-label="Dev on interview-02.txt: 38 codings' in page
    assert 'aria-label="Dev on interview-01.txt' not in page
    assert re.search(
        r'aria-label="Hannah on interview-01.txt: 42 codings, \d+ of \d+ participant turns \(\d+%\)"',
        page,
    )
    for event in demo.log(15):
        assert escape(event.target) in page
    for memo in demo.memos.journal():
        assert escape(memo.title) in page
    assert page.index("Generating codes") < page.index("Before reading")  # newest first


def test_journal_entry_from_the_dashboard(client, demo):
    response = client.post(
        "/journal", data={"title": "Day one", "text": "I noticed."}, headers=HTMX
    )
    assert response.status_code == 204
    assert response.headers["hx-redirect"] == "/"
    assert "Added journal entry" in unquote(response.cookies["thematica_flash"])
    entry = demo.memos.journal()[-1]
    assert (entry.title, entry.text, entry.author) == ("Day one", "I noticed.", "Hannah")
    page = client.get("/")
    assert "Added journal entry" in page.text
    assert 'thematica_flash=""' in page.headers["set-cookie"]  # shown once


def test_empty_journal_entry_is_refused_and_changes_nothing(client, demo):
    before = snapshot(demo)
    response = client.post("/journal", data={"text": "   "}, headers=HTMX)
    assert response.status_code == 400
    assert response.text == "a memo needs some text"
    assert snapshot(demo) == before


# -- the reader -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["interview-01.txt", EMOJI_NAME])
def test_reader_blocks_are_exact_slices_of_the_canonical_text(client, demo, name):
    """The browser counts offsets from each block's start, so each block must hold
    exactly its slice of the text."""
    text = demo.sources.text(name)
    found = blocks(client.get(reader_url(name)).text)
    assert found
    for start, end, words in found:
        assert words == text[start:end]
    starts = [s for s, _, _ in found]
    assert starts == sorted(starts)
    covered = "".join(text[s:e] for s, e, _ in found)
    assert "".join(covered.split()) == "".join(text.split())  # only whitespace left out


def test_reader_sets_turns_apart_with_speakers(client, demo):
    page = client.get(reader_url("interview-01.txt")).text
    turns = demo.sources.turns("interview-01.txt")
    assert page.count('class="turn role-') == len(turns)
    assert 'aria-label="Participant, turn 2"' in page
    assert '<span class="blk speaker" data-start="58" data-end="71">Interviewer: </span>' in page
    assert 'role="document"' in page and 'role="listbox"' in page and 'role="combobox"' in page


def test_reader_lists_the_layer_codings_legend_and_palette(client, demo):
    page = client.get(reader_url("interview-02.txt", "Dev")).text
    dev = demo.codings.list(source_name="interview-02.txt", coder_name="Dev")
    assert page.count('class="coding"') == len(dev)
    for coding in dev:
        assert f'id="coding-{coding.id}"' in page
    legend = re.findall(r'<li data-lane="(\d+)" data-path="([^"]+)">', page)
    assert [int(lane) for lane, _ in legend] == list(range(len(legend)))
    assert {html.unescape(p) for _, p in legend} == {c.code for c in dev}
    assert page.count('role="option" id="opt-') == len(demo.codes.list()) + 1  # and "create"
    every = client.get(reader_url("interview-02.txt", "*")).text
    assert every.count('class="coding"') == len(demo.codings.list(source_name="interview-02.txt"))


def test_reader_of_an_unknown_source_is_404(client):
    response = client.get("/sources/nope.txt")
    assert response.status_code == 404
    assert escape("unknown source 'nope.txt'") in response.text


def test_apply_a_code_answers_with_the_new_panel(client, demo):
    text = demo.sources.text("interview-01.txt")
    start = text.index("Like she was my mum.")
    end = start + len("Like she was my mum.")
    response = apply(client, "interview-01.txt", start, end, code="Warmth", layer="Hannah")
    assert response.status_code == 200
    message = unquote(response.headers["x-message"])
    assert message == f"Coded [{start}, {end}) as “The therapist relationship/Warmth”."
    made = [c for c in demo.codings.list(source_name="interview-01.txt") if c.start == start]
    assert [(c.code, c.coder, c.text) for c in made] == [
        ("The therapist relationship/Warmth", "Hannah", "Like she was my mum.")
    ]
    assert f'id="coding-{made[0].id}"' in response.text
    for part in (
        'id="panel"',
        'id="palette-list"',
        'id="recent-codes"',
        'id="undo-form"',
        'id="codes-css"',
    ):
        assert part in response.text
    assert (
        'data-path="The therapist relationship/Warmth"'
        in response.text.split('id="recent-codes"')[1]
    )
    assert demo.log(1)[0].action == "code"


def test_apply_with_code_point_offsets_over_emoji(client, demo):
    """Offsets count code points: an emoji is one, a ZWJ family is three."""
    for words in [
        "😀",
        "Honestly 👩‍👧 it felt",
        "Café, naïve, résumé",
        "🌧️ stopped",
        "“you’re doing fine”",
    ]:
        start = EMOJI_TEXT.index(words)
        response = apply(client, EMOJI_NAME, start, start + len(words), code="Feeling mothered")
        assert response.status_code == 200, response.text
    texts = [c.text for c in demo.codings.list(source_name=EMOJI_NAME)]
    assert sorted(texts) == sorted(
        ["😀", "Honestly 👩‍👧 it felt", "Café, naïve, résumé", "🌧️ stopped", "“you’re doing fine”"]
    )


@pytest.mark.parametrize(
    ("fields", "status", "says"),
    [
        ({"code": "No such code"}, 404, "unknown code 'No such code'"),
        ({"code": "Warmth", "start": 10, "end": 5}, 400, ""),
        ({"code": "Warmth", "end": 10_000_000}, 400, "out of range"),
        ({"code": "Warmth", "start": "ten"}, 400, "Bad request"),
        ({"code": "Warmth", "source": "nope.txt"}, 404, "unknown source"),
        ({}, 400, "choose a code"),
        ({"code": "Home visits"}, 400, "ambiguous"),
    ],
)
def test_failed_coding_changes_nothing(client, demo, fields, status, says):
    demo.codes.add("Home visits", parent="Video feedback")  # two codes of that name
    before = snapshot(demo)
    data = {"source": "interview-01.txt", "start": 100, "end": 120, **fields}
    response = client.post("/codings", data=data, headers=FETCH)
    assert response.status_code == status, response.text
    assert says in response.text
    assert "<html" not in response.text  # a line for the script to show, not a page
    assert snapshot(demo) == before


def test_in_vivo_code_is_named_after_the_words(client, demo):
    words = "So I was on two lists and neither of them rang."
    start = demo.sources.text("interview-01.txt").index(words)
    count = len(demo.codings.list(source_name="interview-01.txt"))
    response = apply(client, "interview-01.txt", start, start + len(words), in_vivo="true")
    assert response.status_code == 200, response.text
    code = demo.codes.get("So I was on two lists and neither…")
    assert code.parent is None and code.codings == 1
    assert demo.log(1)[0].action == "code with new code"  # one change, one undo
    demo.undo()
    assert "So I was on two lists and neither…" not in [c.name for c in demo.codes.list()]
    assert len(demo.codings.list(source_name="interview-01.txt")) == count
    apply(client, "interview-01.txt", start, start + len(words), in_vivo="true")
    # The same words again use the code made the first time.
    again = apply(client, "interview-01.txt", start, start + 10, in_vivo="true")
    assert again.status_code == 200
    assert demo.codes.get(code.path).codings == 1  # [start, start+10) names another code


def test_create_a_code_from_the_palette_under_a_parent(client, demo):
    response = apply(client, "interview-01.txt", 71, 100, new_code="Video feedback/Seeing herself")
    assert response.status_code == 200, response.text
    assert demo.codes.get("Seeing herself").parent == "Video feedback"
    assert "Created code “Video feedback/Seeing herself”" in unquote(response.headers["x-message"])


def test_remove_a_coding_by_delete_or_form(client, demo):
    first, second = demo.codings.list(source_name="interview-01.txt")[:2]
    response = client.request(
        "DELETE", f"/codings/{first.id}?source=interview-01.txt&layer=Hannah", headers=FETCH
    )
    assert response.status_code == 200
    assert f'id="coding-{first.id}"' not in response.text
    response = client.post(
        f"/codings/{second.id}/remove",
        data={"source": "interview-01.txt", "csrf_token": "test-token"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == reader_url("interview-01.txt")
    remaining = {c.id for c in demo.codings.list()}
    assert first.id not in remaining and second.id not in remaining
    before = snapshot(demo)
    gone = client.request("DELETE", f"/codings/{first.id}", headers=FETCH)
    assert gone.status_code == 404
    assert f"no coding with id {first.id}" in gone.text
    assert snapshot(demo) == before


def test_memo_on_a_selection(client, demo):
    response = client.post(
        "/memos",
        data={
            "source": EMOJI_NAME,
            "start": 13,
            "end": 43,
            "title": "First visit",
            "text": "Tears 😀.",
        },
        headers=FETCH,
    )
    assert response.status_code == 200, response.text
    memo = demo.memos.list("source")[-1]
    assert (memo.source, memo.start, memo.end, memo.title, memo.text) == (
        EMOJI_NAME,
        13,
        43,
        "First visit",
        "Tears 😀.",
    )
    assert "Tears 😀." in response.text
    before = snapshot(demo)
    empty = client.post(
        "/memos", data={"source": EMOJI_NAME, "start": 1, "end": 2, "text": ""}, headers=FETCH
    )
    assert empty.status_code == 400
    assert snapshot(demo) == before


def test_undo_from_the_reader_and_from_a_page(client, demo):
    start = demo.sources.text("interview-05.txt").index("Participant:") + 13
    apply(client, "interview-05.txt", start, start + 20, code="Warmth")
    count = len(demo.codings.list())
    response = client.post("/undo", data={"source": "interview-05.txt"}, headers=FETCH)
    assert response.status_code == 200
    assert unquote(response.headers["x-message"]).startswith("Undid: code interview-05.txt [")
    assert len(demo.codings.list()) == count - 1
    page = client.post("/undo", data={"next": "/codes"}, headers=HTMX)
    assert page.status_code == 204 and page.headers["hx-redirect"] == "/codes"
    assert demo.log(1)[0].action == "undo"


@pytest.mark.parametrize(
    "url",
    ["/", "/sources/interview-01.txt", "/codes", "/agreement", "/themes", "/cases", "/report"],
)
def test_every_page_offers_to_undo_the_last_change(client, demo, url):
    demo.codes.add("Undoable")
    page = client.get(url).text
    assert 'title="Undo the last change (Ctrl+Z): add code Undoable" >Undo ' in page
    assert 'id="undo-button" disabled' not in page


def test_nothing_to_undo_is_an_error_not_a_crash(tmp_path):
    from fastapi.testclient import TestClient

    from thematica import create_project
    from thematica.web import create_app

    with create_project(tmp_path / "empty.thematica") as project:
        client = TestClient(
            create_app(project, port=8765, token="t"), base_url="http://127.0.0.1:8765"
        )
        response = client.post("/undo", headers={"X-CSRF-Token": "t", "HX-Request": "true"})
        assert response.status_code == 400
        assert "nothing to undo" in response.text
        page = client.post("/undo", headers={"X-CSRF-Token": "t"})
        assert page.status_code == 400 and "<h1>That did not work</h1>" in page.text


def test_redirects_stay_on_this_server(client):
    for target in ["//evil.example/", "https://evil.example/", "\\\\evil"]:
        response = client.post("/journal", data={"text": "x", "csrf_token": "test-token"})
        assert response.headers["location"].startswith("/")
        response = client.post("/undo", data={"next": target, "csrf_token": "test-token"})
        assert response.headers["location"] == "/"


# -- the codebook -----------------------------------------------------------------------


def expected_counts(project, path, children):
    """Codings, distinct sources and distinct linked cases of a code, from the codings."""
    cases = {s.name: set(s.cases) for s in project.sources.list()}
    mine = [
        c
        for c in project.codings.list()
        if c.code == path or (children and c.code.startswith(path + "/"))
    ]
    sources = {c.source for c in mine}
    return len(mine), len(sources), len(set().union(*(cases[s] for s in sources)))


def test_codebook_tree_with_counts(client, demo):
    page = client.get("/codes").text
    for code in demo.codes.list():
        assert f'href="/codes/{code.id}">{escape(code.name)}</a>' in page
    assert "counting a source or participant they share once" in page  # the legend
    referred = demo.codes.get("Getting referred")
    codings, sources, cases = expected_counts(demo, "Getting referred", children=True)
    # its sub-codes share the interviews: counted once, not once per sub-code
    assert sources < sum(
        expected_counts(demo, c.path, False)[1]
        for c in demo.codes.list()
        if c.parent == "Getting referred"
    )
    assert re.search(
        rf'id="code-{referred.id}".*?title="Codings, sources and participants of this code '
        rf'alone, then \(after each slash\) with its sub-codes[^"]*">'
        rf'0 <span class="total">/ {codings}</span> codings · '
        rf'0 <span class="total">/ {sources}</span> sources · '
        rf'0 <span class="total">/ {cases}</span> participants</span>',
        page,
        re.S,
    )
    route = demo.codes.get("Referral route")
    codings, sources, cases = expected_counts(demo, route.path, children=False)
    assert (codings, sources, cases) == (route.codings, route.sources, route.participants)
    assert re.search(
        rf'id="code-{route.id}".*?title="Codings of this code, the sources they are in, and '
        rf'the participants: the cases linked to those sources">{codings} codings · '
        rf"{sources} source{'' if sources == 1 else 's'} · "
        rf"{cases} participant{'' if cases == 1 else 's'}</span>",
        page,
        re.S,
    )


def test_code_page_lists_segments_with_context_and_participant(client, demo):
    warmth = demo.codes.get("Warmth")
    page = client.get(f"/codes/{warmth.id}").text
    segments = demo.segments("Warmth", context=160)
    assert f'Segments <span class="count">({len(segments)})</span>' in page
    for segment in segments:
        assert f"<mark>{escape(segment.text)}</mark>" in page
        assert f"{escape(segment.after)}…</span>" in page
        assert f"#span-{segment.start}-{segment.end}" in page
    assert "<strong>Mother 1</strong>" in page
    parent = demo.codes.get("Getting referred")
    with_children = client.get(f"/codes/{parent.id}").text
    assert with_children.count('class="segment"') == len(
        demo.segments("Getting referred", children=True)
    )
    own = client.get(f"/codes/{parent.id}?scope=own").text
    assert own.count('class="segment"') == 0
    dev = client.get(f"/codes/{warmth.id}?coder=Dev").text
    assert dev.count('class="segment"') == len(demo.segments("Warmth", coder="Dev"))


def test_code_page_filters_segments_by_participant_attributes(client, demo):
    warmth = demo.codes.get("Warmth")
    every = demo.segments("Warmth", context=160)
    young = set(demo.query.cases("age <= 25"))
    kept = [s for s in every if s.case in young]
    assert kept and len(kept) < len(every)  # the filter must leave some out, and keep some
    page = client.get(f"/codes/{warmth.id}", params={"where": "age <= 25"}).text
    assert page.count('class="segment"') == len(kept)
    assert 'value="age &lt;= 25"' in page
    for segment in kept:
        assert f"#span-{segment.start}-{segment.end}" in page
    none = client.get(f"/codes/{warmth.id}", params={"where": "age > 90"}).text
    assert "No segments of participants where age &gt; 90." in none
    bad = client.get(f"/codes/{warmth.id}", params={"where": "agee <= 25"})
    assert bad.status_code == 404 and "agee" in bad.text and "age" in bad.text.replace("agee", "")


def test_rename_recolour_describe_move_merge(client, demo):
    warmth = demo.codes.get("Warmth")
    post = lambda path, **data: client.post(path, data=data, headers=HTMX)  # noqa: E731
    assert post(f"/codes/{warmth.id}/rename", name="Kindness").status_code == 204
    assert demo.codes.get("Kindness").id == warmth.id
    assert post(f"/codes/{warmth.id}/recolour", colour="#AA0000").status_code == 204
    assert demo.codes.get("Kindness").colour == "#aa0000"
    assert f".code-{warmth.id}{{--c:#aa0000}}" in client.get("/codes.css").text
    assert post(f"/codes/{warmth.id}/describe", description="Felt cared for").status_code == 204
    assert demo.codes.get("Kindness").description == "Felt cared for"
    response = post(f"/codes/{warmth.id}/move", parent="")
    assert response.status_code == 204
    assert demo.codes.get("Kindness").parent is None
    mothered = demo.codes.get("Feeling mothered")
    moved = warmth.codings + mothered.codings
    response = post(f"/codes/{mothered.id}/merge", into="Kindness")
    assert response.status_code == 204
    assert response.headers["hx-redirect"] == f"/codes/{warmth.id}"
    assert demo.codes.get("Kindness").codings == moved
    assert not [c for c in demo.codes.list() if c.name == "Feeling mothered"]
    flash = unquote(response.cookies["thematica_flash"])
    assert flash == (
        f"Merged “The therapist relationship/Feeling mothered” into “Kindness”: "
        f"{mothered.codings} codings moved."
    )


@pytest.mark.parametrize(
    ("action", "data", "status", "says"),
    [
        ("rename", {"name": "Chasing the referral"}, 400, "already named"),
        ("rename", {"name": "  "}, 400, "needs a name"),
        ("recolour", {"colour": "red"}, 400, "#rrggbb"),
        ("move", {"parent": "Getting referred/Referral route"}, 400, "under itself"),
        ("move", {"parent": "No such parent"}, 404, "unknown code"),
        ("merge", {"into": "Getting referred"}, 400, "itself"),
        ("merge", {"into": "Getting referred/Referral route"}, 400, "own children"),
        ("merge", {}, 400, "choose the code"),
    ],
)
def test_failed_codebook_change_changes_nothing(client, demo, action, data, status, says):
    target = (
        demo.codes.get("Getting referred")
        if action in ("move", "merge")
        else demo.codes.get("Referral route")
    )
    before = snapshot(demo)
    response = client.post(f"/codes/{target.id}/{action}", data=data, headers=HTMX)
    assert response.status_code == status, response.text
    assert says in response.text
    assert snapshot(demo) == before


def test_change_to_a_code_that_is_gone_is_404(client, demo):
    before = snapshot(demo)
    response = client.post("/codes/9999/rename", data={"name": "x"}, headers=HTMX)
    assert response.status_code == 404
    assert "no code with id 9999" in response.text
    assert client.get("/codes/9999").status_code == 404
    assert snapshot(demo) == before


def test_add_a_code(client, demo):
    response = client.post(
        "/codes",
        data={"name": "Sleep", "parent": "Getting referred", "description": "Nights"},
        headers=HTMX,
    )
    assert response.status_code == 204
    code = demo.codes.get("Sleep")
    assert response.headers["hx-redirect"] == "/codes"
    assert (code.parent, code.description) == ("Getting referred", "Nights")


def test_server_timing_of_the_reader(client):
    response = client.get(reader_url("interview-05.txt"))
    assert float(response.headers["server-timing"].removeprefix("app;dur=")) > 0


def test_progress_counts_turns_touched_by_codings():
    from thematica.web.views import _touched

    turns = [(0, 10), (20, 30), (40, 50), (60, 70)]
    assert _touched(turns, []) == 0
    assert _touched(turns, [(5, 6)]) == 1
    assert _touched(turns, [(0, 100)]) == 4
    assert _touched(turns, [(10, 20), (30, 40)]) == 0  # half-open: touching is not overlap
    assert _touched(turns, [(9, 21), (45, 46)]) == 3
    brute = lambda ts, cs: sum(any(s < b and e > a for s, e in cs) for a, b in ts)  # noqa: E731
    import random

    rng = random.Random(7)
    for _ in range(200):
        codings = sorted((s, s + rng.randint(1, 15)) for s in rng.sample(range(80), 5))
        assert _touched(turns, codings) == brute(turns, codings)


@pytest.mark.parametrize(
    "fields",
    [
        {"in_vivo": "true", "end": 10_000_000},
        {"new_code": "Brand new", "end": 10_000_000},
        {"new_code": "Brand new", "source": "nope.txt"},
        {"in_vivo": "true", "start": 50, "end": 50},
        {"new_code": "No such parent/Child"},
    ],
)
def test_failed_coding_with_a_new_code_adds_no_code(client, demo, fields):
    before = snapshot(demo)
    data = {"source": "interview-01.txt", "start": 40, "end": 60, **fields}
    response = client.post("/codings", data=data, headers=FETCH)
    assert response.status_code in (400, 404), response.text
    assert snapshot(demo) == before


def test_in_vivo_words_with_a_slash_name_a_top_level_code(client, demo):
    text = "Participant: It was and/or something.\n"
    demo.sources.add("slash.txt", text)
    start = text.index("and/or")
    response = apply(client, "slash.txt", start, start + 6, in_vivo="true")
    assert response.status_code == 200, response.text
    assert demo.codes.get("and/or").parent is None


def test_agreement_page_and_consensus(client, demo):
    from thematica.agreement import consensus

    page = client.get("/agreement?a=Dev&b=Hannah&unit=char")
    assert page.status_code == 200
    assert "per character" in page.text and "Prevalence" in page.text
    assert "Start consensus" in page.text
    headers = {"x-csrf-token": "test-token"}
    started = client.post("/consensus/start", data={"a": "Dev", "b": "Hannah"}, headers=headers)
    assert started.status_code == 303
    item = consensus.next_item(demo)
    made = client.post(
        f"/consensus/{item.id}/resolve", data={"key": "a", "memo": ""}, headers=headers
    )
    assert made.status_code == 303
    assert consensus.items_by_id(demo, [item.id])[0].resolution == "take Dev"
    refused = client.post(f"/consensus/{item.id}/resolve", data={"key": "z"}, headers=headers)
    assert refused.status_code == 400
    page = client.get("/agreement")
    assert "left" in page.text


def test_themes_board_changes(client, demo):
    headers = {"x-csrf-token": "test-token"}
    assert client.post("/themes", data={"name": "Being seen"}, headers=headers).status_code == 303
    link = {"theme": "Being seen", "code": "Getting referred"}
    assert client.post("/themes/link", data=link, headers=headers).status_code == 303
    define = {"theme": "Being seen", "definition": "Feeling noticed."}
    assert client.post("/themes/define", data=define, headers=headers).status_code == 303
    status = {"theme": "Being seen", "status": "reviewed"}
    assert client.post("/themes/status", data=status, headers=headers).status_code == 303
    theme = demo.themes.get("Being seen")
    assert theme.codes == ("Getting referred",) and theme.status == "reviewed"
    board = client.get("/themes")
    assert board.status_code == 200 and "Feeling noticed." in board.text
    bad = client.post("/themes/status", data={"theme": "Nope", "status": "x"}, headers=headers)
    assert bad.status_code in (400, 404)


def test_the_lead_draws_sources_for_double_coding_in_the_browser(client, demo):
    from thematica.agreement.double_coding import picked

    names = [s.name for s in demo.sources.list()]
    assert len(names) == 4
    page = client.get("/agreement").text
    assert 'id="draw-form"' in page and 'id="pick-form"' in page
    # A fifth of the transcripts, rounded up, is offered as the draw's size.
    assert 'name="count" type="number" min="1" max="4" value="1"' in page
    assert "<option>primary_diagnosis</option>" in page
    drawn = client.post("/double-coding/pick", data={"count": "2", "seed": "7"}, headers=HTMX)
    assert drawn.status_code == 204, drawn.text
    first = picked(demo)
    assert len(first) == 2 and {p.method for p in first} == {"random: 2 of 4, seed 7"}
    assert unquote(drawn.cookies["thematica_flash"]) == (
        "Picked 2 for double coding (random: 2 of 4, seed 7): "
        + ", ".join(p.source for p in first)
        + "."
    )
    assert demo.log(1)[0].action == "pick for double coding"
    spread = {"count": "1", "seed": "", "stratify": "primary_diagnosis"}
    assert client.post("/double-coding/pick", data=spread, headers=HTMX).status_code == 204
    (method,) = {p.method for p in picked(demo)} - {"random: 2 of 4, seed 7"}
    # A blank seed is replaced by a new one, and recorded.
    assert re.fullmatch(r"stratified by primary_diagnosis: 1 of 2, seed \d+", method)
    page = client.get("/agreement").text
    (left,) = set(names) - {p.source for p in picked(demo)}
    assert "of the 1 not yet picked" in page and f"<option>{left}</option>" in page
    before = snapshot(demo)
    for data, message in [
        ({"count": "two"}, "how many sources to draw must be a whole number, not 'two'"),
        ({"count": ""}, "give how many sources to draw"),
        ({"count": "9"}, "cannot draw 9 of the 1 sources not yet picked"),
        ({"count": "1", "seed": "x"}, "the seed must be a whole number, not 'x'"),
        ({"count": "1", "stratify": "shoe size"}, "shoe size"),
        ({"source": first[0].source}, f"{first[0].source} is already picked for double coding"),
        ({"source": "no-such.txt"}, "no-such.txt"),
    ]:
        refused = client.post("/double-coding/pick", data=data, headers=HTMX)
        assert refused.status_code in (400, 404), (data, refused.text)
        assert message in refused.text, (data, refused.text)
    assert snapshot(demo) == before
    by_name = client.post("/double-coding/pick", data={"source": left}, headers=HTMX)
    assert by_name.status_code == 204
    assert (left, "by hand") in {(p.source, p.method) for p in picked(demo)}
    # Every source picked: the forms give way, and each way of picking is named.
    page = client.get("/agreement").text
    assert 'id="draw-form"' not in page
    (shown,) = re.findall(r'<p id="picked">.*?</p>', page)
    assert re.sub(r"<[^>]+>", "", shown) == (
        "Picked for double coding: "
        + ", ".join(sorted(p.source for p in first))
        + f" (random: 2 of 4, seed 7); {', '.join(p.source for p in picked(demo) if p.method == method)}"
        + f" ({method}); {left} (by hand)."
    )


def test_a_blind_coder_sees_only_their_own_codings_of_double_coded_sources(demo, demo_path):
    import warnings

    from fastapi.testclient import TestClient

    from tests.web.conftest import BASE, PORT
    from thematica import open_project
    from thematica.agreement.double_coding import pick, set_blind
    from thematica.web import create_app

    pick(demo, ["interview-02.txt"])
    set_blind(demo, "Dev")
    dev_own = demo.codings.list(source_name="interview-02.txt", coder_name="Dev")
    assert len(demo.codings.list(source_name="interview-02.txt")) > len(dev_own)
    everyone = demo.codings.list(source_name="interview-05.txt")
    with open_project(demo_path, actor="Dev") as as_dev, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with TestClient(create_app(as_dev, port=PORT, token="test-token"), base_url=BASE) as blind:
            doubled = blind.get(reader_url("interview-02.txt", "*")).text
            assert doubled.count('class="coding"') == len(dev_own)
            other = blind.get(reader_url("interview-05.txt", "*")).text
            assert other.count('class="coding"') == len(everyone)


# -- memos: edit and delete --------------------------------------------------------------


def test_edit_and_delete_a_memo_from_the_reader(client, demo):
    made = demo.memos.add("First", title="Visit", source="interview-01.txt", start=71, end=90)
    page = client.get(reader_url("interview-01.txt")).text
    assert f'id="edit-memo-{made.id}"' in page and f'id="delete-memo-{made.id}"' in page
    fields = {"source": "interview-01.txt", "layer": "Hannah", "title": "Visit", "text": "Second"}
    response = client.post(f"/memos/{made.id}/edit", data=fields, headers=FETCH)
    assert response.status_code == 200, response.text
    assert unquote(response.headers["x-message"]) == f"Saved memo {made.id}."
    assert "Second" in response.text and 'id="panel"' in response.text
    assert demo.memos.get(made.id).text == "Second"
    assert demo.log(1)[0].action == "edit memo"
    response = client.request(
        "DELETE", f"/memos/{made.id}?source=interview-01.txt&layer=Hannah", headers=FETCH
    )
    assert response.status_code == 200, response.text
    assert f'id="memo-{made.id}"' not in response.text
    assert made.id not in [m.id for m in demo.memos.list()]
    undone = client.post("/undo", data={"source": "interview-01.txt"}, headers=FETCH)
    assert f'id="memo-{made.id}"' in undone.text
    assert demo.memos.get(made.id).text == "Second"
    form = client.post(
        f"/memos/{made.id}/delete", data={"source": "interview-01.txt", "csrf_token": "test-token"}
    )
    assert form.status_code == 303 and form.headers["location"] == reader_url("interview-01.txt")


def test_edit_a_journal_entry_goes_back_to_the_journal(client, demo):
    entry = demo.memos.journal()[0]
    response = client.post(f"/memos/{entry.id}/edit", data={"text": "Reworded."}, headers=HTMX)
    assert response.status_code == 204 and response.headers["hx-redirect"] == "/"
    assert demo.memos.get(entry.id).text == "Reworded."
    assert demo.memos.get(entry.id).title == entry.title


@pytest.mark.parametrize(
    ("method", "path", "data", "status", "says"),
    [
        ("POST", "/memos/{id}/edit", {"text": "  "}, 400, "needs some text"),
        ("POST", "/memos/999/edit", {"text": "x"}, 404, "no memo with id 999"),
        ("DELETE", "/memos/999", None, 404, "no memo with id 999"),
        ("POST", "/memos/nine/edit", {"text": "x"}, 400, "Bad request"),
    ],
)
def test_failed_memo_change_changes_nothing(client, demo, method, path, data, status, says):
    made = demo.memos.add("Keep", source="interview-01.txt", start=71, end=90)
    before = snapshot(demo)
    url = path.format(id=made.id)
    if method == "DELETE":
        response = client.request("DELETE", url, headers=FETCH)
    else:
        response = client.post(url, data={"source": "interview-01.txt", **data}, headers=FETCH)
    assert response.status_code == status, response.text
    assert says in response.text and "<html" not in response.text
    assert snapshot(demo) == before and demo.memos.get(made.id).text == "Keep"


# -- codes: delete, merge counts, the tree for dragging ------------------------------


def test_delete_a_code_is_refused_while_it_has_codings_unless_forced(client, demo):
    route = demo.codes.get("Referral route")
    assert route.codings
    page = client.get(f"/codes/{route.id}").text
    assert 'id="delete-form"' in page and 'name="force"' in page
    before = snapshot(demo)
    refused = client.post(f"/codes/{route.id}/delete", headers=HTMX)
    assert refused.status_code == 400
    assert refused.text == (
        f"code 'Getting referred/Referral route' has {route.codings} codings and 0 memos; "
        "use --force to delete them too, or merge it into another code"
    )
    assert snapshot(demo) == before
    forced = client.post(f"/codes/{route.id}/delete", data={"force": "true"}, headers=HTMX)
    assert forced.status_code == 204 and forced.headers["hx-redirect"] == "/codes"
    assert unquote(forced.cookies["thematica_flash"]) == (
        f"Deleted code “Getting referred/Referral route” and its {route.codings} codings; "
        "Undo brings it back."
    )
    assert "Referral route" not in [c.name for c in demo.codes.list()]
    demo.undo()
    assert demo.codes.get("Referral route").codings == route.codings
    empty = demo.codes.add("Nothing yet")
    response = client.post(f"/codes/{empty.id}/delete", headers=HTMX)
    assert response.status_code == 204
    assert unquote(response.cookies["thematica_flash"]) == (
        "Deleted code “Nothing yet”; Undo brings it back."
    )


def test_merge_says_how_many_codings_moved_and_were_dropped(client, demo):
    text = demo.sources.text("interview-01.txt")
    start = text.index("Like she was my mum.")
    for code in ("Warmth", "Feeling mothered"):
        demo.codings.add("interview-01.txt", code, start, start + 20)
    mothered = demo.codes.get("Feeling mothered")
    response = client.post(f"/codes/{mothered.id}/merge", data={"into": "Warmth"}, headers=HTMX)
    assert response.status_code == 204
    assert unquote(response.cookies["thematica_flash"]) == (
        "Merged “The therapist relationship/Feeling mothered” into "
        f"“The therapist relationship/Warmth”: {mothered.codings - 1} codings moved, "
        "1 duplicate dropped."
    )


def test_codebook_tree_carries_what_a_drop_needs(client, demo):
    page = client.get("/codes").text
    referred = demo.codes.get("Getting referred")
    route = demo.codes.get("Referral route")
    assert (
        f'id="code-{route.id}" class="code-row" data-id="{route.id}" data-name="Referral route" '
        f'data-path="Getting referred/Referral route" data-version="1" data-parent="Getting referred" '
        f'data-codings="{route.codings}" data-subcodes="0"'
    ) in page
    children = len([c for c in demo.codes.list() if c.parent == "Getting referred"])
    assert f'data-parent="" data-codings="0" data-subcodes="{children}"' in page
    assert f'id="code-{referred.id}"' in page
    assert 'id="drop-dialog"' in page and 'id="drop-top"' in page
    assert '<script src="/static/drag.js' in page


# -- the recording ----------------------------------------------------------------------

VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Interviewer>How did the first visit go?

00:00:04.500 --> 00:00:09.000
<v Participant>She sat on the floor with us. I will never forget it.

00:01:05.000 --> 00:01:09.000
<v Interviewer>And after that?

00:01:10.000 --> 00:01:15.000
<v Participant>After that I slept for the first time in weeks.
"""


def timed_source(project, folder, seconds=80):
    """A subtitled interview ("visit.vtt": four turns at 0:01, 0:04, 1:05 and 1:10) and
    a silent WAV recording of ``seconds`` for it, not yet attached."""
    import wave

    (folder / "visit.vtt").write_text(VTT, encoding="utf-8")
    project.sources.add_file(folder / "visit.vtt")
    recording = folder / "visit.wav"
    with wave.open(str(recording), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * 8000 * seconds)
    return "visit.vtt", recording


def test_reader_shows_turn_times_and_plays_only_with_a_recording(client, demo, tmp_path):
    name, recording = timed_source(demo, tmp_path)
    page = client.get(reader_url(name)).text
    assert 'class="transcript timed"' in page
    assert re.findall(r"<time>([\d:]+)</time>", page) == ["0:01", "0:04", "1:05", "1:10"]
    assert 'aria-label="Participant, turn 4, at 1:10"' in page
    assert 'class="play"' not in page and "<audio" not in page
    assert "thematica sources media" in page
    demo.sources.attach_media(name, recording)
    page = client.get(reader_url(name)).text
    assert '<audio id="media" class="media-audio" controls preload="metadata" ' in page
    assert 'src="/media/visit.vtt"' in page
    assert re.findall(r'class="play" tabindex="-1" data-time="([\d.]+)"', page) == [
        "1.0",
        "4.5",
        "65.0",
        "70.0",
    ]
    untimed = client.get(reader_url("interview-01.txt")).text
    assert "timed" not in untimed and "turn-time" not in untimed


def test_media_route_streams_the_attached_file_with_ranges(client, demo, tmp_path):
    name, recording = timed_source(demo, tmp_path)
    missing = client.get("/media/visit.vtt")
    assert missing.status_code == 404
    assert "no recording is attached to visit.vtt" in missing.text
    demo.sources.attach_media(name, recording)
    whole = client.get("/media/visit.vtt")
    assert whole.status_code == 200
    assert re.fullmatch(r"audio/(x-)?wav", whole.headers["content-type"])
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.content == recording.read_bytes()
    part = client.get("/media/visit.vtt", headers={"Range": "bytes=44-99"})
    assert part.status_code == 206
    size = recording.stat().st_size
    assert part.headers["content-range"] == f"bytes 44-99/{size}"
    assert part.content == recording.read_bytes()[44:100]
    recording.unlink()
    gone = client.get("/media/visit.vtt")
    assert gone.status_code == 404 and "no longer at" in gone.text


@pytest.mark.parametrize(
    "path", ["/media/interview-01.txt", "/media/..%2F..%2Fetc%2Fpasswd", "/media/%2Fetc%2Fpasswd"]
)
def test_media_route_serves_no_other_file(client, demo, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "root:" not in response.text


# -- the themes board: codes to drag, exemplar quotes ---------------------------------


def test_board_has_a_tray_of_codes_and_drop_targets(client, demo):
    demo.themes.add("Being seen")
    demo.themes.link("Being seen", ["Getting referred"])
    page = client.get("/themes").text
    for code in demo.codes.list():
        assert f'draggable="true" data-code="{escape(code.path)}"' in page
    assert 'data-theme="Being seen"' in page
    assert 'class="code-chip linked" draggable="true" data-code="Getting referred" ' in page
    assert '<script src="/static/drag.js' in page


def test_pick_and_remove_an_exemplar_quote(client, demo):
    demo.themes.add("Being seen")
    demo.themes.link("Being seen", ["Warmth"])
    segments = demo.segments("Warmth", context=0, children=True)
    page = client.get("/themes").text
    assert page.count('<option value="') >= len(segments)
    assert f'<option value="{segments[0].coding}">{escape(segments[0].case)}: “' in page
    headers = {"x-csrf-token": "test-token"}
    made = client.post(
        "/themes/quotes", data={"theme": "Being seen", "coding": segments[0].coding}, headers=HTMX
    )
    assert made.status_code == 204, made.text
    (quote,) = demo.themes.quotes("Being seen")
    assert quote.coding == segments[0].coding
    assert unquote(made.cookies["thematica_flash"]) == (
        f"Chose a quote for “Being seen”: {quote.render()}"
    )
    board = client.get("/themes").text
    assert f'id="quote-{quote.id}"' in board
    assert f'<option value="{segments[0].coding}">' not in board  # chosen: not offered again
    removed = client.post(f"/themes/quotes/{quote.id}/remove", headers=headers)
    assert removed.status_code == 303
    assert demo.themes.quotes("Being seen") == []
    before = snapshot(demo)
    for data, status in [
        ({"theme": "Being seen"}, 400),
        ({"theme": "Being seen", "coding": 99999}, 404),
        ({"theme": "Nope", "coding": segments[0].coding}, 404),
    ]:
        response = client.post("/themes/quotes", data=data, headers=HTMX)
        assert response.status_code == status, response.text
    assert client.post("/themes/quotes/99999/remove", headers=HTMX).status_code == 404
    assert snapshot(demo) == before
