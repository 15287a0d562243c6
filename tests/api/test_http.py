"""The HTTP layer: the seed over JSON; the problem format on a 400 naming its field, a 422, a
500 and a 503; headers, request ids, logs and languages.

Bad input in bulk (bodies, methods, routes, media types, sizes), each with the problem it must
get, is test_hostile.py's corpus.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest
import structlog
from litestar.testing import TestClient

from service.examples import SEED_EVALUATE, SEED_PAYBACK, SEED_PAYBACK_WITH_EVALUATION
from service.http import compute
from service.http.app import create_app
from service.http.application import Application
from service.ops.logs import ACCESS
from service.settings import Settings

Client = TestClient  # type: ignore[type-arg]


def post(client: Client, path: str, body: Any, **headers: str) -> Any:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(
        path, content=content, headers={"content-type": "application/json", **headers}
    )


def assert_problem(
    response: Any, status: int, type_: str, pointer: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert problem["type"] == type_
    assert problem["title"] and problem["detail"]
    assert problem["request_id"] == response.headers["x-request-id"]
    if pointer is not None:
        assert [e["pointer"] for e in problem["errors"]] == [pointer], problem
    for leak in ("Traceback", "msgspec", "litestar", ".py", "site-packages"):
        assert leak not in response.text
    return problem


def test_seed_evaluate_answers_exact_money_as_json_numbers(client: Client) -> None:
    response = post(client, "/evaluate", SEED_EVALUATE)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert b'"monthly_gain":19082.00' in response.content
    assert b'"revenue_uplift_ratio":0.238525' in response.content
    body = response.json()
    assert [s["projected"] for s in body["stages"]] == [10300, 661, 463]
    assert body["baseline_revenue"] == 80000
    assert body["projected_revenue"] == 99082


@pytest.mark.parametrize("body", [SEED_PAYBACK, SEED_PAYBACK_WITH_EVALUATION])
def test_seed_payback_over_http(client: Client, body: dict[str, Any]) -> None:
    answer = post(client, "/payback", body).json()
    assert round(answer["payback_months"], 3) == 0.786
    assert answer["total_benefits"] == 228984
    assert answer["total_costs"] == 15000
    assert answer["npv"] == 213984
    assert answer["roi"] == 14.2656
    assert round(answer["irr_monthly"], 5) == 1.27207
    assert len(answer["cash_flows"]) == 13


def test_jpy_has_no_minor_unit_and_kwd_three(client: Client) -> None:
    body = {**SEED_EVALUATE, "currency": "JPY", "average_deal_value": 200.5}
    assert b'"baseline_revenue":80200,' in post(client, "/evaluate", body).content
    body = {**SEED_EVALUATE, "currency": "KWD", "average_deal_value": 0.0125}
    assert b'"baseline_revenue":5.000,' in post(client, "/evaluate", body).content


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        # (the corpus in test_hostile.py names the field of every other kind of violation)
        ({"stages": SEED_EVALUATE["stages"]}, "/average_deal_value"),
        ({**SEED_EVALUATE, "average_deal_value_uplift": -1.01}, "/average_deal_value_uplift"),
    ],
)
def test_schema_violations_are_400_naming_the_field(
    client: Client, body: Any, pointer: str
) -> None:
    problem = assert_problem(
        post(client, "/evaluate", body), 400, "/problems/schema-violation", pointer
    )
    assert problem["instance"] == "/evaluate"


def test_growing_funnel_is_422_at_the_stage(client: Client) -> None:
    stages = [*SEED_EVALUATE["stages"][:2], {"name": "deals", "count": 601}]
    assert_problem(
        post(client, "/evaluate", {**SEED_EVALUATE, "stages": stages}),
        422,
        "/problems/model-rejected",
        "/stages/2/count",
    )


def test_whole_months_accept_integral_numbers(client: Client) -> None:
    answer = post(client, "/payback", {**SEED_PAYBACK, "horizon_months": 24.0}).json()
    assert answer["horizon_months"] == 24


def test_json_with_charset_and_vendor_json_are_accepted(client: Client) -> None:
    for content_type in ("application/json; charset=utf-8", "application/problem+json"):
        response = client.post(
            "/evaluate", content=json.dumps(SEED_EVALUATE), headers={"content-type": content_type}
        )
        assert response.status_code == 200


def test_unexpected_errors_are_500_without_internals(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_: object) -> None:
        raise RuntimeError("secret internals /srv/app.py")

    monkeypatch.setattr(compute.calc, "evaluate", boom)
    with structlog.testing.capture_logs() as logs:
        response = post(client, "/evaluate", SEED_EVALUATE)
    problem = assert_problem(response, 500, "/problems/internal-error")
    assert "secret" not in response.text
    errors = [line for line in logs if line.get("log_level") == "error"]
    assert errors and errors[0]["exc_info"] is not None
    assert problem["request_id"]


def test_request_ids_are_echoed_when_safe_and_replaced_when_not(client: Client) -> None:
    assert (
        client.get("/healthz", headers={"x-request-id": "abc-123.X_y"}).headers["x-request-id"]
        == "abc-123.X_y"
    )
    for unsafe in ("a b", "x" * 129, "<script>"):
        echoed = client.get("/healthz", headers={"x-request-id": unsafe}).headers["x-request-id"]
        assert echoed != unsafe
        assert len(echoed) == 32


def test_every_answer_has_safe_headers(client: Client) -> None:
    for response in (
        client.get("/healthz"),
        client.get("/nowhere"),
        post(client, "/evaluate", b"{"),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"


def test_health_readiness_and_the_index(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
    index = client.get("/", headers={"accept": "application/json"}).json()
    assert index["links"]["evaluate"] == "/evaluate"
    page = client.get("/", headers={"accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")


def test_readyz_is_503_while_draining(app: Application, client: Client) -> None:
    app.litestar.state.draining = True
    assert_problem(client.get("/readyz"), 503, "/problems/not-ready")


def test_the_contract_is_served(client: Client) -> None:
    document = client.get("/schema/openapi.json").json()
    assert set(document["paths"]) >= {"/evaluate", "/payback", "/healthz", "/readyz", "/"}
    assert client.get("/schema").headers["content-type"].startswith("text/html")


def test_one_log_line_per_request_without_the_body(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    post(client, "/evaluate", SEED_EVALUATE, **{"x-request-id": "trace-me"})
    ACCESS.flush()  # lines are written at the end of the event loop's turn; don't race it
    output = capsys.readouterr().out
    lines = [json.loads(text) for text in output.splitlines() if text.startswith("{")]
    access = [line for line in lines if line["event"] == "request"]
    assert len(access) == 1
    line = access[0]
    assert line["request_id"] == "trace-me" and line["level"] == "info"
    assert line["method"] == "POST" and line["path"] == "/evaluate" and line["status"] == 200
    assert line["duration_ms"] >= 0
    assert line["timestamp"].endswith("Z")
    assert "leads" not in output


def test_the_log_line_names_the_partner_and_goes_through_structlog_on_a_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    digest = hashlib.sha256(b"k-1").hexdigest()
    app = create_app(Settings(log_format="console", partner_key_sha256s=f"acme:{digest}"))
    structlog.configure(cache_logger_on_first_use=False)
    with TestClient(app) as console_client, structlog.testing.capture_logs() as logs:  # type: ignore[arg-type]
        post(console_client, "/evaluate", SEED_EVALUATE, **{"x-api-key": "k-1"})
    lines = [line for line in logs if line["event"] == "request"]
    assert len(lines) == 1
    assert lines[0]["partner"] == "acme" and lines[0]["status"] == 200


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [(None, "en"), ("uk", "uk"), ("uk-UA,uk;q=0.9,en;q=0.8", "uk"), ("en-US,en;q=0.9", "en"),
     ("de, uk;q=0.5", "uk"), ("fr", "en"), ("en;q=0.1, uk;q=0.9", "uk"), ("uk;q=0", "en")],
)  # fmt: skip
def test_step_labels_follow_accept_language(
    client: Client, accept_language: str | None, expected: str
) -> None:
    headers = {} if accept_language is None else {"accept-language": accept_language}
    response = post(client, "/evaluate", SEED_EVALUATE, **headers)
    assert response.headers["content-language"] == expected
    label = response.json()["steps"][0]["label"]
    assert ("більший обсяг" in label) == (expected == "uk")


def test_a_schedule_with_monthly_model_fields_is_400(client: Client) -> None:
    body = {"schedule": {"period": "year", "costs": [1], "benefits": [1]}, "monthly_benefit": 5}
    problem = assert_problem(post(client, "/payback", body), 400, "/problems/schema-violation", "")
    assert "schedule" in problem["detail"]


@pytest.mark.parametrize("path", ["/evaluate", "/payback"])
def test_a_lone_high_surrogate_escape_is_named_not_called_truncated(
    client: Client, path: str
) -> None:
    """msgspec reports a \\uD800 escape with no low half as "Input data was truncated"."""
    raw = json.dumps(SEED_EVALUATE).replace('"UAH"', '"\\ud800UAH"').encode()
    problem = assert_problem(post(client, path, raw), 400, "/problems/invalid-json")
    assert "escape" in problem["detail"]
    cut = assert_problem(post(client, path, raw[:10]), 400, "/problems/invalid-json")
    assert cut["detail"].startswith("the body is empty or ends too early")


def test_the_docs_page_loads_only_the_services_own_files(client: Client) -> None:
    page = client.get("/schema")
    assert page.headers["content-type"].startswith("text/html")
    referenced = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert referenced and all(
        url.startswith("/") and not url.startswith("//") for url in referenced
    )
    for url in referenced:
        assert client.get(url).status_code == 200, url
    assert client.get("/schema/assets/index.html").status_code == 404  # only the files it loads


def test_a_partner_quote_in_lines_with_a_solve_over_http(client: Client) -> None:
    from service.examples import PARTNER_QUOTE  # noqa: PLC0415  only this test needs it

    response = post(client, "/payback", PARTNER_QUOTE)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert [line["kind"] for line in answer["lines"]] == [
        "funnel", "productivity", "one_time", "per_seat"
    ]  # fmt: skip
    assert answer["solution"]["pointer"] == "/costs/per_seat/0/price_per_seat"
    assert answer["solution"]["payback_months"] <= 6


def test_benefit_lines_beside_a_single_benefit_are_400(client: Client) -> None:
    body = {**SEED_PAYBACK, "benefits": [{"kind": "fixed", "name": "a", "monthly_amount": 1}]}
    problem = assert_problem(post(client, "/payback", body), 400, "/problems/schema-violation", "")
    assert "benefit lines" in problem["detail"]


def test_an_unsolvable_target_is_422_at_solve_vary(client: Client) -> None:
    body = {**SEED_PAYBACK, "solve": {"vary": "/horizon_months", "target": "npv", "value": 0}}
    assert_problem(post(client, "/payback", body), 422, "/problems/model-rejected", "/solve/vary")
