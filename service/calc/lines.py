"""A business case as lines (roi-model.md, "Business cases in lines"): each benefit and cost
line's risk-adjusted amount in every period t = 0..N, exact in FIFTY_DIGITS.

The old single-benefit fields are the one-line special case (as_benefit_lines), and the old
schedule rows two schedule lines, so every request is priced the same way.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from msgspec import UNSET, Struct

from .funnel import monthly_gain
from .money import ONE, ZERO, exact
from .types import (
    BenefitLine,
    CostLine,
    FixedBenefit,
    FunnelBenefit,
    MonthlyCostLine,
    PaybackRequest,
    PerSeatLicence,
    ProductivityBenefit,
    Schedule,
    ScheduleLine,
)


class Line(Struct, frozen=True):
    """One line's risk-adjusted amounts, t = 0..N (a month each, or a year in a yearly
    schedule)."""

    name: str
    side: Literal["benefit", "cost"]
    kind: Literal["funnel", "productivity", "fixed", "one_time", "monthly", "per_seat", "schedule"]
    amounts: list[Decimal]


# A benefit line's "kind" (its tag in the request).
BENEFIT_KINDS: dict[type, Literal["funnel", "productivity", "fixed"]] = {
    FunnelBenefit: "funnel",
    ProductivityBenefit: "productivity",
    FixedBenefit: "fixed",
}


class Case(Struct, frozen=True):
    """The request's lines, benefits first, and what the monthly model's headline fields show."""

    lines: list[Line]
    period_months: int  # 1, or 12 for a yearly schedule
    monthly_benefit: Decimal | None  # Σ A_j, before risk (monthly model only)
    productivity: Decimal | None  # Σ A_j of the productivity lines
    risk_adjusted_benefit: Decimal | None  # Σ A_j (1 - ρ_j)
    monthly_costs: Decimal | None  # Σ of costs.monthly, risk included


def case(request: PaybackRequest, minor_unit: int, scale: Decimal = ONE) -> Case:
    """The lines of a validated request with the CRM's effects times ``scale``: a funnel's
    uplifts, a productivity or fixed line's amount."""
    if request.schedule is not UNSET:
        return Case(
            lines=schedule_lines(request.schedule, request, scale),
            period_months=12 if request.schedule.period == "year" else 1,
            monthly_benefit=None,
            productivity=None,
            risk_adjusted_benefit=None,
            monthly_costs=None,
        )
    horizon = int(request.horizon_months)
    benefits = as_benefit_lines(request)
    amounts = [monthly_amount(line, scale, minor_unit) for line in benefits]
    risks = [benefit_risk(line, request) for line in benefits]
    costs = cost_lines(request, horizon)
    productivity = [
        amount
        for amount, line in zip(amounts, benefits, strict=True)
        if isinstance(line, ProductivityBenefit)
    ]
    return Case(
        lines=[
            benefit_line(line, amount, risk, request, horizon)
            for line, amount, risk in zip(benefits, amounts, risks, strict=True)
        ]
        + costs,
        period_months=1,
        monthly_benefit=sum(amounts, ZERO),
        productivity=sum(productivity, ZERO) if productivity else None,
        risk_adjusted_benefit=sum(
            (a * (ONE - risk) for a, risk in zip(amounts, risks, strict=True)), ZERO
        ),
        monthly_costs=sum((line.amounts[-1] for line in costs if line.kind == "monthly"), ZERO),
    )


def as_benefit_lines(request: PaybackRequest) -> list[BenefitLine]:
    """The request's benefit lines; the old fields as lines of their own names:
    ``monthly_benefit`` a fixed line, ``evaluation`` a funnel line, ``productivity`` a
    productivity line, with the request's risk and ramp-up."""
    if request.benefits is not UNSET:
        return request.benefits
    lines: list[BenefitLine] = []
    if request.monthly_benefit is not UNSET:
        # monthly_benefit may be negative (a loss); a fixed line's schema bound does not apply
        lines.append(FixedBenefit(name="monthly_benefit", monthly_amount=request.monthly_benefit))
    if request.evaluation is not UNSET:
        lines.append(FunnelBenefit(name="evaluation", evaluation=request.evaluation))
    if request.productivity is not UNSET:
        p = request.productivity
        lines.append(ProductivityBenefit(
            name="productivity", users=p.users,
            hours_saved_per_user_per_month=p.hours_saved_per_user_per_month,
            loaded_hourly_cost=p.loaded_hourly_cost, realization=p.realization,
        ))  # fmt: skip
    return lines


def monthly_amount(line: BenefitLine, scale: Decimal, minor_unit: int) -> Decimal:
    """A_j times ``scale``: a funnel's monthly_gain (with its uplifts scaled; money, already
    rounded), users × hours × cost × realization, or the fixed amount."""
    if isinstance(line, FunnelBenefit):
        return monthly_gain(line.evaluation, scale, minor_unit)
    if isinstance(line, ProductivityBenefit):
        return (
            exact(line.users)
            * exact(line.hours_saved_per_user_per_month)
            * exact(line.loaded_hourly_cost)
            * exact(line.realization)
            * scale
        )
    return exact(line.monthly_amount) * scale


def benefit_risk(line: BenefitLine, request: PaybackRequest) -> Decimal:
    """ρ_j: the line's own risk, else the request's risk_adjustment.benefits."""
    return exact(request.risk_adjustment.benefits if line.risk is UNSET else line.risk)


