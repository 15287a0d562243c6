"""Solve (roi-model.md, "Solve: what must be true for a target"): each solution is checked
against the request priced without solve at the solution and one grid step beyond it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.calc import ModelError, PaybackRequest, PaybackResponse, payback
from service.examples import PARTNER_QUOTE


def run(body: dict[str, Any]) -> PaybackResponse:
    return payback(msgspec.convert(body, PaybackRequest), 2)


def at(body: dict[str, Any], pointer: str, value: float) -> PaybackResponse:
    """The request with the field at ``pointer`` set, priced without solve."""
    changed = msgspec.json.decode(msgspec.json.encode(body))
    changed.pop("solve", None)
    *parents, last = pointer.split("/")[1:]
    node = changed
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    node[int(last) if isinstance(node, list) else last] = value
    return run(changed)


def test_the_highest_price_per_seat_that_pays_back_within_six_months() -> None:
    answer = run(PARTNER_QUOTE)
    solution = answer.solution
    assert solution is not None
    assert solution.pointer == "/costs/per_seat/0/price_per_seat"
    met = at(PARTNER_QUOTE, solution.pointer, solution.value)
    beyond = at(PARTNER_QUOTE, solution.pointer, round(solution.value + 0.01, 2))
    assert met.payback_months is not None and met.payback_months <= 6
    assert beyond.payback_months is None or beyond.payback_months > 6
    assert (solution.npv, solution.roi, solution.payback_months) == (
        met.npv, met.roi, met.payback_months
    )  # fmt: skip
    # the rest of the answer is the request as sent
    as_sent = run({key: value for key, value in PARTNER_QUOTE.items() if key != "solve"})
    assert (answer.npv, answer.lines) == (as_sent.npv, as_sent.lines)


def test_the_smallest_uplift_of_the_deals_stage_that_breaks_even() -> None:
    pointer = "/benefits/0/evaluation/stages/2/uplift"
    body = {**PARTNER_QUOTE, "solve": {"vary": pointer, "target": "npv", "value": 0}}
    solution = run(body).solution
    assert solution is not None
    assert at(body, pointer, solution.value).npv >= 0
    assert at(body, pointer, round(solution.value - 1e-6, 6)).npv < 0


@pytest.mark.parametrize(
    ("solve", "detail"),
    [
        ({"vary": "/annual_discount_rate", "target": "npv", "value": 0}, "at every value"),
        ({"vary": "/annual_discount_rate", "target": "npv", "value": 1e12}, "at no value"),
        ({"vary": "/horizon_months", "target": "npv", "value": 0}, "not a field"),
        ({"vary": "/benefits/0/evaluation/stages/0/count", "target": "npv", "value": 0},
         "not a field"),
        ({"vary": "/costs/per_seat/3/seats", "target": "npv", "value": 0}, "no item"),
        ({"vary": "/no/such/field", "target": "npv", "value": 0}, "names no field"),
        ({"vary": "/costs/one_time/0/month", "target": "npv", "value": 0}, "not a field"),
    ],
)  # fmt: skip
def test_targets_that_cannot_be_solved_are_422_at_solve_vary(
    solve: dict[str, Any], detail: str
) -> None:
    with pytest.raises(ModelError) as raised:
        run({**PARTNER_QUOTE, "solve": solve})
    assert [v.pointer for v in raised.value.violations] == ["/solve/vary"]
    assert detail in raised.value.violations[0].detail


def test_an_uplift_is_solved_only_where_the_funnel_accepts_it() -> None:
    # the deals stage converts 400 of 600: its uplift may be at most 0.5 (a 100 % conversion);
    # no uplift up to that pays back within half a month, so the range stops there
    pointer = "/benefits/0/evaluation/stages/2/uplift"
    body = {**PARTNER_QUOTE, "solve": {"vary": pointer, "target": "payback_months", "value": 0.5}}
    with pytest.raises(ModelError) as raised:
        run(body)
    assert "[-1, 0.5]" in raised.value.violations[0].detail


POINTERS = [
    ("/costs/per_seat/0/price_per_seat", "payback_months", 6.0),
    ("/costs/one_time/0/amount", "roi", 1.0),
    ("/benefits/1/users", "payback_months", 3.0),
    ("/benefits/1/hours_saved_per_user_per_month", "npv", 300000.0),
    ("/risk_adjustment/costs", "npv", 310000.0),
    ("/benefits/0/risk", "roi", 1.5),
    ("/annual_discount_rate", "npv", 320000.0),
]


@settings(max_examples=15, deadline=None)
@given(
    choice=st.sampled_from(POINTERS),
    scale=st.floats(0.5, 1.5),
    seats=st.integers(1, 40),
)
def test_every_solution_is_the_request_priced_whole_at_that_value(
    choice: tuple[str, str, float], scale: float, seats: int
) -> None:
    """Solve prices only the line that holds the field (solve.figures): its figures must be
    those of the whole request priced at the solution, and one step beyond must not meet."""
    pointer, target, value = choice
    body = msgspec.json.decode(msgspec.json.encode(PARTNER_QUOTE))
    body["costs"]["per_seat"][0]["seats"] = seats
    body["solve"] = {"vary": pointer, "target": target, "value": value * scale}
    try:
        solution = run(body).solution
    except ModelError as error:  # unreachable at this scale: said at /solve/vary
        pointers = [v.pointer for v in error.violations]
        assert pointers == ["/solve/vary"]
        return
    assert solution is not None
    whole = at(body, pointer, solution.value)
    assert (solution.npv, solution.roi, solution.payback_months) == (
        whole.npv, whole.roi, whole.payback_months
    )  # fmt: skip
    money = "amount" in pointer or "price" in pointer
    step = 1.0 if pointer.endswith("users") else 0.01 if money else 1e-6
    met = {
        "npv": lambda a: a.npv >= Decimal(repr(value * scale)),
        "roi": lambda a: a.roi is not None and a.roi >= value * scale,
        "payback_months": lambda a: (
            a.payback_months is not None and a.payback_months <= value * scale
        ),
    }[target]
    assert met(whole)
    neighbours = [round(solution.value + d, 6) for d in (-step, step)]
    assert not all(met(at(body, pointer, v)) for v in neighbours if v >= 0)
