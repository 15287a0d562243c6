"""A business case as lines (roi-model.md, "Business cases in lines"): each benefit and cost
line's risk-adjusted amount in every period t = 0..N, exact in FIFTY_DIGITS.

The lines come from the normalized request (normal.py), which makes the old single-benefit
fields one line each and a schedule's old rows two lines, so every request is priced the same
way: ``priced`` is the one place a line meets its formula.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Literal

from msgspec import Struct

from .funnel import monthly_gain
from .money import ONE, ZERO, exact
from .normal import Normal, NormalLine
from .types import (
    BenefitLine,
    CostLine,
    FixedBenefit,
    FunnelBenefit,
    MonthlyCostLine,
    PerSeatLicence,
    ProductivityBenefit,
    ScheduleLine,
)


class Line(Struct, frozen=True):
    """One line's risk-adjusted amounts, t = 0..N (a month each, or a year in a yearly
    schedule)."""

    source: str  # the pointer of the part of the request it was built from
    name: str
    side: Literal["benefit", "cost"]
    kind: Literal["funnel", "productivity", "fixed", "one_time", "monthly", "per_seat", "schedule"]
    amounts: list[Decimal]
    monthly_amount: Decimal | None = None  # A_j of a monthly benefit line (scaled), before risk
    kept: Decimal | None = None  # A_j (1 - ρ_j): its full amount a month, after risk


# A benefit line's "kind" (its tag in the request).
BENEFIT_KINDS: dict[type, Literal["funnel", "productivity", "fixed"]] = {
    FunnelBenefit: "funnel",
    ProductivityBenefit: "productivity",
    FixedBenefit: "fixed",
}


class Case(Struct, frozen=True):
    """The request's lines, benefits first, and what the monthly model's headline fields show
    (None for a schedule)."""

    lines: list[Line]
    period_months: int  # 1, or 12 for a yearly schedule
    monthly_model: bool

    @property
    def monthly_benefit(self) -> Decimal | None:
        """Σ A_j, before risk."""
        return self._sum(lambda line: line.monthly_amount)

    @property
    def productivity(self) -> Decimal | None:
        """Σ A_j of the productivity lines (None without one)."""
        if not any(line.kind == "productivity" for line in self.lines):
            return None
        return self._sum(lambda line: line.monthly_amount if line.kind == "productivity" else None)

    @property
    def risk_adjusted_benefit(self) -> Decimal | None:
        """Σ A_j (1 - ρ_j)."""
        return self._sum(lambda line: line.kept)

    @property
    def monthly_costs(self) -> Decimal | None:
        """Σ of costs.monthly a month at H, risk included."""
        return self._sum(lambda line: line.amounts[-1] if line.kind == "monthly" else None)

    def _sum(self, part: Callable[[Line], Decimal | None]) -> Decimal | None:
        if not self.monthly_model:
            return None
        return sum((x for x in map(part, self.lines) if x is not None), ZERO)


def case(normal: Normal, minor_unit: int, scale: Decimal = ONE) -> Case:
    """The lines of a normalized request with the CRM's effects times ``scale``: a funnel's
    uplifts, a productivity or fixed line's amount, a schedule's benefit amounts."""
    return Case(
        lines=[priced(line, normal.periods, minor_unit, scale) for line in normal.lines],
        period_months=12 if normal.period == "year" else 1,
        monthly_model=not isinstance(normal.lines[0].item, ScheduleLine),
    )


def priced(line: NormalLine, horizon: int, minor_unit: int, scale: Decimal = ONE) -> Line:
    """One line's amounts by its kind: the one place a line meets its formula (case() and
    solve both price lines here). ``horizon`` is N, the last period."""
    item = line.item
    if isinstance(item, ScheduleLine):
        return schedule_line(line, item, scale)
    if isinstance(item, CostLine):
        return one_time_line(line, item, horizon)
    if isinstance(item, MonthlyCostLine):
        return monthly_line(line, item, horizon)
    if isinstance(item, PerSeatLicence):
        return per_seat_line(line, item, horizon)
    return benefit_line(line, item, monthly_amount(item, scale, minor_unit), horizon)


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


def benefit_line(line: NormalLine, item: BenefitLine, amount: Decimal, horizon: int) -> Line:
    """b_t = A (1 - ρ) ramp(t - s + 1) for s ≤ t ≤ H, else 0; ramp(k) = min(1, k / R) (1 when
    R = 0)."""
    months = line.ramp_up_months
    start = int(item.start_month)
    full = amount * (ONE - exact(line.risk))
    amounts = [ZERO] * start
    for t in range(start, horizon + 1):
        k = t - start + 1
        amounts.append(full * k / months if k < months else full)
    return Line(
        source=line.source, name=item.name, side="benefit", kind=BENEFIT_KINDS[type(item)],
        amounts=amounts, monthly_amount=amount, kept=full,
    )  # fmt: skip


def one_time_line(line: NormalLine, item: CostLine, horizon: int) -> Line:
    """The amount × (1 + κ) in its month m, 0 in every other."""
    amounts = [ZERO] * (horizon + 1)
    amounts[int(item.month)] = exact(item.amount) * (ONE + exact(line.risk))
    return Line(source=line.source, name=item.name, side="cost", kind="one_time", amounts=amounts)


def monthly_line(line: NormalLine, item: MonthlyCostLine, horizon: int) -> Line:
    """The amount × (1 + κ) each month from its start month to H."""
    start = int(item.start_month)
    cost = exact(item.amount) * (ONE + exact(line.risk))
    amounts = [ZERO] * start + [cost] * (horizon + 1 - start)
    return Line(source=line.source, name=item.name, side="cost", kind="monthly", amounts=amounts)


def per_seat_line(line: NormalLine, licence: PerSeatLicence, horizon: int) -> Line:
    amounts = per_seat_amounts(licence, ONE + exact(line.risk), horizon)
    return Line(
        source=line.source, name=licence.name, side="cost", kind="per_seat", amounts=amounts
    )


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


def schedule_line(line: NormalLine, item: ScheduleLine, scale: Decimal) -> Line:
    """A benefit's amounts × scale × (1 - risk), a cost's × (1 + risk)."""
    risk = exact(line.risk)
    if item.side == "benefit":
        keep = ONE - risk
        amounts = [exact(a) * scale * keep for a in item.amounts]
    else:
        grow = ONE + risk
        amounts = [exact(a) * grow for a in item.amounts]
    return Line(
        source=line.source, name=item.name, side=item.side, kind="schedule", amounts=amounts
    )
