"""Hypothesis properties of the model over the whole valid input space."""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

import msgspec
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from service.calc import EvaluateRequest, PaybackRequest, evaluate, payback
from service.calc.types import (
    MAX_COST_LINES,
    MAX_COUNT,
    MAX_HORIZON_MONTHS,
    MAX_MONEY,
    MAX_STAGES,
    MAX_UPLIFT,
)
from service.http.bodies import ENCODER

MINOR_UNITS = st.sampled_from([0, 2, 3])


def finite(low: float, high: float) -> st.SearchStrategy[float]:
    """Bounded floats, both "typed by a person" (two decimals) and arbitrary ones."""
    cent = Decimal("0.01")
    typed_low = Decimal(repr(low)).quantize(cent, rounding=ROUND_CEILING)
    typed_high = Decimal(repr(high)).quantize(cent, rounding=ROUND_FLOOR)
    options = [
        st.floats(low, high, allow_nan=False, allow_infinity=False),
        st.sampled_from([low, high]),
    ]
    if typed_low <= typed_high:
        options.append(st.decimals(typed_low, typed_high, places=2).map(float))
    return st.one_of(options)


@st.composite
def funnels(draw: st.DrawFn, rounding: str | None = None) -> dict[str, Any]:
    """A valid funnel: counts never grow downwards, conversions stay at or below 100 %."""
    size = draw(st.integers(2, MAX_STAGES))
    counts = [draw(finite(0, MAX_COUNT))]
    for _ in range(size - 1):
        counts.append(counts[-1] * draw(st.floats(0, 1)))
    stages = [{"name": "top", "count": counts[0], "uplift": draw(finite(-1, MAX_UPLIFT))}]
    for i in range(1, size):
        above, here = Decimal(repr(counts[i - 1])), Decimal(repr(counts[i]))
        most = MAX_UPLIFT if here == 0 else min(MAX_UPLIFT, float(above / here - 1))
        uplift = draw(finite(-1, max(-1.0, most)))
        if here and Decimal(repr(uplift)) + 1 > above / here:
            uplift = -1.0  # float rounding put it past 100 %: take the safe end
        stages.append({"name": f"s{i}", "count": counts[i], "uplift": uplift})
    return {
        "stages": stages,
        "average_deal_value": draw(finite(0.01, MAX_MONEY)),
        "average_deal_value_uplift": draw(finite(-1, MAX_UPLIFT)),
        "gross_margin": draw(finite(0.01, 1)),
        "rounding": rounding or draw(st.sampled_from(["whole_units", "exact"])),
    }


def cost_lines(high: float = MAX_MONEY) -> st.SearchStrategy[list[dict[str, Any]]]:
    line = st.builds(lambda amount: {"name": "line", "amount": amount}, finite(0, high))
    return st.lists(line, max_size=MAX_COST_LINES)


@st.composite
def investments(draw: st.DrawFn, money: st.SearchStrategy[float] | None = None) -> dict[str, Any]:
    horizon = draw(st.integers(1, MAX_HORIZON_MONTHS))
    return {
        "costs": {"one_time": draw(cost_lines()), "monthly": draw(cost_lines())},
        "monthly_benefit": draw(finite(-MAX_MONEY, MAX_MONEY) if money is None else money),
        "horizon_months": horizon,
        "ramp_up_months": draw(st.integers(0, horizon)),
        "annual_discount_rate": draw(finite(0, 1)),
        "risk_adjustment": {"benefits": draw(finite(0, 1)), "costs": draw(finite(0, 1))},
    }


def assert_all_finite(answer: msgspec.Struct) -> None:
    """Every number in the encoded answer is finite (msgspec would write inf/NaN as null)."""
    decoded = msgspec.json.Decoder(float_hook=Decimal).decode(ENCODER.encode(answer))
    stack: list[Any] = [decoded]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, float | Decimal):
            assert math.isfinite(value)
    for name in ("payback_months", "discounted_payback_months", "roi", "irr_monthly", "irr_annual"):
        value = getattr(answer, name, None)
        assert value is None or math.isfinite(value), name


@given(funnels(), MINOR_UNITS)
def test_every_valid_funnel_gives_a_finite_answer(body: dict[str, Any], minor_unit: int) -> None:
    answer = evaluate(msgspec.convert(body, EvaluateRequest), minor_unit)
    assert_all_finite(answer)
    assert answer.revenue_uplift == answer.projected_revenue - answer.baseline_revenue
    assert answer.baseline_revenue.as_tuple().exponent == -minor_unit


@given(investments(), MINOR_UNITS)
def test_every_valid_investment_gives_a_finite_answer(
    body: dict[str, Any], minor_unit: int
) -> None:
    answer = payback(msgspec.convert(body, PaybackRequest), minor_unit)
    assert_all_finite(answer)
    assert len(answer.cash_flows) == body["horizon_months"] + 1


