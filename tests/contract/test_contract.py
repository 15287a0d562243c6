"""The committed contract: up to date with the app, complete, and honoured (schemathesis)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

import tests.tools.cases
from service.examples import SEED_EVALUATE, SEED_PAYBACK, SEED_PAYBACK_WITH_EVALUATION
from service.http import openapi
from service.http.application import Application
from tests.conftest import ROOT, Server

CONTRACT = ROOT / "openapi" / "openapi.json"
EXAMPLES_PER_OPERATION = 150


def committed() -> dict[str, Any]:
    return json.loads(CONTRACT.read_text())


def test_committed_contract_is_what_the_app_generates() -> None:
    assert CONTRACT.read_bytes() == openapi.render(), "run 'make openapi' and commit the result"


def test_every_route_the_app_serves_is_documented(app: Application, client: TestClient) -> None:  # type: ignore[type-arg]
    documented = {
        (path, method.upper()) for path, ops in committed()["paths"].items() for method in ops
    }

    def methods(route: Any) -> set[str]:
        if route.methods:
            return set(route.methods)
        # an ASGI route takes every method: the ones it does not refuse with 405 are served
        return {
            method
            for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
            if client.request(method, route.path).status_code != 405
        }

    served = {
        (route.path, method)
        for route in app.litestar.routes
        for method in methods(route)
        if method not in {"OPTIONS", "HEAD"}
    }
    undocumented_on_purpose = {
        ("/schema", "GET"),
        ("/schema/openapi.json", "GET"),
        ("/schema/openapi-3.0.json", "GET"),
        ("/metrics", "GET"),
        ("/static/{name:str}", "GET"),
        ("/schema/assets/{name:str}", "GET"),
    }
    assert served - undocumented_on_purpose == documented


def test_inputs_reject_unknown_fields_in_the_schema() -> None:
    schemas = committed()["components"]["schemas"]
    for name in (
        "EvaluateRequest",
        "Stage",
        "PaybackRequest",
        "Costs",
        "CostLine",
        "RiskAdjustment",
    ):
        assert schemas[name]["additionalProperties"] is False, name


def test_every_number_in_a_request_is_bounded() -> None:
    schemas = committed()["components"]["schemas"]
    for name in ("EvaluateRequest", "Stage", "PaybackRequest", "CostLine", "RiskAdjustment"):
        for field, prop in schemas[name]["properties"].items():
            if prop.get("type") in {"number", "integer"}:
                assert "maximum" in prop, (name, field)
                assert "minimum" in prop or "exclusiveMinimum" in prop, (name, field)
            if prop.get("type") == "string":
                assert "maxLength" in prop or "pattern" in prop or "enum" in prop, (name, field)
            if prop.get("type") == "array":
                assert "maxItems" in prop, (name, field)


def test_money_in_answers_is_documented_as_numbers() -> None:
    answer = committed()["components"]["schemas"]["EvaluateResponse"]["properties"]
    assert answer["monthly_gain"]["type"] == "number"


def test_every_operation_documents_problem_json_errors() -> None:
    for path, operations in committed()["paths"].items():
        for method, operation in operations.items():
            errors = {
                status: r for status, r in operation["responses"].items() if status[0] in "45"
            }
            assert errors, (method, path)
            for response in errors.values():
                assert list(response["content"]) == ["application/problem+json"]
    for operation in (
        committed()["paths"]["/evaluate"]["post"],
        committed()["paths"]["/payback"]["post"],
    ):
        assert {"400", "413", "415", "422", "500"} <= set(operation["responses"])


def test_examples_are_the_seed() -> None:
    paths = committed()["paths"]
    evaluate = paths["/evaluate"]["post"]
    payback = paths["/payback"]["post"]
    body = evaluate["requestBody"]["content"]["application/json"]["examples"]
    assert body["seed"]["value"] == SEED_EVALUATE
    examples = payback["requestBody"]["content"]["application/json"]["examples"]
    assert examples["seed"]["value"] == SEED_PAYBACK
    assert examples["seed_with_evaluation"]["value"] == SEED_PAYBACK_WITH_EVALUATION
    answer = evaluate["responses"]["200"]["content"]["application/json"]["examples"]["seed"][
        "value"
    ]
    assert answer["monthly_gain"] == 19082
    answer = payback["responses"]["200"]["content"]["application/json"]["examples"]["seed"]["value"]
    assert answer["npv"] == 213984


@pytest.mark.e2e
def test_schemathesis_finds_nothing_against_the_running_service(
    live_server: Server, tmp_path: Path
) -> None:
    """All checks, examples + coverage + fuzzing phases, positive and negative, deterministic."""
    events = tmp_path / "events.ndjson"
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "run", str(CONTRACT),
        "--url", live_server.url,
        "--checks", "all",
        "--phases", "examples,coverage,fuzzing",
        "--mode", "all",
        "--max-examples", str(EXAMPLES_PER_OPERATION),
        "--generation-deterministic",
        "--workers", "1",
        "--no-color",
        "--report", "ndjson", "--report-ndjson-path", str(events),
    ]  # fmt: skip
    run = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    cases = tests.tools.cases.count(events)
    print(dict(cases))  # the counts go into the issue note
    assert cases["POST /evaluate"] >= 100
    assert cases["POST /payback"] >= 100
