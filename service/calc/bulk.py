"""The model's formulas over arrays of samples (roi-model.md, "Each sample"): a sample is the
request with each ranged field set to its drawn value, priced in float64.

The exact model (lines.py, cashflow.py, funnel.py) prices one request in exact decimals and is
the only source of the answer's headline figures. Priced once per sample it would take seconds
for 8,192 samples: that is why this second path exists, and the only reason. It is written
formula by formula like the exact one, and tests/unit/test_bulk.py holds each sample's NPV to
the exact model's at the same inputs (within 10^-9 of its magnitude plus one minor unit a
period, as the page says).

The samples ride on the request itself: each ranged field holds a column of values (shape
(n, 1)) instead of a number, and the same normalization (normal.lines_of) makes its lines, so
the lines, their order and their defaults are the exact model's. Every formula below takes a
number or a column, and numpy's broadcasting makes rows of periods: (n, N + 1).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from msgspec import Struct

from .fields import with_value
from .normal import NormalLine, lines_of
from .types import (
    BenefitLine,
    CostLine,
    FunnelBenefit,
    MonthlyCostLine,
    PaybackRequest,
    PerSeatLicence,
    ProductivityBenefit,
    SalesFunnel,
    ScheduleLine,
)

Array = npt.NDArray[Any]
Values = Any  # a float, or a column of samples (n, 1): the formulas take either


class SampleFigures(Struct, frozen=True):
    """Per sample: NPV, PV of costs, payback (months; inf: not within the horizon), and the
    cumulative net at the end of each period (n, N + 1)."""

    npv: Array
    pv_costs: Array
    payback_months: Array
    cumulative: Array


def price_samples(
    request: PaybackRequest,
    paths: list[tuple[str | int, ...]],
    values: Array,
    *,
    periods: int,
    period_months: int,
    minor_unit: int,
) -> SampleFigures:
    """The figures of the request with the field at ``paths[j]`` set to ``values[:, j]``, for
    each row of ``values`` (n samples)."""
    drawn: Any = request
    for j, path in enumerate(paths):
        drawn = with_value(drawn, path, values[:, j : j + 1])
    n = len(values)
    lines = [line for line, _ in lines_of(drawn)]
    benefit = np.zeros((n, periods + 1))
    cost = np.zeros((n, periods + 1))
    for line in lines:
        amounts = line_amounts(line, periods, minor_unit)
        if line_side(line) == "benefit":
            benefit += amounts
        else:
            cost += amounts
    factors = discount_factors(drawn.annual_discount_rate, periods, period_months)
    net = benefit - cost
    cumulative = np.cumsum(net, axis=1)
    pv_costs = present_value(cost, factors)
    return SampleFigures(
        npv=present_value(benefit, factors) - pv_costs,
        pv_costs=pv_costs,
        payback_months=payback_time(cumulative) * period_months,
        cumulative=cumulative,
    )


def line_side(line: NormalLine) -> str:
    item = line.item
    if isinstance(item, ScheduleLine):
        return item.side
    return "cost" if isinstance(item, CostLine | MonthlyCostLine | PerSeatLicence) else "benefit"


def line_amounts(line: NormalLine, horizon: int, minor_unit: int) -> Values:
    """One line's amounts by its kind, as lines.priced: t = 0..N."""
    item = line.item
    if isinstance(item, ScheduleLine):
        return schedule_line(item, line.risk)
    if isinstance(item, CostLine):
        return item.amount * (1 + line.risk) * pulse(int(item.month), horizon)
    if isinstance(item, MonthlyCostLine):
        return item.amount * (1 + line.risk) * (np.arange(horizon + 1) >= item.start_month)
    if isinstance(item, PerSeatLicence):
        return per_seat(item, line.risk, horizon)
    amount = monthly_amount(item, minor_unit)
    return amount * (1 - line.risk) * ramp(line.ramp_up_months, int(item.start_month), horizon)


def monthly_amount(item: BenefitLine, minor_unit: int) -> Values:
    """A_j: a funnel's monthly_gain (money), users × hours × cost × realization, or the fixed
    amount."""
    if isinstance(item, FunnelBenefit):
        return monthly_gain(item.evaluation, minor_unit)
    if isinstance(item, ProductivityBenefit):
        return (
            item.users
            * item.hours_saved_per_user_per_month
            * item.loaded_hourly_cost
            * item.realization
        )
    return item.monthly_amount


