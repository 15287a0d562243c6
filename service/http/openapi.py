"""The OpenAPI 3.1 document, generated from the very Structs the decoder enforces.

Litestar's generator cannot see our strict msgspec decoding (handlers read the raw body), and it
documents Decimal as a string and omits ``additionalProperties: false``. So the schemas come from
``msgspec.json.schema_components`` (the decoder's own truth) and the operations from the table
below; ``make openapi`` writes the result to openapi/openapi.json and a test keeps the two equal.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import msgspec

from service import calc, examples
from service.http import batch, openapi30, problems, views
from service.http.bodies import ENCODER, EVALUATE_DECODER, PAYBACK_DECODER
from service.http.routes import GUARD_ERRORS, ROUTES, Health, Index

TITLE = "roi-service"
# The contract's version: a minor step for what it adds (1.1.0: batches, ?view, the PDF,
# uncertainty), a major one only for a break (openapi/released/ and tests/contract/test_compat.py)
VERSION = "1.1.0"
DESCRIPTION = """\
What introducing a CRM is worth to a company, and how fast it pays back.

`POST /evaluate` takes a sales funnel (leads → potential deals → closed deals), the expected
improvement at each step and the average deal, and answers revenue before and after, the monthly
gain and every step of the computation. `POST /payback` takes costs and a monthly benefit (or an
embedded evaluation) and answers payback months, NPV, ROI, IRR and the month-by-month cash flows.

Money is an exact decimal JSON number rounded half-up to the currency's ISO 4217 minor unit.
Errors are RFC 9457 `application/problem+json`; `errors[].pointer` names the offending field.
The model is specified in docs/roi-model.md.
"""

# What the server's edge (service/http/server.py) answers for any path, before any route: an
# unparsable or malformed request (400), a head that is too slow (408), too long (414, 431), a
# transfer coding other than chunked (501), or an HTTP version other than 1.0 and 1.1 (505).
EDGE_ERRORS = (400, 408, 414, 431, 501, 505)

_REF = "#/components/schemas/{name}"


def _seed_answers() -> dict[str, Any]:
    """The answers to the seed requests, computed by the model itself."""

    def roundtrip(struct: msgspec.Struct) -> Any:
        return msgspec.json.decode(ENCODER.encode(struct))

    raw = msgspec.json.encode
    evaluate_seed = EVALUATE_DECODER.decode(raw(examples.SEED_EVALUATE))
    payback_seed = PAYBACK_DECODER.decode(raw(examples.SEED_PAYBACK))
    return {
        "EvaluateResponse": roundtrip(calc.evaluate(evaluate_seed, 2)),
        "PaybackResponse": roundtrip(calc.payback(payback_seed, 2)),
    }


def _components() -> dict[str, Any]:
    _, schemas = msgspec.json.schema_components(
        [
            calc.EvaluateRequest,
            calc.PaybackRequest,
            calc.EvaluateResponse,
            calc.PaybackResponse,
            views.EvaluateSummary,
            views.PaybackSummary,
            batch.EvaluateBatch,
            batch.EvaluateBatchAnswer,
            batch.PaybackBatch,
            batch.PaybackBatchAnswer,
            problems.Problem,
            Health,
            Index,
        ],
        ref_template=_REF,
    )
    for schema in schemas.values():
        for prop in schema.get("properties", {}).values():
            _money_as_number(prop)
            _whole_as_integer(prop)
    # A summary has none of the full answer's detail: a full answer is not also a summary (the
    # answers' oneOf holds exactly one)
    for name in ("EvaluateSummary", "PaybackSummary"):
        schemas[name]["additionalProperties"] = False
    # A batch item's answer is the single call's, in the view asked for
    for name in ("Evaluate", "Payback"):
        schemas[f"{name}BatchResult"]["properties"]["answer"] = {
            "oneOf": [{"$ref": _REF.format(name=f"{name}Response")},
                      {"$ref": _REF.format(name=f"{name}Summary")}],
            "description": "The single call's answer (200), in the view asked for.",
        }  # fmt: skip

    # One benefit source (calc.shape_conflict): the decoder cannot say so, the schema can.
    def has(*names: str) -> list[dict[str, Any]]:
        return [{"required": [name]} for name in names]

    # (Inside allOf, so client generators still see a plain object with typed properties.)
    schemas["PaybackRequest"]["allOf"] = [
        {
            "oneOf": [
                {
                    "required": ["monthly_benefit"],
                    "not": {"anyOf": has("evaluation", "schedule", "benefits")},
                },
                {
                    "required": ["evaluation"],
                    "not": {"anyOf": has("monthly_benefit", "schedule", "benefits")},
                },
                {
                    "required": ["schedule"],
                    "not": {
                        "anyOf": has(
                            "monthly_benefit",
                            "evaluation",
                            "productivity",
                            "benefits",
                            "costs",
                            "ramp_up_months",
                        )
                    },
                },
                {
                    "required": ["productivity"],
                    "not": {"anyOf": has("monthly_benefit", "evaluation", "schedule", "benefits")},
                },
                {
                    "required": ["benefits"],
                    "not": {
                        "anyOf": has("monthly_benefit", "evaluation", "productivity", "schedule")
                    },
                },
            ]
        }
    ]
    # A schedule gives named lines, or its costs and benefits rows.
    schemas["Schedule"]["allOf"] = [
        {
            "oneOf": [
                {"required": ["lines"], "not": {"anyOf": has("costs", "benefits")}},
                {"required": ["costs", "benefits"], "not": {"required": ["lines"]}},
            ]
        }
    ]
    return schemas


def _money_as_number(prop: dict[str, Any]) -> None:
    """Decimals are encoded as JSON numbers (decimal_format="number"), so say number."""
    for variant in [prop, *prop.get("anyOf", [])]:
        if variant.get("type") == "string" and variant.get("format") == "decimal":
            variant["type"] = "number"
            del variant["format"]
        if "items" in variant:  # a list of money
            _money_as_number(variant["items"])


def _whole_as_integer(prop: dict[str, Any]) -> None:
    """A number that is a multiple of 1 is exactly JSON Schema's integer (12 and 12.0 alike)."""
    if prop.get("type") == "number" and prop.get("multipleOf") == 1:
        prop["type"] = "integer"
        del prop["multipleOf"]
        if isinstance(prop.get("default"), float):  # 12.0 in the Struct, 12 in the contract
            prop["default"] = int(prop["default"])


