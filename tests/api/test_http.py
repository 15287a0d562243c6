"""The HTTP layer: every documented status, the problem format, headers and the seed over JSON."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest
import structlog
from litestar.testing import TestClient

from service.examples import SEED_EVALUATE, SEED_PAYBACK, SEED_PAYBACK_WITH_EVALUATION
from service.http import routes
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
        ({**SEED_EVALUATE, "surprise": 1}, "/surprise"),
        ({"stages": SEED_EVALUATE["stages"]}, "/average_deal_value"),
        ({**SEED_EVALUATE, "average_deal_value": 0}, "/average_deal_value"),
        ({**SEED_EVALUATE, "average_deal_value": "200"}, "/average_deal_value"),
        ({**SEED_EVALUATE, "gross_margin": 1.5}, "/gross_margin"),
        ({**SEED_EVALUATE, "average_deal_value_uplift": -1.01}, "/average_deal_value_uplift"),
        ({**SEED_EVALUATE, "stages": SEED_EVALUATE["stages"][:1]}, "/stages"),
        ({**SEED_EVALUATE, "stages": [{"name": "x", "count": 1}] * 11}, "/stages"),
        ({**SEED_EVALUATE, "rounding": "bankers"}, "/rounding"),
        ({**SEED_EVALUATE, "currency": "uah"}, "/currency"),
        (
            {**SEED_EVALUATE, "stages": [{"name": "", "count": 1}, {"name": "b", "count": 1}]},
            "/stages/0/name",
        ),
        (
            {**SEED_EVALUATE, "stages": [{"name": "a", "count": 1e10}, {"name": "b", "count": 1}]},
            "/stages/0/count",
        ),
        (
            {
                **SEED_EVALUATE,
                "stages": [{"name": "a", "count": 1, "bogus": 2}, {"name": "b", "count": 1}],
            },
            "/stages/0/bogus",
        ),
        ([SEED_EVALUATE], ""),
        ("a string", ""),
    ],
)
def test_schema_violations_are_400_naming_the_field(
    client: Client, body: Any, pointer: str
) -> None:
    problem = assert_problem(
        post(client, "/evaluate", body), 400, "/problems/schema-violation", pointer
    )
    assert problem["instance"] == "/evaluate"


@pytest.mark.parametrize(
    "raw", [b"", b"{", b'{"stages": [', b"\xff\xfe", b"NaN", b'{"average_deal_value": Infinity}']
)
def test_bodies_that_are_not_json_are_400(client: Client, raw: bytes) -> None:
    assert_problem(post(client, "/evaluate", raw), 400, "/problems/invalid-json")


@pytest.mark.parametrize("path", ["/evaluate", "/payback"])
@pytest.mark.parametrize(
    "raw",
    [
        b'{"currency": "\xff"}',
        b'{"\xc3(": 1}',
        json.dumps(SEED_EVALUATE).encode().replace(b"UAH", b"U\xe2\x82"),
    ],
)
def test_strings_that_are_not_utf8_are_invalid_json(client: Client, path: str, raw: bytes) -> None:
    """msgspec reports these as UnicodeDecodeError, not DecodeError: a 400 that says so, never
    a 500."""
    problem = assert_problem(post(client, path, raw), 400, "/problems/invalid-json")
    assert problem["detail"].startswith("the body is not UTF-8")


def test_huge_numbers_are_out_of_range_not_infinite(client: Client) -> None:
    raw = json.dumps(SEED_EVALUATE).replace(
        '"average_deal_value": 200', '"average_deal_value": 1e999'
    )
    assert_problem(
        post(client, "/evaluate", raw.encode()),
        400,
        "/problems/schema-violation",
        "/average_deal_value",
    )


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({**SEED_PAYBACK, "horizon_months": 6, "ramp_up_months": 7}, "/ramp_up_months"),
        ({**SEED_PAYBACK, "currency": "XAU"}, "/currency"),
        ({**SEED_PAYBACK, "currency": "ZZZ"}, "/currency"),
        (
            {**SEED_PAYBACK_WITH_EVALUATION, "evaluation": {**SEED_EVALUATE, "currency": "USD"}},
            "/evaluation/currency",
        ),
    ],
)
def test_schema_valid_requests_the_model_rejects_are_422(
    client: Client, body: dict[str, Any], pointer: str
) -> None:
    assert_problem(post(client, "/payback", body), 422, "/problems/model-rejected", pointer)


def test_growing_funnel_is_422_at_the_stage(client: Client) -> None:
    stages = [*SEED_EVALUATE["stages"][:2], {"name": "deals", "count": 601}]
    assert_problem(
        post(client, "/evaluate", {**SEED_EVALUATE, "stages": stages}),
        422,
        "/problems/model-rejected",
        "/stages/2/count",
    )
    body = {**SEED_PAYBACK_WITH_EVALUATION, "evaluation": {**SEED_EVALUATE, "stages": stages}}
    assert_problem(
        post(client, "/payback", body),
        422,
        "/problems/model-rejected",
        "/evaluation/stages/2/count",
    )


@pytest.mark.parametrize(
    "body",
    [
        {"costs": SEED_PAYBACK["costs"]},
        {**SEED_PAYBACK, "evaluation": SEED_EVALUATE},
    ],
)
def test_payback_needs_exactly_one_benefit(client: Client, body: dict[str, Any]) -> None:
    problem = assert_problem(post(client, "/payback", body), 400, "/problems/schema-violation", "")
    assert "benefit" in problem["detail"]


def test_whole_months_accept_integral_numbers(client: Client) -> None:
    answer = post(client, "/payback", {**SEED_PAYBACK, "horizon_months": 24.0}).json()
    assert answer["horizon_months"] == 24
    assert_problem(
        post(client, "/payback", {**SEED_PAYBACK, "horizon_months": 24.5}),
        400, "/problems/schema-violation", "/horizon_months",
    )  # fmt: skip


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_non_json_content_types_are_415(client: Client, content_type: str | None) -> None:
    headers = {} if content_type is None else {"content-type": content_type}
    response = client.post("/evaluate", content=json.dumps(SEED_EVALUATE), headers=headers)
    assert_problem(response, 415, "/problems/unsupported-media-type")


def test_json_with_charset_and_vendor_json_are_accepted(client: Client) -> None:
    for content_type in ("application/json; charset=utf-8", "application/problem+json"):
        response = client.post(
            "/evaluate", content=json.dumps(SEED_EVALUATE), headers={"content-type": content_type}
        )
        assert response.status_code == 200


def test_oversized_bodies_are_413(client: Client) -> None:
    big = b'{"stages": [' + b" " * (70 * 1024) + b"]}"
    problem = assert_problem(post(client, "/evaluate", big), 413, "/problems/body-too-large")
    assert "65536" in problem["detail"]


def test_wrong_method_is_405_with_allow(client: Client) -> None:
    response = client.get("/evaluate")
    assert_problem(response, 405, "/problems/method-not-allowed")
    assert "POST" in response.headers["allow"]


def test_unknown_route_is_404_problem(client: Client) -> None:
    assert_problem(client.get("/nowhere"), 404, "/problems/not-found")


def test_unexpected_errors_are_500_without_internals(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_: object) -> None:
        raise RuntimeError("secret internals /srv/app.py")

    monkeypatch.setattr(routes.calc, "evaluate", boom)
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