def monthly_gain(funnel: SalesFunnel, minor_unit: int) -> Values:
    """p_0 = R(c_0 (1 + u_0)); volume_i = R(c_i p_{i-1} / c_{i-1}) (0 when c_{i-1} = 0);
    p_i = R(volume_i (1 + u_i)); baseline_revenue = M(c_last A); projected_revenue =
    M(p_last A (1 + u_A)); monthly_gain = M((projected - baseline) m)."""

    def R(count: Values) -> Values:
        return half_up(count) if funnel.rounding == "whole_units" else count

    def M(amount: Values) -> Values:
        return half_up(amount * 10**minor_unit) / 10**minor_unit

    c = [stage.count for stage in funnel.stages]
    projected = R(c[0] * (1 + funnel.stages[0].uplift))
    for i in range(1, len(c)):
        volume = R(c[i] * projected / c[i - 1]) if c[i - 1] else 0.0
        projected = R(volume * (1 + funnel.stages[i].uplift))
    deal = funnel.average_deal_value
    baseline = M(c[-1] * deal)
    uplifted = M(projected * deal * (1 + funnel.average_deal_value_uplift))
    return M((uplifted - baseline) * funnel.gross_margin)


def half_up(x: Values) -> Values:
    """Half-up, away from zero at a tie (as decimal's ROUND_HALF_UP)."""
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def ramp(months: int, start: int, horizon: int) -> Array:
    """ramp(t - s + 1) for s ≤ t ≤ H, else 0; ramp(k) = min(1, k / R) (1 when R = 0)."""
    k = np.arange(horizon + 1) - start + 1
    share = np.minimum(1.0, k / months) if months else np.ones(horizon + 1)
    return np.where(k >= 1, share, 0.0)


def pulse(month: int, horizon: int) -> Array:
    """1 in ``month``, 0 in every other."""
    row = np.zeros(horizon + 1)
    row[month] = 1.0
    return row


def per_seat(licence: PerSeatLicence, risk: Values, horizon: int) -> Values:
    """monthly: seats × price × (1 + e)^floor((t - 1) / 12) × (1 + κ), t = 1..H; annual:
    12 × seats × price × (1 + e)^k × (1 + κ) at t = 12k < H."""
    t = np.arange(horizon + 1)
    if licence.billing == "monthly":
        years, paid, months = (t - 1) // 12, t >= 1, 1
    else:
        years, paid, months = t // 12, (t % 12 == 0) & (t < horizon), 12
    price = months * licence.seats * licence.price_per_seat * (1 + risk)
    return price * np.where(paid, (1 + licence.annual_escalation) ** np.maximum(years, 0), 0.0)


def schedule_line(item: ScheduleLine, risk: Values) -> Values:
    """A benefit's amounts × (1 - risk), a cost's × (1 + risk)."""
    columns = [np.asarray(amount, dtype=float) for amount in item.amounts]
    if any(column.ndim for column in columns):  # some amounts are columns of samples
        amounts: Values = np.concatenate(np.broadcast_arrays(*columns), axis=1)
    else:
        amounts = np.array(item.amounts, dtype=float)
    return amounts * (1 - risk) if item.side == "benefit" else amounts * (1 + risk)


def discount_factors(annual_rate: Values, horizon: int, period_months: int) -> Values:
    """df_t = (1 + r)^(-t p / 12), p months a period."""
    return (1 + annual_rate) ** (-np.arange(horizon + 1) * period_months / 12)


def present_value(flows: Array, factors: Values) -> Array:
    """Σ_t x_t df_t."""
    value: Array = np.sum(flows * factors, axis=1)
    return value


def payback_time(cumulative: Array) -> Array:
    """Where the cumulative net turns non-negative for the last time: (t - 1) +
    (-cumulative_{t-1}) / net_t; 0 when nothing is ever owed; inf when the cumulative is
    negative at N. In periods."""
    owed = cumulative < 0
    last = owed.shape[1] - 1 - np.argmax(owed[:, ::-1], axis=1)  # the last period owed
    after = np.minimum(last + 1, owed.shape[1] - 1)
    rows = np.arange(len(cumulative))
    before_value, after_value = cumulative[rows, last], cumulative[rows, after]
    with np.errstate(divide="ignore", invalid="ignore"):
        crossing = last + -before_value / (after_value - before_value)
    return np.where(~owed.any(axis=1), 0.0, np.where(last == owed.shape[1] - 1, np.inf, crossing))
