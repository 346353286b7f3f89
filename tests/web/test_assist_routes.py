"""Assisted coding in the workbench through the app's test client, with a real model (the
static model distilled from MiniLM, built once per test session by tests/assist): "More
like this" on a code's page and on a coding in the reader, suggested codes for a
selection, and accepting one, which is the only way anything gets coded."""

import re
import time
import warnings
from urllib.parse import quote, unquote

import pytest

from tests.assist.conftest import (  # noqa: F401 (fixtures)
    MISSING,
    NEEDS_EXTRA,
    _no_user_registry,
    models_dir,
)
from tests.cli import fails
from tests.web.conftest import BASE, PORT
from tests.web.test_routes import FETCH, HTMX, TOKEN, reader_url
from tests.web.test_security import snapshot

MODEL = "minilm-static"
SPAN = re.compile(
    r'name="source" value="([^"]+)">\s*<input type="hidden" name="start" value="(\d+)">\s*'
    r'<input type="hidden" name="end" value="(\d+)">'
)


def _client(app):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Starlette asks for httpx2; httpx still works
        from fastapi.testclient import TestClient
    return TestClient(app, base_url=BASE, follow_redirects=False)


@pytest.fixture
def assisted(demo, models_dir):  # noqa: F811 (a fixture)
    """A test client whose app uses the static model (loaded on first use)."""
    from thematica.web import create_app

    with _client(create_app(demo, port=PORT, token="test-token", assist_model=MODEL)) as client:
        yield client


def answer(client, url, seconds=120):
    """GET ``url`` as htmx does, asking again while the model loads, as the page does."""
    deadline = time.monotonic() + seconds
    while True:
        response = client.get(url, headers={"HX-Request": "true"})
        if "The model is loading" not in response.text:
            return response
        assert 'hx-trigger="load delay:1s"' in response.text  # the page asks again
        if time.monotonic() > deadline:
            pytest.fail(f"the model was not ready after {seconds} s")
        time.sleep(0.2)


def spans(html):
    return [(s, int(a), int(b)) for s, a, b in SPAN.findall(html)]


def code_id(project, path):
    return project.codes.get(path).id


# -- more like a code, on its page -------------------------------------------------------------


def test_more_like_a_code_ranks_uncoded_passages_with_who_where_and_score(assisted, demo):
    code = demo.codes.get("Feeling mothered")
    page = assisted.get(f"/codes/{code.id}").text
    assert 'id="more-like-button"' in page
    assert 'hx-get="/assist/similar"' in page and f'name="code" value="{code.id}"' in page

    # The first answer does not wait for the model: it says so and asks again.
    first = assisted.get(f"/assist/similar?code={code.id}", headers=HTMX)
    assert first.status_code == 200
    assert "The model is loading…" in first.text
    assert f'hx-get="/assist/similar?code={code.id}"' in first.text

    html = answer(assisted, f"/assist/similar?code={code.id}").text
    found = demo.assist.similar(code=code.path, model=MODEL, limit=10)
    assert spans(html) == [(p.source, p.start, p.end) for p in found.passages]
    assert len(found.passages) == 10
    coded = demo.segments(code.path, context=0)
    for p in found.passages:
        assert not any(s.source == p.source and s.start < p.end and s.end > p.start for s in coded)
    # Participant, source, context and the score written as a number, best first.
    scores = [
        float(s) for s in re.findall(r'<span class="score"[^>]*>score (\d\.\d{3})</span>', html)
    ]
    assert scores == [round(p.score, 3) for p in found.passages]
    assert scores == sorted(scores, reverse=True)
    best = found.passages[0]
    assert f"<strong>{best.case}</strong>" in html
    assert f'href="/sources/{quote(best.source)}#span-{best.start}-{best.end}"' in html
    assert html.count("Add to “Feeling mothered”") == 10
    assert html.count(" autofocus") == 1  # the first passage's button
    assert 'hx-post="/assist/accept"' in html


