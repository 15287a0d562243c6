"""How sure over HTTP: the answer's numbers, a range the model cannot sample as a problem naming
its pointer, and the samples priced off the event loop (routes.SAMPLING) in any app."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from service.examples import PARTNER_QUOTE_RANGES
from service.http.app import create_app
from service.settings import Settings

JSON = {"content-type": "application/json"}


def test_the_partner_quote_with_ranges_answers_its_distribution(client: Any) -> None:
    response = client.post("/payback", json=PARTNER_QUOTE_RANGES, headers=JSON)
    assert response.status_code == 200, response.text
    uncertainty = response.json()["uncertainty"]
    assert uncertainty["method"] == "latin_hypercube"
    assert isinstance(uncertainty["npv"]["p10"], float)  # money is a JSON number
    assert 0 <= uncertainty["probability_payback_within"]["value"] <= 1
    # the same request, the same bytes
    assert client.post("/payback", json=PARTNER_QUOTE_RANGES, headers=JSON).content == (
        response.content
    )


def test_two_apps_one_after_the_other_both_price_samples() -> None:
    # the worker thread's limiter is the module's: it must serve every event loop
    for _ in range(2):
        with TestClient(create_app(Settings(log_format="json"))) as client:  # type: ignore[arg-type]
            assert (
                client.post("/payback", json=PARTNER_QUOTE_RANGES, headers=JSON).status_code == 200
            )


@pytest.mark.parametrize(
    ("range_", "pointer"),
    [
        ({"pointer": "/costs/one_time/0/amount", "low": 50000, "high": 60000},
         "/uncertainty/ranges/0"),
        ({"pointer": "/horizon_months", "low": 1, "high": 30}, "/uncertainty/ranges/0/pointer"),
    ],
)  # fmt: skip
def test_a_range_the_model_cannot_sample_is_a_422_problem_naming_it(
    client: Any, range_: dict[str, Any], pointer: str
) -> None:
    body = {**PARTNER_QUOTE_RANGES, "uncertainty": {"ranges": [range_]}}
    response = client.post("/payback", json=body, headers=JSON)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["pointer"] for e in response.json()["errors"]] == [pointer]


def test_a_sample_count_out_of_bounds_is_a_400(client: Any) -> None:
    body = {**PARTNER_QUOTE_RANGES,
            "uncertainty": {**PARTNER_QUOTE_RANGES["uncertainty"], "samples": 65536}}  # fmt: skip
    response = client.post("/payback", json=body, headers=JSON)
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/uncertainty/samples"
