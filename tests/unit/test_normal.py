"""One normalized request (service/calc/normal.py): every default filled once, the lines in the
answer's order with their sources; the calculation id is the normalized request's; payback on
the last crossing."""

from __future__ import annotations

import copy
from typing import Any

import msgspec
import pytest

from service.calc import PaybackRequest, PaybackResponse, calculation_id, payback
from service.calc.normal import normalize
from service.examples import PARTNER_QUOTE, SEED_EVALUATE, SEED_PAYBACK

from .shapes import EXAMPLES


def run(body: dict[str, Any]) -> PaybackResponse:
    return payback(msgspec.convert(body, PaybackRequest), 2)


def with_(body: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(body), **changes}


SPELLED_OUT = {  # the seed with every default written out, in another key order
    "risk_adjustment": {"costs": 0.0, "benefits": 0.0},
    "scenarios": [],
    "monthly_benefit": 19082.0,
    "annual_discount_rate": -0.0,
    "ramp_up_months": 0,
    "horizon_months": 12,
    "costs": {
        "per_seat": [],
        "monthly": [],
        "one_time": [{"month": 0, "risk": 0.0, "amount": 15000.0,
                      "name": "licence, integrations, consulting"}],
    },
    "currency": "UAH",
}  # fmt: skip
LINE = {"kind": "fixed", "name": "saving", "monthly_amount": 1000}
LINES = {"benefits": [LINE], "ramp_up_months": 3, "risk_adjustment": {"benefits": 0.2},
         "costs": {"one_time": [{"name": "set-up", "amount": 5000}]}}  # fmt: skip
ROWS = {"schedule": {"period": "year", "costs": [100, 10], "benefits": [0, 200]}}

# name -> request; names in one group share an id, every group's id is its own
GROUPS: list[dict[str, dict[str, Any]]] = [
    {
        "seed": SEED_PAYBACK,
        "seed, defaults spelled out": SPELLED_OUT,
        "seed, costs' empty lists spelled out": with_(
            SEED_PAYBACK, costs={**SEED_PAYBACK["costs"], "monthly": [], "per_seat": []}
        ),
    },
    {"seed over 24 months": with_(SEED_PAYBACK, horizon_months=24)},
    {"seed with a 1 % cost risk": with_(SEED_PAYBACK, risk_adjustment={"costs": 0.01})},
    {
        "seed's benefit as a line": {
            "benefits": [with_(LINE, monthly_amount=19082, name="monthly_benefit")],
            "costs": SEED_PAYBACK["costs"],
        }
    },
    {
        "a line taking the request's risk and ramp": LINES,
        "a line with the same risk and ramp its own": with_(
            LINES, benefits=[with_(LINE, risk=0.2, ramp_up_months=3)]
        ),
        "and the cost's risk spelled out": with_(
            LINES, costs={"one_time": [{"name": "set-up", "amount": 5000, "risk": 0.0}]}
        ),
    },
    # the answer shows the request's ramp-up, though the line has its own
    {
        "a line with its own ramp, none for the request": with_(
            LINES, benefits=[with_(LINE, ramp_up_months=3)], ramp_up_months=0
        )
    },
    {
        "rows": ROWS,
        "rows, a horizon given (a schedule ignores it)": with_(ROWS, horizon_months=99),
        "rows, the risks spelled out": with_(ROWS, risk_adjustment={"benefits": 0, "costs": 0}),
    },
    {
        "rows as lines": {
            "schedule": {
                "period": "year",
                "lines": [
                    {"name": "benefits", "side": "benefit", "amounts": [0, 200]},
                    {"name": "costs", "side": "cost", "amounts": [100, 10]},
                ],
            }
        }
    },
    {"seed by its funnel": {"evaluation": SEED_EVALUATE, "costs": SEED_PAYBACK["costs"]}},
    # the old evaluation's own scenarios are answered (in `evaluation`): they count
    {
        "seed by its funnel, with a funnel scenario": {
            "evaluation": {**SEED_EVALUATE, "scenarios": [{"name": "half", "effect_scale": 0.5}]},
            "costs": SEED_PAYBACK["costs"],
        }
    },
    # a solve on the request-wide cost risk moves only the lines that take it
    {
        "solve on the cost risk, the line takes it": with_(
            LINES, solve={"vary": "/risk_adjustment/costs", "target": "npv", "value": 0}
        )
    },
    {
        "solve on the cost risk, the line has its own": with_(
            LINES,
            costs={"one_time": [{"name": "set-up", "amount": 5000, "risk": 0.0}]},
            solve={"vary": "/risk_adjustment/costs", "target": "npv", "value": 0},
        )
    },
]


