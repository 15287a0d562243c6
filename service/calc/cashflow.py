"""What a business case's flows are worth (roi-model.md, "Payback"): per period benefit_t and
cost_t, discount factors, present values, NPV, ROI, IRR, payback, the month-by-month rows and
the yearly table. Runs in FIFTY_DIGITS (payback's context)."""

from __future__ import annotations

import math
from decimal import Decimal
from itertools import accumulate, pairwise

from msgspec import Struct

from .answers import CashFlow, YearRow
from .irr import irr
from .lines import Case, Line
from .money import ONE, ZERO, round_all, round_flow


class Worth(Struct, frozen=True):
    """The exact figures of a case's flows, t = 0..N."""

    benefits: list[Decimal]  # benefit_t = Σ_j b_{j,t}
    costs: list[Decimal]  # cost_t
    nets: list[Decimal]  # net_t = benefit_t - cost_t
    discounted_nets: list[Decimal]  # net_t df_t (nets itself without discounting)
    factors: list[Decimal] | None  # df_t; None without discounting (every df_t is 1)
    total_benefits: Decimal
    total_costs: Decimal
    pv_benefits: Decimal
    pv_costs: Decimal
    payback_periods: Decimal | None
    discounted_payback_periods: Decimal | None

    @property
    def npv(self) -> Decimal:
        return self.pv_benefits - self.pv_costs


def worth(case: Case, factors: list[Decimal] | None) -> Worth:
    """benefit_t and cost_t summed over the lines; PV_benefits = Σ benefit_t df_t, PV_costs =
    Σ cost_t df_t; payback on the cumulative net and on the discounted one. ``factors`` are
    the request's discount_factors (computed once per request, not once per pricing)."""
    benefits = per_period(case.lines, "benefit")
    costs = per_period(case.lines, "cost")
    nets = [benefit - cost for benefit, cost in zip(benefits, costs, strict=True)]
    discounted_nets = discounted(nets, factors)
    cumulative = list(accumulate(nets))
    return Worth(
        benefits=benefits,
        costs=costs,
        nets=nets,
        discounted_nets=discounted_nets,
        factors=factors,
        total_benefits=sum(benefits, ZERO),
        total_costs=sum(costs, ZERO),
        pv_benefits=present_value(benefits, factors),
        pv_costs=present_value(costs, factors),
        payback_periods=payback_time(cumulative),
        discounted_payback_periods=payback_time(
            cumulative if factors is None else list(accumulate(discounted_nets))
        ),
    )


def per_period(lines: list[Line], side: str) -> list[Decimal]:
    """Σ of the side's lines in each period (0 where it has none)."""
    columns = [line.amounts for line in lines if line.side == side]
    if not columns:
        return [ZERO] * len(lines[0].amounts)
    if len(columns) == 1:  # one line is its own total
        return columns[0]
    return [sum(amounts, ZERO) for amounts in zip(*columns, strict=True)]


