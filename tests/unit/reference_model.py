"""An independent reference implementation of /work/shared/design/roi-model.md, for tests only.

Written from the page alone (not from ``service/calc``), as plainly as possible:

- every input is converted to an exact ``Fraction`` from its decimal text, ``Fraction(repr(x))``
  (the JSON number the client sent; types.py says the service does the same with ``Decimal``);
- rounding half-up is done by hand on exact fractions. For negative money "half-up" is taken as
  Decimal's ROUND_HALF_UP, i.e. half away from zero (-2.675 -> -2.68), so M(-x) = -M(x);
- discounting is exact too: df_t = (1 + r)^(-t/12) is an algebraic number, so discounted sums are
  kept as exact rational coordinates over the basis 1, y, ..., y^(d-1) with y = (1 + r)^(-1/12)
  reduced to its minimal power (see ``Discounting``). A sum is rational exactly when its
  irrational coordinates vanish; only then can it sit exactly on a rounding tie, and then it is
  rounded exactly. Otherwise it is evaluated with 80 significant digits, far more than the
  17 + 3 digits that can matter;
- the IRR is found by plain bisection in 60-digit ``Decimal`` arithmetic. Slow, but independent;
  defined here only for net flows with at most one sign change (Descartes: one root);
- /payback is computed as the page's "Business cases in lines (model 2)" says: every benefit and
  cost (the old single-benefit fields and a schedule's rows included) is a line of exact flows
  x_t, t = 0..N periods, and every figure follows from their sums.

Spec lines are quoted in the comments as ``# spec: ...``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from functools import cached_property
from typing import Literal

from msgspec import UNSET, UnsetType

from service.calc.types import (
    CostLine,
    Costs,
    EvaluateRequest,
    FunnelBenefit,
    MonthlyCostLine,
    PaybackRequest,
    PerSeatLicence,
    Productivity,
    ProductivityBenefit,
)

PREC = 80  # significant digits for every irrational quantity


def exact(x: float | int) -> Fraction:
    """The exact decimal value a JSON number stands for: 0.03 is 3/100, not the binary double."""
    if isinstance(x, int):
        return Fraction(x)
    return Fraction(repr(x))


Ties = Literal["away", "toward_zero"]


def round_half_up(x: Fraction, places: int = 0, ties: Ties = "away") -> Fraction:
    """Round to ``places`` decimals, ties away from zero (2.675 -> 2.68, -2.675 -> -2.68).

    ``ties="toward_zero"`` is not the page's rounding: it models a known service bug (exact ties
    reached through non-terminating decimals rounded towards zero), so that a test can tell that
    bug from any other difference."""
    scale = Fraction(10) ** places
    if ties == "away":
        magnitude = math.floor(abs(x) * scale + Fraction(1, 2))
    else:
        magnitude = math.ceil(abs(x) * scale - Fraction(1, 2))
    return Fraction(magnitude if x >= 0 else -magnitude) / scale


def to_decimal(x: Fraction) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = PREC
        return Decimal(x.numerator) / Decimal(x.denominator)


def money(x: Fraction, minor_unit: int, ties: Ties = "away") -> Decimal:
    """M: money rounded half-up to the minor unit, from the exact value; returned as Decimal."""
    rounded = round_half_up(x, minor_unit, ties) * 10**minor_unit  # an integer now
    return Decimal(int(rounded)).scaleb(-minor_unit)


def to_float(x: Fraction) -> float:
    return float(x)  # Fraction -> float is correctly rounded


class ReferenceInvalid(ValueError):
    """A schema-valid request the page rejects (422): ``stage_indices`` are the offending stages."""

    def __init__(self, stage_indices: list[int]) -> None:
        super().__init__(f"invalid stages {stage_indices}")
        self.stage_indices = stage_indices


# ---------------------------------------------------------------------------------------------
# Evaluate
# ---------------------------------------------------------------------------------------------


@dataclass
class RefStage:
    name: str
    baseline: Fraction
    projected: Fraction
    baseline_conversion: Fraction | None
    projected_conversion: Fraction | None


@dataclass
class RefEvaluation:
    stages: list[RefStage]
    baseline_revenue: Decimal
    projected_revenue: Decimal
    revenue_uplift: Decimal
    revenue_uplift_ratio: Fraction | None
    monthly_gain: Decimal


def check_funnel(request: EvaluateRequest, scale: Fraction = Fraction(1)) -> list[int]:
    """Stages the page rejects (422); ``scale``: a scenario's effect_scale (uplifts × s)."""
    counts = [exact(stage.count) for stage in request.stages]
    uplifts = [exact(stage.uplift) * scale for stage in request.stages]
    bad = []
    for i in range(1, len(counts)):
        # spec: "counts that grow down the funnel (c_i > c_{i-1})"
        grows = counts[i] > counts[i - 1]
        # spec: "a projected conversion above 100 % (c_i / c_{i-1} × (1 + u_i) > 1)"
        # (undefined, hence not rejected, when c_{i-1} = 0: then c_i = 0 too)
        above_100 = counts[i - 1] > 0 and counts[i] / counts[i - 1] * (1 + uplifts[i]) > 1
        if grows or above_100:
            bad.append(i)
    return bad


