"""One normalized request: a validated /payback request with every default filled, once.

The model reads this, not the request: ``lines.case`` prices its lines, ``payback`` answers
from it, ``solve`` reprices the lines its field reaches, and ``version.calculation_id`` hashes
it. Each line keeps its ``source``, the JSON pointer of the part of the request it was built
from (``/benefits/1``, ``/costs/one_time/0``, ``/monthly_benefit``, ``/schedule/lines/2``...),
so a pointer into the request names the lines it reaches. The order of the lines is the
answer's (roi-model.md, "What the answer adds"), and it is written here only.
"""

from __future__ import annotations

from typing import Literal

from msgspec import UNSET, Struct, UnsetType
from msgspec.structs import replace

from .errors import ModelError, Violation
from .fields import Field, locate
from .ranges import Ranges, read_ranges
from .types import (
    BenefitLine,
    CostLine,
    EvaluateRequest,
    FixedBenefit,
    FunnelBenefit,
    MonthlyCostLine,
    PaybackRequest,
    PerSeatLicence,
    ProductivityBenefit,
    SalesFunnel,
    Scenario,
    ScheduleLine,
)
from .validate import check_payback

Item = BenefitLine | CostLine | MonthlyCostLine | PerSeatLicence | ScheduleLine
DISCOUNT_RATE = "/annual_discount_rate"


class NormalLine(Struct, frozen=True):
    """One line as the model reads it. ``item`` is the request's own item (the old fields made
    into one) with its ``risk`` and ``ramp_up_months`` moved out into this line's, filled."""

    source: str
    item: Item
    risk: float  # ρ_j of a benefit, κ of a cost: its own, else the request's for its side
    ramp_up_months: int  # a monthly benefit line's R_j: its own, else the request's; else 0


class Vary(Struct, frozen=True):
    """A solve as the model reads it: the field located once, and the lines it reaches (their
    indices in ``Normal.lines``: the line it lies in, or every line that takes the
    request-wide default it is)."""

    vary: str
    target: Literal["npv", "roi", "payback_months"]
    value: float
    field: Field
    reaches: list[int]


class Normal(Struct, frozen=True):
    """A /payback request with every default filled: what the model reads of it."""

    currency: str
    period: Literal["month", "year"]
    periods: int  # N: periods 0..N (H months, or a schedule's length - 1)
    ramp_up_months: int  # the request's, as the answer shows it
    annual_discount_rate: float
    lines: list[NormalLine]  # benefits first, then costs: the answer's order
    evaluation: EvaluateRequest | None  # the old single funnel, answered in full beside
    scenarios: list[Scenario]
    solve: Vary | None
    uncertainty: Ranges | None


def normalize(request: PaybackRequest) -> Normal:
    """The request checked (validate.check_payback: ConflictError, ModelError) and normalized;
    a solve's field and the uncertainty's ranges located (a ModelError at /solve/vary or
    /uncertainty/... when they cannot be varied)."""
    check_payback(request)
    built = lines_of(request)
    lines = [line for line, _ in built]
    schedule = request.schedule
    period: Literal["month", "year"] = "month" if schedule is UNSET else schedule.period
    periods = int(request.horizon_months) if schedule is UNSET else schedule_periods(lines)
    solve = None
    if request.solve is not UNSET:
        spec = request.solve
        field = locate(request, spec.vary)
        if isinstance(field, str):
            raise ModelError([Violation("/solve/vary", field)])
        solve = Vary(spec.vary, spec.target, spec.value, field, reached(built, spec.vary))
    uncertainty = None
    if request.uncertainty is not UNSET:
        pointers = [item.pointer for item in request.uncertainty.ranges]
        uncertainty = read_ranges(
            request, request.uncertainty, {p: reached(built, p) for p in pointers},
            periods=periods, period_months=12 if period == "year" else 1,
            risks=[line.risk for line in lines],
        )  # fmt: skip
    return Normal(
        currency=request.currency,
        period=period,
        periods=periods,
        ramp_up_months=_months(request.ramp_up_months),
        annual_discount_rate=request.annual_discount_rate,
        lines=lines,
        evaluation=None if request.evaluation is UNSET else request.evaluation,
        scenarios=request.scenarios,
        solve=solve,
        uncertainty=uncertainty,
    )


def reached(built: list[tuple[NormalLine, tuple[str, ...]]], pointer: str) -> list[int]:
    """The lines a field moves: the line whose source it lies in, or every line that takes the
    request-wide default it is."""
    return [
        i
        for i, (line, defaults) in enumerate(built)
        if within(pointer, line.source) or pointer in defaults
    ]


def within(pointer: str, source: str) -> bool:
    """The pointer names ``source`` or a field inside it ("/benefits/1/users" is within
    "/benefits/1", not within "/benefits/10")."""
    return pointer == source or pointer.startswith(source + "/")


