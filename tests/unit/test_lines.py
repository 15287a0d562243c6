"""Business cases in lines (roi-model.md, "Business cases in lines (model 2)"): each rule on a
case small enough to work out by hand in the comment beside it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec
import pytest

from service.calc import ConflictError, ModelError, PaybackRequest, PaybackResponse, payback
from service.examples import PARTNER_QUOTE, SEED_EVALUATE, SEED_PAYBACK


def run(body: dict[str, Any], minor_unit: int = 2) -> PaybackResponse:
    return payback(msgspec.convert(body, PaybackRequest), minor_unit)


def costs(answer: PaybackResponse) -> list[Decimal]:
    return [row.cost for row in answer.cash_flows]


def benefits(answer: PaybackResponse) -> list[Decimal]:
    return [row.benefit for row in answer.cash_flows]


def fixed(amount: float, **line: Any) -> dict[str, Any]:
    return {"kind": "fixed", "name": "saving", "monthly_amount": amount, **line}


def test_monthly_per_seat_billing_rises_at_each_anniversary() -> None:
    # 10 seats × 100 a month: 1,000 in months 1-12, 1,100 in 13-24, 1,210 in 25
    answer = run({"benefits": [fixed(5000)], "horizon_months": 25,
                  "costs": {"per_seat": [{"name": "seats", "seats": 10, "price_per_seat": 100,
                                          "annual_escalation": 0.1}]}})  # fmt: skip
    assert costs(answer) == [0] + [1000] * 12 + [1100] * 12 + [1210]
    assert answer.total_costs == Decimal("26410.00")


@pytest.mark.parametrize(
    ("horizon", "paid"),
    [
        (12, {0: 12000}),  # one year, paid at month 0
        (13, {0: 12000, 12: 13200}),  # the second year starts inside the horizon: paid in full
        (24, {0: 12000, 12: 13200}),
        (25, {0: 12000, 12: 13200, 24: 14520}),  # 12 × 1,000 × 1.1²
    ],
)
def test_annual_per_seat_billing_is_a_year_in_advance_and_the_last_year_in_full(
    horizon: int, paid: dict[int, int]
) -> None:
    licence = {"name": "seats", "seats": 10, "price_per_seat": 100, "billing": "annual",
               "annual_escalation": 0.1}  # fmt: skip
    answer = run({"benefits": [fixed(5000)], "horizon_months": horizon,
                  "costs": {"per_seat": [licence]}})  # fmt: skip
    assert costs(answer) == [paid.get(t, 0) for t in range(horizon + 1)]
    assert answer.total_costs == sum(paid.values())


def test_cost_items_carry_their_month_start_and_risk() -> None:
    # one-time 500 at month 3 with its own risk 20 %: 600; monthly 100 from month 4 with the
    # request's risk 10 %: 110 in months 4..6
    answer = run({
        "benefits": [fixed(1000)], "horizon_months": 6,
        "risk_adjustment": {"costs": 0.1},
        "costs": {"one_time": [{"name": "training", "amount": 500, "month": 3, "risk": 0.2}],
                  "monthly": [{"name": "support", "amount": 100, "start_month": 4}]},
    })  # fmt: skip
    assert costs(answer) == [0, 0, 0, 600, 110, 110, 110]
    assert answer.one_time_costs == 0  # nothing at month 0
    assert answer.monthly_costs == Decimal("110.00")


def test_a_benefit_line_starts_and_ramps_up_on_its_own() -> None:
    # 1,000 a month less 10 % risk is 900; from month 3 with a 2-month ramp: 450 in month 3,
    # then 900; the request's ramp (4) does not apply to a line with its own
    answer = run({"benefits": [fixed(1000, risk=0.1, start_month=3, ramp_up_months=2)],
                  "ramp_up_months": 4, "horizon_months": 6})  # fmt: skip
    assert benefits(answer) == [0, 0, 0, 450, 900, 900, 900]
    # a line without its own ramp takes the request's: month t gets t/4
    answer = run({"benefits": [fixed(1000)], "ramp_up_months": 4, "horizon_months": 5})
    assert benefits(answer) == [0, 250, 500, 750, 1000, 1000]


def test_benefit_lines_add_up_and_scenarios_scale_each() -> None:
    funnel = {"kind": "funnel", "name": "funnel", "evaluation": SEED_EVALUATE}
    productivity = {"kind": "productivity", "name": "time", "users": 10,
                    "hours_saved_per_user_per_month": 4, "loaded_hourly_cost": 250,
                    "realization": 0.5}  # fmt: skip
    body = {"benefits": [funnel, productivity, fixed(1000)], "horizon_months": 12,
            "scenarios": [{"name": "half", "effect_scale": 0.5}]}  # fmt: skip
    answer = run(body)
    # 19,082 (the seed's gain) + 10 × 4 × 250 × 0.5 = 5,000 + 1,000, every month
    assert benefits(answer)[1:] == [25082] * 12
    assert answer.monthly_benefit == Decimal("25082.00")
    assert answer.productivity_monthly_benefit == Decimal("5000.00")
    # half the effect: the funnel's uplifts halved (the /evaluate scenario), the others halved
    half_funnel = run({"benefits": [funnel], "scenarios": body["scenarios"]}).scenarios[0]
    assert half_funnel.monthly_benefit is not None
    assert answer.scenarios[0].monthly_benefit == half_funnel.monthly_benefit + 2500 + 500


def test_lines_are_answered_in_order_and_each_adds_up_to_its_total() -> None:
    answer = run({**PARTNER_QUOTE, "horizon_months": 30})
    assert [(line.name, line.side, line.kind) for line in answer.lines] == [
        ("more deals", "benefit", "funnel"),
        ("less admin", "benefit", "productivity"),
        ("implementation", "cost", "one_time"),
        ("CRM licences", "cost", "per_seat"),
    ]
    assert len(answer.years) == 4  # year 0, two years and a half year
    for line in answer.lines:
        assert len(line.years) == len(answer.years)
        assert sum(line.years) == line.total
    assert sum(line.total for line in answer.lines if line.side == "cost") == answer.total_costs
    # the licences: 12 × 10 × 600 at months 0, 12 and 24, rising 5 % a year
    assert answer.lines[3].years == [72000, 75600, 79380, 0]
    # 10 × 4 × 250 × 0.5 = 5,000 a month from month 2: 11 months in year 1
    assert answer.lines[1].years == [0, 55000, 60000, 30000]


def test_the_old_single_benefit_fields_are_one_line_each() -> None:
    old = run({**SEED_PAYBACK, "ramp_up_months": 2, "risk_adjustment": {"benefits": 0.1}})
    new = run({"costs": SEED_PAYBACK["costs"], "ramp_up_months": 2,
               "risk_adjustment": {"benefits": 0.1}, "benefits": [fixed(19082)]})  # fmt: skip
    assert old.cash_flows == new.cash_flows
    assert (old.npv, old.irr_monthly, old.payback_months) == (
        new.npv, new.irr_monthly, new.payback_months,
    )  # fmt: skip


def test_a_schedule_in_lines_risk_adjusts_each_line() -> None:
    body = {"schedule": {"period": "year", "lines": [
        {"name": "revenue", "side": "benefit", "amounts": [0, 1000, 1000], "risk": 0.1},
        {"name": "savings", "side": "benefit", "amounts": [0, 500, 500]},
        {"name": "licences", "side": "cost", "amounts": [100, 200, 200], "risk": 0.05},
    ]}, "risk_adjustment": {"benefits": 0.2}}  # fmt: skip
    answer = run(body)
    # benefits 900 + 400 a year; costs 105, 210, 210
    assert benefits(answer) == [0, 1300, 1300]
    assert costs(answer) == [105, 210, 210]
    assert [line.total for line in answer.lines] == [1800, 800, 525]


# The Forrester TEI study of SalesLoft (tests/unit/test_business_cases.py has its table): the
# same figures as named schedule lines.
def test_the_tei_summary_as_schedule_lines() -> None:
    answer = run({"schedule": {"period": "year", "lines": [
        {"name": "Total benefits", "side": "benefit", "amounts": [0, 1606511, 3061331, 4229760]},
        {"name": "Total costs", "side": "cost", "amounts": [53150, 666715, 636772, 647783]},
    ]}, "annual_discount_rate": 0.1, "currency": "USD"})  # fmt: skip
    assert [round(line.pv) for line in answer.lines] == [7168371, 1672201]
    assert [line.total for line in answer.lines] == [8897602, 2004420]
    assert round(answer.npv) == 5496170


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({**SEED_PAYBACK, "benefits": [fixed(1)]}, ""),
        ({"schedule": {"period": "year", "costs": [1], "benefits": [1],
                       "lines": [{"name": "a", "side": "cost", "amounts": [1]}]}}, "/schedule"),
        ({"schedule": {"period": "year", "costs": [1]}}, "/schedule"),
        ({"schedule": {"period": "year", "lines": [{"name": "a", "side": "cost", "amounts": [1]}]},
          "benefits": [fixed(1)]}, ""),
    ],
)  # fmt: skip
def test_conflicting_benefit_sources_are_a_schema_violation(
    body: dict[str, Any], pointer: str
) -> None:
    with pytest.raises(ConflictError) as raised:
        run(body)
    assert raised.value.violation.pointer == pointer


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"benefits": [fixed(1, start_month=13)]}, "/benefits/0/start_month"),
        ({"benefits": [fixed(1, ramp_up_months=13)]}, "/benefits/0/ramp_up_months"),
        ({"costs": {"one_time": [{"name": "a", "amount": 1, "month": 13}]}},
         "/costs/one_time/0/month"),
        ({"costs": {"monthly": [{"name": "a", "amount": 1, "start_month": 13}]}},
         "/costs/monthly/0/start_month"),
        ({"benefits": [{"kind": "funnel", "name": "f",
                        "evaluation": {**SEED_EVALUATE, "currency": "USD"}}]},
         "/benefits/0/evaluation/currency"),
    ],
)  # fmt: skip
def test_months_beyond_the_horizon_and_foreign_funnels_are_422(
    change: dict[str, Any], pointer: str
) -> None:
    body = {"benefits": [fixed(1)], "horizon_months": 12, **change}
    with pytest.raises(ModelError) as raised:
        run(body)
    assert [v.pointer for v in raised.value.violations] == [pointer]


def test_schedule_lines_of_unequal_length_are_422_at_the_line() -> None:
    body = {"schedule": {"period": "month", "lines": [
        {"name": "a", "side": "benefit", "amounts": [0, 1, 2]},
        {"name": "b", "side": "cost", "amounts": [1, 2]},
    ]}}  # fmt: skip
    with pytest.raises(ModelError) as raised:
        run(body)
    assert raised.value.violations[0].pointer == "/schedule/lines/1/amounts"


def test_the_calculation_id_treats_a_line_default_written_out_as_omitted() -> None:
    base = {"benefits": [fixed(1000)], "risk_adjustment": {"benefits": 0.1, "costs": 0.2},
            "ramp_up_months": 2, "costs": {"monthly": [{"name": "a", "amount": 10}]}}  # fmt: skip
    monthly = {"name": "a", "amount": 10, "risk": 0.2, "start_month": 1}
    spelled = {**base, "benefits": [fixed(1000, risk=0.1, ramp_up_months=2, start_month=1)],
               "costs": {"monthly": [monthly]}}  # fmt: skip
    other = {**base, "benefits": [fixed(1000, risk=0.2)]}
    assert run(base).calculation_id == run(spelled).calculation_id
    assert run(base).calculation_id != run(other).calculation_id
