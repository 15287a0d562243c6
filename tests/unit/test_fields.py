"""Which fields solve may vary, and on what grid, is said once, by the types (types.py); the
table in docs/roi-model.md is generated from them."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec

from service.calc import PaybackRequest
from service.calc.fields import Field, locate, table, variable_fields, variable_pointers
from service.examples import PARTNER_QUOTE, SEED_PAYBACK

DOCS = Path(__file__).resolve().parents[2] / "docs" / "roi-model.md"


def test_the_docs_table_of_variable_fields_is_the_types() -> None:
    text = DOCS.read_text()
    start = text.index("<!-- variable fields: generated from service/calc/types.py -->\n")
    end = text.index("<!-- end of variable fields -->")
    documented = text[text.index("\n", start) + 1 : end]
    assert documented == table(), f"docs/roi-model.md should read:\n{table()}"


def test_the_variable_fields_are_those_of_model_1_2() -> None:
    # the set solve could vary before the grids moved onto the types, by the last key
    grids = {pointer.rsplit("/", 1)[-1]: grid for pointer, grid, _ in variable_fields()}
    assert grids == {
        "amount": "money", "monthly_amount": "money", "monthly_benefit": "money",
        "price_per_seat": "money", "loaded_hourly_cost": "money",
        "average_deal_value": "money", "*": "money", "seats": "whole", "users": "whole",
        "hours_saved_per_user_per_month": "fine", "realization": "fine", "uplift": "fine",
        "average_deal_value_uplift": "fine", "gross_margin": "fine", "risk": "fine",
        "benefits": "fine", "costs": "fine", "annual_discount_rate": "fine",
        "annual_escalation": "fine",
    }  # fmt: skip
    not_variable = {"count", "horizon_months", "ramp_up_months", "month", "start_month",
                    "effect_scale", "sensitivity_swing", "value"}  # fmt: skip
    assert not not_variable & set(grids)


def test_every_variable_pointer_of_a_request_is_located_on_its_grid() -> None:
    for body in (SEED_PAYBACK, PARTNER_QUOTE):
        request = msgspec.convert(body, PaybackRequest)
        for pointer in variable_pointers(request):
            field = locate(request, pointer)
            assert isinstance(field, Field), field
            pattern = re.sub(r"/\d+", "/*", pointer)
            assert (pattern, field.grid) in {(p, g) for p, g, _ in variable_fields()}


def test_a_benefit_source_left_out_is_not_variable() -> None:
    request = msgspec.convert(PARTNER_QUOTE, PaybackRequest)
    assert "/monthly_benefit" not in variable_pointers(request)
    assert "is not given" in str(locate(request, "/monthly_benefit"))
    # a line's own risk, left out, is
    assert "/benefits/0/risk" in variable_pointers(request)


def test_only_a_funnel_rule_reads_a_variable_field() -> None:
    # validate.field_violations checks only the funnel that holds a field; the whole request's
    # rules must say the same at both ends of every variable field of every example
    from service.calc.fields import with_value  # noqa: PLC0415
    from service.calc.validate import field_violations, payback_violations  # noqa: PLC0415

    from .shapes import EXAMPLES  # noqa: PLC0415

    for body in EXAMPLES.values():
        request = msgspec.convert(body, PaybackRequest)
        for pointer in variable_pointers(request):
            field = locate(request, pointer)
            assert isinstance(field, Field)
            for value in (field.low, field.high, field.low / 2 + field.high / 2):
                changed = with_value(request, field.path, value)
                assert payback_violations(changed) == field_violations(changed, field.path)