def benefit_line(
    line: BenefitLine, amount: Decimal, risk: Decimal, request: PaybackRequest, horizon: int
) -> Line:
    """b_t = A (1 - ρ) ramp(t - s + 1) for s ≤ t ≤ H, else 0; ramp(k) = min(1, k / R) (1 when
    R = 0). R is the line's ramp-up, else the request's."""
    ramp = line.ramp_up_months if line.ramp_up_months is not UNSET else request.ramp_up_months
    months = 0 if ramp is UNSET else int(ramp)
    start = int(line.start_month)
    full = amount * (ONE - risk)
    amounts = [ZERO] * start
    for t in range(start, horizon + 1):
        k = t - start + 1
        amounts.append(full * k / months if k < months else full)
    return Line(name=line.name, side="benefit", kind=BENEFIT_KINDS[type(line)], amounts=amounts)


def cost_lines(request: PaybackRequest, horizon: int) -> list[Line]:
    """The cost lines: one-time costs in their month, monthly costs from their start month to
    H, per-seat licences; in that order, each list in request order."""
    if request.costs is UNSET:
        return []
    costs = request.costs
    return (
        [one_time_line(item, request, horizon) for item in costs.one_time]
        + [monthly_line(item, request, horizon) for item in costs.monthly]
        + [per_seat_line(item, request, horizon) for item in costs.per_seat]
    )


def cost_risk(
    item: CostLine | MonthlyCostLine | PerSeatLicence, request: PaybackRequest
) -> Decimal:
    """(1 + κ): the item's own risk, else risk_adjustment.costs."""
    return ONE + exact(request.risk_adjustment.costs if item.risk is UNSET else item.risk)


def one_time_line(item: CostLine, request: PaybackRequest, horizon: int) -> Line:
    amounts = [ZERO] * (horizon + 1)
    amounts[int(item.month)] = exact(item.amount) * cost_risk(item, request)
    return Line(name=item.name, side="cost", kind="one_time", amounts=amounts)


def monthly_line(item: MonthlyCostLine, request: PaybackRequest, horizon: int) -> Line:
    start = int(item.start_month)
    cost = exact(item.amount) * cost_risk(item, request)
    amounts = [ZERO] * start + [cost] * (horizon + 1 - start)
    return Line(name=item.name, side="cost", kind="monthly", amounts=amounts)


def per_seat_line(licence: PerSeatLicence, request: PaybackRequest, horizon: int) -> Line:
    amounts = per_seat_amounts(licence, cost_risk(licence, request), horizon)
    return Line(name=licence.name, side="cost", kind="per_seat", amounts=amounts)


def per_seat_amounts(licence: PerSeatLicence, grow: Decimal, horizon: int) -> list[Decimal]:
    """monthly billing: c_t = seats × price × (1 + e)^floor((t - 1) / 12) × (1 + κ), t = 1..H;
    annual billing: c_12k = 12 × seats × price × (1 + e)^k × (1 + κ) for every k ≥ 0 with
    12k < H: a year in advance, the last one in full even when the horizon ends inside it.
    ``grow`` is (1 + κ)."""
    monthly = exact(licence.seats) * exact(licence.price_per_seat)
    growth = ONE + exact(licence.annual_escalation)
    amounts = [ZERO] * (horizon + 1)
    for k, year_start in enumerate(range(0, horizon, 12)):  # year k: months 12k+1..12k+12
        if licence.billing == "monthly":
            price = monthly * growth**k * grow
            for t in range(year_start + 1, min(year_start + 12, horizon) + 1):
                amounts[t] = price
        else:
            amounts[year_start] = 12 * monthly * growth**k * grow
    return amounts


def schedule_lines(schedule: Schedule, request: PaybackRequest, scale: Decimal) -> list[Line]:
    """A schedule's lines: a benefit's amounts × scale × (1 - risk), a cost's × (1 + risk) (its
    own risk, else the risk_adjustment of its side). The old rows are two lines, "benefits"
    and "costs"."""
    risks = request.risk_adjustment
    if schedule.lines is UNSET:
        assert schedule.benefits is not UNSET  # noqa: S101  shape_conflict's rule
        assert schedule.costs is not UNSET  # noqa: S101
        keep, grow = ONE - exact(risks.benefits), ONE + exact(risks.costs)
        return [
            Line(name="benefits", side="benefit", kind="schedule",
                 amounts=[exact(a) * scale * keep for a in schedule.benefits]),
            Line(name="costs", side="cost", kind="schedule",
                 amounts=[exact(a) * grow for a in schedule.costs]),
        ]  # fmt: skip
    return [schedule_line(line, request, scale) for line in schedule.lines]


def schedule_line(line: ScheduleLine, request: PaybackRequest, scale: Decimal) -> Line:
    risks = request.risk_adjustment
    if line.side == "benefit":
        keep = ONE - exact(risks.benefits if line.risk is UNSET else line.risk)
        amounts = [exact(a) * scale * keep for a in line.amounts]
    else:
        grow = ONE + exact(risks.costs if line.risk is UNSET else line.risk)
        amounts = [exact(a) * grow for a in line.amounts]
    return Line(name=line.name, side=line.side, kind="schedule", amounts=amounts)