def evaluate(
    request: EvaluateRequest, minor_unit: int, scale: Fraction = Fraction(1)
) -> RefEvaluation:
    """``scale``: a scenario's effect_scale s, which scales every uplift (u × s, exactly)."""
    bad = check_funnel(request, scale)
    if bad:
        raise ReferenceInvalid(bad)

    # spec: "R rounds half-up to an integer in `whole_units` mode and is the identity in `exact`"
    def R(x: Fraction) -> Fraction:
        return round_half_up(x) if request.rounding == "whole_units" else x

    def M(x: Fraction) -> Fraction:
        return round_half_up(x, minor_unit)

    c = [exact(stage.count) for stage in request.stages]
    u = [exact(stage.uplift) * scale for stage in request.stages]
    A = exact(request.average_deal_value)
    u_A = exact(request.average_deal_value_uplift) * scale
    m = exact(request.gross_margin)

    # spec: "p_0 = R(c_0 × (1 + u_0))"
    p = [R(c[0] * (1 + u[0]))]
    for i in range(1, len(c)):
        # spec: "volume_i = R(c_i × p_{i-1} / c_{i-1})   (0 when c_{i-1} = 0)"
        volume = R(c[i] * p[i - 1] / c[i - 1]) if c[i - 1] != 0 else Fraction(0)
        # spec: "p_i = R(volume_i × (1 + u_i))"
        p.append(R(volume * (1 + u[i])))

    # spec: "baseline_revenue = M(c_last × A)"
    baseline_revenue = M(c[-1] * A)
    # spec: "projected_revenue = M(p_last × A × (1 + u_A))"
    projected_revenue = M(p[-1] * A * (1 + u_A))
    # spec: "revenue_uplift = projected_revenue - baseline_revenue"
    revenue_uplift = projected_revenue - baseline_revenue
    # spec: "revenue_uplift_ratio = revenue_uplift / baseline_revenue   (null when 0)"
    ratio = revenue_uplift / baseline_revenue if baseline_revenue != 0 else None
    # spec: "monthly_gain = M(revenue_uplift × m)"
    monthly_gain = M(revenue_uplift * m)

    stages = []
    for i, stage in enumerate(request.stages):
        # spec: "Baseline conversion into stage i is c_i / c_{i-1}; projected conversion is
        # p_i / p_{i-1}" and "(conversions null for the top stage)". Decided here: also null
        # where the stage above is 0 (0/0 has no value, and JSON has no NaN).
        baseline_conversion = c[i] / c[i - 1] if i > 0 and c[i - 1] != 0 else None
        projected_conversion = p[i] / p[i - 1] if i > 0 and p[i - 1] != 0 else None
        stages.append(RefStage(stage.name, c[i], p[i], baseline_conversion, projected_conversion))

    return RefEvaluation(
        stages=stages,
        baseline_revenue=money(baseline_revenue, minor_unit),
        projected_revenue=money(projected_revenue, minor_unit),
        revenue_uplift=money(revenue_uplift, minor_unit),
        revenue_uplift_ratio=ratio,
        monthly_gain=money(monthly_gain, minor_unit),
    )


# ---------------------------------------------------------------------------------------------
# Exact discounting
# ---------------------------------------------------------------------------------------------


