"""The fast paths of cashflow.py and irr.py give the very values of the plain algorithms.

The plain algorithms below are the model as the spec reads, one period at a time (the code
before the runs, sums in one multiplication and sure signs): every value must be equal, every
IRR float identical to the last bit.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal, localcontext

from hypothesis import given, settings
from hypothesis import strategies as st

from service.calc.cashflow import Flows, outcome
from service.calc.irr import X_MAX, X_MIN, _brentq, irr, irr_of_runs
from service.calc.money import CONTEXT, ONE, ZERO


def plain_irr(flows: list[float]) -> float | None:
    """irr() as one Horner step per flow, every ladder point evaluated."""
    nonzero = [i for i, f in enumerate(flows) if f]
    if not nonzero:
        return None
    c = flows[nonzero[0] : nonzero[-1] + 1]
    if all(x > 0 for x in c if x) or all(x < 0 for x in c if x):
        return None

    def h(x: float) -> float:
        v, order = (math.exp(x), c[::-1]) if x <= 0 else (math.exp(-x), c)
        total = 0.0
        for coefficient in order:
            total = total * v + coefficient
        return total

    bracket = plain_bracket(h)
    return None if bracket is None else math.expm1(-_brentq(h, *bracket))


def plain_bracket(h: Callable[[float], float]) -> tuple[float, float, float, float] | None:
    h0 = h(0.0)
    if h0 == 0:
        return (0.0, 0.0, 0.0, 0.0)
    step, left, right = 0.125, (0.0, h0), (0.0, h0)
    while True:
        moved = False
        for side in (-1, 1):
            edge = left if side < 0 else right
            x = max(X_MIN, min(X_MAX, side * step))
            if x == edge[0]:
                continue
            moved = True
            hx = h(x)
            if (hx > 0) != (edge[1] > 0) or hx == 0:
                return (x, edge[0], hx, edge[1]) if side < 0 else (edge[0], x, edge[1], hx)
            left, right = ((x, hx), right) if side < 0 else (left, (x, hx))
        if not moved:
            return None
        step *= 2


def same(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and a == b)


FLOWS = st.one_of(
    st.integers(-100_000, 100_000).map(float),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.sampled_from([0.0, 19082.0, -15000.0, 1e-120, -1e95, 5e-324]),
)
RUNS = st.lists(st.tuples(FLOWS, st.sampled_from([1, 2, 3, 12, 60, 118, 120])), max_size=6)


@settings(max_examples=300, deadline=None)
@given(RUNS, st.floats(-3, 3, allow_nan=False), st.integers(1, 121))
def test_irr_of_runs_is_the_plain_irr(runs: list[tuple[float, int]], x: float, n: int) -> None:
    flows = [value for value, count in runs for _ in range(count)][:121]
    assert same(irr(flows), plain_irr(flows))
    # a root placed on or near the bracket's ladder, where a sign estimate is unsure
    if flows:
        v = math.exp(round(x * 8) / 8 * (1 + 1e-12 * (n % 3 - 1)))
        tail = [19082.0 - 15000.0 * (n % 2)] * min(n, 120)
        head = -sum(c * v ** (j + 1) for j, c in enumerate(tail))
        shaped = [head, *tail]
        assert same(irr_of_runs([(head, 1), (tail[0], len(tail))]), plain_irr(shaped))


def plain_outcome(
    benefits: list[Decimal], costs: list[Decimal], rate: Decimal, per_year: int
) -> tuple[Decimal, ...]:
    """Payback, discounted payback and the four totals, one period at a time."""
    growth = ONE + rate
    per_period = growth ** (Decimal(-12 // per_year) / 12) if rate else ONE
    discount = running = discounted_running = ZERO
    totals = [ZERO] * 4
    cumulative, discounted_cumulative = [], []
    for t, (benefit, cost) in enumerate(zip(benefits, costs, strict=True)):
        discount = growth ** -(t // per_year) if t % per_year == 0 else discount * per_period
        net = benefit - cost
        running += net
        discounted_running += net * discount
        cumulative.append(running)
        discounted_cumulative.append(discounted_running)
        for i, value in enumerate((benefit, cost, benefit * discount, cost * discount)):
            totals[i] += value
    return (
        plain_payback(cumulative),
        plain_payback(discounted_cumulative),
        *totals,
    )


def plain_payback(cumulative: list[Decimal]) -> Decimal | None:
    owed = [t for t, value in enumerate(cumulative) if value < 0]
    if not owed:
        return ZERO
    last = owed[-1]
    if last == len(cumulative) - 1:
        return None
    return last + -cumulative[last] / (cumulative[last + 1] - cumulative[last])


MONEY = st.one_of(
    st.integers(0, 10**6).map(Decimal),
    st.decimals(0, 10**6, places=2, allow_nan=False),
    st.decimals(0, 10**12, places=40, allow_nan=False).map(CONTEXT.plus),
    st.sampled_from([Decimal("0.005"), Decimal("1E-30"), Decimal("999999999999.995")]),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(MONEY, MONEY, st.integers(1, 60), st.booleans()), min_size=1, max_size=5),
    st.sampled_from([Decimal(0), Decimal("0.1"), Decimal(1), Decimal("0.0725")]),
    st.sampled_from([1, 12]),
    st.sampled_from([0, 2, 3]),
)
def test_outcome_is_the_plain_model(
    runs: list[tuple[Decimal, Decimal, int, bool]], rate: Decimal, months: int, minor_unit: int
) -> None:
    runs = [(-benefit if loss else benefit, cost, count) for benefit, cost, count, loss in runs]
    while sum(count for _, _, count in runs) > 121:
        runs.pop()
    if not runs:
        return
    benefits = [benefit for benefit, _, count in runs for _ in range(count)]
    costs = [cost for _, cost, count in runs for _ in range(count)]
    with localcontext(CONTEXT):
        result = outcome(Flows(runs, months), rate, minor_unit)
        expected = plain_outcome(benefits, costs, rate, 12 // months)
    got = (
        result.payback_periods,
        result.discounted_payback_periods,
        result.total_benefits,
        result.total_costs,
        result.pv_benefits,
        result.pv_costs,
    )
    assert got == expected
    assert [row.period for row in result.cash_flows] == list(range(len(benefits)))
