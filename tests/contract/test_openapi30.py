"""The contract as OpenAPI 3.0.3 (openapi/openapi-3.0.json): what the app renders, valid as 3.0,
served, and free of what Salesforce's External Services refuses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient
from openapi_spec_validator.validation import OpenAPIV30SpecValidator

from service.http import openapi
from service.http.openapi30 import to_openapi_30
from tests.conftest import ROOT

CONTRACT_30 = ROOT / "openapi" / "openapi-3.0.json"


def committed() -> dict[str, Any]:
    return json.loads(CONTRACT_30.read_text())


def schemas_in(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object in the document with its JSON pointer (examples' values are data: skipped)."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            if key not in {"examples", "example", "default", "enum"}:
                yield from schemas_in(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from schemas_in(value, f"{where}/{i}")


def test_committed_30_contract_is_what_the_app_generates() -> None:
    assert CONTRACT_30.read_bytes() == openapi.render("3.0"), "run 'make openapi' and commit"


def test_the_30_contract_is_valid_openapi_30() -> None:
    document = committed()
    assert document["openapi"] == "3.0.3"
    validator = OpenAPIV30SpecValidator(document)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors()]
    assert errors == []


def test_the_30_contract_has_nothing_external_services_refuses() -> None:
    for where, node in schemas_in(committed()):
        kind = node.get("type")
        assert not isinstance(kind, list) and kind != "null", where  # nullable, not a null type
        assert {"type": "null"} not in node.get("anyOf", []) + node.get("oneOf", []), where
        assert "const" not in node, where
        assert "not" not in node, where
        for exclusive in ("exclusiveMinimum", "exclusiveMaximum"):
            assert isinstance(node.get(exclusive, True), bool), where
        if "$ref" in node:
            assert set(node) == {"$ref"}, where  # 3.0 ignores a reference's siblings


def test_the_30_contract_says_what_the_31_says() -> None:
    """Same paths, operations, answers and schemas; a field's bounds and nullability kept."""
    new, old = committed(), json.loads((ROOT / "openapi" / "openapi.json").read_text())
    assert {p: set(ops) for p, ops in new["paths"].items()} == {
        p: set(ops) for p, ops in old["paths"].items()
    }
    assert set(new["components"]["schemas"]) == set(old["components"]["schemas"])
    deal = new["components"]["schemas"]["EvaluateRequest"]["properties"]["average_deal_value"]
    assert deal["minimum"] == 0 and deal["exclusiveMinimum"] is True
    solution = new["components"]["schemas"]["PaybackResponse"]["properties"]["solution"]
    assert solution == {
        "allOf": [{"$ref": "#/components/schemas/Solution"}],
        "nullable": True,
        "type": "object",
    }


def test_the_30_contract_is_served(client: TestClient) -> None:  # type: ignore[type-arg]
    answer = client.get("/schema/openapi-3.0.json")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.oai.openapi+json")
    assert answer.json() == json.loads(openapi.render("3.0"))


# ---- the conversion, one rule at a time ------------------------------------------------------


def convert(schema: dict[str, Any], **others: Any) -> dict[str, Any]:
    document = {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {"title": "t", "version": "1", "summary": "s"},
        "paths": {},
        "components": {"schemas": {"It": schema, **others}},
    }
    converted = to_openapi_30(document)
    assert converted["openapi"] == "3.0.3"
    assert "jsonSchemaDialect" not in converted and "summary" not in converted["info"]
    it: dict[str, Any] = converted["components"]["schemas"]["It"]
    return it


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": ["integer", "null"]}, {"type": "integer", "nullable": True}),
        (
            {"anyOf": [{"type": "number", "minimum": 0}, {"type": "null"}], "default": None},
            {"type": "number", "minimum": 0, "nullable": True, "default": None},
        ),
        (
            {"anyOf": [{"$ref": "#/components/schemas/Obj"}, {"type": "null"}]},
            {"allOf": [{"$ref": "#/components/schemas/Obj"}], "nullable": True, "type": "object"},
        ),
        ({"const": "fixed"}, {"enum": ["fixed"], "type": "string"}),
        ({"type": "string", "examples": ["a", "b"]}, {"type": "string", "example": "a"}),
        (
            {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
            {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 1},
        ),
        (
            {"type": "number", "exclusiveMaximum": 5},
            {"type": "number", "maximum": 5, "exclusiveMaximum": True},
        ),
        ({"type": "object", "required": []}, {"type": "object"}),
        (
            {"$ref": "#/components/schemas/Obj", "description": "d"},
            {"allOf": [{"$ref": "#/components/schemas/Obj"}], "description": "d"},
        ),
        (
            {
                "type": "object",
                "allOf": [{"oneOf": [{"required": ["a"], "not": {"required": ["b"]}}]}],
            },
            {"type": "object"},
        ),
    ],
    ids=[
        "type-list",
        "anyof-null",
        "ref-or-null",
        "const",
        "examples",
        "exclusive-min",
        "exclusive-max",
        "empty-required",
        "ref-siblings",
        "presence-rule",
    ],
)
def test_each_31_construct_is_said_the_30_way(
    schema: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert convert(schema, Obj={"type": "object"}) == expected


def test_nested_schemas_are_converted_too() -> None:
    it = convert(
        {
            "type": "object",
            "properties": {"a": {"type": "array", "items": {"type": ["string", "null"]}}},
        }
    )
    assert it["properties"]["a"]["items"] == {"type": "string", "nullable": True}


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "array", "prefixItems": [{"type": "string"}]},
        {"type": "object", "$defs": {"x": {}}},
        {"not": {"type": "string"}},
        {"type": ["string", "integer"]},
    ],
    ids=["prefixItems", "$defs", "not", "two-types"],
)
def test_what_30_cannot_say_is_refused_naming_where(schema: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="#/components/schemas/It"):
        convert(schema)