def test_accept_from_a_code_page_is_one_change_and_the_list_moves_on(assisted, demo):
    code = demo.codes.get("Feeling mothered")
    before = spans(answer(assisted, f"/assist/similar?code={code.id}").text)
    source, start, end = before[1]
    events = len(demo.log(None))
    response = assisted.post(
        "/assist/accept",
        data={"source": source, "start": start, "end": end, "code": code.path, "layer": "",
              "rank": 1, "next": f"/codes/{code.id}"},
        headers=HTMX,
    )  # fmt: skip
    assert response.status_code == 200
    made = [
        c for c in demo.codings.list(source_name=source, code_name=code.path) if c.start == start
    ]
    assert [(c.end, c.coder, c.provenance) for c in made] == [(end, "Hannah", f"assist:{MODEL}")]
    assert len(demo.log(None)) == events + 1
    event = demo.log(1)[0]
    assert (event.action, event.after["model"], event.after["basis"]) == (
        "accept suggestion",
        MODEL,
        f"code {code.path}",
    )
    assert demo.assist.accepted(code=code.path) == 1
    # The list again (the code has one segment more to compare with), without the
    # passage just coded, the focus on the one in its place; the message and the Undo
    # button for htmx to swap in.
    after = spans(response.text)
    assert len(after) == 10 and (source, start, end) not in after
    assert re.search(r'id="accept-2"[^>]* autofocus', response.text)
    assert f'<p id="flash">Coded {source} [{start}, {end}) as “{code.path}”' in response.text
    assert 'Undo <span class="undo-what">accept suggestion' in response.text
    assert f'name="next" value="/codes/{code.id}"' in response.text

    undone = assisted.post("/undo", data={"next": f"/codes/{code.id}"}, headers=HTMX)
    assert undone.headers["hx-redirect"] == f"/codes/{code.id}"
    assert not [c for c in demo.codings.list(source_name=source) if c.start == start and c.end == end
                and c.code == code.path]  # fmt: skip
    assert demo.assist.accepted(code=code.path) == 0