def test_equal_requests_share_an_id_and_different_ones_do_not() -> None:
    ids: dict[str, str] = {}
    for group in GROUPS:
        found = set()
        for name, body in group.items():
            # the id of the normalized request, as payback answers it (a solve with no solution
            # is a 422, but its request has an id all the same)
            ids[name] = calculation_id(normalize(msgspec.convert(body, PaybackRequest)))
            found.add(ids[name])
        assert len(found) == 1, {name: ids[name] for name in group}
    assert len(set(ids.values())) == len(GROUPS), ids
    assert run(SPELLED_OUT).calculation_id == ids["seed"]


def test_a_request_with_and_without_its_defaults_spelled_out_is_one_normalized_request() -> None:
    assert normalize(msgspec.convert(SEED_PAYBACK, PaybackRequest)) == normalize(
        msgspec.convert(SPELLED_OUT, PaybackRequest)
    )


def test_every_line_knows_its_source_and_the_lines_are_in_the_answers_order() -> None:
    body = with_(EXAMPLES["benefit-and-time-saved"])
    assert [line.source for line in run(body).lines] == [
        "/monthly_benefit", "/productivity", "/costs/one_time/0", "/costs/one_time/1",
        "/costs/monthly/0", "/costs/per_seat/0",
    ]  # fmt: skip
    assert [line.source for line in run(EXAMPLES["schedule"]).lines] == [
        "/schedule/benefits",
        "/schedule/costs",
    ]
    assert [line.source for line in run(PARTNER_QUOTE).lines] == [
        "/benefits/0",
        "/benefits/1",
        "/costs/one_time/0",
        "/costs/per_seat/0",
    ]


def test_solve_is_no_field_of_evaluate_nor_scenarios_of_a_funnel_line() -> None:
    from service.calc import EvaluateRequest  # noqa: PLC0415  local: the point of the test

    with pytest.raises(msgspec.ValidationError, match="solve"):
        msgspec.convert({**SEED_EVALUATE, "solve": {"vary": "/x", "target": "npv", "value": 0}},
                        EvaluateRequest)  # fmt: skip
    line = {"kind": "funnel", "name": "deals",
            "evaluation": {**SEED_EVALUATE, "scenarios": []}}  # fmt: skip
    with pytest.raises(msgspec.ValidationError, match="scenarios"):
        msgspec.convert({"benefits": [line]}, PaybackRequest)


# --- payback on the last crossing ------------------------------------------------------------


def test_payback_is_where_the_cumulative_crosses_for_the_last_time() -> None:
    # nets -100, +150, -100, +100, -100, +150: cumulative -100, 50, -50, 50, -50, 100 crosses
    # three times; the last owed period is 4, so payback = 4 + 50 / 150
    body = {"schedule": {"period": "month", "lines": [
        {"name": "gain", "side": "benefit", "amounts": [0, 150, 0, 100, 0, 150]},
        {"name": "cost", "side": "cost", "amounts": [100, 0, 100, 0, 100, 0]}]}}  # fmt: skip
    answer = run(body)
    assert [row.cumulative for row in answer.cash_flows] == [-100, 50, -50, 50, -50, 100]
    assert answer.payback_months == pytest.approx(4 + 50 / 150, rel=1e-15)
    assert answer.discounted_payback_months == answer.payback_months


def test_a_case_that_ends_owing_has_not_paid_back() -> None:
    # pays back in month 1, then a trillion is owed at the end: no payback
    body = {"schedule": {"period": "month", "costs": [100, 0, 1e12], "benefits": [0, 200, 0]}}
    answer = run(body)
    assert answer.cash_flows[-1].cumulative < 0
    assert answer.payback_months is None
    assert answer.payback_periods is None


def test_a_scenario_uses_the_requests_discount_factors() -> None:
    body = with_(PARTNER_QUOTE, scenarios=[{"name": "as sent", "effect_scale": 1}])
    body.pop("solve")
    answer = run(body)
    (scenario,) = answer.scenarios
    assert (scenario.npv, scenario.roi, scenario.payback_months, scenario.pv_costs) == (
        answer.npv, answer.roi, answer.payback_months, answer.pv_costs
    )  # fmt: skip