@given(funnels(), st.data())
def test_more_uplift_never_lowers_the_gain(body: dict[str, Any], data: st.DataObject) -> None:
    before = evaluate(msgspec.convert(body, EvaluateRequest), 2)
    more = data.draw(st.floats(0, 1))
    target = data.draw(st.integers(-1, len(body["stages"]) - 1))
    raised: dict[str, Any] = {**body, "stages": [dict(s) for s in body["stages"]]}
    if target < 0:
        raised["average_deal_value_uplift"] = min(
            MAX_UPLIFT, body["average_deal_value_uplift"] + more
        )
    else:
        stage = raised["stages"][target]
        stage["uplift"] = min(MAX_UPLIFT, stage["uplift"] + more)
        if target > 0:  # stay within 100 % conversion, else the request is invalid
            above = Decimal(repr(raised["stages"][target - 1]["count"]))
            here = Decimal(repr(stage["count"]))
            assume(here == 0 or here * (1 + Decimal(repr(stage["uplift"]))) <= above)
    after = evaluate(msgspec.convert(raised, EvaluateRequest), 2)
    assert after.monthly_gain >= before.monthly_gain
    assert after.projected_revenue >= before.projected_revenue


@given(investments(), MINOR_UNITS)
def test_payback_agrees_with_the_cumulative_cash_flows(
    body: dict[str, Any], minor_unit: int
) -> None:
    answer = payback(msgspec.convert(body, PaybackRequest), minor_unit)
    tolerance = Decimal(1).scaleb(-minor_unit)  # cash flows are rounded, payback is not
    for months, key in (
        (answer.payback_months, "cumulative"),
        (answer.discounted_payback_months, "discounted_cumulative"),
    ):
        cumulative = [getattr(flow, key) for flow in answer.cash_flows]
        if months is None:
            assert all(value <= tolerance for value in cumulative)
            assert cumulative[0] <= 0  # owed at month 0 (it may round to 0)
            continue
        month = math.ceil(months)
        # earned back for good: never owed again from that month on
        assert all(value >= -tolerance for value in cumulative[month:])
        if month > 0:
            assert cumulative[month - 1] <= tolerance
            net = cumulative[month] - cumulative[month - 1]
            crossing = cumulative[month - 1] + Decimal(repr(months - (month - 1))) * net
            assert abs(crossing) <= 2 * tolerance + abs(net) * Decimal("1e-9")
        else:
            assert all(value >= -tolerance for value in cumulative)


@given(
    investments(money=st.integers(0, 10**6).map(float)),
    st.sampled_from([10, 1000, 10**5]),
)
def test_scaling_all_money_leaves_roi_and_payback_unchanged(body: dict[str, Any], k: int) -> None:
    for lines in body["costs"].values():
        for line in lines:
            line["amount"] = float(round(line["amount"]) % 10**6)
    scaled = {
        **body,
        "monthly_benefit": body["monthly_benefit"] * k,
        "costs": {
            kind: [{**line, "amount": line["amount"] * k} for line in lines]
            for kind, lines in body["costs"].items()
        },
    }
    base = payback(msgspec.convert(body, PaybackRequest), 2)
    big = payback(msgspec.convert(scaled, PaybackRequest), 2)
    for name in ("roi", "payback_months", "discounted_payback_months", "irr_monthly"):
        small_value, big_value = getattr(base, name), getattr(big, name)
        assert (small_value is None) == (big_value is None), name
        if small_value is not None:
            assert big_value == pytest.approx(small_value, rel=1e-9, abs=1e-12), name
    assert big.npv == base.npv * k or abs(big.npv - base.npv * k) <= Decimal("0.01") * k


@given(investments())
def test_irr_zeroes_the_npv_of_the_monthly_flows(body: dict[str, Any]) -> None:
    answer = payback(msgspec.convert(body, PaybackRequest), 2)
    nets = [float(flow.net) for flow in answer.cash_flows]
    has_both_signs = any(n > 0 for n in nets) and any(n < 0 for n in nets)
    if answer.irr_monthly is None:
        return  # no sign change, or a rate beyond a float's reach (checked below)
    assert has_both_signs
    rate = answer.irr_monthly
    assume(rate > -0.99 and rate < 100)  # where float sums of the rounded flows are meaningful
    npv = math.fsum(n / (1 + rate) ** t for t, n in enumerate(nets))
    scale = math.fsum(abs(n) / (1 + rate) ** t for t, n in enumerate(nets))
    assert abs(npv) <= 1e-6 * scale + 0.01 * len(nets)


def test_no_sign_change_means_no_irr() -> None:
    body = {"costs": {"monthly": [{"name": "x", "amount": 100}]}, "monthly_benefit": 50}
    assert payback(msgspec.convert(body, PaybackRequest), 2).irr_monthly is None
