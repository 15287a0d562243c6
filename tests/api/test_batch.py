"""Batches (service/http/batch.py) against single calls, item by item, in both views; the
whole-batch problems; NDJSON's order, broken lines and done line; the rate limit per item; the
summary view."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from service.examples import (
    PARTNER_QUOTE,
    PARTNER_QUOTE_RANGES,
    SEED_EVALUATE,
    SEED_PAYBACK,
    SEED_PAYBACK_WITH_EVALUATION,
)
from service.http.app import create_app
from service.settings import Settings

NDJSON = {"content-type": "application/x-ndjson"}
QUOTE = {key: value for key, value in PARTNER_QUOTE.items() if key != "solve"}
# valid, a 400 (a field out of its bounds) and a 422 (a month beyond the horizon) of each kind
PAYBACKS = {
    "seed": SEED_PAYBACK,
    "seed-evaluation": SEED_PAYBACK_WITH_EVALUATION,
    "quote": PARTNER_QUOTE,
    "how-sure": PARTNER_QUOTE_RANGES,
    "out-of-bounds": {**SEED_PAYBACK, "horizon_months": 999},
    "no-benefit": {"costs": SEED_PAYBACK["costs"]},
    "beyond-horizon": {
        **SEED_PAYBACK,
        "costs": {"one_time": [{"name": "late", "amount": 1, "month": 30}]},
    },
}
EVALUATES = {
    "seed": SEED_EVALUATE,
    "growing": {**SEED_EVALUATE, "stages": [{"name": "a", "count": 1}, {"name": "b", "count": 2}]},
    "no-deal-value": {"stages": SEED_EVALUATE["stages"]},
}


def without_request_id(problem: bytes) -> dict[str, Any]:
    value = json.loads(problem)
    value.pop("request_id")
    return value


@pytest.mark.parametrize("view", ["full", "summary"])
@pytest.mark.parametrize(("path", "requests"), [("/payback", PAYBACKS), ("/evaluate", EVALUATES)])
def test_every_item_is_answered_as_its_single_call(
    client: TestClient,
    path: str,
    requests: dict[str, Any],
    view: str,  # type: ignore[type-arg]
) -> None:
    items = [{"id": name, "request": body} for name, body in requests.items()]
    response = client.post(f"{path}/batch?view={view}", json={"items": items})
    assert response.status_code == 200
    answer = response.json()
    assert [item["id"] for item in answer["items"]] == list(requests)
    statuses = []
    for name, body in requests.items():
        single = client.post(f"{path}?view={view}", json=body)
        statuses.append(single.status_code)
        (result,) = [item for item in answer["items"] if item["id"] == name]
        assert result["status"] == single.status_code, name
        if single.status_code == 200:
            # the same bytes: the item's answer is the single call's, whole
            assert b'"answer":' + single.content in response.content, name
        else:
            got = json.dumps(result["problem"]).encode()
            assert without_request_id(got) == without_request_id(single.content), name
    assert {int(k): v for k, v in answer["counts"].items()} == {
        s: statuses.count(s) for s in set(statuses)
    }
    assert {400, 422} <= set(statuses) or path == "/evaluate"


def test_the_summary_leaves_out_the_detail_and_the_partner_quote_fits_3000_bytes(
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    full = client.post("/payback", json=PARTNER_QUOTE_RANGES).json()
    summary = client.post("/payback?view=summary", json=PARTNER_QUOTE_RANGES).json()
    assert {"cash_flows", "years", "evaluation"} <= set(full) - set(summary)
    assert "years" in full["lines"][0] and "years" not in summary["lines"][0]
    for detail in ("payback_curve", "cumulative_bands", "npv_histogram"):
        assert detail in full["uncertainty"] and detail not in summary["uncertainty"]
    kept = set(summary) - {"lines", "uncertainty"}
    assert {key: full[key] for key in kept} == {key: summary[key] for key in kept}
    assert len(client.post("/payback?view=summary", json=PARTNER_QUOTE).content) <= 3000
    evaluate = client.post("/evaluate?view=summary", json=SEED_EVALUATE).json()
    assert "steps" not in evaluate and "stages" in evaluate


@pytest.mark.parametrize(
    ("body", "status", "pointer"),
    [
        ({"items": [{"id": "a", "request": SEED_PAYBACK}, {"id": "a", "request": SEED_PAYBACK}]},
         400, "/items/1/id"),
        ({"items": [{"id": f"q{i}", "request": {}} for i in range(501)]}, 400, "/items"),
        ({"items": []}, 400, "/items"),
        ({"items": [{"id": "no spaces", "request": SEED_PAYBACK}]}, 400, "/items/0/id"),
        ({"items": [{"id": "x" * 65, "request": SEED_PAYBACK}]}, 400, "/items/0/id"),
        ({"items": [{"id": "a"}]}, 400, "/items/0/request"),
        ({"items": [{"id": "a", "request": SEED_PAYBACK, "extra": 1}]}, 400, "/items/0/extra"),
    ],
)  # fmt: skip
def test_a_batch_that_is_not_one_is_one_problem_naming_the_pointer(
    client: TestClient,
    body: dict[str, Any],
    status: int,
    pointer: str,  # type: ignore[type-arg]
) -> None:
    response = client.post("/payback/batch", json=body)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["pointer"] for error in response.json()["errors"]] == [pointer]


def test_a_batch_over_its_body_limit_is_413_and_other_media_types_415() -> None:
    app = create_app(Settings(log_format="json", max_batch_body_bytes=2048))
    with TestClient(app) as client:  # type: ignore[arg-type]
        items = [{"id": f"q{i}", "request": SEED_PAYBACK} for i in range(30)]
        assert client.post("/payback/batch", json={"items": items}).status_code == 413
        response = client.post("/payback/batch", content=b"x", headers={"content-type": "text/csv"})
        assert response.status_code == 415


def ndjson(*lines: Any) -> bytes:
    return b"".join(
        (line if isinstance(line, bytes) else json.dumps(line).encode()) + b"\n" for line in lines
    )


def results(response: Any) -> Iterator[dict[str, Any]]:
    assert response.headers["content-type"] == "application/x-ndjson"
    for line in response.content.splitlines():
        yield json.loads(line)


def test_ndjson_answers_each_line_in_order_then_done(
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    body = ndjson(
        {"id": "a", "request": SEED_PAYBACK},
        b"not json",
        {"id": "c", "request": {**SEED_PAYBACK, "horizon_months": 999}},
        b"",  # blank lines are skipped, and counted as lines
        {"request": SEED_PAYBACK},
        {"id": "f", "request": QUOTE},
    )
    response = client.post("/payback/batch?view=summary", content=body, headers=NDJSON)
    assert response.status_code == 200
    lines = list(results(response))
    assert [(line.get("id"), line.get("status")) for line in lines[:-1]] == [
        ("a", 200), ("2", 400), ("c", 400), ("5", 400), ("f", 200),
    ]  # fmt: skip
    assert lines[1]["problem"]["type"] == "/problems/invalid-json"
    assert lines[-1] == {"done": True, "items": 5, "counts": {"200": 2, "400": 3}}
    single = client.post("/payback?view=summary", json=QUOTE)
    assert b'"answer":' + single.content in response.content


def test_an_ndjson_line_over_the_body_limit_gets_its_own_413_and_the_stream_goes_on() -> None:
    app = create_app(Settings(log_format="json", max_body_bytes=1024))
    with TestClient(app) as client:  # type: ignore[arg-type]
        long = {"id": "long", "request": {**SEED_PAYBACK, "currency": "UAH", "pad": "x" * 3000}}
        body = ndjson(
            {"id": "a", "request": SEED_PAYBACK}, long, {"id": "c", "request": SEED_PAYBACK}
        )
        lines = list(results(client.post("/payback/batch", content=body, headers=NDJSON)))
    assert [(line.get("id"), line.get("status")) for line in lines[:-1]] == [
        ("a", 200), ("2", 413), ("c", 200),
    ]  # fmt: skip
    assert lines[-1]["done"] is True


def test_each_item_counts_against_the_rate_limit_and_the_rest_are_not_priced() -> None:
    app = create_app(Settings(log_format="json", rate_limit_per_minute=3))
    with TestClient(app) as client:  # type: ignore[arg-type]
        items = [{"id": f"q{i}", "request": SEED_PAYBACK} for i in range(5)]
        answer = client.post("/payback/batch", json={"items": items}).json()
        # the batch's own request and two more items: three requests; the 4th item is refused
        assert [item["status"] for item in answer["items"]] == [200, 200, 200, 429, 429]
        refused = answer["items"][3]
        assert refused["problem"]["type"] == "/problems/rate-limited"
        assert refused["retry_after"] >= 1
        assert answer["counts"] == {"200": 3, "429": 2}
        # and the limit holds for the next call
        assert client.post("/payback", json=SEED_PAYBACK).status_code == 429


def test_an_unknown_query_is_a_400(client: TestClient) -> None:  # type: ignore[type-arg]
    for path in ("/payback?view=brief", "/payback?lang=uk", "/payback/batch?view="):
        response = client.post(path, json=SEED_PAYBACK)
        assert response.status_code == 400, path
        assert "view" in response.json()["detail"]
