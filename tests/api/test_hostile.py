"""A corpus of hostile and careless requests: each gets a 4xx problem+json, fast, and the
service still answers the seed correctly afterwards."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from service.examples import SEED_EVALUATE, SEED_PAYBACK, SEED_PAYBACK_WITH_EVALUATION

Client = TestClient  # type: ignore[type-arg]
JSON = {"content-type": "application/json"}
SEED_BYTES = json.dumps(SEED_EVALUATE).encode()


def with_field(base: dict[str, Any], path: tuple[Any, ...], value: Any) -> bytes:
    """The seed with one field replaced (or added) at ``path``."""
    body = json.loads(json.dumps(base))
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return json.dumps(body, allow_nan=True).encode()


def raw_seed_with(text: str, replacement: str) -> bytes:
    return json.dumps(SEED_EVALUATE).replace(text, replacement).encode()


def bodies() -> Iterator[tuple[str, str, bytes]]:
    """(id, path, body) for every hostile body in the corpus."""
    for cut in range(0, len(SEED_BYTES) - 1, 7):  # every truncation of the seed
        yield f"truncated-at-{cut}", "/evaluate", SEED_BYTES[:cut]
    for path in ("/evaluate", "/payback"):
        for i, text in enumerate(
            [b"", b" ", b"\n\n", b"null", b"true", b"0", b"-1", b'""', b'"{}"', b"[]", b"[{}]",
             b"{}", b"{,}", b"{'a': 1}", b"{\"a\" 1}", b"{\"a\":}", b"NaN", b"Infinity",
             b"\x00", b"\xff\xfe{\x00}\x00", b"\xef\xbb\xbf{}", b"\xc0\xaf", b"{\"a\":\"\xed\xa0\x80\"}",
             b"{\"a\": \"\\ud800\"}", b"{}{}", b"{} []", b"/* */ {}", b"{\"a\":1,}", b"[1,]",
             b"[" * 40000, b"{\"a\":" * 10000, b"{\"stages\":" + b"[" * 40000,
             # bytes that are not UTF-8 inside a known field's string, and in a key
             b"{\"currency\": \"\xff\"}", b"{\"currency\": \"U\xc3\"}", b"{\"\xff\": 1}",
             SEED_BYTES.replace(b'"leads"', b'"le\xc3(ds"'), SEED_BYTES.replace(b'"UAH"', b'"\xed\xa0\x80"')]
        ):  # fmt: skip
            yield f"{path}-garbage-{i}", path, text
    numbers = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1" + "0" * 5000, "-" + "9" * 5000,
               "0x10", "1_000", "+1", ".5", "1.", "01", "1e", "--1", "\"200\"", "\"inf\"", "\"NaN\"",
               "true", "null", "[]", "{}", "1e308", "-0.0e999999"]  # fmt: skip
    for i, number in enumerate(numbers):
        yield (
            f"deal-value-{i}",
            "/evaluate",
            raw_seed_with('"average_deal_value": 200', f'"average_deal_value": {number}'),
        )
        yield f"count-{i}", "/evaluate", raw_seed_with('"count": 10000', f'"count": {number}')
    out_of_range: list[tuple[tuple[Any, ...], Any]] = [
        (("average_deal_value",), 0), (("average_deal_value",), -1), (("average_deal_value",), 1e13),
        (("gross_margin",), 0), (("gross_margin",), 1.0000001), (("average_deal_value_uplift",), 11),
        (("stages", 0, "count"), -1), (("stages", 0, "count"), 1e9 + 1), (("stages", 0, "uplift"), -1.5),
        (("stages", 0, "name"), ""), (("stages", 0, "name"), "x" * 81), (("stages", 0, "name"), 5),
        (("stages",), []), (("stages",), [{"name": "a", "count": 1}] * 11), (("stages",), "leads"),
        (("stages", 0), "leads"), (("stages", 0), None), (("currency",), "UA"), (("currency",), "UAHX"),
        (("currency",), "€"), (("currency",), None), (("rounding",), "WHOLE_UNITS"), (("rounding",), None),
        (("__proto__",), {}), (("constructor",), {"prototype": {}}), (("stages", 1, "extra"), 1),
    ]  # fmt: skip
    for i, (path, value) in enumerate(out_of_range):
        yield f"evaluate-field-{i}", "/evaluate", with_field(SEED_EVALUATE, path, value)
    payback_cases: list[tuple[dict[str, Any], tuple[Any, ...], Any]] = [
        (SEED_PAYBACK, ("horizon_months",), 0), (SEED_PAYBACK, ("horizon_months",), 121),
        (SEED_PAYBACK, ("horizon_months",), 12.5), (SEED_PAYBACK, ("horizon_months",), "12"),
        (SEED_PAYBACK, ("horizon_months",), 10**30), (SEED_PAYBACK, ("ramp_up_months",), -1),
        (SEED_PAYBACK, ("ramp_up_months",), 13), (SEED_PAYBACK, ("annual_discount_rate",), 1.5),
        (SEED_PAYBACK, ("annual_discount_rate",), -0.1), (SEED_PAYBACK, ("monthly_benefit",), 1e13),
        (SEED_PAYBACK, ("monthly_benefit",), None), (SEED_PAYBACK, ("risk_adjustment",), {"benefits": 2}),
        (SEED_PAYBACK, ("risk_adjustment",), {"profits": 0.1}), (SEED_PAYBACK, ("costs", "one_time"), [{"name": "x", "amount": -1}]),
        (SEED_PAYBACK, ("costs", "one_time"), [{"name": "x", "amount": 1}] * 21), (SEED_PAYBACK, ("costs", "yearly"), []),
        (SEED_PAYBACK, ("costs",), None), (SEED_PAYBACK, ("evaluation",), SEED_EVALUATE),
        (SEED_PAYBACK_WITH_EVALUATION, ("evaluation", "stages", 2, "count"), 601),
        (SEED_PAYBACK_WITH_EVALUATION, ("evaluation", "currency"), "USD"), (SEED_PAYBACK, ("currency",), "XTS"),
        (SEED_PAYBACK_WITH_EVALUATION, ("evaluation",), []), (SEED_PAYBACK_WITH_EVALUATION, ("evaluation", "evaluation"), {}),
    ]  # fmt: skip
    for i, (base, path, value) in enumerate(payback_cases):
        yield f"payback-field-{i}", "/payback", with_field(base, path, value)
    yield "no-benefit", "/payback", json.dumps({"costs": SEED_PAYBACK["costs"]}).encode()
    yield "duplicate-keys", "/evaluate", SEED_BYTES[:-1] + b', "average_deal_value": -5}'
    yield "padded-to-limit", "/evaluate", SEED_BYTES[:-1] + b" " * (65536 - len(SEED_BYTES)) + b"}x"
    yield "just-over-limit", "/evaluate", b" " * 65537
    yield "one-megabyte", "/payback", b"[" * 1_000_000


CORPUS = list(bodies())


def test_the_corpus_is_large() -> None:
    assert len(CORPUS) >= 200


@pytest.mark.parametrize(("path", "body"), [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_hostile_bodies_get_a_fast_4xx_problem(client: Client, path: str, body: bytes) -> None:
    started = time.perf_counter()
    response = client.post(path, content=body, headers=JSON)
    elapsed = time.perf_counter() - started
    assert 400 <= response.status_code < 500, response.text[:300]
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == response.status_code
    assert problem["request_id"] == response.headers["x-request-id"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert elapsed < 2, elapsed
    # and the service is none the worse for it
    assert (
        client.post("/evaluate", content=SEED_BYTES, headers=JSON).json()["monthly_gain"] == 19082
    )


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
     "application/xml", "application/jsonx", "json", "", "application/json\x00"],
)  # fmt: skip
def test_non_json_content_types_are_415(client: Client, content_type: str) -> None:
    response = client.post("/evaluate", content=SEED_BYTES, headers={"content-type": content_type})
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/evaluate", "/payback"])
def test_wrong_methods_are_405_with_allow(client: Client, method: str, path: str) -> None:
    response = client.request(method, path, content=SEED_BYTES, headers=JSON)
    assert response.status_code == 405
    assert "POST" in response.headers["allow"]
    assert response.json()["type"] == "/problems/method-not-allowed"


@pytest.mark.parametrize(
    "path",
    ["/EVALUATE", "/evaluate/x", "/%00", "/..%2f..%2fetc/passwd", "/" + "a" * 4000,
     "/static/../app.py", "/static/%2e%2e/app.py", "/schema/../service/app.py"],
)  # fmt: skip
def test_unknown_routes_are_404_problems(client: Client, path: str) -> None:
    response = client.post(path, content=SEED_BYTES, headers=JSON)
    assert response.status_code in {404, 405}
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "query", ["api_key=abc", "apikey=abc", "key=abc", "token=abc", "x=1&API-KEY=z"]
)
def test_keys_in_the_url_are_refused(client: Client, query: str) -> None:
    response = client.post(f"/evaluate?{query}", content=SEED_BYTES, headers=JSON)
    assert response.status_code == 400
    assert "X-API-Key" in response.json()["detail"]


def test_a_chunked_upload_over_the_limit_is_413(client: Client) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b" " * 1024

    response = client.post("/evaluate", content=chunks(), headers=JSON)
    assert response.status_code == 413
    assert response.json()["type"] == "/problems/body-too-large"


def test_a_chunked_upload_within_the_limit_is_served(client: Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield from (SEED_BYTES[i : i + 16] for i in range(0, len(SEED_BYTES), 16))

    response = client.post("/evaluate", content=chunks(), headers=JSON)
    assert response.json()["monthly_gain"] == 19082