def discount_factors(
    annual_rate: Decimal, periods: int, period_months: int
) -> list[Decimal] | None:
    """df_t = (1 + r)^(-t p / 12) for t = 0..periods-1, p months a period: exactly
    (1 + r)^-years at whole years (so 0.5 at r = 100 % is 0.5, not 0.4999...), the factor
    before times (1 + r)^(-p/12) in between (one non-integer power, not one per period).
    None at r = 0: every factor is 1."""
    if not annual_rate:
        return None
    growth = ONE + annual_rate
    per_period = growth ** (Decimal(-period_months) / 12)
    per_year = 12 // period_months
    factors = [ONE]
    for t in range(1, periods):
        factors.append(
            growth ** -(t // per_year) if t % per_year == 0 else factors[-1] * per_period
        )
    return factors


def discounted(values: list[Decimal], factors: list[Decimal] | None) -> list[Decimal]:
    """value_t × df_t (the values themselves without discounting)."""
    if factors is None:
        return values
    return [value * factor for value, factor in zip(values, factors, strict=True)]


def present_value(values: list[Decimal], factors: list[Decimal] | None) -> Decimal:
    return sum(discounted(values, factors), ZERO)


def payback_time(cumulative: list[Decimal]) -> Decimal | None:
    """Where the cumulative net turns non-negative in period t for the last time (it stays
    non-negative from there to N): (t - 1) + (-cumulative_{t-1}) / net_t; 0 when nothing is
    ever owed; None when the cumulative is negative at N. (A case that pays back and then falls
    behind again, a later upgrade or an annual bill, has not paid back until it crosses for
    good.)"""
    owed = [t for t, value in enumerate(cumulative) if value < 0]
    if not owed:
        return ZERO
    t = owed[-1] + 1  # the period after the last one still owed
    if t == len(cumulative):
        return None
    before, after = cumulative[t - 1], cumulative[t]
    return t - 1 + -before / (after - before)


class Headline(Struct, frozen=True):
    """The figures a case is judged by, as the answer gives them: in the answer, each scenario
    and a solve's solution."""

    npv: Decimal
    roi: float | None
    payback_months: float | None
    discounted_payback_months: float | None


def headline(worth: Worth, minor_unit: int, period_months: int) -> Headline:
    """M(npv), roi, and both paybacks in months."""
    return Headline(
        npv=round_flow(worth.npv, minor_unit),
        roi=roi(worth, minor_unit),
        payback_months=months(worth.payback_periods, period_months),
        discounted_payback_months=months(worth.discounted_payback_periods, period_months),
    )


def irr_per_period(worth: Worth) -> float | None:
    """The IRR of net_t per period, in floats (irr.py)."""
    return irr([float(net) for net in worth.nets])


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
    if not round_flow(worth.pv_costs, minor_unit):
        return None
    return float(worth.npv / worth.pv_costs)


def months(periods: Decimal | None, period_months: int) -> float | None:
    return None if periods is None else float(periods * period_months)


def cash_flows(worth: Worth, minor_unit: int, period_months: int) -> list[CashFlow]:
    """The answer's rows t = 0..N: M of benefit, cost, net, discounted net and both
    cumulative nets."""
    nets = round_all(worth.nets, minor_unit)
    cumulative = round_all(list(accumulate(worth.nets)), minor_unit)
    if worth.factors is None:  # the discounted flows are the flows
        discounted_nets, discounted_cumulative = nets, cumulative
    else:
        discounted_nets = round_all(worth.discounted_nets, minor_unit)
        discounted_cumulative = round_all(list(accumulate(worth.discounted_nets)), minor_unit)
    columns = zip(
        round_all(worth.benefits, minor_unit),
        round_all(worth.costs, minor_unit),
        nets,
        discounted_nets,
        cumulative,
        discounted_cumulative,
        strict=True,
    )
    return [
        CashFlow(
            month=t * period_months, period=t, benefit=benefit, cost=cost, net=net,
            discounted_net=discounted_net, cumulative=cumulative,
            discounted_cumulative=discounted_cumulative,
        )
        for t, (benefit, cost, net, discounted_net, cumulative, discounted_cumulative)
        in enumerate(columns)
    ]  # fmt: skip


def year_ends(periods: int, period_months: int) -> list[int]:
    """The period that ends each row of the yearly table: 0, then every year, then the last."""
    per_year = 12 // period_months
    last = periods - 1
    return [0, *range(per_year, last, per_year), last] if last else [0]


def by_year(values: list[Decimal], ends: list[int], minor_unit: int) -> list[Decimal]:
    """The values summed per row of the yearly table, as differences of the rounded running
    totals at each row's end: they add up exactly to the rounded total."""
    running, start, rounded = ZERO, 0, []
    for end in ends:
        running = sum(values[start : end + 1], running)
        rounded.append(round_flow(running, minor_unit))
        start = end + 1
    return [after - before for before, after in zip([ZERO, *rounded], rounded, strict=False)]


def years(worth: Worth, minor_unit: int, period_months: int) -> list[YearRow]:
    """Year 0 (the initial period), then one row per year (the last may be partial)."""
    ends = year_ends(len(worth.benefits), period_months)
    benefits = by_year(worth.benefits, ends, minor_unit)
    costs = by_year(worth.costs, ends, minor_unit)
    pv_benefits, pv_costs = benefits, costs  # without discounting
    if worth.factors is not None:
        pv_benefits = by_year(discounted(worth.benefits, worth.factors), ends, minor_unit)
        pv_costs = by_year(discounted(worth.costs, worth.factors), ends, minor_unit)
    lengths = [0, *((end - before) * period_months for before, end in pairwise(ends))]  # fmt: skip
    return [
        YearRow(
            year=year, months=lengths[year], benefits=benefits[year], costs=costs[year],
            net=benefits[year] - costs[year], pv_benefits=pv_benefits[year],
            pv_costs=pv_costs[year],
        )
        for year in range(len(ends))
    ]  # fmt: skip