def test_more_like_this_works_without_script_as_a_page_of_its_own(assisted, demo):
    code = demo.codes.get("Feeling mothered")
    answer(assisted, f"/assist/similar?code={code.id}")  # the model is ready
    page = assisted.get(f"/assist/similar?code={code.id}").text
    assert "<h1>More like “The therapist relationship/Feeling mothered”</h1>" in page
    source, start, end = spans(page)[0]
    url = f"/assist/similar?code={code.id}"
    assert f'name="next" value="{url}"' in page.replace("&amp;", "&")
    response = assisted.post(
        "/assist/accept",
        data={"source": source, "start": start, "end": end, "code": code.path, "next": url,
              "csrf_token": "test-token"},
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"] == url
    assert "Coded" in unquote(response.cookies["thematica_flash"])


# -- in the reader ------------------------------------------------------------------------------


def test_reader_offers_more_like_each_coding_and_suggestions(assisted, demo):
    page = assisted.get(reader_url("interview-01.txt")).text
    first = demo.codings.list(source_name="interview-01.txt", coder_name="Hannah")[0]
    assert f'class="link more-like" id="more-{first.id}" data-id="{first.id}"' in page
    assert 'id="btn-suggest"' in page and 'id="assist-dialog"' in page
    assert "need the assist extra" not in page


def test_more_like_a_coding_accepted_in_the_reader(assisted, demo):
    like = demo.codings.list(source_name="interview-01.txt", coder_name="Hannah")[0]
    url = f"/assist/similar?coding={like.id}&coder=Hannah&reader=interview-01.txt"
    html = answer(assisted, url).text
    found = demo.assist.similar(coding=like.id, model=MODEL, coder="Hannah", limit=10)
    assert spans(html) == [(p.source, p.start, p.end) for p in found.passages]
    assert f"most like coding {like.id}" in html
    assert "hx-post" not in html  # the reader's script sends these forms
    assert 'name="reader" value="interview-01.txt"' in html
    assert f'name="like" value="{like.id}"' in html

    source, start, end = spans(html)[0]
    response = assisted.post(
        "/assist/accept",
        data={"source": source, "start": start, "end": end, "code": like.code, "like": like.id,
              "layer": "Hannah", "reader": "interview-01.txt", "rank": 0},
        headers=FETCH,
    )  # fmt: skip
    assert response.status_code == 200
    assert 'id="panel"' in response.text and 'id="undo-form"' in response.text
    message = unquote(response.headers["x-message"])
    assert message.startswith(f"Coded {source} [{start}, {end}) as “{like.code}” (suggested by")
    event = demo.log(1)[0]
    assert (event.action, event.actor, event.after["basis"]) == (
        "accept suggestion",
        "Hannah",
        f"coding {like.id}",
    )
    # Read again, the list no longer offers it.
    assert (source, start, end) not in spans(answer(assisted, url).text)


def test_suggested_codes_for_a_selection_apply_as_an_accepted_suggestion(assisted, demo):
    text = demo.sources.text("interview-01.txt")
    words = "Like she was my mum."
    start = text.index(words)
    end = start + len(words)
    url = f"/assist/suggest?source=interview-01.txt&start={start}&end={end}&coder=Hannah"
    html = answer(assisted, url).text
    found = demo.assist.suggest("interview-01.txt", start, end, model=MODEL, coder="Hannah")
    shown = re.findall(r'name="code" value="([^"]+)"', html)
    assert shown == [s.code for s in found]  # every code here has Hannah's segments
    for s in found:
        assert f"votes {s.score:.2f}" in html
        for segment in s.segments:
            assert f'<span class="score">{segment.score:.3f}</span>' in html
            assert f"#span-{segment.start}-{segment.end}" in html
    assert html.count(" autofocus") == 1
    assert 'data-after="close"' in html

    events = len(demo.log(None))
    response = assisted.post(
        "/assist/accept",
        data={"source": "interview-01.txt", "start": start, "end": end, "code": shown[0],
              "layer": "Hannah", "reader": "interview-01.txt"},
        headers=FETCH,
    )  # fmt: skip
    assert response.status_code == 200
    assert len(demo.log(None)) == events + 1
    made = [
        c for c in demo.codings.list(source_name="interview-01.txt")
        if (c.start, c.end) == (start, end) and c.provenance
    ]  # fmt: skip
    assert [(c.code, c.coder, c.provenance) for c in made] == [
        (shown[0], "Hannah", f"assist:{MODEL}")
    ]
    assert f'id="coding-{made[0].id}"' in response.text  # in the reader's panel


def test_nothing_is_coded_without_the_accept_post(assisted, demo):
    before = snapshot(demo)
    code = demo.codes.get("Feeling mothered")
    like = demo.codings.list(source_name="interview-01.txt")[0]
    answer(assisted, f"/assist/similar?code={code.id}")
    answer(assisted, f"/assist/similar?coding={like.id}&reader=interview-01.txt")
    answer(assisted, f"/assist/suggest?source=interview-01.txt&start={like.start}&end={like.end}")
    assisted.get(f"/assist/similar?code={code.id}")  # the page without script
    assisted.get(f"/codes/{code.id}")
    assisted.get(reader_url("interview-01.txt"))
    assert snapshot(demo) == before
    assert demo.assist.accepted() == 0


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/assist/similar?coding=99999", 404, "no coding with id 99999"),
        ("/assist/similar?code=99999", 404, "no code with id 99999"),
        ("/assist/similar", 400, "give code=ID or coding=ID"),
        ("/assist/similar?code=1&coding=1", 400, "give code=ID or coding=ID"),
        ("/assist/similar?coding=1&reader=nope.txt", 404, "nope.txt"),
        ("/assist/suggest?source=interview-01.txt&start=10&end=999999", 400, "out of range"),
        ("/assist/suggest?source=interview-01.txt&start=40&end=40", 400, "empty span"),
        ("/assist/suggest?source=interview-01.txt&start=-3&end=40", 400, "invalid span"),
        ("/assist/suggest?source=nope.txt&start=0&end=5", 404, "nope.txt"),
        ("/assist/suggest?source=interview-01.txt&start=ten&end=40", 400, "start"),
    ],
)
def test_bad_questions_are_refused_before_any_model_is_asked(assisted, demo, url, status, says):
    response = assisted.get(url, headers=HTMX)
    assert response.status_code == status
    assert says in response.text
    assert assisted.app.state.assist.state == "idle"  # nothing started loading


def test_accept_while_the_model_loads_codes_nothing(assisted, demo):
    before = snapshot(demo)
    response = assisted.post(
        "/assist/accept",
        data={"source": "interview-01.txt", "start": 0, "end": 10, "code": "Warmth"},
        headers=FETCH,
    )
    assert response.status_code == 503
    assert response.text == "The model is still loading: nothing was coded. Try again."
    assert snapshot(demo) == before
    answer(assisted, "/assist/similar?code=1")  # let it finish before the project closes


@pytest.mark.parametrize(
    ("fields", "status", "says"),
    [
        ({"start": 10, "end": 999999}, 400, "out of range"),
        ({"start": 30, "end": 20}, 400, "need 0 <= start <= end"),
        ({"source": "nope.txt"}, 404, "nope.txt"),
        ({"code": "No such code"}, 404, "unknown code 'No such code'"),
        ({"like": 99999}, 404, "no coding with id 99999"),
        ({"start": "ten"}, 400, "start"),
    ],
)
def test_bad_accept_changes_nothing(assisted, demo, fields, status, says):
    answer(assisted, "/assist/similar?code=1")
    before = snapshot(demo)
    data = {"source": "interview-01.txt", "start": 0, "end": 12, "code": "Warmth", **fields}
    response = assisted.post("/assist/accept", data=data, headers=FETCH)
    assert response.status_code == status
    assert says in response.text
    assert snapshot(demo) == before


