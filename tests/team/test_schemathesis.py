"""Schemathesis against the team server's OpenAPI schema, as a logged-in lead (who may
call every operation): no answer is a server error, and every answer of the JSON API is
one its schema documents (status, content type, body). On PostgreSQL."""

import pytest
from hypothesis import HealthCheck, given, settings

from tests.team.conftest import BASE, PORT

schemathesis = pytest.importorskip(
    "schemathesis", reason="schemathesis is not installed: pip install -e '.[dev]'"
)

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)


@pytest.fixture
def api_schema(team, team_app):
    team("Lena")  # logged in; the session's cookie and token go with every case
    headers = {
        "cookie": "; ".join(f"{k}={v}" for k, v in team.clients["Lena"].cookies.items()),
        "x-csrf-token": team.tokens["Lena"],
        "host": f"127.0.0.1:{PORT}",
    }
    loaded = schemathesis.openapi.from_asgi("/api/openapi.json", team_app, headers=headers)
    loaded.headers = headers
    return loaded


def examples(n: int) -> settings:
    return settings(
        max_examples=n,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def operations(schema, api: bool):
    """The schema's operations, of the JSON API or of the pages (driven one by one with
    Hypothesis here, rather than through schemathesis's pytest plugin)."""
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith("/api/") == api:
            yield operation


def test_the_json_api_answers_as_its_schema_says(api_schema):
    checks = [getattr(schemathesis.checks, name) for name in CHECKS]
    tried = []
    for operation in operations(api_schema, api=True):

        @examples(25)
        @given(case=operation.as_strategy())
        def run(case):
            case.call_and_validate(base_url=BASE, headers=api_schema.headers, checks=checks)

        run()
        tried.append(f"{operation.method.upper()} {operation.path}")
    assert len(tried) == 6, tried


def test_no_page_or_form_answers_with_a_server_error(api_schema):
    tried = 0
    for operation in operations(api_schema, api=False):

        @examples(3)
        @given(case=operation.as_strategy())
        def run(case):
            answer = case.call(base_url=BASE, headers=api_schema.headers)
            assert answer.status_code < 500, f"{case.method} {case.formatted_path}"

        run()
        tried += 1
    assert tried > 50
