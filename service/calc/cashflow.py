"""What a business case's flows are worth (roi-model.md, "Payback"): per period benefit_t and
cost_t, discount factors, present values, NPV, ROI, IRR, payback, the month-by-month rows and
the yearly table. Runs in FIFTY_DIGITS (payback's context)."""

from __future__ import annotations

import math
from decimal import Decimal
from itertools import accumulate

from msgspec import Struct

from .answers import CashFlow, YearRow
from .irr import irr
from .lines import Case, Line
from .money import ONE, ZERO, round_money


class Worth(Struct, frozen=True):
    """The exact figures of a case's flows, t = 0..N."""

    benefits: list[Decimal]  # benefit_t = Σ_j b_{j,t}
    costs: list[Decimal]  # cost_t
    factors: list[Decimal]  # df_t
    total_benefits: Decimal
    total_costs: Decimal
    pv_benefits: Decimal
    pv_costs: Decimal
    payback_periods: Decimal | None
    discounted_payback_periods: Decimal | None

    @property
    def npv(self) -> Decimal:
        return self.pv_benefits - self.pv_costs


def worth(case: Case, annual_rate: Decimal) -> Worth:
    """benefit_t and cost_t summed over the lines; PV_benefits = Σ benefit_t df_t, PV_costs =
    Σ cost_t df_t; payback on the cumulative net and on the discounted one."""
    benefits = per_period(case.lines, "benefit")
    costs = per_period(case.lines, "cost")
    factors = discount_factors(annual_rate, len(benefits), case.period_months)
    nets = [benefit - cost for benefit, cost in zip(benefits, costs, strict=True)]
    return Worth(
        benefits=benefits,
        costs=costs,
        factors=factors,
        total_benefits=sum(benefits, ZERO),
        total_costs=sum(costs, ZERO),
        pv_benefits=present_value(benefits, factors),
        pv_costs=present_value(costs, factors),
        payback_periods=payback_time(list(accumulate(nets))),
        discounted_payback_periods=payback_time(list(accumulate(discounted(nets, factors)))),
    )


def per_period(lines: list[Line], side: str) -> list[Decimal]:
    """Σ of the side's lines in each period (0 where it has none)."""
    periods = len(lines[0].amounts)
    columns = [line.amounts for line in lines if line.side == side]
    return [sum((amounts[t] for amounts in columns), ZERO) for t in range(periods)]