def lines_of(request: PaybackRequest) -> list[tuple[NormalLine, tuple[str, ...]]]:
    """The request's lines in the answer's order, each with the request-wide fields it took a
    default from: benefits (the ``benefits`` lines, or the old fields ``monthly_benefit``,
    ``evaluation``, ``productivity`` in that order), then costs (``one_time``, ``monthly``,
    ``per_seat``); or a schedule's lines (its ``lines``, or its ``benefits`` and ``costs``
    rows)."""
    if request.schedule is not UNSET:
        return schedule_lines(request)
    built = [benefit(source, line, request) for source, line in benefit_items(request)]
    if request.costs is not UNSET:
        costs = request.costs
        built += [cost(f"/costs/one_time/{i}", c, request) for i, c in enumerate(costs.one_time)]
        built += [cost(f"/costs/monthly/{i}", c, request) for i, c in enumerate(costs.monthly)]
        built += [cost(f"/costs/per_seat/{i}", c, request) for i, c in enumerate(costs.per_seat)]
    return built


def benefit_items(request: PaybackRequest) -> list[tuple[str, BenefitLine]]:
    """The benefit lines with their sources; the old fields as lines of their own names."""
    if request.benefits is not UNSET:
        return [(f"/benefits/{j}", line) for j, line in enumerate(request.benefits)]
    items: list[tuple[str, BenefitLine]] = []
    if request.monthly_benefit is not UNSET:
        # monthly_benefit may be negative (a loss); a fixed line's schema bound does not apply
        fixed = FixedBenefit(name="monthly_benefit", monthly_amount=request.monthly_benefit)
        items.append(("/monthly_benefit", fixed))
    if request.evaluation is not UNSET:
        funnel = SalesFunnel(**{
            name: getattr(request.evaluation, name) for name in SalesFunnel.__struct_fields__
        })  # fmt: skip
        items.append(("/evaluation", FunnelBenefit(name="evaluation", evaluation=funnel)))
    if request.productivity is not UNSET:
        p = request.productivity
        items.append(("/productivity", ProductivityBenefit(
            name="productivity", users=p.users,
            hours_saved_per_user_per_month=p.hours_saved_per_user_per_month,
            loaded_hourly_cost=p.loaded_hourly_cost, realization=p.realization,
        )))  # fmt: skip
    return items


def benefit(
    source: str, line: BenefitLine, request: PaybackRequest
) -> tuple[NormalLine, tuple[str, ...]]:
    """A benefit line's risk (its own, else risk_adjustment.benefits) and ramp-up (its own,
    else the request's, else 0)."""
    defaults = []
    risk = line.risk
    if risk is UNSET:
        risk = request.risk_adjustment.benefits
        defaults.append("/risk_adjustment/benefits")
    ramp = line.ramp_up_months
    if ramp is UNSET:
        ramp = request.ramp_up_months
        defaults.append("/ramp_up_months")
    item = replace(line, risk=UNSET, ramp_up_months=UNSET)
    return NormalLine(source, item, risk, _months(ramp)), tuple(defaults)


def cost(
    source: str, item: CostLine | MonthlyCostLine | PerSeatLicence, request: PaybackRequest
) -> tuple[NormalLine, tuple[str, ...]]:
    """A cost item's risk: its own, else risk_adjustment.costs."""
    if item.risk is UNSET:
        line = NormalLine(source, item, request.risk_adjustment.costs, 0)
        return line, ("/risk_adjustment/costs",)
    return NormalLine(source, replace(item, risk=UNSET), item.risk, 0), ()


def schedule_lines(request: PaybackRequest) -> list[tuple[NormalLine, tuple[str, ...]]]:
    """A schedule's lines with their risk (its own, else the risk_adjustment of its side); the
    old rows are two lines, "benefits" and "costs"."""
    schedule = request.schedule
    assert schedule is not UNSET  # noqa: S101  the caller's branch
    if schedule.lines is UNSET:
        assert schedule.benefits is not UNSET  # noqa: S101  shape_conflict's rule
        assert schedule.costs is not UNSET  # noqa: S101
        rows = [
            ("/schedule/benefits", ScheduleLine(
                name="benefits", side="benefit", amounts=schedule.benefits)),
            ("/schedule/costs", ScheduleLine(name="costs", side="cost", amounts=schedule.costs)),
        ]  # fmt: skip
    else:
        rows = [(f"/schedule/lines/{k}", line) for k, line in enumerate(schedule.lines)]
    built: list[tuple[NormalLine, tuple[str, ...]]] = []
    for source, line in rows:
        side = "benefits" if line.side == "benefit" else "costs"
        if line.risk is UNSET:
            risk = getattr(request.risk_adjustment, side)
            built.append((NormalLine(source, line, risk, 0), (f"/risk_adjustment/{side}",)))
        else:
            built.append((NormalLine(source, replace(line, risk=UNSET), line.risk, 0), ()))
    return built


def schedule_periods(lines: list[NormalLine]) -> int:
    """N of a schedule: its rows' length (equal, validate.py checked) less the initial period."""
    first = lines[0].item
    assert isinstance(first, ScheduleLine)  # noqa: S101  a schedule's lines
    return len(first.amounts) - 1


def _months(months: float | UnsetType) -> int:
    return 0 if months is UNSET else int(months)
