"""The contract keeps every promise of the last released one (openapi/released/), and the check
that says so finds each kind of break on a mutated copy of the contract, naming where."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.tools.compat import breaks

CONTRACT = ROOT / "openapi" / "openapi.json"
RELEASED = ROOT / "openapi" / "released"
Document = dict[str, Any]


def version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.removesuffix(".json").split("."))


def last_released() -> Document:
    newest = max((p.name for p in RELEASED.glob("*.json")), key=version_key)
    document: Document = json.loads((RELEASED / newest).read_text())
    return document


def test_the_contract_keeps_the_last_released_one() -> None:
    found = breaks(last_released(), json.loads(CONTRACT.read_text()))
    assert found == [], (
        "the contract breaks the released one (raise the major version?):\n" + "\n".join(found)
    )


def test_each_released_snapshot_is_named_by_its_version() -> None:
    for path in RELEASED.glob("*.json"):
        assert json.loads(path.read_text())["info"]["version"] + ".json" == path.name


# ---- the check itself, on mutated copies of the released contract ---------------------------


def schemas(document: Document) -> Document:
    found: Document = document["components"]["schemas"]
    return found


def mutated(change: Callable[[Document], Any]) -> Document:
    document = copy.deepcopy(last_released())
    change(document)
    return document


def drop_answer_field(document: Document) -> None:
    answer = schemas(document)["PaybackResponse"]
    del answer["properties"]["npv"]
    answer["required"].remove("npv")


def set_in(name: str, field: str, **values: Any) -> Callable[[Document], None]:
    def change(document: Document) -> None:
        schemas(document)[name]["properties"][field].update(values)

    return change


def drop_in(name: str, field: str, key: str) -> Callable[[Document], None]:
    def change(document: Document) -> None:
        del schemas(document)[name]["properties"][field][key]

    return change


def require(document: Document) -> None:
    schemas(document)["EvaluateRequest"]["required"].append("currency")


def drop_enum_value(name: str) -> Callable[[Document], None]:
    def change(document: Document) -> None:
        schemas(document)[name]["properties"]["rounding"]["enum"].remove("exact")

    return change


BREAKS = {
    "path removed": (lambda d: d["paths"].pop("/evaluate"), "/evaluate: path removed"),
    "operation removed": (
        lambda d: d["paths"]["/payback"].pop("post"),
        "POST /payback: operation removed",
    ),
    "answer field removed": (
        drop_answer_field,
        "POST /payback 200 answer/npv: answer field removed",
    ),
    "answer type changed": (
        set_in("PaybackResponse", "npv", type="string"),
        "POST /payback 200 answer/npv: type changed from ['number'] to ['string']",
    ),
    "request type changed": (
        set_in("Stage", "name", type="number"),
        "POST /evaluate request/stages[]/name: type changed from ['string'] to ['number']",
    ),
    "request type narrowed": (
        set_in("Stage", "count", type="integer"),
        "POST /evaluate request/stages[]/count: type narrowed from ['number'] to ['integer']",
    ),
    "answer may now be null": (
        set_in("PaybackResponse", "npv", type=["number", "null"]),
        "POST /payback 200 answer/npv: may now be null",
    ),
    "maximum lowered": (
        set_in("CostLine", "amount", maximum=1000),
        "POST /payback request/costs/one_time[]/amount: maximum narrowed from 1000000000000.0 to 1000",  # noqa: E501  # the name as the check says it
    ),
    "minimum raised": (
        set_in("Stage", "uplift", minimum=0),
        "POST /evaluate request/stages[]/uplift: minimum narrowed from -1 to 0",
    ),
    "minimum made exclusive": (
        set_in("Stage", "count", exclusiveMinimum=0),
        "POST /evaluate request/stages[]/count: minimum narrowed from 0 to 0 (exclusive)",
    ),
    "maximum added": (
        set_in("Stage", "count", maximum=10),
        "POST /evaluate request/stages[]/count: maximum narrowed from 1000000000.0 to 10",
    ),
    "maxLength lowered": (
        set_in("Stage", "name", maxLength=10),
        "POST /evaluate request/stages[]/name: maxLength narrowed from 80 to 10",
    ),
    "minLength raised": (
        set_in("Stage", "name", minLength=3),
        "POST /evaluate request/stages[]/name: minLength narrowed from 1 to 3",
    ),
    "maxItems lowered": (
        set_in("EvaluateRequest", "stages", maxItems=3),
        "POST /evaluate request/stages: maxItems narrowed from 10 to 3",
    ),
    "minItems raised": (
        set_in("EvaluateRequest", "stages", minItems=3),
        "POST /evaluate request/stages: minItems narrowed from 2 to 3",
    ),
    "pattern changed": (
        set_in("EvaluateRequest", "currency", pattern="^[A-Z]{2}$"),
        "POST /evaluate request/currency: pattern changed from '^[A-Z]{3}$' to '^[A-Z]{2}$'",
    ),
    "request enum value removed": (
        drop_enum_value("EvaluateRequest"),
        "POST /evaluate request/rounding: enum values ['exact'] removed",
    ),
    "required request field added": (
        require,
        "POST /evaluate request/currency: required request field added",
    ),
    "answer enum value removed": (
        drop_enum_value("EvaluateResponse"),
        "POST /evaluate 200 answer/rounding: enum values ['exact'] removed",
    ),
    "answer field no longer always present": (
        lambda d: schemas(d)["PaybackResponse"]["required"].remove("roi"),
        "POST /payback 200 answer/roi: answer field no longer always present",
    ),
}


@pytest.mark.parametrize("kind", BREAKS)
def test_each_kind_of_break_is_found_and_named(kind: str) -> None:
    change, named = BREAKS[kind]
    assert named in breaks(last_released(), mutated(change))


def test_a_break_behind_a_reference_is_named_wherever_it_is_reached() -> None:
    found = breaks(last_released(), mutated(set_in("Stage", "name", maxLength=10)))
    # the funnel is reached from /evaluate and, embedded, from /payback
    assert "POST /evaluate request/stages[]/name: maxLength narrowed from 80 to 10" in found
    assert any(f.startswith("POST /payback request/") and "maxLength" in f for f in found)


def test_a_raised_major_version_may_break_anything() -> None:
    def break_and_raise(document: Document) -> None:
        document["paths"].pop("/evaluate")
        drop_answer_field(document)
        document["info"]["version"] = f"{int(document['info']['version'].split('.')[0]) + 1}.0.0"

    assert breaks(last_released(), mutated(break_and_raise)) == []


def test_a_raised_minor_version_is_no_excuse() -> None:
    def break_and_bump(document: Document) -> None:
        document["paths"].pop("/evaluate")
        major, minor, _ = document["info"]["version"].split(".")
        document["info"]["version"] = f"{major}.{int(minor) + 1}.0"

    assert breaks(last_released(), mutated(break_and_bump)) == ["/evaluate: path removed"]


def add_everything(document: Document) -> None:
    """A new optional request field, a new answer field, a new path, a wider bound."""
    request = schemas(document)["EvaluateRequest"]
    request["properties"]["note"] = {"type": "string", "maxLength": 200}
    answer = schemas(document)["PaybackResponse"]
    answer["properties"]["note"] = {"type": "string"}
    answer["required"].append("note")
    document["paths"]["/evaluate/again"] = copy.deepcopy(document["paths"]["/evaluate"])
    schemas(document)["Stage"]["properties"]["name"]["maxLength"] = 200
    schemas(document)["Stage"]["properties"]["count"]["type"] = ["number", "null"]


@pytest.mark.parametrize("change", [lambda d: None, add_everything], ids=["unchanged", "additive"])
def test_the_unchanged_and_a_purely_additive_contract_pass(
    change: Callable[[Document], Any],
) -> None:
    assert breaks(last_released(), mutated(change)) == []