def discount_factors(annual_rate: Decimal, periods: int, period_months: int) -> list[Decimal]:
    """df_t = (1 + r)^(-t p / 12) for t = 0..periods-1, p months a period: exactly
    (1 + r)^-years at whole years (so 0.5 at r = 100 % is 0.5, not 0.4999...), the factor
    before times (1 + r)^(-p/12) in between (one non-integer power, not one per period)."""
    if not annual_rate:
        return [ONE] * periods
    growth = ONE + annual_rate
    per_period = growth ** (Decimal(-period_months) / 12)
    per_year = 12 // period_months
    factors = [ONE]
    for t in range(1, periods):
        factors.append(growth ** -(t // per_year) if t % per_year == 0 else factors[-1] * per_period)
    return factors


def discounted(values: list[Decimal], factors: list[Decimal]) -> list[Decimal]:
    return [value * factor for value, factor in zip(values, factors, strict=True)]


def present_value(values: list[Decimal], factors: list[Decimal]) -> Decimal:
    return sum(discounted(values, factors), ZERO)


def payback_time(cumulative: list[Decimal]) -> Decimal | None:
    """When the investment is earned back for good: 0 when nothing is ever owed; else, with t
    the period after the last one still owed, (t - 1) + (-cumulative_{t-1}) / net_t; None while
    something is still owed at the end."""
    owed = [t for t, value in enumerate(cumulative) if value < 0]
    if not owed:
        return ZERO
    last = owed[-1]
    if last == len(cumulative) - 1:
        return None
    return last + -cumulative[last] / (cumulative[last + 1] - cumulative[last])


def irr_per_period(worth: Worth) -> float | None:
    """The IRR of net_t per period, in floats (irr.py)."""
    return irr([float(b - c) for b, c in zip(worth.benefits, worth.costs, strict=True)])


def rates(irr_period: float | None, period_months: int) -> tuple[float | None, float | None]:
    """The period's IRR as monthly and annual rates: (1 + irr)^(1/p) - 1, (1 + irr)^(12/p) - 1;
    no annual rate beyond a float (a monthly rate above ~5e24)."""
    if irr_period is None:
        return None, None
    if irr_period <= -1:
        return -1.0, -1.0
    growth = math.log1p(irr_period)
    try:
        annual: float | None = math.expm1(growth * 12 / period_months)
    except OverflowError:
        annual = None
    return math.expm1(growth / period_months), annual


def roi(worth: Worth, minor_unit: int) -> float | None:
    """npv / PV_costs; null when the PV of costs the answer shows is 0 (a cost that rounds to
    nothing, 0.4 JPY, would otherwise give a ratio of figures shown as 0)."""
    if not round_money(worth.pv_costs, minor_unit):
        return None
    return float(worth.npv / worth.pv_costs)


def months(periods: Decimal | None, period_months: int) -> float | None:
    return None if periods is None else float(periods * period_months)


def cash_flows(worth: Worth, minor_unit: int, period_months: int) -> list[CashFlow]:
    """The answer's rows t = 0..N: M of benefit, cost, net, discounted net and both
    cumulative nets."""
    nets = [b - c for b, c in zip(worth.benefits, worth.costs, strict=True)]
    discounted_nets = discounted(nets, worth.factors)
    rows = []
    for t, (benefit, cost, net, discounted_net, cumulative, discounted_cumulative) in enumerate(
        zip(worth.benefits, worth.costs, nets, discounted_nets, accumulate(nets),
            accumulate(discounted_nets), strict=False)
    ):  # fmt: skip
        rows.append(
            CashFlow(
                month=t * period_months,
                period=t,
                benefit=round_money(benefit, minor_unit),
                cost=round_money(cost, minor_unit),
                net=round_money(net, minor_unit),
                discounted_net=round_money(discounted_net, minor_unit),
                cumulative=round_money(cumulative, minor_unit),
                discounted_cumulative=round_money(discounted_cumulative, minor_unit),
            )
        )
    return rows


def year_ends(periods: int, period_months: int) -> list[int]:
    """The period that ends each row of the yearly table: 0, then every year, then the last."""
    per_year = 12 // period_months
    last = periods - 1
    return [0, *range(per_year, last, per_year), last] if last else [0]


def by_year(values: list[Decimal], ends: list[int], minor_unit: int) -> list[Decimal]:
    """The values summed per row of the yearly table, as differences of the rounded running
    totals at each row's end: they add up exactly to the rounded total."""
    running = list(accumulate(values))
    rounded = [round_money(running[end], minor_unit) for end in ends]
    return [after - before for before, after in zip([ZERO, *rounded], rounded, strict=False)]


def years(worth: Worth, minor_unit: int, period_months: int) -> list[YearRow]:
    """Year 0 (the initial period), then one row per year (the last may be partial)."""
    ends = year_ends(len(worth.benefits), period_months)
    benefits = by_year(worth.benefits, ends, minor_unit)
    costs = by_year(worth.costs, ends, minor_unit)
    pv_benefits = by_year(discounted(worth.benefits, worth.factors), ends, minor_unit)
    pv_costs = by_year(discounted(worth.costs, worth.factors), ends, minor_unit)
    lengths = [0, *((end - before) * period_months for before, end in zip(ends, ends[1:], strict=False))]  # fmt: skip
    return [
        YearRow(
            year=year, months=lengths[year], benefits=benefits[year], costs=costs[year],
            net=benefits[year] - costs[year], pv_benefits=pv_benefits[year],
            pv_costs=pv_costs[year],
        )
        for year in range(len(ends))
    ]  # fmt: skip