def test_accept_into_another_code_than_the_coding_found_from_is_refused(assisted, demo):
    answer(assisted, "/assist/similar?code=1")
    like = next(c for c in demo.codings.list() if not c.code.endswith("Warmth"))
    before = snapshot(demo)
    data = {"source": "interview-01.txt", "start": 0, "end": 12, "code": "Warmth", "like": like.id}
    response = assisted.post("/assist/accept", data=data, headers=FETCH)
    assert response.status_code == 400
    assert f"coding {like.id} is coded {like.code}, not Warmth" in response.text
    assert snapshot(demo) == before


def test_accepting_the_same_passage_twice_is_refused(assisted, demo):
    answer(assisted, "/assist/similar?code=1")
    coded = demo.codings.list(source_name="interview-01.txt", coder_name="Hannah")[0]
    before = snapshot(demo)
    data = {"source": coded.source, "start": coded.start, "end": coded.end, "code": coded.code}
    response = assisted.post("/assist/accept", data=data, headers=FETCH)
    assert response.status_code == 400
    assert "is already coded" in response.text
    assert snapshot(demo) == before


def test_accept_without_the_csrf_token_is_refused(assisted, demo):
    answer(assisted, "/assist/similar?code=1")
    before = snapshot(demo)
    data = {"source": "interview-01.txt", "start": 0, "end": 12, "code": "Warmth"}
    for headers in ({}, {"X-CSRF-Token": "wrong"}, {**TOKEN, "Origin": "http://evil.example"}):
        response = assisted.post("/assist/accept", data=data, headers=headers)
        assert response.status_code == 403
    assert snapshot(demo) == before


# -- the model: failing to load, and no extra ---------------------------------------------------


@pytest.mark.skipif(bool(MISSING), reason=NEEDS_EXTRA)
def test_a_model_that_cannot_load_says_why_and_is_tried_again(demo, tmp_path, monkeypatch):
    from thematica.web import create_app

    monkeypatch.setenv("THEMATICA_MODELS_DIR", str(tmp_path / "no-models"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    app = create_app(demo, port=PORT, token="test-token", assist_model=MODEL)
    with _client(app) as client:
        html = answer(client, "/assist/similar?code=1", seconds=30).text
        assert 'role="alert">model &#39;minilm-static&#39; is not built yet: run' in html
        assert "hx-trigger" not in html  # no more asking
        assert app.state.assist.status() == "loading"  # asked again, it tries again
        answer(client, "/assist/similar?code=1", seconds=30)


def test_without_the_assist_extra_the_actions_are_absent(demo, monkeypatch):
    from thematica.assist import extra
    from thematica.web import create_app

    monkeypatch.setattr(extra, "installed", lambda: False)
    with _client(create_app(demo, port=PORT, token="test-token")) as client:
        code = code_id(demo, "Feeling mothered")
        note = "need the assist extra: <code>pip install &#39;thematica[assist]&#39;</code>"
        page = client.get(f"/codes/{code}").text
        assert (
            "needs the assist extra: <code>pip install &#39;thematica[assist]&#39;</code>" in page
        )
        assert "more-like-button" not in page
        reader = client.get(reader_url("interview-01.txt")).text
        assert note in reader
        for absent in ('class="link more-like"', 'id="btn-suggest"', 'id="assist-dialog"'):
            assert absent not in reader
        response = client.get(f"/assist/similar?code={code}", headers=HTMX)
        assert response.status_code == 400
        assert response.text == (
            "assisted coding needs the assist extra, which is not installed: "
            "pip install 'thematica[assist]'"
        )
        assert client.app.state.assist.state == "absent"


@pytest.mark.skipif(bool(MISSING), reason=NEEDS_EXTRA)
def test_serve_refuses_an_unknown_assist_model(demo_path):
    says = fails("serve", str(demo_path), "--assist-model", "minilm-statc", "--no-open")
    assert says == (
        "unknown model 'minilm-statc' (did you mean 'minilm-static' or 'minilm'?); "
        "`thematica assist models` shows them all"
    )