VIEW_PARAMETER = {
    "name": "view",
    "in": "query",
    "required": False,
    "description": "full (the default): the whole answer; summary: without its per-period and "
    "per-step detail (cash_flows, years, steps, evaluation, lines[].years, and uncertainty's "
    "payback_curve, cumulative_bands and npv_histogram). Any other query is a 400.",
    "schema": {"type": "string", "enum": ["full", "summary"], "default": "full"},
}


def _problem_responses(statuses: tuple[int, ...]) -> dict[str, Any]:
    kinds_by_status: dict[int, list[problems.ProblemType]] = {}
    for kind in problems.PROBLEM_TYPES.values():
        kinds_by_status.setdefault(kind.status, []).append(kind)
    responses = {}
    for status in statuses:
        kinds = kinds_by_status.get(status, [])
        description = " ".join(f"`{k.uri}`: {k.description}" for k in kinds) or "An error."
        responses[str(status)] = {
            "description": description,
            "content": {problems.MEDIA_TYPE: {"schema": {"$ref": _REF.format(name="Problem")}}},
        }
    return responses


def build_openapi() -> dict[str, Any]:
    """The whole OpenAPI document as a JSON-ready dict."""
    answers = _seed_answers()
    paths: dict[str, Any] = {}
    for route in ROUTES:
        op = route.operation
        if op is None:
            continue
        errors = {*op.errors, *EDGE_ERRORS, *(GUARD_ERRORS if route.guarded else ())}
        success: dict[str, Any] = {"schema": {"$ref": _REF.format(name=op.answer)}}
        if op.summary_answer:  # ?view=summary answers the answer without its detail
            summary = {"$ref": _REF.format(name=op.summary_answer)}
            success["schema"] = {"oneOf": [success["schema"], summary]}
        if op.answer in answers:
            success["examples"] = {"seed": {"value": answers[op.answer]}}
        # other answers, asked by Accept (service/http/pdf.py)
        binary = {"schema": {"type": "string", "format": "binary"}}
        documents = dict.fromkeys(op.documents, binary)
        operation: dict[str, Any] = {
            "operationId": route.handler.name,
            "summary": op.summary,
            "description": op.description,
            "responses": {
                "200": {"description": "OK", "content": {"application/json": success, **documents}},
                **_problem_responses(tuple(sorted(errors))),
            },
        }
        if op.summary_answer or op.answer.endswith("BatchAnswer"):
            operation["parameters"] = [VIEW_PARAMETER]
        if op.request:
            # Anonymous calls are welcome; partners add their key for their own rate limit.
            operation["security"] = [{}, {"PartnerKey": []}]
            operation["requestBody"] = {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": _REF.format(name=op.request)},
                        "examples": {
                            name: {"value": value} for name, value in op.request_examples.items()
                        },
                    }
                },
            }
        paths.setdefault(route.path, {})[op.method] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION, "description": DESCRIPTION},
        "paths": paths,
        "components": {
            "schemas": _components(),
            "securitySchemes": {
                "PartnerKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-API-Key",
                    "description": "Optional partner key: a partner's own, higher rate limit. "
                    "A wrong key is answered 401; keys in the URL are refused (400).",
                }
            },
        },
    }


def render(openapi_version: str = "3.1") -> bytes:
    """The document as committed: sorted keys, two-space indent, trailing newline. "3.0" renders
    it as OpenAPI 3.0.3 (service/http/openapi30.py)."""
    document = build_openapi()
    if openapi_version == "3.0":
        document = openapi30.to_openapi_30(document)
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def main(argv: list[str] | None = None) -> int:
    """``python -m service.openapi PATH`` writes the contract; ``--check PATH`` compares;
    ``--3.0`` is the contract as OpenAPI 3.0.3."""
    args = sys.argv[1:] if argv is None else argv
    check = "--check" in args
    path = next(a for a in args if not a.startswith("--"))
    wanted = render("3.0" if "--3.0" in args else "3.1")
    if check:
        with open(path, "rb") as committed:
            if committed.read() != wanted:
                print(f"{path} is out of date: run 'make openapi'", file=sys.stderr)
                return 1
        return 0
    with open(path, "wb") as out:
        out.write(wanted)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