def integer_root(n: int, k: int) -> int | None:
    """The integer k-th root of n >= 0 if n is a perfect k-th power, else None."""
    if n < 2:
        return n
    guess = round(math.exp(math.log(n) / k))
    for candidate in range(max(0, guess - 2), guess + 3):
        if candidate**k == n:
            return candidate
    # the float guess can be off for huge n: Newton's method on integers
    x = 1 << ((n.bit_length() + k - 1) // k)
    while True:
        y = ((k - 1) * x + n // x ** (k - 1)) // k
        if y >= x:
            break
        x = y
    return x if x**k == n else None


@dataclass(frozen=True)
class Alg:
    """An exact number Σ coords[j] × y^j (j < d) with rational coords (only the non-zero ones are
    stored); y^d = 1/s is rational and 1, y, ..., y^(d-1) are linearly independent over the
    rationals, so the number is rational exactly when no coordinate j >= 1 is stored."""

    coords: dict[int, Fraction]
    disc: Discounting

    def _combine(self, other: Alg, sign: int) -> Alg:
        coords = dict(self.coords)
        for j, a in other.coords.items():
            total = coords.get(j, Fraction(0)) + sign * a
            if total:
                coords[j] = total
            else:
                coords.pop(j, None)
        return Alg(coords, self.disc)

    def __add__(self, other: Alg) -> Alg:
        return self._combine(other, 1)

    def __sub__(self, other: Alg) -> Alg:
        return self._combine(other, -1)

    def scale(self, k: Fraction) -> Alg:
        if not k:
            return Alg({}, self.disc)
        return Alg({j: a * k for j, a in self.coords.items()}, self.disc)

    def is_rational(self) -> bool:
        return all(j == 0 for j in self.coords)

    def rational(self) -> Fraction:
        assert self.is_rational()
        return self.coords.get(0, Fraction(0))

    @cached_property
    def decimal(self) -> Decimal:
        with localcontext() as ctx:
            ctx.prec = PREC
            total = sum(
                (to_decimal(a) * self.disc.y_powers[j] for j, a in self.coords.items()),
                Decimal(0),
            )
            return +total

    def sign(self) -> int:
        if self.is_rational():
            value = self.rational()
            return (value > 0) - (value < 0)
        # irrational, hence not 0: its 80-digit value has the right sign
        return 1 if self.decimal > 0 else -1

    def money(self, minor_unit: int, ties: Ties = "away") -> Decimal:
        """M of this exact value: exactly when rational (ties are possible), else from 80 digits
        (an irrational number is never a tie)."""
        if self.is_rational():
            return money(self.rational(), minor_unit, ties)
        with localcontext() as ctx:
            ctx.prec = PREC
            return self.decimal.quantize(Decimal(1).scaleb(-minor_unit), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Discounting:
    """df_t = (1 + r)^(-t/12), exactly. Write 1 + r = s^k with k | 12 as large as possible; then
    df_t = y^t with y = s^(-1/d), d = 12 / k, and y has degree d over the rationals."""

    rate: Fraction
    s: Fraction = field(init=False)
    d: int = field(init=False)
    y: Decimal = field(init=False)

    def __post_init__(self) -> None:
        base = 1 + self.rate
        for k in (12, 6, 4, 3, 2, 1):
            num = integer_root(base.numerator, k)
            den = integer_root(base.denominator, k)
            if num is not None and den is not None:
                s, d = Fraction(num, den), 12 // k
                break
        object.__setattr__(self, "s", s)
        object.__setattr__(self, "d", d)
        with localcontext() as ctx:
            ctx.prec = PREC + 10
            y = (-(to_decimal(s).ln()) / d).exp() if s != 1 else Decimal(1)
        object.__setattr__(self, "y", y)

    @cached_property
    def y_powers(self) -> list[Decimal]:
        with localcontext() as ctx:
            ctx.prec = PREC + 10
            return [self.y**j for j in range(self.d)]

    def constant(self, x: Fraction) -> Alg:
        return Alg({0: x} if x else {}, self)

    def df(self, t: int) -> Alg:
        # spec: "df_t = (1 + r) ^ (-t / 12)" = y^t = y^(t mod d) × s^(-(t div d))
        return Alg({t % self.d: self.s ** -(t // self.d)}, self)


# ---------------------------------------------------------------------------------------------
# IRR by bisection
# ---------------------------------------------------------------------------------------------


def sign_changes(flows: list[Fraction]) -> int:
    signs = [1 if f > 0 else -1 for f in flows if f != 0]
    return sum(1 for a, b in itertools.pairwise(signs) if a != b)


def irr(flows: list[Fraction]) -> Decimal | None:
    """The rate where Σ flows_t / (1 + irr)^t = 0, or None with no sign change.

    Bisection on v = 1 / (1 + irr) > 0, where the polynomial f(v) = Σ flows_t v^t changes sign
    once (one sign change in the coefficients: Descartes gives exactly one positive root). Only
    flows with one sign change are supported (those are all /payback can produce).
    """
    changes = sign_changes(flows)
    if changes == 0:
        return None
    if changes > 1:
        raise NotImplementedError("more than one sign change")
    with localcontext() as ctx:
        ctx.prec = 60
        coefficients = [to_decimal(f) for f in flows]
        first = next(c for c in coefficients if c != 0)  # f(v) has this sign near v = 0

        def f(v: Decimal) -> Decimal:
            total = Decimal(0)
            for c in reversed(coefficients):  # Horner
                total = total * v + c
            return total

        def near_zero_side(v: Decimal) -> bool:
            value = f(v)
            return value != 0 and (value > 0) == (first > 0)

        lo = Decimal(1)
        while not near_zero_side(lo):
            lo /= 2
        hi = lo * 2
        while near_zero_side(hi):
            lo, hi = hi, hi * 2
        # now lo is on the near-zero side and hi is the root or beyond; hi <= 2 lo
        for _ in range(400):
            mid = (lo + hi) / 2
            if near_zero_side(mid):
                lo = mid
            else:
                hi = mid
            if hi - lo <= hi * Decimal("1e-45"):
                break
        v = (lo + hi) / 2
        return 1 / v - 1


# ---------------------------------------------------------------------------------------------
# Payback: a business case as lines (model 1 is the one-line special case)
# ---------------------------------------------------------------------------------------------


@dataclass
class RefCashFlow:
    month: int
    period: int
    benefit: Decimal
    cost: Decimal
    net: Decimal
    discounted_net: Decimal
    cumulative: Decimal
    discounted_cumulative: Decimal


@dataclass
class RefYear:
    year: int
    months: int
    benefits: Decimal
    costs: Decimal
    net: Decimal
    pv_benefits: Decimal
    pv_costs: Decimal


@dataclass
class RefLine:
    name: str
    side: Literal["benefit", "cost"]
    kind: str
    total: Decimal
    pv: Decimal
    years: list[Decimal]


@dataclass
class RefPayback:
    # model 1 figures (None where the request is not a model 1 request: lines or a schedule)
    monthly_benefit: Decimal | None
    risk_adjusted_monthly_benefit: Decimal | None
    one_time_costs: Decimal | None
    monthly_costs: Decimal | None
    period: Literal["month", "year"]
    horizon_months: int
    payback_periods: Fraction | Decimal | None
    discounted_payback_periods: Fraction | Decimal | None
    payback_months: float | None
    discounted_payback_months: float | None
    # True where the cumulative (or discounted cumulative) net turns non-negative and then
    # negative again, so that "first turns non-negative" and "for good" differ (payback_time)
    payback_rereads: bool
    total_benefits: Decimal
    total_costs: Decimal
    pv_benefits: Decimal
    pv_costs: Decimal
    npv: Decimal
    roi: float | None
    benefit_realization: float | None
    max_upfront_cost: Decimal
    # False where the net flows change sign more than once: the reference then does not say
    # which of possibly several rates is "the" IRR (irr_* are None then, and not compared)
    irr_defined: bool
    irr_period: float | None
    irr_monthly: float | None
    irr_annual: float | None
    cash_flows: list[RefCashFlow]
    years: list[RefYear]
    lines: list[RefLine]
    evaluation: RefEvaluation | None
    # exact values, for oracle tests
    net_flows: list[Fraction]


@dataclass
class Line:
    """One line's exact flows x_t, t = 0..N (periods), risk and scale applied."""

    name: str
    side: Literal["benefit", "cost"]
    kind: str
    flows: list[Fraction]


PaybackRule = Literal["never_owed", "nothing_at_month_0"]
Crossing = Literal["first", "last"]


def payback_time(
    cumulative: list[Alg], net: list[Alg], rule: PaybackRule, crossing: Crossing = "last"
) -> Fraction | Decimal | None:
    """spec: "where the cumulative net turns non-negative in month t for the last time (it stays
    non-negative from there to H), payback = (t - 1) + (-cumulative_{t-1}) / net_t. 0 when
    nothing is ever owed; null when the cumulative is negative at H."

    In periods (months, or years for a yearly schedule); exact where the operands are rational.

    Decided (rule "never_owed"): "nothing is owed" means the cumulative is never negative in
    months 0..H. (The other reading, "nothing_at_month_0": 0 whenever C_0 = 0, even if monthly
    costs then run the cumulative negative.)

    ``crossing``: "last" is the page's word. "first" is the reading of model 1.2.0: where the
    cumulative first turns non-negative, even when it falls negative again later (a cost paid
    in a later month). The two differ only then.
    """
    signs = [c.sign() for c in cumulative]
    if rule == "nothing_at_month_0" and signs[0] >= 0:
        return Fraction(0)
    if all(s >= 0 for s in signs):
        return Fraction(0)
    if crossing == "last" and signs[-1] < 0:
        return None
    months = range(1, len(cumulative))
    for t in months if crossing == "first" else reversed(months):
        if signs[t - 1] < 0 <= signs[t]:
            owed, earned = cumulative[t - 1], net[t]
            if owed.is_rational() and earned.is_rational():
                return t - 1 + (-owed.rational()) / earned.rational()
            with localcontext() as ctx:
                ctx.prec = PREC
                return t - 1 + (-owed.decimal) / earned.decimal
    return None


def times(x: Fraction | Decimal | None, k: int) -> float | None:
    """A payback in periods, in months (k months a period), as the nearest float."""
    if x is None:
        return None
    if isinstance(x, Fraction):
        return to_float(x * k)
    with localcontext() as ctx:
        ctx.prec = PREC
        return float(x * k)


def ratio(a: Alg, b: Alg, minor_unit: int) -> float | None:
    """a / b, null when b or the b the answer shows (rounded to the minor unit) is 0."""
    if b.sign() == 0 or b.money(minor_unit) == 0:
        return None
    if a.is_rational() and b.is_rational():
        return to_float(a.rational() / b.rational())
    with localcontext() as ctx:
        ctx.prec = PREC
        return float(a.decimal / b.decimal)


def benefit_flows(A: Fraction, rho: Fraction, R: int, s: int, H: int) -> list[Fraction]:
    """One benefit line, t = 0..H."""

    # spec: "ramp_j(k) = 1 if R_j = 0 else min(1, k / R_j)"
    def ramp(k: int) -> Fraction:
        return Fraction(1) if R == 0 else min(Fraction(1), Fraction(k, R))

    # spec: "b_{j,t} = A_j × (1 - ρ_j) × ramp_j(t - s_j + 1)   for s_j ≤ t ≤ H, else 0"
    return [A * (1 - rho) * ramp(t - s + 1) if s <= t <= H else Fraction(0) for t in range(H + 1)]


def productivity_amount(p: Productivity | ProductivityBenefit) -> Fraction:
    # spec: "users × hours × cost × realization, exact"
    return (
        exact(p.users)
        * exact(p.hours_saved_per_user_per_month)
        * exact(p.loaded_hourly_cost)
        * exact(p.realization)
    )


def benefit_lines(
    request: PaybackRequest, minor_unit: int, scale: Fraction
) -> tuple[list[Line], RefEvaluation | None, Fraction | None, Fraction | None]:
    """The monthly model's benefit lines, in the answer's order; with the evaluation of the old
    ``evaluation`` field, and Σ A_j and Σ A_j (1 - ρ_j) over the old single-benefit fields."""
    H = int(request.horizon_months)  # whole months (the schema accepts 12 and 12.0 alike)
    R = 0 if request.ramp_up_months is UNSET else int(request.ramp_up_months)
    rho_default = exact(request.risk_adjustment.benefits)
    lines: list[Line] = []
    evaluation = None
    stated = risk_adjusted = None

    if request.benefits is UNSET:
        # spec: "`monthly_benefit` is one `fixed` line, `evaluation` one `funnel` line,
        # `productivity` one `productivity` line, both together two lines"; each with the
        # request's risk and ramp, from month 1
        old: list[tuple[str, str, Fraction, Fraction]] = []  # name, kind, A_j, A_j at scale s
        if request.monthly_benefit is not UNSET:
            A = exact(request.monthly_benefit)
            # spec (scenarios): "a productivity or fixed line's amount (s × A_j)"
            old.append(("monthly_benefit", "fixed", A, A * scale))
        if request.evaluation is not UNSET:
            # spec: "`evaluation` (an /evaluate request, whose `monthly_gain` is used)"
            evaluation = evaluate(request.evaluation, minor_unit)
            # spec (scenarios): "a funnel line's uplifts"
            scaled = evaluate(request.evaluation, minor_unit, scale)
            old.append(
                (
                    "evaluation",
                    "funnel",
                    Fraction(evaluation.monthly_gain),
                    Fraction(scaled.monthly_gain),
                )
            )
        if request.productivity is not UNSET:
            A = productivity_amount(request.productivity)
            old.append(("productivity", "productivity", A, A * scale))
        stated = sum((A for _, _, A, _ in old), Fraction(0))
        # spec: "B = monthly_benefit × (1 - risk_benefits)"
        risk_adjusted = stated * (1 - rho_default)
        for name, kind, _, A in old:
            lines.append(Line(name, "benefit", kind, benefit_flows(A, rho_default, R, 1, H)))
    else:
        for line in request.benefits:
            if isinstance(line, FunnelBenefit):
                # spec: "its `monthly_gain` (money, already rounded)"; "a funnel line's uplifts"
                kind, A = (
                    "funnel",
                    Fraction(evaluate(line.evaluation, minor_unit, scale).monthly_gain),
                )
            elif isinstance(line, ProductivityBenefit):
                kind, A = "productivity", productivity_amount(line) * scale
            else:
                # spec: "`monthly_amount` ... | monthly_amount"
                kind, A = "fixed", exact(line.monthly_amount) * scale
            # spec: "`risk` ρ_j (0..1, default `risk_adjustment.benefits`), `ramp_up_months` R_j
            # (0..H, default the request's `ramp_up_months`) and `start_month` s_j (1..H,
            # default 1)"
            rho = rho_default if line.risk is UNSET else exact(line.risk)
            R_j = R if line.ramp_up_months is UNSET else int(line.ramp_up_months)
            s_j = int(line.start_month)
            lines.append(Line(line.name, "benefit", kind, benefit_flows(A, rho, R_j, s_j, H)))
    return lines, evaluation, stated, risk_adjusted


def cost_lines(request: PaybackRequest) -> list[Line]:
    """The monthly model's cost lines: one_time, monthly, per_seat, each in request order."""
    H = int(request.horizon_months)
    kappa_default = exact(request.risk_adjustment.costs)
    lines: list[Line] = []
    costs = Costs() if request.costs is UNSET else request.costs

    def risk(item: CostLine | MonthlyCostLine | PerSeatLicence) -> Fraction:
        # spec: "Every cost item may carry its own `risk` κ (0..1, default
        # `risk_adjustment.costs`): its amounts are × (1 + κ)."
        return 1 + (kappa_default if item.risk is UNSET else exact(item.risk))

    for one_time in costs.one_time:
        # spec: "`costs.one_time` items may carry `month` m (0..H, default 0): paid at month m."
        flows = [Fraction(0)] * (H + 1)
        flows[int(one_time.month)] = exact(one_time.amount) * risk(one_time)
        lines.append(Line(one_time.name, "cost", "one_time", flows))
    for monthly in costs.monthly:
        # spec: "`costs.monthly` items may carry `start_month` (1..H, default 1): paid each
        # month from it to H."
        start = int(monthly.start_month)
        amount = exact(monthly.amount) * risk(monthly)
        flows = [amount if start <= t <= H else Fraction(0) for t in range(H + 1)]
        lines.append(Line(monthly.name, "cost", "monthly", flows))
    for seat in costs.per_seat:
        seats, price = exact(seat.seats), exact(seat.price_per_seat)
        e = exact(seat.annual_escalation)
        flows = [Fraction(0)] * (H + 1)
        if seat.billing == "monthly":
            # spec: "c_t = seats × price × (1 + e)^floor((t - 1) / 12) × (1 + κ),  t = 1..H"
            for t in range(1, H + 1):
                flows[t] = seats * price * (1 + e) ** ((t - 1) // 12) * risk(seat)
        else:
            # spec: "c_{12k} = 12 × seats × price × (1 + e)^k × (1 + κ),   every k ≥ 0 with
            # 12k < H"; "the last year is paid in full even when the horizon ends inside it"
            k = 0
            while 12 * k < H:
                flows[12 * k] = 12 * seats * price * (1 + e) ** k * risk(seat)
                k += 1
        lines.append(Line(seat.name, "cost", "per_seat", flows))
    return lines


def schedule_lines(request: PaybackRequest, scale: Fraction) -> list[Line]:
    """A schedule's lines: ``schedule.lines`` in their order, or the old rows as two lines,
    "benefits" then "costs"."""
    schedule = request.schedule
    assert schedule is not UNSET
    rho_default = exact(request.risk_adjustment.benefits)
    kappa_default = exact(request.risk_adjustment.costs)
    rows: list[tuple[str, Literal["benefit", "cost"], list[float] | UnsetType, float | UnsetType]]
    if schedule.lines is UNSET:
        rows = [
            ("benefits", "benefit", schedule.benefits, UNSET),
            ("costs", "cost", schedule.costs, UNSET),
        ]
    else:
        rows = [(line.name, line.side, line.amounts, line.risk) for line in schedule.lines]
    lines = []
    for name, side, amounts, line_risk in rows:
        assert amounts is not UNSET
        # spec: "A benefit line's amounts are × (1 - risk), a cost line's × (1 + risk) (default
        # the `risk_adjustment` of its side)"; scenarios scale the benefits
        if side == "benefit":
            factor = (1 - (rho_default if line_risk is UNSET else exact(line_risk))) * scale
        else:
            factor = 1 + (kappa_default if line_risk is UNSET else exact(line_risk))
        lines.append(Line(name, side, "schedule", [exact(a) * factor for a in amounts]))
    return lines


def row_ends(N: int, period: Literal["month", "year"]) -> list[int]:
    """The periods at which the rows of the yearly table end: period 0 (the initial outlay),
    then every 12 months (every year for a yearly schedule), then the last period."""
    if period == "year":
        return list(range(N + 1))
    return sorted({0, *range(12, N, 12), N})


def split(running: list[Decimal]) -> list[Decimal]:
    """Rounded running totals at the row ends -> the rows (which add up to the last total)."""
    return [running[0]] + [b - a for a, b in itertools.pairwise(running)]


def payback(
    request: PaybackRequest,
    minor_unit: int,
    rule: PaybackRule = "never_owed",
    *,
    scale: Fraction = Fraction(1),
    crossing: Crossing = "last",
    ties: Ties = "away",
    detail: bool = True,
) -> RefPayback:
    """The /payback answer's figures; ``scale``: a scenario's effect_scale. ``crossing`` and
    ``ties`` other than their defaults are not the page's readings (see payback_time and
    round_half_up): tests use them to name a known difference. ``detail=False`` leaves out the
    rows (cash_flows, years, lines): a scenario answers the headline figures only."""
    evaluation = stated = risk_adjusted = None
    period: Literal["month", "year"] = "month"
    if request.schedule is not UNSET:
        period = request.schedule.period
        lines = schedule_lines(request, scale)
    else:
        lines, evaluation, stated, risk_adjusted = benefit_lines(request, minor_unit, scale)
        lines += cost_lines(request)
    N = len(lines[0].flows) - 1  # periods 0..N
    months_per_period = 12 if period == "year" else 1

    def M(x: Fraction) -> Decimal:
        return money(x, minor_unit, ties)

    def side_total(side: str, t: int) -> Fraction:
        return sum((line.flows[t] for line in lines if line.side == side), Fraction(0))

    # spec: "benefit_t = Σ_j b_{j,t}, cost_t = Σ of the cost lines at t, net_t = benefit_t -
    # cost_t, and every figure of "Payback" follows from these flows unchanged"
    benefit = [side_total("benefit", t) for t in range(N + 1)]
    cost = [side_total("cost", t) for t in range(N + 1)]
    net = [b - c for b, c in zip(benefit, cost, strict=True)]

    disc = Discounting(exact(request.annual_discount_rate))
    # spec: "df_t = (1 + r) ^ (-t / 12)" (t in months; a year of a yearly schedule is 12 of them)
    df = [disc.df(t * months_per_period) for t in range(N + 1)]

    def pv(flows: list[Fraction]) -> Alg:
        total = disc.constant(Fraction(0))
        for t in range(N + 1):
            total += df[t].scale(flows[t])
        return total

    # spec: "PV_benefits = Σ benefit_t df_t,  PV_costs = C_0 + Σ C_m df_t"
    pv_benefits, pv_costs = pv(benefit), pv(cost)
    # spec: "npv = PV_benefits - PV_costs"
    npv = pv_benefits - pv_costs
    # spec: "roi = npv / PV_costs   (null when PV_costs, rounded to the minor unit, is 0)"
    roi = ratio(npv, pv_costs, minor_unit)
    # spec: "benefit_realization = PV_costs / PV_benefits (null when PV_benefits = 0)"; like roi,
    # null when the PV of benefits shown is 0
    benefit_realization = ratio(pv_costs, pv_benefits, minor_unit)
    # spec: "max_upfront_cost = M(C_0 + npv), where C_0 is the month-0 cost"
    max_upfront_cost = (disc.constant(cost[0]) + npv).money(minor_unit, ties)

    # spec: "irr_monthly: the rate where Σ net_t / (1 + irr)^t = 0 (null with no sign change)";
    # "irr_annual = (1 + irr_monthly)^12 - 1" (per period: a year for a yearly schedule)
    irr_defined = sign_changes(net) <= 1
    irr_period = irr_monthly = irr_annual = None
    rate = irr(net) if irr_defined else None
    if rate is not None:
        with localcontext() as ctx:
            ctx.prec = 60
            irr_period = float(rate)
            if period == "month":
                irr_monthly, irr_annual = float(rate), float((1 + rate) ** 12 - 1)
            else:
                irr_monthly, irr_annual = float((1 + rate) ** (Decimal(1) / 12) - 1), float(rate)

    # cash flows, t = 0..N; every money figure is its exact value rounded once
    cumulative = list(itertools.accumulate(net))
    discounted_net = [df[t].scale(net[t]) for t in range(N + 1)]
    discounted_cumulative = list(itertools.accumulate(discounted_net))
    cash_flows = [
        RefCashFlow(
            month=t * months_per_period,
            period=t,
            benefit=M(benefit[t]),
            cost=M(cost[t]),
            net=M(net[t]),
            discounted_net=discounted_net[t].money(minor_unit, ties),
            cumulative=M(cumulative[t]),
            discounted_cumulative=discounted_cumulative[t].money(minor_unit, ties),
        )
        for t in range(N + 1)
        if detail
    ]
    undiscounted = [disc.constant(c) for c in cumulative], [disc.constant(n) for n in net]
    payback_periods = payback_time(*undiscounted, rule, crossing)
    # spec: "`discounted_payback_months`: the same on the discounted flows net_t × df_t"
    discounted_payback_periods = payback_time(discounted_cumulative, discounted_net, rule, crossing)
    # where the last crossing (the page's) and the first (model 1.2.0's) differ
    other: Crossing = "last" if crossing == "first" else "first"
    payback_rereads = payback_periods != payback_time(*undiscounted, rule, other) or (
        discounted_payback_periods
        != payback_time(discounted_cumulative, discounted_net, rule, other)
    )

    # the yearly table and each line's `years`: differences of rounded running totals at the
    # row ends (spec: "so they add up to `total` exactly")
    ends = row_ends(N, period)

    def rows(flows: list[Fraction]) -> list[Decimal]:
        running = list(itertools.accumulate(flows))
        return split([M(running[end]) for end in ends])

    def pv_rows(flows: list[Fraction]) -> list[Decimal]:
        running = list(itertools.accumulate(df[t].scale(flows[t]) for t in range(N + 1)))
        return split([running[end].money(minor_unit, ties) for end in ends])

    year_benefits, year_costs = rows(benefit), rows(cost)
    year_pv_benefits, year_pv_costs = pv_rows(benefit), pv_rows(cost)
    years = [
        RefYear(
            year=k,
            months=(ends[k] - ends[k - 1]) * months_per_period if k else 0,
            benefits=year_benefits[k],
            costs=year_costs[k],
            net=year_benefits[k] - year_costs[k],
            pv_benefits=year_pv_benefits[k],
            pv_costs=year_pv_costs[k],
        )
        for k in range(len(ends))
        if detail
    ]
    # spec: "`total` = M(Σ_t x_t), `pv` = M(Σ_t x_t df_t), `years` = the line's amount in each
    # row of the answer's `years` table, as differences of rounded running totals"
    ref_lines = [
        RefLine(
            name=line.name,
            side=line.side,
            kind=line.kind,
            total=M(sum(line.flows, Fraction(0))),
            pv=pv(line.flows).money(minor_unit, ties),
            years=rows(line.flows),
        )
        for line in lines
        if detail
    ]

    costs = Costs() if request.costs is UNSET else request.costs
    # model 1's C_0 and C_m: the old fields with plain cost items (no per-seat licence, no
    # item's own risk, month or start month: model 2's)
    plain_costs = (
        not costs.per_seat
        and all(c.risk is UNSET and c.month == 0 for c in costs.one_time)
        and all(c.risk is UNSET and c.start_month == 1 for c in costs.monthly)
    )
    model_1 = request.schedule is UNSET and request.benefits is UNSET and plain_costs
    kappa = exact(request.risk_adjustment.costs)
    return RefPayback(
        # spec: "`monthly_benefit` (the benefit before risk adjustment)"
        monthly_benefit=None if stated is None else M(stated),
        risk_adjusted_monthly_benefit=None if risk_adjusted is None else M(risk_adjusted),
        # spec: "C_0 = Σ one_time × (1 + risk_costs)", "C_m = Σ monthly × (1 + risk_costs)"
        one_time_costs=M(sum((exact(c.amount) for c in costs.one_time), Fraction(0)) * (1 + kappa))
        if model_1
        else None,
        monthly_costs=M(sum((exact(c.amount) for c in costs.monthly), Fraction(0)) * (1 + kappa))
        if model_1
        else None,
        period=period,
        horizon_months=N * months_per_period,
        payback_periods=payback_periods,
        discounted_payback_periods=discounted_payback_periods,
        payback_months=times(payback_periods, months_per_period),
        discounted_payback_months=times(discounted_payback_periods, months_per_period),
        payback_rereads=payback_rereads,
        # spec: "total_benefits = Σ benefit_t,  total_costs = C_0 + H × C_m   (undiscounted)"
        total_benefits=M(sum(benefit, Fraction(0))),
        total_costs=M(sum(cost, Fraction(0))),
        pv_benefits=pv_benefits.money(minor_unit, ties),
        pv_costs=pv_costs.money(minor_unit, ties),
        npv=npv.money(minor_unit, ties),
        roi=roi,
        benefit_realization=benefit_realization,
        max_upfront_cost=max_upfront_cost,
        irr_defined=irr_defined,
        irr_period=irr_period,
        irr_monthly=irr_monthly,
        irr_annual=irr_annual,
        cash_flows=cash_flows,
        years=years,
        lines=ref_lines,
        evaluation=evaluation,
        net_flows=net,
    )
