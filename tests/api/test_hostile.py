"""A corpus of hostile and careless requests: each gets a 4xx problem+json, fast, and the
service still answers the seed correctly afterwards. Each body is sent once. Where the answer is
known (a field out of its bounds, a number out of range, a body that is not UTF-8 or too large),
the corpus pins the problem's type, the field it names and a phrase of its detail. Wrong methods,
routes, media types and sizes are refused here too, with their problem types.

The HTTP layer itself (the seed over JSON, 500 and 503, headers, ids, logs) is test_http.py's.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from litestar.testing import TestClient

from service.examples import SEED_EVALUATE, SEED_PAYBACK, SEED_PAYBACK_WITH_EVALUATION
from tests.api.test_http import assert_problem

Client = TestClient  # type: ignore[type-arg]
JSON = {"content-type": "application/json"}
SEED_BYTES = json.dumps(SEED_EVALUATE).encode()

SCHEMA = "/problems/schema-violation"
INVALID_JSON = "/problems/invalid-json"
MODEL = "/problems/model-rejected"
TOO_LARGE = "/problems/body-too-large"
STATUS = {SCHEMA: 400, INVALID_JSON: 400, MODEL: 422, TOO_LARGE: 413}


@dataclass(frozen=True)
class Answer:
    """What a row's problem must say: its type, the field it names (that pointer or one inside
    it; "" is the body itself) and a phrase of its detail."""

    type: str
    field: str | None = None
    detail: str = ""


Row = tuple[str, str, bytes, Answer | None]  # id, path, body, answer (None: any fast 4xx)


def pointer(path: tuple[Any, ...]) -> str:
    return "".join(f"/{key}" for key in path)


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


EMPTY = Answer(INVALID_JSON, None, "the body is empty or ends too early")
MALFORMED = Answer(INVALID_JSON, None, "JSON is malformed")
# msgspec reports these as UnicodeDecodeError, not DecodeError: a 400 that says so, never a 500
NOT_UTF8 = Answer(INVALID_JSON, None, "the body is not UTF-8")


def garbage() -> Iterator[Row]:
    """Bodies that are not a request at all, sent to both endpoints."""
    groups: list[tuple[str, Answer | None, list[bytes]]] = [
        ("empty", EMPTY, [b"", b" ", b"\n\n"]),
        ("malformed", MALFORMED,
         [b"{,}", b"{'a': 1}", b"{\"a\" 1}", b"NaN", b"Infinity", b"\x00", b"\xff\xfe{\x00}\x00",
          b"\xef\xbb\xbf{}", b"\xc0\xaf", b"/* */ {}"]),
        ("not-an-object", Answer(SCHEMA, "", "expected an object"),
         [b"null", b"true", b"0", b"-1", b'""', b'"{}"', b"[]", b"[{}]", b"[1,]", b"[" * 40000]),
        # bytes that are not UTF-8 inside a known field's string, and in a key
        ("not-utf8", NOT_UTF8, [b"{\"currency\": \"\xff\"}", b"{\"currency\": \"U\xc3\"}", b"{\"\xff\": 1}"]),
        ("garbage", None,
         [b"{}", b"{\"a\":}", b"{\"a\":\"\xed\xa0\x80\"}", b"{\"a\": \"\\ud800\"}", b"{}{}", b"{} []",
          b"{\"a\":1,}", b"{\"a\":" * 10000, b"{\"stages\":" + b"[" * 40000]),
    ]  # fmt: skip
    for path in ("/evaluate", "/payback"):
        for group, answer, texts in groups:
            for i, text in enumerate(texts):
                yield f"{path}-{group}-{i}", path, text, answer


def broken_seeds() -> Iterator[Row]:
    """The seed cut short, with bytes that are not UTF-8, and with a number that is not one."""
    for cut in range(7, len(SEED_BYTES) - 1, 7):  # every truncation (b"" is in garbage())
        yield f"truncated-at-{cut}", "/evaluate", SEED_BYTES[:cut], Answer(INVALID_JSON)
    for i, text in enumerate([SEED_BYTES.replace(b'"leads"', b'"le\xc3(ds"'), SEED_BYTES.replace(b'"UAH"', b'"\xed\xa0\x80"')]):  # fmt: skip
        yield f"seed-not-utf8-{i}", "/evaluate", text, NOT_UTF8
    out_of_range = Answer(SCHEMA, None, "number out of range")
    not_a_number = Answer(SCHEMA, None, "expected a number, got")
    numbers: list[tuple[str, Answer | None]] = [
        *((number, MALFORMED) for number in ["NaN", "Infinity", "-Infinity", "1_000", "+1", ".5", "1.", "01", "1e", "--1"]),
        *((number, out_of_range) for number in ["1e999", "-1e999", "1" + "0" * 5000, "-" + "9" * 5000]),
        *((number, not_a_number) for number in ['"200"', '"inf"', '"NaN"', "true", "null", "[]", "{}"]),
        # 0x10 reads as 0 and then fails; -0.0e999999 is 0 (no leads: 422 at the next stage)
        *((number, None) for number in ["0x10", "1e308", "-0.0e999999"]),
    ]  # fmt: skip
    for i, (number, answer) in enumerate(numbers):
        for name, text, field in [("deal-value", '"average_deal_value": 200', "/average_deal_value"),
                                  ("count", '"count": 10000', "/stages/0/count")]:  # fmt: skip
            body = raw_seed_with(text, f"{text.partition(':')[0]}: {number}")
            named = replace(answer, field=field) if answer and answer.type == SCHEMA else answer
            yield f"{name}-{i}", "/evaluate", body, named


def bad_fields() -> Iterator[Row]:
    """The seeds with one field out of its bounds or of its type: the problem names that field."""
    evaluate_fields: list[tuple[tuple[Any, ...], Any]] = [
        (("average_deal_value",), 0), (("average_deal_value",), -1), (("average_deal_value",), 1e13),
        (("gross_margin",), 0), (("gross_margin",), 1.0000001), (("average_deal_value_uplift",), 11),
        (("stages", 0, "count"), -1), (("stages", 0, "count"), 1e9 + 1), (("stages", 0, "uplift"), -1.5),
        (("stages", 0, "name"), ""), (("stages", 0, "name"), "x" * 81), (("stages", 0, "name"), 5),
        (("stages",), []), (("stages",), [{"name": "a", "count": 1}] * 11), (("stages",), "leads"),
        (("stages", 0), "leads"), (("stages", 0), None), (("currency",), "UA"), (("currency",), "UAHX"),
        (("currency",), "€"), (("currency",), None), (("rounding",), "WHOLE_UNITS"), (("rounding",), None),
        (("__proto__",), {}), (("constructor",), {"prototype": {}}), (("stages", 1, "extra"), 1),
    ]  # fmt: skip
    for i, (path, value) in enumerate(evaluate_fields):
        body = with_field(SEED_EVALUATE, path, value)
        yield f"evaluate-field-{i}", "/evaluate", body, Answer(SCHEMA, pointer(path))
    payback_fields: list[tuple[dict[str, Any], tuple[Any, ...], Any]] = [
        (SEED_PAYBACK, ("horizon_months",), 0), (SEED_PAYBACK, ("horizon_months",), 121),
        (SEED_PAYBACK, ("horizon_months",), 12.5), (SEED_PAYBACK, ("horizon_months",), "12"),
        (SEED_PAYBACK, ("horizon_months",), 10**30), (SEED_PAYBACK, ("ramp_up_months",), -1),
        (SEED_PAYBACK, ("annual_discount_rate",), 1.5), (SEED_PAYBACK, ("annual_discount_rate",), -0.1),
        (SEED_PAYBACK, ("monthly_benefit",), 1e13), (SEED_PAYBACK, ("monthly_benefit",), None),
        (SEED_PAYBACK, ("risk_adjustment",), {"benefits": 2}), (SEED_PAYBACK, ("risk_adjustment",), {"profits": 0.1}),
        (SEED_PAYBACK, ("costs", "one_time"), [{"name": "x", "amount": -1}]),
        (SEED_PAYBACK, ("costs", "one_time"), [{"name": "x", "amount": 1}] * 21), (SEED_PAYBACK, ("costs", "yearly"), []),
        (SEED_PAYBACK, ("costs",), None), (SEED_PAYBACK_WITH_EVALUATION, ("evaluation",), []),
        (SEED_PAYBACK_WITH_EVALUATION, ("evaluation", "evaluation"), {}),
    ]  # fmt: skip
    for i, (base, path, value) in enumerate(payback_fields):
        body = with_field(base, path, value)
        yield f"payback-field-{i}", "/payback", body, Answer(SCHEMA, pointer(path))
    # schema-valid, and refused by the model: 422
    payback_rejected: list[tuple[dict[str, Any], tuple[Any, ...], Any]] = [
        (SEED_PAYBACK, ("ramp_up_months",), 13), (SEED_PAYBACK, ("currency",), "XTS"),
        (SEED_PAYBACK_WITH_EVALUATION, ("evaluation", "stages", 2, "count"), 601),
        (SEED_PAYBACK_WITH_EVALUATION, ("evaluation", "currency"), "USD"),
    ]  # fmt: skip
    for i, (base, path, value) in enumerate(payback_rejected):
        body = with_field(base, path, value)
        yield f"payback-rejected-{i}", "/payback", body, Answer(MODEL, pointer(path))
    yield from [
        ("no-benefit", "/payback", json.dumps({"costs": SEED_PAYBACK["costs"]}).encode(), Answer(SCHEMA, "", "give a benefit")),
        ("two-benefits", "/payback", with_field(SEED_PAYBACK, ("evaluation",), SEED_EVALUATE), Answer(SCHEMA, "", "give exactly one of")),
        ("duplicate-keys", "/evaluate", SEED_BYTES[:-1] + b', "average_deal_value": -5}', Answer(SCHEMA, "/average_deal_value")),
    ]  # fmt: skip


def too_large() -> Iterator[Row]:
    """Bodies over the limit of 65,536 bytes."""
    over = Answer(TOO_LARGE, None, "65536")
    yield from [
        ("padded-to-limit", "/evaluate", SEED_BYTES[:-1] + b" " * (65536 - len(SEED_BYTES)) + b"}x", over),
        ("just-over-limit", "/evaluate", b" " * 65537, over),
        ("one-megabyte", "/payback", b"[" * 1_000_000, over),
    ]  # fmt: skip


CORPUS = [*broken_seeds(), *garbage(), *bad_fields(), *too_large()]


def test_the_corpus_is_large_and_sends_each_body_once() -> None:
    assert len(CORPUS) >= 200
    assert len({(path, body) for _, path, body, _ in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize(
    ("path", "body", "answer"), [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS]
)
def test_hostile_bodies_get_a_fast_4xx_problem(
    client: Client, path: str, body: bytes, answer: Answer | None
) -> None:
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
    if answer is not None:
        assert_problem(response, STATUS[answer.type], answer.type)
        assert answer.detail in problem["detail"]
        if answer.field is not None:
            named = problem["errors"][0]["pointer"]
            assert named == answer.field or (
                answer.field != "" and named.startswith(f"{answer.field}/")
            ), problem
    # and the service is none the worse for it
    assert (
        client.post("/evaluate", content=SEED_BYTES, headers=JSON).json()["monthly_gain"] == 19082
    )


@pytest.mark.parametrize(
    "content_type",
    [None, "", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
     "application/xml", "application/jsonx", "json", "application/json\x00"],
)  # fmt: skip
def test_non_json_content_types_are_415(client: Client, content_type: str | None) -> None:
    headers = {} if content_type is None else {"content-type": content_type}
    response = client.post("/evaluate", content=SEED_BYTES, headers=headers)
    assert_problem(response, 415, "/problems/unsupported-media-type")


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/evaluate", "/payback"])
def test_wrong_methods_are_405_with_allow(client: Client, method: str, path: str) -> None:
    response = client.request(method, path, content=SEED_BYTES, headers=JSON)
    assert_problem(response, 405, "/problems/method-not-allowed")
    assert "POST" in response.headers["allow"]


@pytest.mark.parametrize(
    "path",
    ["/nowhere", "/EVALUATE", "/evaluate/x", "/%00", "/..%2f..%2fetc/passwd", "/" + "a" * 4000,
     "/static/../app.py", "/static/%2e%2e/app.py", "/schema/../service/app.py"],
)  # fmt: skip
def test_unknown_routes_are_404_problems(client: Client, path: str) -> None:
    response = client.post(path, content=SEED_BYTES, headers=JSON)
    # not assert_problem: the detail names the path asked for, ".py" and all
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/not-found"
    assert problem["title"] and problem["detail"]
    assert problem["request_id"] == response.headers["x-request-id"]


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
    problem = assert_problem(response, 413, TOO_LARGE)
    assert "65536" in problem["detail"]


def test_a_chunked_upload_within_the_limit_is_served(client: Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield from (SEED_BYTES[i : i + 16] for i in range(0, len(SEED_BYTES), 16))

    response = client.post("/evaluate", content=chunks(), headers=JSON)
    assert response.json()["monthly_gain"] == 19082
